//! `kubectl ggcore ready [--verbose]`: the guide's `GG-CORE ready` readiness check, read from
//! the IPC row of the Health Status Matrix (`/ready` reports whether the runtime answers on its
//! IPC socket). Exits 0 when the row is healthy and 1 otherwise, a timeout (degraded) included.

use super::CommandResult;
use super::health;
use crate::flags::args::{GlobalArgs, HealthArgs};

/// Runs the probes and prints the IPC row.
///
/// # Errors
///
/// Exit code 1 when the state cannot be read, 2 for bad flags.
pub async fn run(global: &GlobalArgs, args: &HealthArgs) -> CommandResult {
    health::row(global, args, "IPC", "ipc-not-ready").await
}
