//! The expectations file of `probe test --expect`: what a probe must report on a snapshot, and
//! the check of a run against it.
//!
//! ```yaml
//! probe: pod-restarts              # the id the probe must declare
//! present:                         # each needs one matching finding; a field left out matches any
//!   - {outcome: warn, symptom: pods-down, cause: frequent-restarts}
//! absent: [crash-loop]             # causes no finding may report as fail or warn
//! error: cpu-budget                # the probe must fail this way (for tests of the caps)
//! maxDuration: 2s                  # the run, instantiation to the end of `run`
//! maxMemory: 64Mi                  # the peak of the probe's linear memory
//! ```

use std::path::Path;

use anyhow::{Context as _, Result, anyhow};
use serde::{Deserialize, Serialize};

use crate::host::bindings::v0_1::{Finding, Outcome};
use crate::host::runner::{FailureKind, ProbeRun};
use ggcore_probe_sdk::units;

/// The parsed expectations file.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Expectations {
    /// The id the probe must declare.
    #[serde(default)]
    pub probe: Option<String>,
    /// Findings that must be reported.
    #[serde(default)]
    pub present: Vec<FindingPattern>,
    /// Cause ids that no `fail` or `warn` finding may carry.
    #[serde(default)]
    pub absent: Vec<String>,
    /// The failure the probe must end in (`trap`, `cpu-budget`, `memory`, `timeout`, ...);
    /// without it, any failure is a mismatch.
    #[serde(default)]
    pub error: Option<String>,
    /// The maximum run time, as a duration (`2s`, `500ms`).
    #[serde(default)]
    pub max_duration: Option<String>,
    /// The maximum peak of linear memory, as a quantity (`64Mi`).
    #[serde(default)]
    pub max_memory: Option<String>,
}

/// A finding that must be present; `None` fields match anything.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingPattern {
    /// `pass`, `warn`, `fail`, `inconclusive` or `skip`.
    pub outcome: Option<String>,
    /// The symptom id.
    pub symptom: Option<String>,
    /// The cause id.
    pub cause: Option<String>,
}

impl std::fmt::Display for FindingPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let any = |field: &Option<String>| field.clone().unwrap_or_else(|| "*".into());
        write!(f, "{} {}/{}", any(&self.outcome), any(&self.symptom), any(&self.cause))
    }
}

/// The result of one expectation.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The expectation, as written in the file.
    pub expected: String,
    /// True when it holds.
    pub met: bool,
    /// The run's actual result, when the expectation does not hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
}

const OUTCOMES: [&str; 5] = ["pass", "warn", "fail", "inconclusive", "skip"];

/// Reads and validates an expectations file.
///
/// # Errors
///
/// Fails when the file cannot be read, does not parse, has an unknown key, or names an
/// unknown outcome, a duration or a quantity that does not parse.
pub fn read(path: &Path) -> Result<Expectations> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read expectations file `{}`", path.display()))?;
    let expectations: Expectations =
        serde_yaml::from_str(&text).with_context(|| format!("invalid expectations file `{}`", path.display()))?;
    for pattern in &expectations.present {
        if let Some(outcome) = pattern.outcome.as_deref().filter(|o| !OUTCOMES.contains(o)) {
            return Err(anyhow!("invalid expectations file `{}`: unknown outcome `{outcome}`; expected one of {}", path.display(), OUTCOMES.join(", ")));
        }
        if pattern.outcome.is_none() && pattern.symptom.is_none() && pattern.cause.is_none() {
            return Err(anyhow!("invalid expectations file `{}`: a `present` entry names no outcome, symptom or cause", path.display()));
        }
    }
    if let Some(text) = &expectations.max_duration {
        units::parse_duration(text).ok_or_else(|| anyhow!("invalid `maxDuration` `{text}` in `{}`: expected a duration such as `2s`", path.display()))?;
    }
    if let Some(text) = &expectations.max_memory {
        units::parse_quantity(text).ok_or_else(|| anyhow!("invalid `maxMemory` `{text}` in `{}`: expected a quantity such as `64Mi`", path.display()))?;
    }
    Ok(expectations)
}

