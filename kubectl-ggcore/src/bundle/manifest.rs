//! The bundle manifest (`manifest.json`): the bundle's name and version and, for each probe,
//! its id, version, WIT version and the SHA-256 of its component. The signature covers the
//! manifest's exact bytes, and the manifest covers the components through their digests.

use serde::{Deserialize, Serialize};

use super::error::{BundleError, invalid};

/// The manifest's `apiVersion`.
pub const API_VERSION: &str = "ggcore.io/v1alpha1";

/// The manifest's `kind`.
pub const KIND: &str = "ProbeBundle";

/// A bundle manifest.
///
/// Unknown fields are rejected, so that every field of a signed manifest is one the plugin
/// checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    /// [`API_VERSION`].
    pub api_version: String,
    /// [`KIND`].
    pub kind: String,
    /// The bundle's name: a DNS label, also the name of its install directory.
    pub name: String,
    /// The bundle's version, semver without a `v` prefix (`1.2.0`).
    pub version: String,
    /// The probes, in the order `bundle.yaml` lists them.
    pub probes: Vec<ProbeEntry>,
}

/// One probe of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProbeEntry {
    /// The id the probe's `describe` returns; its component is `probes/<id>.wasm`.
    pub id: String,
    /// The version the probe's `describe` returns.
    pub version: String,
    /// The `ggcore:probe` WIT version the component imports (`0.1.0`).
    pub wit_version: String,
    /// The lowercase hex SHA-256 of the component.
    pub sha256: String,
}

impl ProbeEntry {
    /// Returns the component's path inside the bundle.
    pub fn path(&self) -> String {
        component_path(&self.id)
    }
}

/// Returns the path of a probe's component inside a bundle.
pub fn component_path(id: &str) -> String {
    format!("probes/{id}.wasm")
}

impl Manifest {
    /// Parses and validates a manifest.
    ///
    /// # Errors
    ///
    /// Fails when the JSON does not parse or a field breaks the rules of [`Manifest::validate`].
    pub fn parse(bytes: &[u8]) -> Result<Manifest, BundleError> {
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| invalid!("invalid `manifest.json`: {e}"))?;
        manifest.validate()?;
        Ok(manifest)
    }

    /// Returns the manifest as the bytes a bundle stores and a signature covers.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest always serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Returns the bundle's version as semver; [`Manifest::validate`] has checked it parses.
    pub fn semver(&self) -> semver::Version {
        semver::Version::parse(&self.version).expect("the version was validated")
    }

    /// Checks the manifest's fields: the format, a DNS-label name, a semver version, and for
    /// each probe a valid and unique id, a version, a WIT version and a 64-digit hex SHA-256.
    ///
    /// # Errors
    ///
    /// Names the first field that breaks a rule.
    pub fn validate(&self) -> Result<(), BundleError> {
        if self.api_version != API_VERSION || self.kind != KIND {
            return Err(invalid!(
                "invalid `manifest.json`: expected apiVersion `{API_VERSION}` and kind `{KIND}`, found `{}` and `{}`",
                self.api_version,
                self.kind
            ));
        }
        check_name("bundle name", &self.name)?;
        check_version(&self.version)?;
        if self.probes.is_empty() {
            return Err(invalid!("bundle `{}` lists no probes", self.name));
        }

        let mut seen = std::collections::BTreeSet::new();
        for probe in &self.probes {
            check_name("probe id", &probe.id)?;
            if !seen.insert(probe.id.as_str()) {
                return Err(invalid!("bundle `{}` lists the probe `{}` twice", self.name, probe.id));
            }
            if probe.version.trim().is_empty() {
                return Err(invalid!("probe `{}` of bundle `{}` has an empty version", probe.id, self.name));
            }
            if probe.wit_version.trim().is_empty() {
                return Err(invalid!("probe `{}` of bundle `{}` has an empty WIT version", probe.id, self.name));
            }
            if !is_sha256(&probe.sha256) {
                return Err(invalid!(
                    "probe `{}` of bundle `{}` has the sha256 `{}`; expected 64 lowercase hex digits",
                    probe.id,
                    self.name,
                    probe.sha256
                ));
            }
        }
        Ok(())
    }
}

/// Checks a bundle name or probe id: 1 to 63 lowercase letters, digits and dashes, starting and
/// ending with a letter or digit (a DNS label), so that it is safe as a file name.
///
/// # Errors
///
/// Names the value and the rule.
pub fn check_name(what: &str, name: &str) -> Result<(), BundleError> {
    let valid = !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if valid {
        Ok(())
    } else {
        Err(invalid!(
            "invalid {what} `{name}`: expected 1 to 63 lowercase letters, digits and dashes, starting and ending with a letter or digit"
        ))
    }
}

/// Checks a bundle version: semver without a `v` prefix.
///
/// # Errors
///
/// Names the value and the rule.
pub fn check_version(version: &str) -> Result<(), BundleError> {
    semver::Version::parse(version)
        .map(|_| ())
        .map_err(|e| invalid!("invalid bundle version `{version}`: expected semver such as `1.2.0` ({e})"))
}

/// Returns true for 64 lowercase hex digits.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            api_version: API_VERSION.into(),
            kind: KIND.into(),
            name: "team-probes".into(),
            version: "1.2.0".into(),
            probes: vec![ProbeEntry { id: "memory-parity".into(), version: "0.1.0".into(), wit_version: "0.1.0".into(), sha256: "a".repeat(64) }],
        }
    }

    #[test]
    fn manifest_round_trips_through_bytes() {
        let original = manifest();
        assert_eq!(Manifest::parse(&original.to_bytes()).unwrap(), original);
    }

    #[test]
    fn unknown_manifest_field_is_rejected() {
        let text = String::from_utf8(manifest().to_bytes()).unwrap().replace("\"name\"", "\"extra\": 1,\n  \"name\"");
        let message = Manifest::parse(text.as_bytes()).unwrap_err().to_string();
        assert!(message.contains("unknown field `extra`"), "{message}");
    }

    #[test]
    fn version_must_be_semver() {
        let mut bad = manifest();
        bad.version = "v1.2".into();
        let message = bad.validate().unwrap_err().to_string();
        assert!(message.contains("invalid bundle version `v1.2`"), "{message}");
    }

    #[test]
    fn name_with_path_characters_is_rejected() {
        let mut bad = manifest();
        bad.name = "../etc".into();
        let message = bad.validate().unwrap_err().to_string();
        assert!(message.contains("invalid bundle name `../etc`"), "{message}");
    }

    #[test]
    fn duplicate_probe_id_is_rejected() {
        let mut bad = manifest();
        bad.probes.push(bad.probes[0].clone());
        let message = bad.validate().unwrap_err().to_string();
        assert!(message.contains("lists the probe `memory-parity` twice"), "{message}");
    }

    #[test]
    fn uppercase_digest_is_rejected() {
        let mut bad = manifest();
        bad.probes[0].sha256 = "A".repeat(64);
        let message = bad.validate().unwrap_err().to_string();
        assert!(message.contains("expected 64 lowercase hex digits"), "{message}");
    }
}
