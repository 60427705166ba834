//! Builds the report from probe runs: converts findings, stands in for failed probes with
//! `inconclusive` findings, and derives the symptom map, the health matrix and the exit code.

use super::model::{BundleRef, FindingReport, HealthRow, LikelyIssue, ObjectRef, OutcomeCounts, ProbeReport, Report, SourceInfo, SymptomReport, Tool, Unseen};
use super::status::{Outcome, Status, exit};
use crate::catalog;
use crate::host::bindings::{SERVED_VERSIONS, v0_1};
use crate::host::engine::ProbeEngine;
use crate::host::loader::Origin;
use crate::host::runner::ProbeRun;
use crate::source::Observations;

/// What the report says about the run besides the probes' results.
pub struct RunInfo {
    /// What was diagnosed.
    pub source: SourceInfo,
    /// The namespace.
    pub namespace: String,
    /// The profile's names, for the first commands; their namespace is `namespace`.
    pub names: catalog::CommandNames,
    /// What the probes could not see.
    pub observations: Observations,
    /// Notices, such as skipped files.
    pub warnings: Vec<String>,
    /// Input that could not be read.
    pub errors: Vec<String>,
}

/// Builds the report.
pub fn build(runs: &[ProbeRun], info: RunInfo) -> Report {
    let mut findings = Vec::new();
    let mut probes = Vec::new();
    for run in runs {
        findings.extend(findings_of(run));
        probes.push(probe_report(run));
    }

    let names = catalog::CommandNames { namespace: info.namespace.clone(), ..info.names.clone() };
    let symptoms: Vec<SymptomReport> = catalog::SYMPTOMS.iter().map(|s| symptom_report(s, &findings, &names)).collect();
    let health = health_matrix(&findings);
    let failed_probe = probes.iter().any(|p| p.status != "ok");
    let unseen: Vec<Unseen> = info.observations.unseen.into_iter().map(|(what, reason)| Unseen { what, reason }).collect();
    let partial = failed_probe || !unseen.is_empty() || !info.errors.is_empty();
    let undecided = findings.iter().any(|f| f.outcome == Outcome::Inconclusive);

    let status = worst(symptoms.iter().map(|s| s.status));
    let exit_code = match status {
        Status::Critical => exit::CRITICAL,
        Status::Degraded => exit::DEGRADED,
        _ if undecided || partial => exit::INCONCLUSIVE,
        _ => exit::HEALTHY,
    };

    Report {
        api_version: "ggcore.io/v1alpha1",
        kind: "Diagnosis",
        tool: tool(),
        source: info.source,
        namespace: info.namespace,
        status,
        exit_code,
        partial,
        symptoms,
        health,
        findings,
        probes,
        unseen,
        empty_kinds: info.observations.empty_kinds.into_iter().collect(),
        warnings: info.warnings,
        errors: info.errors,
    }
}

/// Returns the plugin's versions.
pub fn tool() -> Tool {
    Tool {
        version: env!("CARGO_PKG_VERSION"),
        wit_versions: SERVED_VERSIONS.iter().map(|v| v.to_string()).collect(),
        wasmtime: ProbeEngine::wasmtime_version(),
    }
}

fn worst(statuses: impl Iterator<Item = Status>) -> Status {
    let statuses: Vec<Status> = statuses.collect();
    if statuses.contains(&Status::Critical) {
        Status::Critical
    } else if statuses.contains(&Status::Degraded) {
        Status::Degraded
    } else if statuses.contains(&Status::Healthy) {
        Status::Healthy
    } else {
        Status::Unknown
    }
}

fn outcome(outcome: v0_1::Outcome) -> Outcome {
    match outcome {
        v0_1::Outcome::Pass => Outcome::Pass,
        v0_1::Outcome::Warn => Outcome::Warn,
        v0_1::Outcome::Fail => Outcome::Fail,
        v0_1::Outcome::Inconclusive => Outcome::Inconclusive,
        v0_1::Outcome::Skip => Outcome::Skip,
    }
}

fn bundle_of(origin: &Origin) -> Option<BundleRef> {
    match origin {
        Origin::Bundle { bundle, version, key_id } => Some(BundleRef { name: bundle.clone(), version: version.clone(), key_id: key_id.clone() }),
        _ => None,
    }
}

