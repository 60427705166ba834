//! `kubectl ggcore probe`: the inner loop of probe authors. `probe new` scaffolds a project in
//! Rust, Python or JavaScript (`scaffold`, from the files under `probe/templates/`), and
//! `probe test` runs one component against a snapshot and checks it against an expectations
//! file (`test`, `expect`).

mod expect;
mod scaffold;
mod templates;
mod test;

use super::CommandResult;
use crate::flags::args::{GlobalArgs, ProbeArgs, ProbeCommand};

pub use scaffold::{Scaffold, scaffold};

/// Exit codes of `probe test` beyond the shared 0, 1 and 2.
pub mod exit {
    /// The probe failed: it trapped, hit a cap, made an undeclared read or described itself
    /// wrongly, and no expectation asked for that failure.
    pub const PROBE_FAILED: i32 = 3;
    /// The probe ran, but an expectation of the `--expect` file does not hold.
    pub const EXPECTATIONS_NOT_MET: i32 = 4;
}

/// Runs a `probe` subcommand.
///
/// # Errors
///
/// Exit code 2 for bad arguments, an unusable probe file or expectations file, or a target
/// directory that is not empty; 1 when the snapshot cannot be read or files cannot be written.
pub async fn run(global: &GlobalArgs, args: &ProbeArgs) -> CommandResult {
    match &args.command {
        ProbeCommand::New(new) => scaffold::run(new),
        ProbeCommand::Test(test) => test::run(global, test).await,
    }
}
