//! Outcomes, statuses and exit codes: the rules of the report contract.

use serde::Serialize;

/// The verdict of one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Checked and healthy.
    Pass,
    /// Present, not yet harmful.
    Warn,
    /// Present and harmful.
    Fail,
    /// Could not decide.
    Inconclusive,
    /// Not applicable.
    Skip,
}

impl Outcome {
    /// Returns the outcome's name as the report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
            Outcome::Inconclusive => "inconclusive",
            Outcome::Skip => "skip",
        }
    }

    /// Ranks outcomes for picking the worst finding: fail, warn, inconclusive, pass, skip.
    pub fn severity(self) -> u8 {
        match self {
            Outcome::Fail => 4,
            Outcome::Warn => 3,
            Outcome::Inconclusive => 2,
            Outcome::Pass => 1,
            Outcome::Skip => 0,
        }
    }
}

/// The status of a symptom or a health check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every check that feeds it decided, and passed.
    Healthy,
    /// A check warned.
    Degraded,
    /// A check failed.
    Critical,
    /// No check could decide, or none applied.
    Unknown,
}

impl Status {
    /// Returns the status's name as the report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Healthy => "healthy",
            Status::Degraded => "degraded",
            Status::Critical => "critical",
            Status::Unknown => "unknown",
        }
    }

    /// Combines outcomes by the contract: any `fail` is critical, else any `warn` degraded,
    /// else any `inconclusive` unknown, else any `pass` healthy, else unknown.
    pub fn from_outcomes(outcomes: impl IntoIterator<Item = Outcome>) -> Status {
        let (mut fail, mut warn, mut inconclusive, mut pass) = (false, false, false, false);
        for outcome in outcomes {
            match outcome {
                Outcome::Fail => fail = true,
                Outcome::Warn => warn = true,
                Outcome::Inconclusive => inconclusive = true,
                Outcome::Pass => pass = true,
                Outcome::Skip => {}
            }
        }
        match (fail, warn, inconclusive, pass) {
            (true, ..) => Status::Critical,
            (_, true, ..) => Status::Degraded,
            (_, _, true, _) => Status::Unknown,
            (_, _, _, true) => Status::Healthy,
            _ => Status::Unknown,
        }
    }
}

/// `diagnose` exit codes.
pub mod exit {
    /// Nothing degraded or critical.
    pub const HEALTHY: i32 = 0;
    /// The tool itself failed: cannot reach the cluster, cannot read the snapshot.
    pub const TOOL_FAILED: i32 = 1;
    /// Invalid usage or input: bad flag, bad profile, bad bundle.
    pub const USAGE: i32 = 2;
    /// At least one critical symptom.
    pub const CRITICAL: i32 = 3;
    /// Degraded, nothing critical.
    pub const DEGRADED: i32 = 4;
    /// Nothing degraded or critical, but a probe could not decide.
    pub const INCONCLUSIVE: i32 = 5;
}

/// Combines the exit codes of several reports: critical wins over degraded, degraded over
/// inconclusive, inconclusive over healthy.
pub fn worst_exit(codes: impl IntoIterator<Item = i32>) -> i32 {
    let codes: Vec<i32> = codes.into_iter().collect();
    [exit::CRITICAL, exit::DEGRADED, exit::INCONCLUSIVE].into_iter().find(|c| codes.contains(c)).unwrap_or(exit::HEALTHY)
}

#[cfg(test)]
mod tests {
    #[test]
    fn worst_exit_prefers_critical() {
        assert_eq!(worst_exit([0, 5, 3, 4]), 3);
        assert_eq!(worst_exit([0, 5, 4]), 4);
        assert_eq!(worst_exit([0, 5]), 5);
        assert_eq!(worst_exit([0, 0]), 0);
    }

    use super::*;

    #[test]
    fn any_fail_is_critical() {
        assert_eq!(Status::from_outcomes([Outcome::Pass, Outcome::Fail, Outcome::Warn]), Status::Critical);
    }

    #[test]
    fn warn_beats_inconclusive() {
        assert_eq!(Status::from_outcomes([Outcome::Inconclusive, Outcome::Warn]), Status::Degraded);
    }

    #[test]
    fn inconclusive_keeps_a_passing_symptom_unknown() {
        assert_eq!(Status::from_outcomes([Outcome::Pass, Outcome::Inconclusive]), Status::Unknown);
    }

    #[test]
    fn only_skips_is_unknown() {
        assert_eq!(Status::from_outcomes([Outcome::Skip]), Status::Unknown);
        assert_eq!(Status::from_outcomes([Outcome::Skip, Outcome::Pass]), Status::Healthy);
    }
}
