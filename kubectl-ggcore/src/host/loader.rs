//! Turns probe bytes into compiled components: reads the WIT version a component was built
//! for from its import names, refuses versions the host does not serve, and compiles through
//! the cache.

use std::path::PathBuf;

use anyhow::Result;
use sha2::{Digest, Sha256};

use super::bindings::SERVED_VERSIONS;

/// Where a probe comes from, as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum Origin {
    /// Built into the plugin binary.
    Builtin,
    /// A file given with `--probe`; unsigned by definition.
    File {
        /// The path.
        path: PathBuf,
    },
    /// An installed bundle.
    Bundle {
        /// The bundle's name.
        bundle: String,
        /// The bundle's version.
        version: String,
        /// The id of the key that signed it; `None` for an unsigned bundle run with `--allow-unsigned`.
        key_id: Option<String>,
    },
}

/// A probe's bytes and where they came from.
#[derive(Clone)]
pub struct ProbeSource {
    /// The name used until the probe describes itself: the built-in id or the file name.
    pub name: String,
    /// The origin.
    pub origin: Origin,
    /// The component's bytes.
    pub bytes: std::sync::Arc<[u8]>,
}

impl ProbeSource {
    /// Returns the hex SHA-256 of the component.
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.bytes))
    }
}

/// Why a probe could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not a WebAssembly component.
    #[error("`{name}` is not a WebAssembly component: {reason}")]
    NotAComponent {
        /// The probe.
        name: String,
        /// The parser's message.
        reason: String,
    },
    /// The component imports no `ggcore:probe` interface.
    #[error("`{name}` does not import any `ggcore:probe` interface: it was not built against the probe WIT")]
    NotAProbe {
        /// The probe.
        name: String,
    },
    /// The component was built for a WIT version the host does not serve.
    #[error(
        "`{name}` was built for WIT `ggcore:probe@{found}`, but this plugin serves only {}; rebuild the probe against a served version or upgrade the plugin",
        served()
    )]
    UnsupportedWit {
        /// The probe.
        name: String,
        /// The version the component imports.
        found: String,
    },
    /// The component imports interfaces of more than one WIT version.
    #[error(
        "`{name}` imports `ggcore:probe` interfaces of several versions ({}); a probe is built against one version of the WIT",
        found.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
    )]
    MixedWit {
        /// The probe.
        name: String,
        /// The versions it imports.
        found: Vec<String>,
    },
}

fn served() -> String {
    SERVED_VERSIONS.iter().map(|v| format!("`ggcore:probe@{v}.x`")).collect::<Vec<_>>().join(", ")
}

