//! The table output: what an on-call engineer reads first. The symptom map with the likely
//! issue and first command, the health matrix, then the failures and warnings with their
//! evidence, resolution and next command.

use std::fmt::Write as _;

use super::paint::Paint;
use crate::host::loader::Origin;
use crate::report::model::FindingReport;
use crate::report::{Outcome, Report, Status};

/// Renders the report; `wide` adds passed and skipped checks.
pub fn render(report: &Report, wide: bool, color: bool) -> String {
    let paint = Paint { enabled: color };
    let mut out = String::new();

    let _ = writeln!(
        out,
        "{} {} {} (namespace {}, observed {})",
        paint.heading("GG-CORE diagnosis of"),
        report.source.mode,
        report.source.location,
        report.namespace,
        report.source.observed_at
    );
    if report.partial {
        let _ = writeln!(out, "{}", paint.dim("partial: some data could not be read or a probe failed; see below"));
    }
    out.push('\n');

    symptoms(&mut out, report, paint);
    health(&mut out, report, paint);
    findings(&mut out, report, wide, paint);
    probes(&mut out, report, paint);
    unseen(&mut out, report, paint);

    let meaning = match report.exit_code {
        0 => "nothing degraded or critical",
        3 => "at least one symptom is critical",
        4 => "degraded, nothing critical",
        5 => "nothing degraded or critical, but some checks could not decide",
        _ => "",
    };
    let _ = writeln!(out, "Result: {} (exit code {}: {meaning})", paint.status(report.status, 0), report.exit_code);
    out
}

fn symptoms(out: &mut String, report: &Report, paint: Paint) {
    let _ = writeln!(out, "{}", paint.heading("SYMPTOM                                             STATUS     LIKELY ISSUE"));
    for symptom in &report.symptoms {
        let name = format!("{} ({})", symptom.title, symptom.id);
        let issue = match &symptom.likely_issue {
            Some(issue) => format!("{}: {}", issue.title, issue.summary),
            None if symptom.outcomes.inconclusive > 0 => "could not decide; see below".to_string(),
            None if symptom.status == Status::Unknown => "not applicable or not checked".to_string(),
            None => String::new(),
        };
        let _ = writeln!(out, "{name:<51} {} {issue}", paint.status(symptom.status, 10));
        if matches!(symptom.status, Status::Critical | Status::Degraded) {
            let _ = writeln!(out, "{:<62} {}", "", paint.dim(&format!("first: {}", symptom.first_command)));
        }
    }
    out.push('\n');
}

fn health(out: &mut String, report: &Report, paint: Paint) {
    let _ = writeln!(out, "{}", paint.heading("HEALTH MATRIX"));
    for row in &report.health {
        let _ = writeln!(out, "  {:<8} {} {}", row.check, paint.status(row.status, 10), row.detail);
    }
    out.push('\n');
}

fn findings(out: &mut String, report: &Report, wide: bool, paint: Paint) {
    let shown: Vec<&FindingReport> = report
        .findings
        .iter()
        .filter(|f| wide || matches!(f.outcome, Outcome::Fail | Outcome::Warn | Outcome::Inconclusive))
        .collect();
    if shown.is_empty() {
        return;
    }
    let mut ordered = shown;
    ordered.sort_by_key(|f| std::cmp::Reverse(f.outcome.severity()));

    let _ = writeln!(out, "{}", paint.heading("FINDINGS"));
    for finding in ordered {
        let cause = finding.cause.as_deref().map(|c| format!(" / {c}")).unwrap_or_default();
        let _ = writeln!(out, "  {} {}{cause}  [{}]", paint.outcome(finding.outcome), finding.symptom, finding.probe);
        let _ = writeln!(out, "    {}", finding.summary);
        if matches!(finding.outcome, Outcome::Fail | Outcome::Warn) || wide {
            // An evidence line that repeats the summary adds nothing to the table (JSON keeps it).
            for line in finding.evidence.iter().filter(|line| **line != finding.summary) {
                let _ = writeln!(out, "      - {line}");
            }
            if let Some(code) = &finding.error_code {
                match finding.reference.as_deref() {
                    Some(reference) => {
                        let _ = writeln!(out, "    Error code: {code} ({})", paint.dim(&format!("details: {reference}")));
                    }
                    None => {
                        let _ = writeln!(out, "    Error code: {code}");
                    }
                }
            }
            if let Some(resolution) = &finding.resolution {
                let _ = writeln!(out, "    Resolution: {resolution}");
            }
            if let Some(next) = &finding.next_command {
                let _ = writeln!(out, "    Next: {next}");
            }
        }
    }
    out.push('\n');
}

fn probes(out: &mut String, report: &Report, paint: Paint) {
    let failed: Vec<_> = report.probes.iter().filter(|p| p.status != "ok").collect();
    let unsigned: Vec<_> = report.probes.iter().filter(|p| p.unsigned).map(|p| p.id.as_str()).collect();
    let _ = writeln!(out, "{} {} ran, {} failed", paint.heading("PROBES"), report.probes.len(), failed.len());
    for probe in failed {
        let message = probe.error.as_ref().map(|e| e.message.as_str()).unwrap_or("");
        let _ = writeln!(out, "  {} {}: {message}", paint.outcome(Outcome::Fail), probe.id);
    }
    if !unsigned.is_empty() {
        let _ = writeln!(out, "  unsigned probes (run with --allow-unsigned): {}", unsigned.join(", "));
    }
    for (bundle, ids) in bundles(report) {
        let _ = writeln!(out, "  from bundle {bundle}: {}", ids.join(", "));
    }
    out.push('\n');
}

/// Groups the probes of installed bundles by bundle, version and signing key.
fn bundles(report: &Report) -> std::collections::BTreeMap<String, Vec<&str>> {
    let mut bundles: std::collections::BTreeMap<String, Vec<&str>> = std::collections::BTreeMap::new();
    for probe in &report.probes {
        if let Origin::Bundle { bundle, version, key_id } = &probe.origin {
            let signer = key_id.as_deref().map_or_else(|| "unsigned".to_string(), |k| format!("key {k}"));
            bundles.entry(format!("{bundle} {version} ({signer})")).or_default().push(&probe.id);
        }
    }
    bundles
}

fn unseen(out: &mut String, report: &Report, paint: Paint) {
    if report.unseen.is_empty() && report.errors.is_empty() && report.warnings.is_empty() && report.empty_kinds.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", paint.heading("NOT SEEN"));
    for error in &report.errors {
        let _ = writeln!(out, "  error: {error}");
    }
    for item in &report.unseen {
        let _ = writeln!(out, "  {}: {}", item.what, item.reason);
    }
    if !report.empty_kinds.is_empty() {
        let _ = writeln!(out, "  no objects of: {}", report.empty_kinds.join(", "));
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "  {}", paint.dim(warning));
    }
    out.push('\n');
}