/// Converts a run's findings; a failed run gets one `inconclusive` finding per symptom it
/// declared, so that its symptoms read "could not decide" instead of healthy.
fn findings_of(run: &ProbeRun) -> Vec<FindingReport> {
    let probe = run.id().to_string();
    let bundle = bundle_of(&run.origin);
    if let Some(failure) = &run.failure {
        let symptoms = run.descriptor.as_ref().map(|d| d.symptoms.clone()).unwrap_or_default();
        return symptoms
            .into_iter()
            .map(|symptom| FindingReport {
                probe: probe.clone(),
                symptom,
                cause: None,
                outcome: Outcome::Inconclusive,
                summary: format!("probe `{probe}` {}; its checks of this symptom did not complete", failure.message),
                evidence: vec![format!("probe error ({:?}): {}", failure.kind, failure.message)],
                objects: Vec::new(),
                resolution: None,
                error_code: None,
                reference: None,
                next_command: None,
                bundle: bundle.clone(),
            })
            .collect();
    }

    run.findings
        .iter()
        .map(|f| {
            let error_code = f.error_code.clone().filter(|c| !c.is_empty());
            FindingReport {
                probe: probe.clone(),
                symptom: f.symptom.clone(),
                cause: f.cause.clone(),
                outcome: outcome(f.outcome),
                summary: f.summary.clone(),
                evidence: f.evidence.clone(),
                objects: f
                    .objects
                    .iter()
                    .map(|o| ObjectRef { kind: o.kind.clone(), namespace: o.namespace.clone(), name: o.name.clone(), field: o.field.clone() })
                    .collect(),
                resolution: f.resolution.clone().or_else(|| {
                    f.cause.as_deref().and_then(|c| catalog::cause(&f.symptom, c)).map(|c| c.resolution.to_string())
                }),
                reference: error_code
                    .as_deref()
                    .filter(|c| catalog::error_code(c).is_some())
                    .map(|c| format!("kubectl ggcore explain {}", c.to_uppercase())),
                error_code,
                next_command: f.next_command.clone(),
                bundle: bundle.clone(),
            }
        })
        .collect()
}

fn probe_report(run: &ProbeRun) -> ProbeReport {
    let descriptor = run.descriptor.as_ref();
    let unsigned = match &run.origin {
        Origin::Builtin => false,
        Origin::File { .. } => true,
        Origin::Bundle { key_id, .. } => key_id.is_none(),
    };
    ProbeReport {
        id: run.id().to_string(),
        status: if run.failure.is_some() { "error" } else { "ok" },
        title: descriptor.map(|d| d.title.clone()).unwrap_or_default(),
        version: descriptor.map(|d| d.version.clone()).unwrap_or_default(),
        origin: run.origin.clone(),
        unsigned,
        wit_version: run.wit_version.clone(),
        sha256: run.sha256.clone(),
        error: run.failure.clone(),
        symptoms: descriptor.map(|d| d.symptoms.clone()).unwrap_or_default(),
        findings: run.findings.len(),
        stats: run.stats.clone(),
        logs: run.logs.clone(),
        log_dropped_bytes: run.log_dropped,
    }
}

fn symptom_report(symptom: &'static catalog::Symptom, findings: &[FindingReport], names: &catalog::CommandNames) -> SymptomReport {
    let mine: Vec<&FindingReport> = findings.iter().filter(|f| f.symptom == symptom.id).collect();
    let status = Status::from_outcomes(mine.iter().map(|f| f.outcome));

    let mut outcomes = OutcomeCounts::default();
    for finding in &mine {
        match finding.outcome {
            Outcome::Fail => outcomes.fail += 1,
            Outcome::Warn => outcomes.warn += 1,
            Outcome::Inconclusive => outcomes.inconclusive += 1,
            Outcome::Pass => outcomes.pass += 1,
            Outcome::Skip => outcomes.skip += 1,
        }
    }

    let likely_issue = match status {
        // The first of the worst findings: probes report their most specific cause first.
        Status::Critical | Status::Degraded => mine.iter().min_by_key(|f| std::cmp::Reverse(f.outcome.severity())).map(|worst| LikelyIssue {
            cause: worst.cause.clone(),
            title: worst
                .cause
                .as_deref()
                .and_then(|c| catalog::cause(symptom.id, c))
                .map(|c| c.title.to_string())
                .unwrap_or_else(|| symptom.likely_issue.to_string()),
            summary: worst.summary.clone(),
            probe: worst.probe.clone(),
        }),
        _ => None,
    };
    SymptomReport { id: symptom.id, title: symptom.title, status, likely_issue, first_command: symptom.first_command_for(names), outcomes }
}