/// Returns the names of the outer component's imports, in order: what the host must provide
/// (`ggcore:probe/cluster@0.1.0`, `wasi:cli/stdout@0.2.6`, ...).
///
/// # Errors
///
/// Fails when the bytes are not a component.
pub fn imports(name: &str, bytes: &[u8]) -> Result<Vec<String>, LoadError> {
    let not_a_component = |reason: String| LoadError::NotAComponent { name: name.to_string(), reason };
    if !bytes.starts_with(b"\0asm") {
        return Err(not_a_component("it is not WebAssembly: pass the `.wasm` file the probe's build writes, not its source".into()));
    }
    if !wasmparser::Parser::is_component(bytes) {
        return Err(not_a_component("it is a core WebAssembly module, not a component (a core module needs `wasm-tools component new`)".into()));
    }

    let mut names = Vec::new();
    let mut depth = 0usize;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| not_a_component(e.to_string()))?;
        match payload {
            wasmparser::Payload::ModuleSection { .. } | wasmparser::Payload::ComponentSection { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth = depth.saturating_sub(1),
            // Only the outer component's imports say what the host must provide.
            wasmparser::Payload::ComponentImportSection(section) if depth == 0 => {
                for import in section {
                    let import = import.map_err(|e| not_a_component(e.to_string()))?;
                    names.push(import.name.name.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(names)
}

/// Reads the `ggcore:probe` version from the component's imports (`ggcore:probe/cluster@0.1.0`).
///
/// # Errors
///
/// Fails when the bytes are not a component, import no `ggcore:probe` interface, or import
/// interfaces of two versions.
pub fn wit_version(name: &str, bytes: &[u8]) -> Result<String, LoadError> {
    let mut versions: Vec<String> = Vec::new();
    for import in imports(name, bytes)? {
        let Some(version) = import.strip_prefix("ggcore:probe/").and_then(|rest| rest.split_once('@')).map(|(_, v)| v) else {
            continue;
        };
        if !versions.iter().any(|v| v == version) {
            versions.push(version.to_string());
        }
    }
    match versions.len() {
        0 => Err(LoadError::NotAProbe { name: name.to_string() }),
        1 => Ok(versions.remove(0)),
        _ => Err(LoadError::MixedWit { name: name.to_string(), found: versions }),
    }
}

/// Returns the served `major.minor` a version belongs to, or refuses it.
///
/// # Errors
///
/// Returns [`LoadError::UnsupportedWit`] for a version outside [`SERVED_VERSIONS`].
pub fn served_version(name: &str, version: &str) -> Result<&'static str, LoadError> {
    let minor = version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".");
    SERVED_VERSIONS
        .iter()
        .find(|v| **v == minor)
        .copied()
        .ok_or_else(|| LoadError::UnsupportedWit { name: name.to_string(), found: version.to_string() })
}

/// Checks that bytes are a probe component of a served WIT version, and returns the version.
///
/// # Errors
///
/// As [`wit_version`] and [`served_version`].
pub fn check(name: &str, bytes: &[u8]) -> Result<String, LoadError> {
    let version = wit_version(name, bytes)?;
    served_version(name, &version)?;
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_core_module() {
        let core = b"\0asm\x01\0\0\0";
        let error = wit_version("m.wasm", core).unwrap_err();
        assert!(matches!(error, LoadError::NotAComponent { .. }));
        assert!(error.to_string().contains("core WebAssembly module"), "{error}");
    }

    #[test]
    fn refuses_a_source_file() {
        let error = wit_version("app.py", b"def run(): pass\n").unwrap_err();
        assert!(error.to_string().contains("it is not WebAssembly"), "{error}");
    }

    /// Returns a built-in probe with every `from` in its bytes replaced by `to` (same length).
    fn patched_builtin(from: &str, to: &str) -> Vec<u8> {
        assert_eq!(from.len(), to.len());
        let bytes = crate::host::builtin::sources().remove(0).bytes.to_vec();
        let (from, to) = (from.as_bytes(), to.as_bytes());
        let mut patched = Vec::with_capacity(bytes.len());
        let mut at = 0;
        while at < bytes.len() {
            if bytes[at..].starts_with(from) {
                patched.extend_from_slice(to);
                at += from.len();
            } else {
                patched.push(bytes[at]);
                at += 1;
            }
        }
        assert_ne!(patched, bytes, "the probe imports {}", String::from_utf8_lossy(from));
        patched
    }

    #[test]
    fn reads_the_version_of_a_builtin_probe() {
        let probe = crate::host::builtin::sources().remove(0);
        assert_eq!(check(&probe.name, &probe.bytes).unwrap(), "0.1.0");
    }

    #[test]
    fn refuses_imports_of_two_versions() {
        let mixed = patched_builtin("ggcore:probe/log@0.1.0", "ggcore:probe/log@0.2.0");
        let error = wit_version("mixed.wasm", &mixed).unwrap_err();
        assert!(matches!(&error, LoadError::MixedWit { found, .. } if found.len() == 2), "{error}");
        let message = error.to_string();
        assert!(message.contains("`0.1.0`"), "{message}");
        assert!(message.contains("`0.2.0`"), "{message}");
    }

    #[test]
    fn served_version_ignores_patch() {
        assert_eq!(served_version("p", "0.1.7").unwrap(), "0.1");
        let error = served_version("p", "0.9.0").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("ggcore:probe@0.9.0"), "{message}");
        assert!(message.contains("`ggcore:probe@0.1.x`"), "{message}");
    }
}