/// Checks a run against the expectations, one [`Check`] per expectation in file order.
pub fn check(expectations: &Expectations, run: &ProbeRun) -> Vec<Check> {
    let mut checks = Vec::new();

    if let Some(id) = &expectations.probe {
        let declared = run.descriptor.as_ref().map(|d| d.id.as_str());
        checks.push(Check {
            expected: format!("probe id `{id}`"),
            met: declared == Some(id.as_str()),
            found: Some(format!("the probe declares `{}`", declared.unwrap_or("nothing: it failed before `describe` returned"))),
        });
    }

    let failure = run.failure.as_ref().map(|f| failure_kind(f.kind));
    match (&expectations.error, &failure) {
        (Some(expected), found) => checks.push(Check {
            expected: format!("probe error `{expected}`"),
            met: found.as_deref() == Some(expected.as_str()),
            found: Some(match (&failure, &run.failure) {
                (Some(kind), Some(f)) => format!("error `{kind}`: {}", f.message),
                _ => "the probe ran without error".into(),
            }),
        }),
        (None, Some(kind)) => checks.push(Check {
            expected: "no probe error".into(),
            met: false,
            found: Some(format!("error `{kind}`: {}", run.failure.as_ref().map(|f| f.message.as_str()).unwrap_or(""))),
        }),
        (None, None) => {}
    }

    for pattern in &expectations.present {
        let met = run.findings.iter().any(|f| matches(pattern, f));
        checks.push(Check { expected: format!("present: {pattern}"), met, found: Some(format!("the probe reported: {}", list(&run.findings))) });
    }

    for cause in &expectations.absent {
        let offending: Vec<&Finding> = run
            .findings
            .iter()
            .filter(|f| matches!(f.outcome, Outcome::Fail | Outcome::Warn) && f.cause.as_deref() == Some(cause.as_str()))
            .collect();
        checks.push(Check {
            expected: format!("absent: {cause}"),
            met: offending.is_empty(),
            found: Some(offending.iter().map(|f| format!("{} {}/{}: {}", outcome_name(f.outcome), f.symptom, cause, f.summary)).collect::<Vec<_>>().join("; ")),
        });
    }

    if let Some(text) = &expectations.max_duration {
        let limit = units::parse_duration(text).unwrap_or(0.0);
        let took = run.stats.run_ms as f64 / 1000.0;
        checks.push(Check { expected: format!("maxDuration: {text}"), met: took <= limit, found: Some(format!("the run took {} ms", run.stats.run_ms)) });
    }

    if let Some(text) = &expectations.max_memory {
        let limit = units::parse_quantity(text).unwrap_or(0.0);
        let peak = run.stats.peak_memory_bytes;
        checks.push(Check {
            expected: format!("maxMemory: {text}"),
            met: peak as f64 <= limit,
            found: Some(format!("the peak was {}", units::format_bytes(peak as f64))),
        });
    }

    for check in &mut checks {
        if check.met {
            check.found = None;
        }
    }
    checks
}

fn matches(pattern: &FindingPattern, finding: &Finding) -> bool {
    pattern.outcome.as_deref().is_none_or(|o| o == outcome_name(finding.outcome))
        && pattern.symptom.as_deref().is_none_or(|s| s == finding.symptom)
        && pattern.cause.as_deref().is_none_or(|c| Some(c) == finding.cause.as_deref())
}

fn list(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "no finding".into();
    }
    findings.iter().map(|f| format!("{} {}/{}", outcome_name(f.outcome), f.symptom, f.cause.as_deref().unwrap_or("-"))).collect::<Vec<_>>().join(", ")
}

