//! The errors a read can end in, shared by snapshots and live clusters, and their mapping to
//! the WIT `host-error` a probe receives.

use super::recorded::RecordedError;

/// Why a read returned no data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Not allowed: undeclared by the probe, or refused by RBAC. The text names the permission.
    #[error("denied: {0}")]
    Denied(String),
    /// The object does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The data cannot be had: not in the snapshot, server failing, nothing configured.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The cluster, endpoint or Prometheus did not answer in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The answer is larger than the host hands to a probe.
    #[error("too large: {0}")]
    TooLarge(String),
    /// The request is malformed.
    #[error("invalid: {0}")]
    Invalid(String),
}

impl ReadError {
    /// Converts to the form `collect` records.
    pub fn to_recorded(&self) -> RecordedError {
        match self.clone() {
            ReadError::Denied(m) => RecordedError::Denied(m),
            ReadError::NotFound(m) => RecordedError::NotFound(m),
            ReadError::Unavailable(m) => RecordedError::Unavailable(m),
            ReadError::Timeout(m) => RecordedError::Timeout(m),
            ReadError::TooLarge(m) => RecordedError::TooLarge(m),
            ReadError::Invalid(m) => RecordedError::Invalid(m),
        }
    }
}

impl From<RecordedError> for ReadError {
    fn from(error: RecordedError) -> ReadError {
        match error {
            RecordedError::Denied(m) => ReadError::Denied(m),
            RecordedError::NotFound(m) => ReadError::NotFound(m),
            RecordedError::Unavailable(m) => ReadError::Unavailable(m),
            RecordedError::Timeout(m) => ReadError::Timeout(m),
            RecordedError::TooLarge(m) => ReadError::TooLarge(m),
            RecordedError::Invalid(m) => ReadError::Invalid(m),
        }
    }
}
