//! minisign signatures over the manifest: reading public and secret key files as the
//! `minisign` CLI writes them, signing, and verifying. Key ids are 16 uppercase hex digits of the
//! little-endian key number, as the minisign crate prints them. The minisign 0.11 CLI drops
//! leading zeros in the comment of a public key file, so key ids given by users are read either way.

use std::io::Cursor;
use std::path::Path;

use base64::Engine as _;
use minisign::{PublicKey, PublicKeyBox, SecretKey, SecretKeyBox, SignatureBox};

use super::error::{BundleError, invalid};

/// How to get the password of an encrypted secret key.
#[derive(Debug, Clone)]
pub enum Password {
    /// Use this password.
    Given(String),
    /// Ask on the terminal; only chosen when stdin is a terminal.
    Prompt,
    /// No password is available: an encrypted key is rejected.
    Unavailable,
}

/// A public key read from a `.pub` file or the trust store.
#[derive(Debug, Clone)]
pub struct PublicKeyFile {
    /// The key.
    pub key: PublicKey,
    /// The key id, as minisign prints it.
    pub key_id: String,
}

impl PublicKeyFile {
    /// Parses a minisign public key file (`untrusted comment: ...` then the base64 key).
    ///
    /// # Errors
    ///
    /// [`BundleError::Invalid`] when the text is not a minisign public key.
    pub fn parse(text: &str) -> Result<PublicKeyFile, BundleError> {
        let lines: Vec<&str> = text.lines().map(str::trim_end).filter(|l| !l.is_empty()).collect();
        if lines.first().is_some_and(|l| l.starts_with("untrusted comment:") && l.contains("secret key")) {
            return Err(invalid!(
                "expected a minisign public key, but this is a secret key: pass the public key file (`.pub`) that `minisign -G` wrote beside it"
            ));
        }
        let encoded = match lines.as_slice() {
            [comment, encoded] if comment.starts_with("untrusted comment:") => *encoded,
            [encoded] => *encoded,
            _ => return Err(invalid!("expected a minisign public key: an `untrusted comment:` line and a base64 key line")),
        };
        let key = PublicKey::from_base64(encoded).map_err(|e| invalid!("expected a minisign public key: {e}"))?;
        let key_id = key_id(key.keynum());
        Ok(PublicKeyFile { key, key_id })
    }

    /// Returns the key as a minisign public key file, with `comment` as its untrusted comment.
    pub fn to_text(&self, comment: &str) -> String {
        format!("untrusted comment: {comment}\n{}\n", self.key.to_base64())
    }
}

/// Formats a key number as a key id: 16 uppercase hex digits.
pub fn key_id(keynum: &[u8]) -> String {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&keynum[..8]);
    format!("{:016X}", u64::from_le_bytes(bytes))
}

/// Returns true when the text has the form of a full key id: 16 hex digits.
pub fn is_key_id(text: &str) -> bool {
    text.len() == 16 && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// Reads a key id given by a user, in any case and with or without leading zeros, so that
/// `5503d5eee55cc36` reads as `05503D5EEE55CC36`, the form [`key_id`] prints.
pub fn parse_key_id(text: &str) -> Option<String> {
    if text.is_empty() || text.len() > 16 || !text.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(text, 16).ok().map(|number| format!("{number:016X}"))
}

/// Reads a minisign secret key file, decrypting it when it is encrypted.
///
/// # Errors
///
/// [`BundleError::Io`] when the file cannot be read; [`BundleError::Invalid`] when it is not a
/// minisign secret key, is encrypted and no password is available, or the password is wrong.
pub fn load_secret_key(path: &Path, password: Password) -> Result<SecretKey, BundleError> {
    let text = std::fs::read_to_string(path).map_err(BundleError::io("cannot read secret key", path))?;
    let shown = path.display();
    let bytes = decode_secret_key(&text).map_err(|reason| invalid!("`{shown}` is not a minisign secret key: {reason}"))?;

    // Bytes 2 and 3 name the key derivation algorithm: zero for an unencrypted key
    // (`minisign -G -W`), `Sc` for a key encrypted with an scrypt-derived password.
    match bytes.get(2..4) {
        Some([0, 0]) => {
            // NOTE: minisign 0.11 writes unencrypted keys with an all-zero checksum, which the
            // minisign crate's `SecretKeyBox` reading rejects as corrupted, so the bytes are
            // decoded directly. A damaged key still fails: `sign` checks each new signature
            // against the public half of the key.
            return SecretKey::from_bytes(&bytes).map_err(|e| invalid!("cannot read the secret key `{shown}`: {e}"));
        }
        Some(b"Sc") => {}
        other => return Err(invalid!("`{shown}` is not a minisign secret key: unknown key derivation algorithm {other:?}")),
    }

    let password = match password {
        Password::Given(password) => Some(password),
        Password::Prompt => None,
        Password::Unavailable => {
            return Err(invalid!(
                "the secret key `{shown}` is encrypted and stdin is not a terminal to ask for its password: set GGCORE_SIGNING_PASSWORD"
            ));
        }
    };
    let secret_box = SecretKeyBox::from_string(&text).map_err(|e| invalid!("`{shown}` is not a minisign secret key: {e}"))?;
    secret_box.into_secret_key(password).map_err(|e| invalid!("cannot decrypt the secret key `{shown}`: {e}"))
}

/// Decodes the key line of a minisign secret key file (158 bytes).
fn decode_secret_key(text: &str) -> Result<Vec<u8>, String> {
    let encoded = text.lines().nth(1).ok_or("the file has no key line")?.trim();
    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|e| format!("the key line is not base64: {e}"))?;
    if bytes.len() != SECRET_KEY_BYTES {
        return Err(format!("the key is {} bytes, expected {SECRET_KEY_BYTES}", bytes.len()));
    }
    Ok(bytes)
}

