//! Installed bundles: `<data dir>/bundles/<name>/` contains the bundle's `manifest.json`, its
//! `manifest.json.minisig` when signed, and `probes/<id>.wasm`, as they were in the bundle file.
//! Installing writes a temporary directory beside the target and renames it into place, so a
//! bundle directory is always complete. Every load runs the checks of `verify` again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::archive::{BundleContents, MANIFEST, SIGNATURE};
use super::error::{BundleError, invalid};
use super::manifest::Manifest;
use super::trust::TrustStore;
use super::verify::{self, Unsigned, Verified};
use crate::host::loader::{Origin, ProbeSource};

/// An installed bundle that passed its checks.
#[derive(Debug, Clone)]
pub struct Installed {
    /// The result of the checks.
    pub verified: Verified,
    /// The bundle's directory.
    pub dir: PathBuf,
    /// The files.
    pub contents: BundleContents,
}

impl Installed {
    /// Returns the bundle's probes as sources for the runner, in manifest order.
    pub fn sources(&self) -> Vec<ProbeSource> {
        let manifest = &self.verified.manifest;
        let origin = Origin::Bundle { bundle: manifest.name.clone(), version: manifest.version.clone(), key_id: self.verified.key_id() };
        manifest
            .probes
            .iter()
            .map(|probe| ProbeSource {
                name: probe.id.clone(),
                origin: origin.clone(),
                bytes: self.contents.components[&probe.path()].clone().into(),
            })
            .collect()
    }
}

/// The result of an install.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallOutcome {
    /// The version that was installed before, if any.
    pub replaced: Option<String>,
    /// The bundle's directory.
    pub dir: PathBuf,
}

/// The installed bundles of one data directory.
pub struct BundleStore {
    dir: PathBuf,
}

impl BundleStore {
    /// Opens the store in `dir`; a missing directory means no bundle is installed.
    pub fn new(dir: PathBuf) -> BundleStore {
        BundleStore { dir }
    }

