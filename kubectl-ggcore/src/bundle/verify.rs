//! The checks a bundle passes before the plugin installs or runs it, in this order:
//!
//! 1. The manifest parses.
//! 2. The signature is present (unless unsigned bundles are allowed), made by a trusted key, and
//!    matches the manifest's bytes.
//! 3. The components are exactly those the manifest lists, each with the recorded SHA-256.
//! 4. Each component imports a WIT version the host serves, the one the manifest records.
//!
//! `bundle verify`, `bundle install` and every load of an installed bundle run the same checks.

use sha2::{Digest, Sha256};

use super::archive::BundleContents;
use super::error::{BundleError, invalid};
use super::manifest::Manifest;
use super::signature::Signature;
use super::trust::{TrustStore, TrustedKey};
use crate::host::loader;

/// Whether a bundle without a signature passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsigned {
    /// Reject it ([`BundleError::Unsigned`]).
    Reject,
    /// Accept it; the report marks its probes `unsigned`.
    Allow,
}

/// A bundle that passed every check.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The manifest.
    pub manifest: Manifest,
    /// The trusted key that signed it; `None` for an unsigned bundle that was allowed.
    pub signer: Option<TrustedKey>,
    /// The signature's trusted comment, when signed.
    pub trusted_comment: Option<String>,
}

impl Verified {
    /// Returns the signing key's id, or `None` when unsigned.
    pub fn key_id(&self) -> Option<String> {
        self.signer.as_ref().map(|k| k.key_id.clone())
    }
}

/// Runs every check on a bundle's contents.
///
/// # Errors
///
/// The first check that fails, as its own [`BundleError`] variant.
pub fn verify(contents: &BundleContents, trust: &TrustStore, unsigned: Unsigned) -> Result<Verified, BundleError> {
    let manifest = Manifest::parse(&contents.manifest)?;
    let (signer, trusted_comment) = check_signature(&manifest, contents, trust, unsigned)?;
    let when = if signer.is_some() { "the manifest was signed" } else { "the bundle was packed" };
    check_components(&manifest, contents, when)?;
    Ok(Verified { manifest, signer, trusted_comment })
}

/// Checks the components against the manifest without looking at the signature. `bundle sign`
/// calls it first, so that it never signs a manifest that does not describe its components.
///
/// # Errors
///
/// As the component checks of [`verify`].
pub fn check_unsigned(contents: &BundleContents) -> Result<Manifest, BundleError> {
    let manifest = Manifest::parse(&contents.manifest)?;
    check_components(&manifest, contents, "the bundle was packed")?;
    Ok(manifest)
}

fn check_signature(manifest: &Manifest, contents: &BundleContents, trust: &TrustStore, unsigned: Unsigned) -> Result<(Option<TrustedKey>, Option<String>), BundleError> {
    let Some(text) = &contents.signature else {
        return match unsigned {
            Unsigned::Allow => Ok((None, None)),
            Unsigned::Reject => Err(BundleError::Unsigned { bundle: manifest.name.clone() }),
        };
    };

    let signature = Signature::parse(text).map_err(|e| invalid!("bundle `{}`: {e}", manifest.name))?;
    let Some(key) = trust.find(&signature.key_id)? else {
        return Err(BundleError::UntrustedKey { bundle: manifest.name.clone(), key_id: signature.key_id });
    };
    if signature.is_legacy() {
        return Err(invalid!(
            "bundle `{}` has a legacy signature (made with `minisign -S -l`), which is not accepted: sign the manifest again without `-l`, or with `kubectl ggcore bundle sign`",
            manifest.name
        ));
    }
    signature.verify(&contents.manifest, &key.key).map_err(|reason| BundleError::BadSignature {
        bundle: manifest.name.clone(),
        key_id: signature.key_id.clone(),
        reason,
    })?;
    Ok((Some(key), signature.trusted_comment()))
}

fn check_components(manifest: &Manifest, contents: &BundleContents, when: &'static str) -> Result<(), BundleError> {
    for path in contents.components.keys() {
        if !manifest.probes.iter().any(|p| &p.path() == path) {
            return Err(invalid!("bundle `{}` holds `{path}`, which its manifest does not list", manifest.name));
        }
    }

    for probe in &manifest.probes {
        let path = probe.path();
        let bytes = contents
            .components
            .get(&path)
            .ok_or_else(|| invalid!("bundle `{}` lists the probe `{}`, but holds no `{path}`", manifest.name, probe.id))?;

        let found = hex::encode(Sha256::digest(bytes));
        if found != probe.sha256 {
            return Err(BundleError::HashMismatch { bundle: manifest.name.clone(), path, expected: probe.sha256.clone(), found, when });
        }

        let wit = loader::check(&probe.id, bytes).map_err(|reason| BundleError::Component { bundle: manifest.name.clone(), reason })?;
        if wit != probe.wit_version {
            return Err(invalid!(
                "bundle `{}` records WIT `{}` for the probe `{}`, but its component imports `ggcore:probe@{wit}`",
                manifest.name,
                probe.wit_version,
                probe.id
            ));
        }
    }
    Ok(())
}
