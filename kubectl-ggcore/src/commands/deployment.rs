//! `kubectl ggcore deployment status [--verbose] [--json]`: the guide's overview of the
//! deployment. It shows the blue-green environments (active, standby, phase), the canary (phase
//! and traffic weight), the pods ready per environment, and the symptoms the probes found. It
//! exits with the code `diagnose` would return, so scripts can gate on it the same way.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ggcore_probe_sdk::views::{Pod, VeritasCanary, VeritasEnvironment};
use serde::Serialize;

use super::checks::{self, PodGroup};
use super::{CommandResult, failed};
use crate::flags::args::{GlobalArgs, StatusArgs};
use crate::report::model::HealthRow;
use crate::report::{Report, Status};
use crate::source::ReadError;

/// The overview as `--json` writes it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    /// The namespace.
    pub namespace: String,
    /// The source of the state: `snapshot PATH` or the cluster.
    pub source: String,
    /// When the state was observed (RFC 3339).
    pub observed_at: String,
    /// One entry per `VeritasEnvironment`.
    pub environments: Vec<EnvironmentLine>,
    /// One entry per `VeritasCanary`.
    pub canaries: Vec<CanaryLine>,
    /// GG-CORE pods per environment (`blue`, `green`), `canary`, and `none`.
    pub pods: BTreeMap<String, PodGroup>,
    /// Symptoms that are not healthy.
    pub symptoms: Vec<SymptomLine>,
    /// The Health Status Matrix.
    pub health: Vec<HealthLine>,
    /// The parts of the overview that could not be read, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    /// The worst status.
    pub status: Status,
    /// The exit code, as `diagnose` returns it.
    pub exit_code: i32,
}

/// A `VeritasEnvironment` in a few fields.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentLine {
    /// The name.
    pub name: String,
    /// `spec.activeEnvironment`.
    pub active: Option<String>,
    /// The other environment.
    pub standby: Option<String>,
    /// `status.phase`.
    pub phase: String,
    /// `status.switchProgress`.
    pub switch_progress: Option<serde_json::Value>,
    /// True when the status is behind the spec's generation.
    pub stale: bool,
}

/// A `VeritasCanary` in a few fields.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CanaryLine {
    /// The name.
    pub name: String,
    /// `status.phase`.
    pub phase: String,
    /// `spec.trafficWeight`.
    pub traffic_weight: Option<i64>,
    /// True when the status is behind the spec's generation.
    pub stale: bool,
}

/// A symptom that is not healthy.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SymptomLine {
    /// The symptom id.
    pub id: &'static str,
    /// The status.
    pub status: Status,
    /// The likely issue, for degraded and critical symptoms.
    pub likely_issue: Option<String>,
    /// With `--verbose`: every failing or warning finding's summary.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
}

/// A row of the Health Status Matrix.
#[derive(Debug, Serialize)]
pub struct HealthLine {
    /// `Pods`, `Health`, `Metrics` or `IPC`.
    pub check: &'static str,
    /// The status.
    pub status: Status,
    /// The finding that decided it.
    pub detail: String,
}

/// Prints the overview; returns the `diagnose` exit code.
///
/// # Errors
///
/// Exit code 1 when the state cannot be read, 2 for bad flags.
pub async fn status(global: &GlobalArgs, args: &StatusArgs) -> CommandResult {
    let (session, report) = checks::diagnose(global, &args.source).await?;
    let profile = &session.profile;
    // A kind the state does not hold (a collected snapshot without it, a denied read) leaves
    // its part of the overview empty and is named, instead of failing the whole overview.
    let mut unreadable = Vec::new();
    let mut note = |what: &str, error: ReadError| {
        unreadable.push(format!("{what}: {error}"));
    };
    let environments: Vec<VeritasEnvironment> = checks::list(&session, None).await.unwrap_or_else(|e| {
        note("VeritasEnvironments", e);
        Vec::new()
    });
    let canaries: Vec<VeritasCanary> = checks::list(&session, None).await.unwrap_or_else(|e| {
        note("VeritasCanaries", e);
        Vec::new()
    });
    let pods: Vec<Pod> = checks::list(&session, Some(&profile.app_selector)).await.unwrap_or_else(|e| {
        note("GG-CORE pods", e);
        Vec::new()
    });

    let overview = Overview {
        namespace: profile.namespace.clone(),
        source: format!("{} {}", session.source.mode, session.source.location),
        observed_at: session.source.observed_at.clone(),
        environments: environments.iter().map(environment_line).collect(),
        canaries: canaries.iter().map(canary_line).collect(),
        pods: checks::group_pods(&pods, &profile.environment_label, &profile.canary_selector),
        symptoms: symptom_lines(&report, args.verbose),
        health: report.health.iter().map(health_line).collect(),
        unreadable,
        status: report.status,
        exit_code: report.exit_code,
    };

    if args.json {
        println!("{}", serde_json::to_string_pretty(&overview).map_err(failed)?);
    } else {
        print!("{}", render(&overview, args.verbose));
    }
    Ok(report.exit_code)
}

fn environment_line(environment: &VeritasEnvironment) -> EnvironmentLine {
    EnvironmentLine {
        name: environment.metadata.name.clone(),
        active: environment.spec.active_environment.clone(),
        standby: environment.standby().map(str::to_string),
        phase: environment.phase().to_string(),
        switch_progress: environment.status.switch_progress.clone(),
        stale: ggcore_probe_sdk::views::is_stale(environment.metadata.generation, environment.status.observed_generation),
    }
}

