//! Probe bundles: vetted probes carried as one signed file into clusters without internet
//! access, and the trust store of the keys whose signatures count.
//!
//! `archive` reads and writes the bundle file, `manifest` is what the signature covers,
//! `signature` speaks minisign, `trust` keeps the trusted public keys, `verify` runs every
//! check, `pack` builds a bundle from components, and `store` installs bundles under the data
//! directory (`home`) and hands their probes to `diagnose` and `probes list`. Nothing here opens
//! a network connection: air-gapped use is the only mode.

pub mod archive;
pub mod error;
pub mod home;
pub mod manifest;
pub mod pack;
pub mod signature;
pub mod store;
pub mod trust;
pub mod verify;

pub use error::BundleError;
pub use home::Home;
