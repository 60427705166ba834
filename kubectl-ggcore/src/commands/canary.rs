//! `kubectl ggcore canary inspect`: the read-only equivalent of the guide's
//! `GG-CORE canary inspect [--history] [--metrics]`. It prints each `VeritasCanary`'s phase,
//! weight, steps, promotion and analysis settings and conditions; `--history` adds the
//! analysis history table and `--metrics` the current canary and stable values from Prometheus.

use std::fmt::Write as _;

use anyhow::anyhow;
use ggcore_probe_sdk::analysis::{HistoryEntry, format_latency, format_percent, parse_history};
use ggcore_probe_sdk::views::{CanaryStep, Condition, VeritasCanary, is_stale};
use serde::Serialize;

use super::metrics::{self, Metric};
use super::session::Session;
use super::{CommandResult, failed};
use crate::flags::args::{CanaryInspectArgs, GlobalArgs, OutputFormat};
use crate::source::KindQuery;

/// One VeritasCanary as `canary inspect -o json` writes it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CanaryView {
    /// The name.
    pub name: String,
    /// The namespace.
    pub namespace: String,
    /// `status.phase`.
    pub phase: String,
    /// `spec.trafficWeight`.
    pub traffic_weight: Option<i64>,
    /// `status.currentStep`.
    pub current_step: Option<i64>,
    /// `spec.steps`, one line each.
    pub steps: Vec<String>,
    /// `spec.promotion`.
    pub promotion: serde_json::Value,
    /// `status.successCount`.
    pub success_count: Option<i64>,
    /// `spec.analysis`.
    pub analysis: serde_json::Value,
    /// `status.conditions`.
    pub conditions: Vec<Condition>,
    /// Set when `status.observedGeneration` is behind `metadata.generation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<String>,
    /// `status.analysisHistory`, with `--history`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<serde_json::Value>>,
    /// The current canary and stable values, with `--metrics`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<Metric>>,
}

/// Runs `canary inspect`.
///
/// # Errors
///
/// Exit code 1 when the state cannot be read or no VeritasCanary matches; 2 for bad flags.
pub async fn inspect(global: &GlobalArgs, args: &CanaryInspectArgs) -> CommandResult {
    let session = Session::open(global, &args.source, false).await?;
    let namespace = session.profile.namespace.clone();
    let kind = KindQuery { group: None, kind: "VeritasCanary".into() };
    let json = session.reader.list(&kind, Some(&namespace), None, None).await.map_err(|e| failed(anyhow!("cannot list VeritasCanary objects: {e}")))?;
    let canaries: Vec<VeritasCanary> = serde_json::from_str(&json).map_err(|e| failed(anyhow!("a VeritasCanary does not parse: {e}")))?;
    let canaries: Vec<&VeritasCanary> = canaries.iter().filter(|c| args.name.as_ref().is_none_or(|n| &c.metadata.name == n)).collect();
    if canaries.is_empty() {
        let which = args.name.as_ref().map(|n| format!("VeritasCanary `{n}`")).unwrap_or_else(|| "no VeritasCanary".into());
        return Err(failed(anyhow!("{which} found in namespace `{namespace}`; pass -n NAMESPACE to look elsewhere")));
    }

    let measured = if args.metrics {
        let queries = metrics::canary_queries(&session.profile.canary_selector, &session.profile.stable_selector);
        Some(metrics::measure(&session.reader, queries).await)
    } else {
        None
    };
    let views: Vec<CanaryView> = canaries.iter().map(|c| view(c, args.history, measured.clone())).collect();

    let text = match args.output {
        OutputFormat::Json => serde_json::to_string_pretty(&views).map_err(failed)? + "\n",
        OutputFormat::Yaml => serde_yaml::to_string(&views).map_err(failed)?,
        OutputFormat::Table | OutputFormat::Wide => {
            let origin = metrics::origin(&session.reader);
            views.iter().map(|v| table(v, &origin, args.output == OutputFormat::Wide)).collect::<Vec<_>>().join("\n")
        }
    };
    print!("{text}");
    Ok(0)
}

fn view(canary: &VeritasCanary, history: bool, measured: Option<Vec<Metric>>) -> CanaryView {
    let stale = is_stale(canary.metadata.generation, canary.status.observed_generation).then(|| {
        format!(
            "status is stale: observedGeneration {} is behind generation {}",
            canary.status.observed_generation.unwrap_or(0),
            canary.metadata.generation.unwrap_or(0)
        )
    });
    CanaryView {
        name: canary.metadata.name.clone(),
        namespace: canary.metadata.namespace().to_string(),
        phase: canary.phase().to_string(),
        traffic_weight: canary.spec.traffic_weight,
        current_step: canary.status.current_step,
        steps: canary.spec.steps.iter().map(describe_step).collect(),
        promotion: serde_json::to_value(&canary.spec.promotion).unwrap_or_default(),
        success_count: canary.status.success_count,
        analysis: serde_json::to_value(&canary.spec.analysis).unwrap_or_default(),
        conditions: canary.status.conditions.clone(),
        stale,
        history: history.then(|| canary.status.analysis_history.clone()),
        metrics: measured,
    }
}

