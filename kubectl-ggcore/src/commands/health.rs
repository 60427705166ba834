//! `kubectl ggcore health [--verbose]`: the guide's `GG-CORE health`, read from the Health row
//! of the Health Status Matrix. Exits 0 when the row is healthy and 1 otherwise; an unknown
//! row exits 1 with the reason on stderr.

use std::fmt::Write as _;

use super::CommandResult;
use super::checks::{self, row_exit_code};
use crate::flags::args::{GlobalArgs, HealthArgs};
use crate::report::{Outcome, Report, Status};

/// Runs the probes and prints the Health row.
///
/// # Errors
///
/// Exit code 1 when the state cannot be read, 2 for bad flags.
pub async fn run(global: &GlobalArgs, args: &HealthArgs) -> CommandResult {
    row(global, args, "Health", "health-endpoint-failing").await
}

/// Prints one row of the Health Status Matrix and returns 0 when it is healthy, 1 otherwise.
/// `health` and `ready` differ only in the row and its cause.
///
/// # Errors
///
/// As [`run`].
pub async fn row(global: &GlobalArgs, args: &HealthArgs, check: &str, cause: &str) -> CommandResult {
    let (_session, report) = checks::diagnose(global, &args.source).await?;
    let Some(row) = report.health.iter().find(|r| r.check == check) else {
        eprintln!("error: the report has no {check} row");
        return Ok(1);
    };

    print!("{}", render_row(&report, check, cause, row.status, &row.detail, args.verbose));
    if row.status == Status::Unknown {
        eprintln!("{check} could not be checked:");
        for reason in checks::unknown_reasons(&report, cause) {
            eprintln!("  {reason}");
        }
    }
    Ok(row_exit_code(row.status))
}

/// Formats a row: the status and detail, then with `verbose` every finding of the cause with
/// its evidence, and the runtime error codes found.
fn render_row(report: &Report, check: &str, cause: &str, status: Status, detail: &str, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{check}: {} ({detail})", status.as_str());
    if !verbose {
        return out;
    }
    for finding in report.findings.iter().filter(|f| f.cause.as_deref() == Some(cause)) {
        let _ = writeln!(out, "  {} {}", finding.outcome.as_str(), finding.summary);
        for line in &finding.evidence {
            let _ = writeln!(out, "      {line}");
        }
    }
    let codes: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.error_code.is_some() && f.symptom == "runtime-unhealthy" && matches!(f.outcome, Outcome::Fail | Outcome::Warn))
        .collect();
    if !codes.is_empty() {
        let _ = writeln!(out, "Error codes found:");
        for finding in codes {
            let reference = finding.reference.as_deref().unwrap_or("");
            let _ = writeln!(out, "  {} {} ({reference})", finding.outcome.as_str(), finding.summary);
        }
    }
    out
}
