//! The bundle file: a plain (uncompressed) tar holding `manifest.json`, the detached minisign
//! signature `manifest.json.minisig` when the bundle is signed, and one `probes/<id>.wasm` per
//! probe. Reading checks the container only, and `verify` checks the entries' contents.
//!
//! Plain tar keeps the format open to standard tools: `tar -xf` unpacks a bundle for
//! `minisign -V`, and `tar -rf bundle.tar manifest.json.minisig` adds a signature made by the
//! `minisign` CLI.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path};

use super::error::{BundleError, invalid};

/// The manifest's path inside a bundle.
pub const MANIFEST: &str = "manifest.json";

/// The signature's path inside a bundle: minisign's default name for a signature of `manifest.json`.
pub const SIGNATURE: &str = "manifest.json.minisig";

/// The largest manifest read, in bytes (1 MiB); a larger one is rejected as malformed.
const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// The largest signature file read, in bytes (64 KiB); minisign writes about 300 bytes.
const MAX_SIGNATURE_BYTES: u64 = 64 << 10;

/// The largest component read, in bytes (64 MiB); the built-in probes are under 1 MiB each.
const MAX_COMPONENT_BYTES: u64 = 64 << 20;

/// The maximum number of entries in a bundle (256), directories included.
const MAX_ENTRIES: usize = 256;

/// The largest bundle file read, in bytes (512 MiB); the file is read into memory whole.
const MAX_BUNDLE_BYTES: u64 = 512 << 20;

/// The entries of a bundle, as read from its file or its install directory.
#[derive(Debug, Clone, Default)]
pub struct BundleContents {
    /// The manifest's exact bytes, as signed.
    pub manifest: Vec<u8>,
    /// The signature file's text, when the bundle is signed.
    pub signature: Option<String>,
    /// The components by path (`probes/<id>.wasm`).
    pub components: BTreeMap<String, Vec<u8>>,
}

/// Reads a bundle file.
///
/// # Errors
///
/// [`BundleError::Io`] when the file cannot be read; [`BundleError::Invalid`] when it is not a
/// plain tar of the expected entries.
pub fn read(path: &Path) -> Result<BundleContents, BundleError> {
    let size = std::fs::metadata(path).map_err(BundleError::io("cannot read bundle", path))?.len();
    if size > MAX_BUNDLE_BYTES {
        return Err(invalid!("invalid bundle `{}`: it is {size} bytes; the limit is {MAX_BUNDLE_BYTES} bytes", path.display()));
    }
    let bytes = std::fs::read(path).map_err(BundleError::io("cannot read bundle", path))?;
    parse(&bytes).map_err(|e| match e {
        BundleError::Invalid(message) => invalid!("invalid bundle `{}`: {message}", path.display()),
        other => other,
    })
}

/// Parses the bytes of a bundle file.
///
/// # Errors
///
/// [`BundleError::Invalid`] naming the first entry that does not belong in a bundle.
pub fn parse(bytes: &[u8]) -> Result<BundleContents, BundleError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Err(invalid!("it is gzip-compressed, but a bundle is a plain tar: decompress it with `gunzip` first"));
    }

    let mut archive = tar::Archive::new(bytes);
    let entries = archive.entries().map_err(|e| invalid!("not a tar archive: {e}"))?;
    let mut contents = BundleContents::default();
    let mut has_manifest = false;
    for (index, entry) in entries.enumerate() {
        if index >= MAX_ENTRIES {
            return Err(invalid!("it has more than {MAX_ENTRIES} entries"));
        }
        let mut entry = entry.map_err(|e| invalid!("not a tar archive: {e}"))?;
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw_path = entry.path().map_err(|e| invalid!("an entry has an unreadable path: {e}"))?.into_owned();
        let path = normalise(&raw_path)?;
        if kind.is_dir() {
            if path.is_empty() || path == "probes" {
                continue;
            }
            return Err(invalid!("unexpected directory `{path}`; a bundle holds only `{MANIFEST}`, `{SIGNATURE}` and `probes/<id>.wasm`"));
        }
        if !kind.is_file() && !kind.is_contiguous() {
            return Err(invalid!("entry `{path}` is not a regular file (tar type `{}`)", kind.as_byte() as char));
        }

        let limit = match path.as_str() {
            MANIFEST => MAX_MANIFEST_BYTES,
            SIGNATURE => MAX_SIGNATURE_BYTES,
            _ if is_component_path(&path) => MAX_COMPONENT_BYTES,
            _ => return Err(invalid!("unexpected entry `{path}`; a bundle holds only `{MANIFEST}`, `{SIGNATURE}` and `probes/<id>.wasm`")),
        };
        let size = entry.header().size().map_err(|e| invalid!("entry `{path}` has an unreadable size: {e}"))?;
        if size > limit {
            return Err(invalid!("entry `{path}` is {size} bytes; the limit is {limit} bytes"));
        }
        let mut data = Vec::with_capacity(size as usize);
        entry.read_to_end(&mut data).map_err(|e| invalid!("cannot read entry `{path}`: {e}"))?;

        let duplicate = match path.as_str() {
            MANIFEST => std::mem::replace(&mut has_manifest, true),
            SIGNATURE => contents.signature.is_some(),
            _ => contents.components.contains_key(&path),
        };
        if duplicate {
            return Err(invalid!("entry `{path}` appears twice"));
        }
        match path.as_str() {
            MANIFEST => contents.manifest = data,
            SIGNATURE => {
                contents.signature = Some(String::from_utf8(data).map_err(|_| invalid!("`{SIGNATURE}` is not UTF-8 text"))?);
            }
            _ => {
                contents.components.insert(path, data);
            }
        }
    }

    if !has_manifest {
        return Err(invalid!("it has no `{MANIFEST}`"));
    }
    Ok(contents)
}