fn describe_step(step: &CanaryStep) -> String {
    match (&step.set_weight, &step.pause) {
        (Some(weight), _) => format!("setWeight {weight}"),
        (None, Some(pause)) => match &pause.duration {
            Some(duration) => format!("pause {duration}"),
            None => "pause until resumed".to_string(),
        },
        (None, None) => "(empty step)".to_string(),
    }
}

fn text_or<T: ToString>(value: Option<T>, missing: &str) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| missing.to_string())
}

fn table(view: &CanaryView, origin: &str, wide: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "VeritasCanary {} (namespace {})", view.name, view.namespace);
    let phase = if view.phase.is_empty() { "(none)" } else { &view.phase };
    let _ = writeln!(out, "  Phase:       {phase}");
    if let Some(stale) = &view.stale {
        let _ = writeln!(out, "               {stale}");
    }
    let _ = writeln!(out, "  Weight:      {}", text_or(view.traffic_weight.map(|w| format!("{w}%")), "(unset)"));
    let step = match view.current_step {
        Some(index) => format!("{} of {}", index + 1, view.steps.len()),
        None => "(unset)".to_string(),
    };
    let _ = writeln!(out, "  Step:        {step}");
    for (index, line) in view.steps.iter().enumerate() {
        let marker = if view.current_step == Some(index as i64) { "->" } else { "  " };
        let _ = writeln!(out, "    {marker} {}. {line}", index + 1);
    }

    let promotion = &view.promotion;
    let _ = writeln!(
        out,
        "  Promotion:   auto {}, successLimit {} ({} successful so far), requireApproval {}",
        text_or(promotion["auto"].as_bool(), "(unset)"),
        text_or(promotion["successLimit"].as_i64(), "(unset)"),
        text_or(view.success_count, "0"),
        text_or(promotion["requireApproval"].as_bool(), "(unset)")
    );
    let analysis = &view.analysis;
    let threshold = |value: &serde_json::Value| if value.is_null() { "(unset)".to_string() } else { value.to_string().trim_matches('"').to_string() };
    let _ = writeln!(
        out,
        "  Analysis:    interval {}, errorRate threshold {}, latencyP99 threshold {}",
        analysis["interval"].as_str().unwrap_or("(unset)"),
        threshold(&analysis["thresholds"]["errorRate"]),
        threshold(&analysis["thresholds"]["latencyP99"])
    );

    let _ = writeln!(out, "  Conditions:");
    if view.conditions.is_empty() {
        let _ = writeln!(out, "    (none)");
    }
    for condition in &view.conditions {
        let since = condition.last_transition_time.as_deref().map(|t| format!(" since {t}")).unwrap_or_default();
        let _ = writeln!(out, "    {}{since}", condition.describe());
    }

    if let Some(history) = &view.history {
        history_table(&mut out, &parse_history(history));
    }
    if let Some(measured) = &view.metrics {
        let _ = writeln!(out, "  Current metrics ({origin}):");
        metrics::write_metrics(&mut out, measured, "    ", wide);
    }
    out
}

fn history_table(out: &mut String, entries: &[HistoryEntry]) {
    let _ = writeln!(out, "  Analysis history (oldest first):");
    if entries.is_empty() {
        let _ = writeln!(out, "    (no analyses recorded)");
        return;
    }
    let rate = |v: Option<f64>| v.map_or("-".to_string(), format_percent);
    let count = |v: Option<f64>| v.map_or("-".to_string(), |n| format!("{n:.0}"));
    let latency = |v: Option<f64>| v.map_or("-".to_string(), format_latency);
    let _ = writeln!(
        out,
        "    {:<22} {:<13} {:>6}  {:>10} {:>8} {:>8}  {:>13} {:>9}  MESSAGE",
        "TIME", "RESULT", "WEIGHT", "ERROR RATE", "REQUESTS", "P99", "STABLE ERRORS", "STABLE N"
    );
    for entry in entries {
        let mut message = entry.message.clone().unwrap_or_default();
        if let Some(metric) = &entry.metric {
            message = if message.is_empty() { format!("failed metric: {metric}") } else { format!("{message} (failed metric: {metric})") };
        }
        let _ = writeln!(
            out,
            "    {:<22} {:<13} {:>6}  {:>10} {:>8} {:>8}  {:>13} {:>9}  {message}",
            entry.time.as_deref().unwrap_or("-"),
            if entry.result.is_empty() { "-" } else { &entry.result },
            text_or(entry.weight, "-"),
            rate(entry.canary.error_rate),
            count(entry.canary.requests),
            latency(entry.canary.latency_p99),
            rate(entry.baseline.error_rate),
            count(entry.baseline.requests),
        );
    }
}
