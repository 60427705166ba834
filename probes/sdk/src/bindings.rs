//! Bindings generated from the WIT package `ggcore:probe`; probes use them through
//! [`crate::Context`] and the builders rather than directly.

wit_bindgen::generate!({
    world: "probe",
    path: "wit",
    pub_export_macro: true,
    default_bindings_module: "ggcore_probe_sdk::bindings",
});

// `Descriptor`, `Finding` and `Profile` are already in scope here, because the world's
// exports use them.
pub use ggcore::probe::types::{Capability, HostError, KindRef, Needs, ObjectRef, Outcome, ReportRef};

impl HostError {
    /// Formats the error for a finding: what kind of error and the host's text.
    pub fn message(&self) -> String {
        match self {
            HostError::Denied(text) => format!("denied: {text}"),
            HostError::NotFound(text) => format!("not found: {text}"),
            HostError::Unavailable(text) => format!("unavailable: {text}"),
            HostError::Timeout(text) => format!("timed out: {text}"),
            HostError::TooLarge(text) => format!("too large: {text}"),
            HostError::Invalid(text) => format!("invalid: {text}"),
        }
    }
}

impl From<crate::Kind> for KindRef {
    fn from(kind: crate::Kind) -> KindRef {
        KindRef { group: kind.group.map(str::to_string), kind: kind.kind.to_string() }
    }
}
