//! `bundle pack`: builds an unsigned bundle from a directory holding `bundle.yaml` and the
//! probe components. Each probe's id and version come from its own `describe`, and its WIT
//! version from its imports, so that the manifest states what the components are.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::archive::BundleContents;
use super::error::{BundleError, invalid};
use super::manifest::{self, API_VERSION, KIND, Manifest, ProbeEntry};
use crate::host::engine::ProbeEngine;
use crate::host::limits::Limits;
use crate::host::loader::{self, Origin, ProbeSource};
use crate::host::runner;
use crate::source::{Backend, Reader};

/// The name of the file that describes a bundle to pack.
pub const SPEC_FILE: &str = "bundle.yaml";

/// `bundle.yaml`: the bundle's name and version and its components.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackSpec {
    /// The bundle's name.
    pub name: String,
    /// The bundle's version (semver).
    pub version: String,
    /// The component files, relative to the directory.
    pub probes: Vec<String>,
}

/// Reads `DIR/bundle.yaml`, describes each component, and returns the bundle's contents.
///
/// # Errors
///
/// [`BundleError::Io`] when a file cannot be read. Any other error is the input's fault: a bad
/// `bundle.yaml`, a component that is not a probe of a served WIT version, or a failing `describe`.
pub async fn pack(dir: &Path, engine: Arc<ProbeEngine>) -> Result<BundleContents, BundleError> {
    let spec_path = dir.join(SPEC_FILE);
    let text = std::fs::read_to_string(&spec_path).map_err(BundleError::io("cannot read", &spec_path))?;
    let spec: PackSpec = serde_yaml::from_str(&text).map_err(|e| invalid!("invalid `{}`: {e}", spec_path.display()))?;
    manifest::check_name("bundle name", &spec.name)?;
    manifest::check_version(&spec.version)?;

    let reader = Arc::new(Reader::new(Backend::Nothing));
    let mut probes = Vec::new();
    let mut components = BTreeMap::new();
    for file in &spec.probes {
        let path = dir.join(file);
        let bytes: Arc<[u8]> = std::fs::read(&path).map_err(BundleError::io("cannot read probe", &path))?.into();
        let wit_version = loader::check(file, &bytes).map_err(|reason| BundleError::Component { bundle: spec.name.clone(), reason })?;

        let source = ProbeSource { name: file.clone(), origin: Origin::File { path: path.clone() }, bytes: bytes.clone() };
        let run = runner::run_one(engine.clone(), source, reader.clone(), None, Limits::default()).await;
        if let Some(failure) = &run.failure {
            return Err(invalid!("cannot describe the probe `{}`: {}", path.display(), failure.message));
        }
        let descriptor = run.descriptor.as_ref().expect("a run without failure has a descriptor");
        manifest::check_name("probe id", &descriptor.id)?;

        let entry = ProbeEntry {
            id: descriptor.id.clone(),
            version: descriptor.version.clone(),
            wit_version,
            sha256: hex::encode(Sha256::digest(&bytes)),
        };
        if components.insert(entry.path(), bytes.to_vec()).is_some() {
            return Err(invalid!("two components in `{}` describe themselves as the probe `{}`", spec_path.display(), entry.id));
        }
        probes.push(entry);
    }

    let manifest = Manifest { api_version: API_VERSION.into(), kind: KIND.into(), name: spec.name, version: spec.version, probes };
    manifest.validate()?;
    Ok(BundleContents { manifest: manifest.to_bytes(), signature: None, components })
}
