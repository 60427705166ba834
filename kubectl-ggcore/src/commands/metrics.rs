//! `kubectl ggcore metrics summary` and `metrics canary`: the read-only equivalents of the
//! guide's `GG-CORE metrics summary` and `GG-CORE metrics canary`. They run the guide's
//! Prometheus queries through the run's [`Reader`] (so against `--prometheus-url`, or from the
//! query results a snapshot recorded) and print each value with its query.

use std::fmt::Write as _;

use anyhow::anyhow;
use ggcore_probe_sdk::analysis::{format_latency, format_percent};
use ggcore_probe_sdk::promql;
use serde::Serialize;

use super::session::Session;
use super::{CommandResult, failed};
use crate::flags::args::{GlobalArgs, MetricsViewArgs, OutputFormat};
use crate::source::Reader;

/// How a metric's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Unit {
    /// A fraction shown as a percentage.
    Ratio,
    /// Seconds shown as a latency.
    Seconds,
    /// Requests per second.
    PerSecond,
}

/// One series' value of a metric.
#[derive(Debug, Clone, Serialize)]
pub struct Value {
    /// The series' labels; empty for an aggregate.
    pub labels: std::collections::BTreeMap<String, String>,
    /// The value; `None` for `NaN`, such as an error rate without requests.
    pub value: Option<f64>,
}

/// A metric of the guide with its query and what Prometheus returned.
#[derive(Debug, Clone, Serialize)]
pub struct Metric {
    /// What it measures, such as `canary error rate`.
    pub name: String,
    /// The PromQL.
    pub query: String,
    /// How the value reads.
    pub unit: Unit,
    /// The series; empty when Prometheus has no data.
    pub values: Vec<Value>,
    /// Why the query failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What `metrics summary` and `metrics canary` print.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricsView {
    /// The time the queries are evaluated at (RFC 3339).
    pub evaluated_at: String,
    /// The source of the query results.
    pub prometheus: String,
    /// The metrics in the guide's order.
    pub metrics: Vec<Metric>,
}

/// Runs each `(name, query, unit)` through the reader.
pub async fn measure(reader: &Reader, queries: Vec<(String, String, Unit)>) -> Vec<Metric> {
    let mut metrics = Vec::new();
    for (name, query, unit) in queries {
        let (values, error) = match reader.query(&query, None).await {
            Ok(series) => {
                let values = series
                    .into_iter()
                    .map(|s| Value { labels: s.labels.into_iter().collect(), value: s.points.last().map(|p| p.1).filter(|v| v.is_finite()) })
                    .collect();
                (values, None)
            }
            Err(error) => (Vec::new(), Some(error.to_string())),
        };
        metrics.push(Metric { name, query, unit, values, error });
    }
    metrics
}

/// Describes the source of the reader's PromQL results.
pub fn origin(reader: &Reader) -> String {
    match &reader.prometheus {
        Some(prometheus) => format!("Prometheus at {}", prometheus.url()),
        None => "query results recorded in the snapshot".to_string(),
    }
}

/// The guide's canary-against-stable queries for the profile's selectors.
pub fn canary_queries(canary_selector: &str, stable_selector: &str) -> Vec<(String, String, Unit)> {
    let canary = promql::matchers(canary_selector);
    let stable = promql::matchers(stable_selector);
    vec![
        ("canary error rate".into(), promql::error_rate(&canary), Unit::Ratio),
        ("stable error rate".into(), promql::error_rate(&stable), Unit::Ratio),
        ("canary requests".into(), promql::request_rate(&canary), Unit::PerSecond),
        ("stable requests".into(), promql::request_rate(&stable), Unit::PerSecond),
        ("canary p99 latency".into(), promql::p99_latency(&canary), Unit::Seconds),
        ("stable p99 latency".into(), promql::p99_latency(&stable), Unit::Seconds),
    ]
}

