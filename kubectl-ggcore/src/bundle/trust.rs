//! The trust store: the public keys whose signatures this machine accepts. Each key is a
//! minisign public key file `<KEY_ID>.pub` in the store's directory, so that
//! `minisign -V -p <store>/<KEY_ID>.pub` uses the same key. The key's name is kept in the
//! file's untrusted comment line as `ggcore trusted key <NAME>`. The comment needs no
//! signature because the file is local and only its owner writes it.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::error::{BundleError, invalid};
use super::signature::{self, PublicKeyFile};

/// The prefix of the comment line that carries a trusted key's name.
const NAME_PREFIX: &str = "ggcore trusted key ";

/// One trusted key.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustedKey {
    /// The key id.
    pub key_id: String,
    /// The name given when the key was added.
    pub name: String,
    /// The key file in the store.
    pub path: PathBuf,
    /// The key.
    #[serde(skip)]
    pub key: minisign::PublicKey,
}

/// The trust store of one data directory.
pub struct TrustStore {
    dir: PathBuf,
}

impl TrustStore {
    /// Opens the store in `dir`; a missing directory is an empty store.
    pub fn new(dir: PathBuf) -> TrustStore {
        TrustStore { dir }
    }

    /// Returns every trusted key, sorted by name.
    ///
    /// # Errors
    ///
    /// [`BundleError::Io`] when the directory cannot be read; [`BundleError::Invalid`] when a
    /// file in it is not a public key of the store's form.
    pub fn keys(&self) -> Result<Vec<TrustedKey>, BundleError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(BundleError::io("cannot read the trust store", &self.dir)(e)),
        };
        let mut keys = Vec::new();
        for entry in entries {
            let path = entry.map_err(BundleError::io("cannot read the trust store", &self.dir))?.path();
            if path.extension().is_some_and(|e| e == "pub") {
                keys.push(read_key(&path)?);
            }
        }
        keys.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(keys)
    }

    /// Finds the key with this id, given in any form [`signature::parse_key_id`] reads.
    ///
    /// # Errors
    ///
    /// As [`TrustStore::keys`].
    pub fn find(&self, key_id: &str) -> Result<Option<TrustedKey>, BundleError> {
        let Some(key_id) = signature::parse_key_id(key_id) else { return Ok(None) };
        Ok(self.keys()?.into_iter().find(|k| k.key_id == key_id))
    }

    /// Adds a public key under a name; the file is written through a temporary file.
    ///
    /// # Errors
    ///
    /// [`BundleError::Invalid`] for a bad name, or a key or name already in the store.
    pub fn add(&self, key: &PublicKeyFile, name: &str) -> Result<TrustedKey, BundleError> {
        check_key_name(name)?;
        for existing in self.keys()? {
            if existing.key_id == key.key_id {
                return Err(invalid!(
                    "key `{}` is already trusted as `{}`: remove it first with `kubectl ggcore trust remove {}` to rename it",
                    key.key_id,
                    existing.name,
                    key.key_id
                ));
            }
            if existing.name == name {
                return Err(invalid!("the name `{name}` is already used by key `{}`: choose another with --name", existing.key_id));
            }
        }

        std::fs::create_dir_all(&self.dir).map_err(BundleError::io("cannot create the trust store", &self.dir))?;
        let path = self.dir.join(format!("{}.pub", key.key_id));
        let mut file = tempfile::Builder::new().prefix(".trust-").tempfile_in(&self.dir).map_err(BundleError::io("cannot write to the trust store", &self.dir))?;
        std::io::Write::write_all(&mut file, key.to_text(&format!("{NAME_PREFIX}{name}")).as_bytes()).map_err(BundleError::io("cannot write key", &path))?;
        file.persist(&path).map_err(|e| BundleError::Io { action: "cannot write key", path: path.clone(), reason: e.error })?;
        Ok(TrustedKey { key_id: key.key_id.clone(), name: name.to_string(), path, key: key.key.clone() })
    }

    /// Removes the key with this id (in any form [`signature::parse_key_id`] reads) or, failing
    /// that, this name; returns the removed key.
    ///
    /// # Errors
    ///
    /// [`BundleError::Invalid`] when no key has that id or name.
    pub fn remove(&self, id_or_name: &str) -> Result<TrustedKey, BundleError> {
        let keys = self.keys()?;
        let found = keys
            .iter()
            .find(|k| signature::parse_key_id(id_or_name).is_some_and(|id| k.key_id == id))
            .or_else(|| keys.iter().find(|k| k.name == id_or_name))
            .cloned()
            .ok_or_else(|| {
                let known: Vec<String> = keys.iter().map(|k| format!("{} ({})", k.key_id, k.name)).collect();
                let known = if known.is_empty() { "the trust store is empty".to_string() } else { format!("trusted keys: {}", known.join(", ")) };
                invalid!("no trusted key has the id or name `{id_or_name}`; {known}")
            })?;
        std::fs::remove_file(&found.path).map_err(BundleError::io("cannot remove key", &found.path))?;
        Ok(found)
    }
}

