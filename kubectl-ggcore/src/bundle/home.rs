//! The data directory of installed bundles and the trust store: `GGCORE_HOME`, else `ggcore`
//! under the user's data directory (`~/.local/share/ggcore` on Linux).

use std::path::PathBuf;

use super::error::{BundleError, invalid};

/// The environment variable that overrides the data directory.
pub const HOME_VARIABLE: &str = "GGCORE_HOME";

/// The directories of one data directory.
#[derive(Debug, Clone)]
pub struct Home {
    /// The data directory itself.
    pub root: PathBuf,
}

impl Home {
    /// Resolves the data directory from `GGCORE_HOME` or the user's data directory.
    ///
    /// # Errors
    ///
    /// Fails when `GGCORE_HOME` is unset and the system names no data directory.
    pub fn resolve() -> Result<Home, BundleError> {
        // An empty GGCORE_HOME counts as unset, as shells leave it after `GGCORE_HOME= cmd`.
        if let Some(dir) = std::env::var_os(HOME_VARIABLE).filter(|v| !v.is_empty()) {
            return Ok(Home { root: PathBuf::from(dir) });
        }
        let data = dirs::data_dir().ok_or_else(|| invalid!("no user data directory is known on this system: set {HOME_VARIABLE} to a directory"))?;
        Ok(Home { root: data.join("ggcore") })
    }

    /// Returns the directory of installed bundles, one subdirectory per bundle name.
    pub fn bundles(&self) -> PathBuf {
        self.root.join("bundles")
    }

    /// Returns the trust store's directory: one minisign public key file per trusted key.
    pub fn trust(&self) -> PathBuf {
        self.root.join("trust")
    }
}
