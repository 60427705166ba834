//! The built-in probes, compiled to `wasm32-wasip2` by the build script and embedded in the
//! binary.

use super::loader::{Origin, ProbeSource};

include!(concat!(env!("OUT_DIR"), "/builtin_probes.rs"));

/// Returns the built-in probes, in a stable order.
pub fn sources() -> Vec<ProbeSource> {
    BUILTIN_PROBES
        .iter()
        .map(|(name, bytes)| ProbeSource { name: name.to_string(), origin: Origin::Builtin, bytes: std::sync::Arc::from(*bytes) })
        .collect()
}