/// Reads one key file of the store.
fn read_key(path: &Path) -> Result<TrustedKey, BundleError> {
    let text = std::fs::read_to_string(path).map_err(BundleError::io("cannot read trusted key", path))?;
    let key = PublicKeyFile::parse(&text).map_err(|e| invalid!("invalid trusted key `{}`: {e}", path.display()))?;
    let name = text
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("untrusted comment: "))
        .and_then(|comment| comment.strip_prefix(NAME_PREFIX))
        .map(|name| name.trim().to_string())
        .unwrap_or_else(|| key.key_id.clone());
    Ok(TrustedKey { key_id: key.key_id, name, path: path.to_path_buf(), key: key.key })
}

/// Checks a key name: 1 to 63 letters, digits, dots, dashes and underscores, and not 16 hex
/// digits, which `trust remove` would take for a key id.
fn check_key_name(name: &str) -> Result<(), BundleError> {
    let valid = !name.is_empty() && name.len() <= 63 && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !valid {
        return Err(invalid!("invalid key name `{name}`: expected 1 to 63 letters, digits, dots, dashes and underscores"));
    }
    if signature::is_key_id(name) {
        return Err(invalid!("invalid key name `{name}`: 16 hex digits read as a key id; choose another name with --name"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public_key() -> PublicKeyFile {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        PublicKeyFile::parse(&signature::public_key_text(&pair.pk)).unwrap()
    }

    #[test]
    fn added_key_is_listed_and_found() {
        let dir = tempfile::tempdir().unwrap();
        let store = TrustStore::new(dir.path().join("trust"));
        let key = public_key();
        store.add(&key, "security-team").unwrap();

        let keys = store.keys().unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].name, "security-team");
        assert_eq!(keys[0].key_id, key.key_id);
        assert!(store.find(&key.key_id.to_lowercase()).unwrap().is_some());
    }

    #[test]
    fn same_key_twice_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let store = TrustStore::new(dir.path().to_path_buf());
        let key = public_key();
        store.add(&key, "a").unwrap();
        let message = store.add(&key, "b").unwrap_err().to_string();
        assert!(message.contains("is already trusted as `a`"), "{message}");
    }

    #[test]
    fn key_is_removed_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = TrustStore::new(dir.path().to_path_buf());
        store.add(&public_key(), "ops").unwrap();
        assert_eq!(store.remove("ops").unwrap().name, "ops");
        assert!(store.keys().unwrap().is_empty());
    }

    #[test]
    fn hex_name_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let store = TrustStore::new(dir.path().to_path_buf());
        let message = store.add(&public_key(), "0123456789ABCDEF").unwrap_err().to_string();
        assert!(message.contains("read as a key id"), "{message}");
    }
}