    /// Returns the names of the installed bundles, sorted. Directories whose names start with
    /// a dot are installs or removals in progress and are skipped.
    ///
    /// # Errors
    ///
    /// [`BundleError::Io`] when the directory cannot be read.
    pub fn names(&self) -> Result<Vec<String>, BundleError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(BundleError::io("cannot read the bundle directory", &self.dir)(e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(BundleError::io("cannot read the bundle directory", &self.dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') && entry.path().is_dir() {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Reads an installed bundle and runs every check on it.
    ///
    /// # Errors
    ///
    /// The first check that fails, or [`BundleError::Invalid`] when the directory's name is not
    /// the manifest's bundle name.
    pub fn load(&self, name: &str, trust: &TrustStore, unsigned: Unsigned) -> Result<Installed, BundleError> {
        let dir = self.dir.join(name);
        let contents = read_dir(&dir)?;
        let verified = verify::verify(&contents, trust, unsigned).map_err(|e| match e {
            BundleError::Invalid(message) => invalid!("installed bundle `{name}`: {message}"),
            other => other,
        })?;
        if verified.manifest.name != name {
            return Err(invalid!(
                "the installed bundle directory `{}` holds the bundle `{}`: remove it with `kubectl ggcore bundle remove {name}` and install the bundle again",
                dir.display(),
                verified.manifest.name
            ));
        }
        Ok(Installed { verified, dir, contents })
    }

    /// Loads every installed bundle, and checks that no two probes share an id.
    ///
    /// # Errors
    ///
    /// The first bundle that fails its checks, or a probe id found twice.
    pub fn load_all(&self, trust: &TrustStore, unsigned: Unsigned, builtin_ids: &[&str]) -> Result<Vec<Installed>, BundleError> {
        let (bundles, mut rejected) = self.load_usable(trust, unsigned, builtin_ids)?;
        match rejected.is_empty() {
            true => Ok(bundles),
            false => Err(rejected.remove(0)),
        }
    }

    /// Loads every installed bundle that passes its checks, and returns the errors of those that
    /// do not, so that a caller can run the rest. A bundle whose probe id a built-in probe or an
    /// earlier bundle already uses is rejected.
    ///
    /// # Errors
    ///
    /// [`BundleError::Io`] when the bundles directory cannot be listed.
    pub fn load_usable(&self, trust: &TrustStore, unsigned: Unsigned, builtin_ids: &[&str]) -> Result<(Vec<Installed>, Vec<BundleError>), BundleError> {
        let mut bundles = Vec::new();
        let mut rejected = Vec::new();
        let mut owners: BTreeMap<String, String> = builtin_ids.iter().map(|id| (id.to_string(), "the built-in probes".to_string())).collect();
        for name in self.names()? {
            let installed = match self.load(&name, trust, unsigned) {
                Ok(installed) => installed,
                Err(error) => {
                    rejected.push(error);
                    continue;
                }
            };
            let ids = installed.verified.manifest.probes.iter().map(|p| p.id.clone());
            if let Some((id, owner)) = ids.clone().find_map(|id| owners.get(&id).map(|owner| (id.clone(), owner.clone()))) {
                rejected.push(invalid!("the probe id `{id}` of bundle `{name}` is also in {owner}: remove one of them with `kubectl ggcore bundle remove`"));
                continue;
            }
            owners.extend(ids.map(|id| (id, format!("bundle `{name}`"))));
            bundles.push(installed);
        }
        Ok((bundles, rejected))
    }

    /// Returns the manifest of an installed bundle without checking it, or `None` when the
    /// bundle is not installed or its manifest does not parse.
    pub fn manifest(&self, name: &str) -> Option<Manifest> {
        let bytes = std::fs::read(self.dir.join(name).join(MANIFEST)).ok()?;
        Manifest::parse(&bytes).ok()
    }

    /// Installs a verified bundle: refuses a downgrade unless allowed and a probe id that a
    /// built-in probe or another bundle already uses, then writes the bundle into a temporary
    /// directory beside the target and renames it into place.
    ///
    /// # Errors
    ///
    /// [`BundleError::Downgrade`], [`BundleError::Invalid`] for a probe id in use, or
    /// [`BundleError::Io`] when writing fails; nothing is left half-installed.
    pub fn install(&self, contents: &BundleContents, verified: &Verified, allow_downgrade: bool, builtin_ids: &[&str]) -> Result<InstallOutcome, BundleError> {
        let manifest = &verified.manifest;
        let installed = self.manifest(&manifest.name);
        if let Some(installed) = &installed
            && !allow_downgrade
            && manifest.semver() < installed.semver()
        {
            return Err(BundleError::Downgrade { bundle: manifest.name.clone(), installed: installed.version.clone(), offered: manifest.version.clone() });
        }
        self.check_ids_free(manifest, builtin_ids)?;

        std::fs::create_dir_all(&self.dir).map_err(BundleError::io("cannot create the bundle directory", &self.dir))?;
        let staging = tempfile::Builder::new().prefix(".install-").tempdir_in(&self.dir).map_err(BundleError::io("cannot create a directory in", &self.dir))?;
        write_dir(staging.path(), contents)?;

        let target = self.dir.join(&manifest.name);
        if target.exists() {
            // NOTE: replacing takes two renames, the old bundle out and the new one in. A crash
            // between them leaves no bundle of this name (the old one is in a `.replaced-*`
            // directory), but never a partial bundle.
            let parked = tempfile::Builder::new().prefix(".replaced-").tempdir_in(&self.dir).map_err(BundleError::io("cannot create a directory in", &self.dir))?;
            let parked_path = parked.path().join(&manifest.name);
            std::fs::rename(&target, &parked_path).map_err(BundleError::io("cannot move aside the installed bundle", &target))?;
            if let Err(error) = std::fs::rename(staging.path(), &target) {
                let _ = std::fs::rename(&parked_path, &target);
                return Err(BundleError::io("cannot move the new bundle into place at", &target)(error));
            }
            let _ = staging.keep();
            drop(parked);
        } else {
            std::fs::rename(staging.path(), &target).map_err(BundleError::io("cannot move the new bundle into place at", &target))?;
            let _ = staging.keep();
        }
        Ok(InstallOutcome { replaced: installed.map(|m| m.version), dir: target })
    }

    /// Removes an installed bundle: renames its directory aside, then deletes it.
    ///
    /// # Errors
    ///
    /// [`BundleError::Invalid`] when no bundle has that name.
    pub fn remove(&self, name: &str) -> Result<(), BundleError> {
        let target = self.dir.join(name);
        let installed = self.names()?;
        if !installed.iter().any(|n| n == name) {
            let known = if installed.is_empty() { "no bundle is installed".to_string() } else { format!("installed: {}", installed.join(", ")) };
            return Err(invalid!("no bundle named `{name}` is installed; {known}"));
        }
        let trash = tempfile::Builder::new().prefix(".removed-").tempdir_in(&self.dir).map_err(BundleError::io("cannot create a directory in", &self.dir))?;
        std::fs::rename(&target, trash.path().join(name)).map_err(BundleError::io("cannot remove the bundle", &target))?;
        drop(trash);
        Ok(())
    }

    fn check_ids_free(&self, manifest: &Manifest, builtin_ids: &[&str]) -> Result<(), BundleError> {
        for probe in &manifest.probes {
            if builtin_ids.contains(&probe.id.as_str()) {
                return Err(invalid!("bundle `{}` holds the probe `{}`, which is a built-in probe: rename the bundle's probe", manifest.name, probe.id));
            }
            for other in self.names()?.iter().filter(|n| **n != manifest.name) {
                if self.manifest(other).is_some_and(|m| m.probes.iter().any(|p| p.id == probe.id)) {
                    return Err(invalid!(
                        "bundle `{}` holds the probe `{}`, which the installed bundle `{other}` already provides: remove `{other}` first or rename the probe",
                        manifest.name,
                        probe.id
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Reads an installed bundle's files; any file that does not belong in a bundle is rejected.
fn read_dir(dir: &Path) -> Result<BundleContents, BundleError> {
    let manifest = std::fs::read(dir.join(MANIFEST)).map_err(BundleError::io("cannot read", dir.join(MANIFEST)))?;
    let signature = match std::fs::read_to_string(dir.join(SIGNATURE)) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(BundleError::io("cannot read", dir.join(SIGNATURE))(e)),
    };

    let mut components = BTreeMap::new();
    let probes = dir.join("probes");
    for entry in std::fs::read_dir(&probes).map_err(BundleError::io("cannot read", &probes))? {
        let path = entry.map_err(BundleError::io("cannot read", &probes))?.path();
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !path.is_file() || !file_name.ends_with(".wasm") {
            return Err(invalid!("unexpected file `{}` in an installed bundle", path.display()));
        }
        let bytes = std::fs::read(&path).map_err(BundleError::io("cannot read", &path))?;
        components.insert(format!("probes/{file_name}"), bytes);
    }
    Ok(BundleContents { manifest, signature, components })
}

/// Writes a bundle's files into an empty directory.
fn write_dir(dir: &Path, contents: &BundleContents) -> Result<(), BundleError> {
    let write = |path: PathBuf, bytes: &[u8]| std::fs::write(&path, bytes).map_err(BundleError::io("cannot write", path));
    write(dir.join(MANIFEST), &contents.manifest)?;
    if let Some(signature) = &contents.signature {
        write(dir.join(SIGNATURE), signature.as_bytes())?;
    }
    std::fs::create_dir(dir.join("probes")).map_err(BundleError::io("cannot create", dir.join("probes")))?;
    for (path, bytes) in &contents.components {
        write(dir.join(path), bytes)?;
    }
    Ok(())
}