/// Returns the name a report gives a failure kind (`cpu-budget`), as `error:` expects it.
pub fn failure_kind(kind: FailureKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Returns the WIT name of an outcome.
pub fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "pass",
        Outcome::Warn => "warn",
        Outcome::Fail => "fail",
        Outcome::Inconclusive => "inconclusive",
        Outcome::Skip => "skip",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::loader::Origin;
    use crate::host::runner::{Failure, RunStats};

    fn run_with(findings: Vec<Finding>) -> ProbeRun {
        ProbeRun {
            source_name: "p".into(),
            origin: Origin::Builtin,
            wit_version: Some("0.1.0".into()),
            sha256: String::new(),
            descriptor: None,
            findings,
            failure: None,
            stats: RunStats { run_ms: 40, peak_memory_bytes: 32 << 20, ..RunStats::default() },
            logs: Vec::new(),
            log_dropped: 0,
            usage: Default::default(),
        }
    }

    fn finding(outcome: Outcome, symptom: &str, cause: &str) -> Finding {
        Finding {
            outcome,
            symptom: symptom.into(),
            cause: Some(cause.into()),
            summary: "s".into(),
            evidence: Vec::new(),
            objects: Vec::new(),
            resolution: None,
            error_code: None,
            next_command: None,
        }
    }

    fn parse(yaml: &str) -> Expectations {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), yaml).unwrap();
        read(file.path()).unwrap()
    }

    #[test]
    fn present_finding_is_met() {
        let expectations = parse("present:\n  - {outcome: warn, symptom: pods-down, cause: frequent-restarts}\n");
        let checks = check(&expectations, &run_with(vec![finding(Outcome::Warn, "pods-down", "frequent-restarts")]));
        assert_eq!(checks.len(), 1);
        assert!(checks[0].met);
    }

    #[test]
    fn missing_finding_lists_what_was_reported() {
        let expectations = parse("present:\n  - {outcome: fail, cause: crash-loop}\n");
        let checks = check(&expectations, &run_with(vec![finding(Outcome::Pass, "pods-down", "crash-loop")]));
        assert!(!checks[0].met);
        assert_eq!(checks[0].expected, "present: fail */crash-loop");
        assert_eq!(checks[0].found.as_deref(), Some("the probe reported: pass pods-down/crash-loop"));
    }

    #[test]
    fn absent_cause_ignores_pass_findings() {
        let expectations = parse("absent: [oom-killed]\n");
        let healthy = check(&expectations, &run_with(vec![finding(Outcome::Pass, "pods-down", "oom-killed")]));
        assert!(healthy[0].met);
        let broken = check(&expectations, &run_with(vec![finding(Outcome::Warn, "pods-down", "oom-killed")]));
        assert!(!broken[0].met);
    }

    #[test]
    fn caps_compare_duration_and_memory() {
        let expectations = parse("maxDuration: 10ms\nmaxMemory: 64Mi\n");
        let checks = check(&expectations, &run_with(Vec::new()));
        assert!(!checks[0].met, "40 ms is over 10ms");
        assert_eq!(checks[0].found.as_deref(), Some("the run took 40 ms"));
        assert!(checks[1].met, "32 MiB is under 64Mi");
    }

    #[test]
    fn unexpected_failure_is_a_mismatch() {
        let mut run = run_with(Vec::new());
        run.failure = Some(Failure { kind: FailureKind::CpuBudget, message: "exceeded its CPU budget of 1s".into() });
        let checks = check(&Expectations::default(), &run);
        assert_eq!(checks.len(), 1);
        assert!(!checks[0].met);
        let expected = check(&parse("error: cpu-budget\n"), &run);
        assert!(expected[0].met);
    }

    #[test]
    fn unknown_key_is_rejected() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "presnt: []\n").unwrap();
        let error = format!("{:#}", read(file.path()).unwrap_err());
        assert!(error.contains("unknown field `presnt`"), "{error}");
    }

    #[test]
    fn unknown_outcome_is_rejected() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "present: [{outcome: failed}]\n").unwrap();
        let error = format!("{:#}", read(file.path()).unwrap_err());
        assert!(error.contains("unknown outcome `failed`"), "{error}");
    }
}