/// Writes a bundle file: the manifest, the signature when there is one, then the components in
/// path order, with fixed owners, modes and times so that the same contents give the same bytes.
pub fn to_bytes(contents: &BundleContents) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    append(&mut builder, MANIFEST, &contents.manifest);
    if let Some(signature) = &contents.signature {
        append(&mut builder, SIGNATURE, signature.as_bytes());
    }
    for (path, bytes) in &contents.components {
        append(&mut builder, path, bytes);
    }
    builder.into_inner().expect("writing a tar into memory cannot fail")
}

/// Writes bundle bytes to `path` through a temporary file beside it, so that a reader never
/// sees a partly written bundle.
///
/// # Errors
///
/// [`BundleError::Io`] when the directory is not writable.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), BundleError> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new().prefix(".ggcore-bundle-").tempfile_in(dir).map_err(BundleError::io("cannot create a file in", dir))?;
    std::io::Write::write_all(&mut file, bytes).map_err(BundleError::io("cannot write bundle", path))?;
    file.persist(path).map_err(|e| BundleError::Io { action: "cannot write bundle", path: path.to_path_buf(), reason: e.error })?;
    Ok(())
}

fn append(builder: &mut tar::Builder<Vec<u8>>, path: &str, bytes: &[u8]) {
    let mut header = tar::Header::new_ustar();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_uid(0);
    header.set_gid(0);
    header.set_entry_type(tar::EntryType::Regular);
    builder.append_data(&mut header, path, bytes).expect("writing a tar into memory cannot fail");
}

/// Turns an entry path into `a/b` form: `./` prefixes dropped; absolute paths and `..` rejected.
fn normalise(path: &Path) -> Result<String, BundleError> {
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::Normal(part) => parts.push(part.to_str().ok_or_else(|| invalid!("entry `{}` is not a UTF-8 path", path.display()))?),
            _ => return Err(invalid!("entry `{}` leaves the bundle: absolute paths and `..` are not allowed", path.display())),
        }
    }
    Ok(parts.join("/"))
}

/// Returns true for `probes/<name>.wasm` with no further directories.
fn is_component_path(path: &str) -> bool {
    path.strip_prefix("probes/").and_then(|rest| rest.strip_suffix(".wasm")).is_some_and(|stem| !stem.is_empty() && !stem.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BundleContents {
        let mut components = BTreeMap::new();
        components.insert("probes/a.wasm".to_string(), b"component".to_vec());
        BundleContents { manifest: b"{}\n".to_vec(), signature: Some("sig".into()), components }
    }

    fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, bytes) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            header.set_path(path).unwrap();
            header.set_cksum();
            builder.append(&header, *bytes).unwrap();
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn written_bundle_reads_back() {
        let read = parse(&to_bytes(&sample())).unwrap();
        assert_eq!(read.manifest, b"{}\n");
        assert_eq!(read.signature.as_deref(), Some("sig"));
        assert_eq!(read.components["probes/a.wasm"], b"component");
    }

    #[test]
    fn same_contents_give_same_bytes() {
        assert_eq!(to_bytes(&sample()), to_bytes(&sample()));
    }

    #[test]
    fn dot_slash_prefixes_are_accepted() {
        let read = parse(&tar_of(&[("./manifest.json", b"{}"), ("./probes/a.wasm", b"x")])).unwrap();
        assert_eq!(read.components.keys().collect::<Vec<_>>(), ["probes/a.wasm"]);
    }

    #[test]
    fn unexpected_entry_is_rejected() {
        let message = parse(&tar_of(&[("manifest.json", b"{}"), ("run.sh", b"x")])).unwrap_err().to_string();
        assert!(message.contains("unexpected entry `run.sh`"), "{message}");
    }

    #[test]
    fn nested_component_path_is_rejected() {
        let message = parse(&tar_of(&[("manifest.json", b"{}"), ("probes/x/a.wasm", b"x")])).unwrap_err().to_string();
        assert!(message.contains("unexpected entry `probes/x/a.wasm`"), "{message}");
    }

    #[test]
    fn duplicate_entry_is_rejected() {
        let message = parse(&tar_of(&[("manifest.json", b"{}"), ("manifest.json", b"{}")])).unwrap_err().to_string();
        assert!(message.contains("entry `manifest.json` appears twice"), "{message}");
    }

    #[test]
    fn missing_manifest_is_rejected() {
        let message = parse(&tar_of(&[("probes/a.wasm", b"x")])).unwrap_err().to_string();
        assert!(message.contains("no `manifest.json`"), "{message}");
    }

    #[test]
    fn gzip_input_is_named() {
        let message = parse(&[0x1f, 0x8b, 8, 0]).unwrap_err().to_string();
        assert!(message.contains("gzip-compressed"), "{message}");
    }
}