/// Builds the Health Status Matrix. Pods follows the guide: CrashLoopBackOff is critical,
/// other pod problems degraded. Health, Metrics and IPC follow the findings of the causes
/// that check them.
fn health_matrix(findings: &[FindingReport]) -> Vec<HealthRow> {
    let pods: Vec<&FindingReport> = findings.iter().filter(|f| f.symptom == "pods-down").collect();
    let crash_loop = pods.iter().find(|f| f.cause.as_deref() == Some("crash-loop") && matches!(f.outcome, Outcome::Fail | Outcome::Warn));
    let pods_row = match crash_loop {
        Some(finding) => HealthRow { check: "Pods", status: Status::Critical, detail: finding.summary.clone() },
        None => {
            let status = match Status::from_outcomes(pods.iter().map(|f| f.outcome)) {
                Status::Critical => Status::Degraded,
                other => other,
            };
            HealthRow { check: "Pods", status, detail: detail(&pods, status) }
        }
    };

    let row = |check: &'static str, cause: &str| {
        let rows: Vec<&FindingReport> = findings.iter().filter(|f| f.cause.as_deref() == Some(cause)).collect();
        let status = Status::from_outcomes(rows.iter().map(|f| f.outcome));
        HealthRow { check, status, detail: detail(&rows, status) }
    };
    vec![pods_row, row("Health", "health-endpoint-failing"), row("Metrics", "metrics-endpoint-down"), row("IPC", "ipc-not-ready")]
}

fn detail(findings: &[&FindingReport], status: Status) -> String {
    match findings.iter().min_by_key(|f| std::cmp::Reverse(f.outcome.severity())) {
        None => "no probe checked this".to_string(),
        Some(_) if status == Status::Healthy => {
            let passed = findings.iter().filter(|f| f.outcome == Outcome::Pass).count();
            format!("all {passed} checks passed")
        }
        Some(worst) => worst.summary.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(symptom: &str, cause: &str, outcome: Outcome) -> FindingReport {
        FindingReport {
            probe: "test".into(),
            symptom: symptom.into(),
            cause: Some(cause.into()),
            outcome,
            summary: format!("{cause} is {}", outcome.as_str()),
            evidence: Vec::new(),
            objects: Vec::new(),
            resolution: None,
            error_code: None,
            reference: None,
            next_command: None,
            bundle: None,
        }
    }

    fn pods_row(findings: &[FindingReport]) -> Status {
        health_matrix(findings).into_iter().find(|r| r.check == "Pods").unwrap().status
    }

    #[test]
    fn pods_row_is_critical_on_crash_loop() {
        let findings = [finding("pods-down", "crash-loop", Outcome::Warn), finding("pods-down", "no-pods", Outcome::Pass)];
        assert_eq!(pods_row(&findings), Status::Critical);
    }

    #[test]
    fn pods_row_is_degraded_on_other_failures() {
        let findings = [finding("pods-down", "image-pull-failure", Outcome::Fail), finding("pods-down", "crash-loop", Outcome::Pass)];
        assert_eq!(pods_row(&findings), Status::Degraded);
    }

    #[test]
    fn pods_row_is_healthy_when_all_pass() {
        let findings = [finding("pods-down", "crash-loop", Outcome::Pass), finding("pods-down", "pods-not-ready", Outcome::Pass)];
        assert_eq!(pods_row(&findings), Status::Healthy);
    }

    #[test]
    fn rows_without_findings_are_unknown() {
        let rows = health_matrix(&[]);
        assert!(rows.iter().all(|r| r.status == Status::Unknown));
        assert_eq!(rows.iter().map(|r| r.check).collect::<Vec<_>>(), ["Pods", "Health", "Metrics", "IPC"]);
    }

    #[test]
    fn likely_issue_is_the_first_worst_finding() {
        let findings = [finding("pods-down", "oom-killed", Outcome::Fail), finding("pods-down", "crash-loop", Outcome::Fail)];
        let report = symptom_report(catalog::symptom("pods-down").unwrap(), &findings, &catalog::CommandNames::default());
        assert_eq!(report.status, Status::Critical);
        assert_eq!(report.likely_issue.unwrap().cause.as_deref(), Some("oom-killed"));
    }
}