/// The length of a decoded minisign secret key: algorithm ids, scrypt salt and limits, key
/// number, Ed25519 secret key and checksum.
const SECRET_KEY_BYTES: usize = 2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32;

/// Signs the manifest's bytes; returns the text of `manifest.json.minisig` and the key id.
///
/// # Errors
///
/// [`BundleError::Invalid`] when minisign cannot sign with the key.
pub fn sign(manifest: &[u8], secret_key: &SecretKey, trusted_comment: &str) -> Result<(String, String), BundleError> {
    let public_key = PublicKey::from_secret_key(secret_key).map_err(|e| invalid!("cannot derive the public key from the secret key: {e}"))?;
    let id = key_id(public_key.keynum());
    let untrusted_comment = format!("signature from kubectl ggcore, key {id}");
    let signature = minisign::sign(Some(&public_key), secret_key, Cursor::new(manifest), Some(trusted_comment), Some(&untrusted_comment))
        .map_err(|e| invalid!("cannot sign with key `{id}`: {e}"))?;
    Ok((signature.into_string(), id))
}

/// A parsed signature file.
pub struct Signature {
    signature: SignatureBox,
    /// The id of the key that made it.
    pub key_id: String,
}

impl Signature {
    /// Parses a `.minisig` file.
    ///
    /// # Errors
    ///
    /// [`BundleError::Invalid`] when the text is not a minisign signature.
    pub fn parse(text: &str) -> Result<Signature, BundleError> {
        let signature = SignatureBox::from_string(text).map_err(|e| invalid!("`manifest.json.minisig` is not a minisign signature: {e}"))?;
        let key_id = key_id(signature.keynum());
        Ok(Signature { signature, key_id })
    }

    /// Reports whether this is a legacy signature (minisign `-l`), made over the data itself
    /// instead of over its BLAKE2b hash.
    pub fn is_legacy(&self) -> bool {
        !self.signature.is_prehashed()
    }

    /// Returns the trusted comment, when the signature carries one.
    pub fn trusted_comment(&self) -> Option<String> {
        self.signature.trusted_comment().ok()
    }

    /// Verifies the signature of `data` with `key`; returns the verifier's reason on failure.
    ///
    /// Legacy signatures (minisign `-l`, Ed25519 over the data instead of over its BLAKE2b
    /// hash) are rejected, as `minisign -V` rejects them by default.
    pub fn verify(&self, data: &[u8], key: &PublicKey) -> Result<(), String> {
        minisign::verify(key, &self.signature, Cursor::new(data), true, false, false).map_err(|e| e.to_string())
    }
}

/// Wraps a public key in a minisign public key box; used by tests that make keys.
pub fn public_key_text(key: &PublicKey) -> String {
    PublicKeyBox::from(key.to_box().expect("a public key always boxes")).into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_pair() -> (SecretKey, PublicKeyFile) {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let public = PublicKeyFile::parse(&public_key_text(&pair.pk)).unwrap();
        (pair.sk, public)
    }

    #[test]
    fn signature_verifies_with_its_key() {
        let (secret, public) = key_pair();
        let (text, id) = sign(b"manifest", &secret, "timestamp:0").unwrap();
        let signature = Signature::parse(&text).unwrap();
        assert_eq!(signature.key_id, id);
        assert_eq!(public.key_id, id);
        assert_eq!(signature.trusted_comment().as_deref(), Some("timestamp:0"));
        assert!(signature.verify(b"manifest", &public.key).is_ok());
    }

    #[test]
    fn changed_data_fails_verification() {
        let (secret, public) = key_pair();
        let (text, _) = sign(b"manifest", &secret, "timestamp:0").unwrap();
        let reason = Signature::parse(&text).unwrap().verify(b"manifest!", &public.key).unwrap_err();
        assert_eq!(reason, "Signature verification failed");
    }

    #[test]
    fn key_id_is_printed_like_minisign() {
        assert_eq!(key_id(&[0x8b, 0x7a, 0x6f, 0x5e, 0x4d, 0x3c, 0x2b, 0x1a]), "1A2B3C4D5E6F7A8B");
    }

    #[test]
    fn key_id_without_leading_zero_is_read() {
        assert_eq!(parse_key_id("5503d5eee55cc36").as_deref(), Some("05503D5EEE55CC36"));
        assert_eq!(parse_key_id("team"), None);
    }

    #[test]
    fn secret_key_file_is_not_a_public_key() {
        let message = PublicKeyFile::parse("untrusted comment: x\nRWRTY0Iy\nmore\n").unwrap_err().to_string();
        assert!(message.contains("expected a minisign public key"), "{message}");
    }
}