/// The guide's "Prometheus Queries" for the namespace, with request rates and latency by deployment.
fn summary_queries(namespace: &str, canary_selector: &str) -> Vec<(String, String, Unit)> {
    let canary = promql::matchers(canary_selector);
    let namespace = promql::escape(namespace);
    vec![
        ("error rate".into(), promql::error_rate(""), Unit::Ratio),
        ("requests".into(), promql::request_rate(""), Unit::PerSecond),
        ("p99 latency".into(), promql::p99_latency(""), Unit::Seconds),
        ("p99 latency by deployment".into(), promql::p99_latency_by("deployment"), Unit::Seconds),
        ("canary error rate".into(), promql::error_rate(&canary), Unit::Ratio),
        ("memory used / limit".into(), promql::MEMORY_RATIO.into(), Unit::Ratio),
        (
            "pod readiness".into(),
            format!("sum(kube_pod_status_ready{{namespace=\"{namespace}\",condition=\"true\"}}) / sum(kube_pod_status_ready{{namespace=\"{namespace}\"}})"),
            Unit::Ratio,
        ),
    ]
}

/// Runs `metrics summary`.
///
/// # Errors
///
/// Exit code 1 when the state cannot be read or every query failed.
pub async fn summary(global: &GlobalArgs, args: &MetricsViewArgs) -> CommandResult {
    let session = Session::open(global, &args.source, false).await?;
    let queries = summary_queries(&session.profile.namespace, &session.profile.canary_selector);
    show(&session, queries, args.output).await
}

/// Runs `metrics canary`.
///
/// # Errors
///
/// Exit code 1 when the state cannot be read or every query failed.
pub async fn canary(global: &GlobalArgs, args: &MetricsViewArgs) -> CommandResult {
    let session = Session::open(global, &args.source, false).await?;
    let queries = canary_queries(&session.profile.canary_selector, &session.profile.stable_selector);
    show(&session, queries, args.output).await
}

async fn show(session: &Session, queries: Vec<(String, String, Unit)>, output: OutputFormat) -> CommandResult {
    let view = MetricsView {
        evaluated_at: ggcore_probe_sdk::units::format_time(session.reader.observed_at()),
        prometheus: origin(&session.reader),
        metrics: measure(&session.reader, queries).await,
    };
    let text = match output {
        OutputFormat::Json => serde_json::to_string_pretty(&view).map_err(failed)? + "\n",
        OutputFormat::Yaml => serde_yaml::to_string(&view).map_err(failed)?,
        OutputFormat::Table | OutputFormat::Wide => table(&view, output == OutputFormat::Wide),
    };
    print!("{text}");

    if view.metrics.iter().all(|m| m.error.is_some()) {
        let reason = view.metrics.first().and_then(|m| m.error.clone()).unwrap_or_default();
        return Err(failed(anyhow!("every query failed: {reason}")));
    }
    Ok(0)
}

/// Formats a value in its unit; `-` for no value.
pub fn format_value(value: Option<f64>, unit: Unit) -> String {
    match (value, unit) {
        (None, _) => "-".into(),
        (Some(v), Unit::Ratio) => format_percent(v),
        (Some(v), Unit::Seconds) => format_latency(v),
        (Some(v), Unit::PerSecond) => format!("{v:.2}/s"),
    }
}

/// Writes the metrics as aligned lines, one per series; `with_queries` adds each query.
pub fn write_metrics(out: &mut String, metrics: &[Metric], indent: &str, with_queries: bool) {
    let first_error = metrics.first().and_then(|m| m.error.as_ref());
    if let Some(error) = first_error.filter(|e| metrics.iter().all(|m| m.error.as_ref() == Some(*e))) {
        let _ = writeln!(out, "{indent}not available: {error}");
        return;
    }
    for metric in metrics {
        let value = match (&metric.error, metric.values.as_slice()) {
            (Some(error), _) => format!("not available: {error}"),
            (None, []) => "no data".to_string(),
            (None, [single]) if single.labels.is_empty() => format_value(single.value, metric.unit),
            (None, values) => {
                let parts: Vec<String> = values
                    .iter()
                    .map(|v| {
                        let labels: Vec<String> = v.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                        format!("{} {}", labels.join(","), format_value(v.value, metric.unit))
                    })
                    .collect();
                parts.join("; ")
            }
        };
        let _ = writeln!(out, "{indent}{:<26} {value}", metric.name);
        if with_queries {
            let _ = writeln!(out, "{indent}{:<26} {}", "", metric.query);
        }
    }
}

fn table(view: &MetricsView, wide: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Metrics at {} from {}", view.evaluated_at, view.prometheus);
    write_metrics(&mut out, &view.metrics, "  ", wide);
    out
}