fn canary_line(canary: &VeritasCanary) -> CanaryLine {
    CanaryLine {
        name: canary.metadata.name.clone(),
        phase: canary.phase().to_string(),
        traffic_weight: canary.spec.traffic_weight,
        stale: ggcore_probe_sdk::views::is_stale(canary.metadata.generation, canary.status.observed_generation),
    }
}

fn symptom_lines(report: &Report, verbose: bool) -> Vec<SymptomLine> {
    report
        .symptoms
        .iter()
        .filter(|s| s.status != Status::Healthy)
        .map(|s| SymptomLine {
            id: s.id,
            status: s.status,
            likely_issue: s.likely_issue.as_ref().map(|issue| format!("{}: {}", issue.title, issue.summary)),
            findings: if verbose {
                report
                    .findings
                    .iter()
                    .filter(|f| f.symptom == s.id && matches!(f.outcome, crate::report::Outcome::Fail | crate::report::Outcome::Warn | crate::report::Outcome::Inconclusive))
                    .map(|f| match f.cause.as_deref() {
                        Some(cause) => format!("{} {cause}: {}", f.outcome.as_str(), f.summary),
                        None => format!("{}: {}", f.outcome.as_str(), f.summary),
                    })
                    .collect()
            } else {
                Vec::new()
            },
        })
        .collect()
}

fn health_line(row: &HealthRow) -> HealthLine {
    HealthLine { check: row.check, status: row.status, detail: row.detail.clone() }
}

/// Formats the overview for people.
fn render(overview: &Overview, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "GG-CORE deployment in namespace {} ({}, observed {})", overview.namespace, overview.source, overview.observed_at);
    out.push('\n');

    for line in &overview.unreadable {
        let _ = writeln!(out, "Not readable: {line}");
    }
    if overview.environments.is_empty() {
        let _ = writeln!(out, "Blue-green: no VeritasEnvironment");
    }
    for environment in &overview.environments {
        let progress = environment.switch_progress.as_ref().map(|p| format!(", switch progress {p}%")).unwrap_or_default();
        let stale = if environment.stale { " (status stale: the controller has not caught up with the spec)" } else { "" };
        let _ = writeln!(
            out,
            "Blue-green: VeritasEnvironment {}: active {}, standby {}, phase {}{progress}{stale}",
            environment.name,
            environment.active.as_deref().unwrap_or("unset"),
            environment.standby.as_deref().unwrap_or("unknown"),
            or_unset(&environment.phase),
        );
    }
    if overview.canaries.is_empty() {
        let _ = writeln!(out, "Canary:     no VeritasCanary");
    }
    for canary in &overview.canaries {
        let weight = canary.traffic_weight.map(|w| format!("{w}%")).unwrap_or_else(|| "unset".into());
        let stale = if canary.stale { " (status stale)" } else { "" };
        let _ = writeln!(out, "Canary:     VeritasCanary {}: phase {}, traffic weight {weight}{stale}", canary.name, or_unset(&canary.phase));
    }

    out.push('\n');
    let _ = writeln!(out, "{:<12} {:<7} PODS", "GROUP", "READY");
    if overview.pods.is_empty() {
        let _ = writeln!(out, "(no GG-CORE pods)");
    }
    for (group, pods) in &overview.pods {
        let names: Vec<String> = pods
            .pods
            .iter()
            .map(|p| if p.ready { p.name.clone() } else { format!("{} ({}, {} restarts)", p.name, p.state, p.restarts) })
            .collect();
        let _ = writeln!(out, "{group:<12} {:<7} {}", format!("{}/{}", pods.ready, pods.total), names.join(", "));
    }

    out.push('\n');
    let troubled: Vec<&SymptomLine> = overview.symptoms.iter().filter(|s| matches!(s.status, Status::Critical | Status::Degraded)).collect();
    if troubled.is_empty() {
        let _ = writeln!(out, "Symptoms: none degraded or critical");
    } else {
        let _ = writeln!(out, "Symptoms:");
    }
    for symptom in &troubled {
        let _ = writeln!(out, "  {:<20} {:<9} {}", symptom.id, symptom.status.as_str(), symptom.likely_issue.as_deref().unwrap_or(""));
        for line in &symptom.findings {
            let _ = writeln!(out, "      {line}");
        }
    }
    let unknown: Vec<&str> = overview.symptoms.iter().filter(|s| s.status == Status::Unknown).map(|s| s.id).collect();
    if !unknown.is_empty() {
        let _ = writeln!(out, "  not decided: {}", unknown.join(", "));
    }

    if verbose {
        out.push('\n');
        let _ = writeln!(out, "Health Status Matrix:");
        for row in &overview.health {
            let _ = writeln!(out, "  {:<8} {:<9} {}", row.check, row.status.as_str(), row.detail);
        }
        for symptom in overview.symptoms.iter().filter(|s| s.status == Status::Unknown && !s.findings.is_empty()) {
            let _ = writeln!(out, "  {} could not decide:", symptom.id);
            for line in &symptom.findings {
                let _ = writeln!(out, "      {line}");
            }
        }
    }
    out.push('\n');
    let _ = writeln!(out, "Result: {} (exit code {}; `kubectl ggcore diagnose` shows every finding)", overview.status.as_str(), overview.exit_code);
    out
}

fn or_unset(text: &str) -> &str {
    if text.is_empty() { "unset" } else { text }
}
