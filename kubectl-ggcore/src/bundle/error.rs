//! The errors of bundle and trust operations. Every variant except [`BundleError::Io`] is a
//! rejected input (exit code 2), and `Io` is a failure of the machine (exit code 1).

use std::path::PathBuf;

use crate::host::loader::LoadError;

/// A failed bundle or trust operation.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The bundle carries no `manifest.json.minisig` and unsigned bundles were not allowed.
    #[error(
        "bundle `{bundle}` has no signature (`manifest.json.minisig`): sign it with `kubectl ggcore bundle sign` or `minisign -S -m manifest.json`, or pass --allow-unsigned to accept it unsigned"
    )]
    Unsigned {
        /// The bundle's name.
        bundle: String,
    },

    /// The signature was made by a key that the trust store does not hold.
    #[error(
        "bundle `{bundle}` is signed by key `{key_id}`, which is not in the trust store: if you trust that key, add its public key with `kubectl ggcore trust add KEY.pub`"
    )]
    UntrustedKey {
        /// The bundle's name.
        bundle: String,
        /// The signature's key id.
        key_id: String,
    },

    /// The signature does not verify against the manifest: the manifest changed after signing,
    /// or the signature file is damaged.
    #[error(
        "the signature of bundle `{bundle}` by key `{key_id}` does not match its manifest ({reason}): the manifest changed after it was signed; get the bundle again from its publisher"
    )]
    BadSignature {
        /// The bundle's name.
        bundle: String,
        /// The signature's key id.
        key_id: String,
        /// The verifier's message.
        reason: String,
    },

    /// A component's SHA-256 differs from the one the manifest records.
    #[error(
        "component `{path}` of bundle `{bundle}` has sha256 `{found}`, but the manifest records `{expected}`: the component changed after {when}; get the bundle again from its publisher"
    )]
    HashMismatch {
        /// The bundle's name.
        bundle: String,
        /// The component's path inside the bundle.
        path: String,
        /// The digest the manifest records.
        expected: String,
        /// The digest of the component's bytes.
        found: String,
        /// `the manifest was signed` or `the bundle was packed`.
        when: &'static str,
    },

    /// A component was built for a WIT version the host does not serve, or is not a probe.
    #[error("bundle `{bundle}`: {reason}")]
    Component {
        /// The bundle's name.
        bundle: String,
        /// The loader's reason, part of this message rather than a separate cause so that
        /// printing the cause chain does not repeat it.
        reason: LoadError,
    },

    /// A lower version would replace an installed one.
    #[error(
        "bundle `{bundle}` {installed} is installed; refusing to replace it with the lower version {offered}: pass --allow-downgrade to install it anyway"
    )]
    Downgrade {
        /// The bundle's name.
        bundle: String,
        /// The installed version.
        installed: String,
        /// The version offered.
        offered: String,
    },

    /// The input is malformed or inconsistent: a bad archive, manifest, key or name.
    #[error("{0}")]
    Invalid(String),

    /// Reading or writing a file failed.
    #[error("{action} `{}`: {reason}", path.display())]
    Io {
        /// The action that failed, such as `cannot read bundle`.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error, part of this message rather than a separate cause.
        reason: std::io::Error,
    },
}

impl BundleError {
    /// Returns a closure that wraps an I/O error with what was being done to which path.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> BundleError {
        let path = path.into();
        move |reason| BundleError::Io { action, path, reason }
    }

    /// Returns true when the machine failed rather than the input (exit code 1, not 2).
    pub fn is_io(&self) -> bool {
        matches!(self, BundleError::Io { .. })
    }

    /// Reports whether a file to read does not exist: a wrong path in the input rather than a
    /// failing file system.
    pub fn is_missing_input(&self) -> bool {
        matches!(self, BundleError::Io { action, reason, .. } if action.starts_with("cannot read") && reason.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Builds a [`BundleError::Invalid`] from a format string.
macro_rules! invalid {
    ($($arg:tt)*) => {
        $crate::bundle::error::BundleError::Invalid(format!($($arg)*))
    };
}
pub(crate) use invalid;
