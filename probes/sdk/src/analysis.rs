//! The canary analysis as a `VeritasCanary` records it: the entries of
//! `status.analysisHistory` and the thresholds of `spec.analysis`.
//!
//! The CRD keeps history entries free-form. The plugin reads this shape, every field optional,
//! newest entry last:
//!
//! ```yaml
//! analysisHistory:
//! - time: '2026-12-04T10:10:00Z'   # when the analysis ran (RFC 3339)
//!   result: Failed                  # Successful, Failed or Inconclusive
//!   weight: 20                      # the canary's traffic weight during the analysis
//!   metric: errorRate               # the metric that failed, for a Failed entry
//!   metrics:                        # what the canary showed during the interval
//!     errorRate: 0.034              # a fraction, or a percentage string such as '3.4%'
//!     requests: 1840                # requests the canary served during the interval
//!     latencyP99: 420ms             # a duration, or a number of seconds
//!   baseline:                       # what the canary was compared with: the stable pods
//!     errorRate: 0.002
//!     requests: 9200
//!     latencyP99: 380ms
//!     query: 'sum(rate(gg_core_requests_total{deployment="stable"}[1m]))'
//!   message: error rate 3.4% above threshold 1%
//! ```
//!
//! `errorRate: null` and `requests: 0` mean the interval had no requests to judge.

use serde_json::Value;

use crate::units;
use crate::views::Thresholds;

/// The values one side of a comparison showed during an analysis interval.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measurements {
    /// Errors over requests, as a fraction.
    pub error_rate: Option<f64>,
    /// Requests served during the interval.
    pub requests: Option<f64>,
    /// The p99 latency in seconds.
    pub latency_p99: Option<f64>,
}

/// One entry of `status.analysisHistory`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryEntry {
    /// When the analysis ran (RFC 3339).
    pub time: Option<String>,
    /// `Successful`, `Failed` or `Inconclusive`; empty when the entry has none.
    pub result: String,
    /// The canary's traffic weight during the analysis.
    pub weight: Option<i64>,
    /// The metric that failed.
    pub metric: Option<String>,
    /// What the canary showed.
    pub canary: Measurements,
    /// What the stable pods showed, when the controller recorded it.
    pub baseline: Measurements,
    /// The PromQL the controller read the baseline with.
    pub baseline_query: Option<String>,
    /// The controller's message.
    pub message: Option<String>,
}

impl HistoryEntry {
    /// Reads an entry of the documented shape; fields that are missing or of another type are `None`.
    pub fn parse(value: &Value) -> HistoryEntry {
        let text = |v: &Value| v.as_str().map(str::to_string);
        HistoryEntry {
            time: text(&value["time"]),
            result: value["result"].as_str().unwrap_or("").to_string(),
            weight: value["weight"].as_i64(),
            metric: text(&value["metric"]),
            canary: measurements(&value["metrics"]),
            baseline: measurements(&value["baseline"]),
            baseline_query: text(&value["baseline"]["query"]),
            message: text(&value["message"]),
        }
    }

    /// Reports whether the analysis passed.
    pub fn is_successful(&self) -> bool {
        ["successful", "succeeded", "passed"].contains(&self.result.to_ascii_lowercase().as_str())
    }
}

fn measurements(value: &Value) -> Measurements {
    Measurements { error_rate: parse_rate(&value["errorRate"]), requests: value["requests"].as_f64(), latency_p99: parse_latency(&value["latencyP99"]) }
}

/// Parses every entry of a history, oldest first as the controller writes them.
pub fn parse_history(history: &[Value]) -> Vec<HistoryEntry> {
    history.iter().map(HistoryEntry::parse).collect()
}

/// Returns the newest entries that did not pass, up to the newest successful one: the
/// analyses behind a rollback or a failing canary.
pub fn failing_streak(entries: &[HistoryEntry]) -> &[HistoryEntry] {
    let start = entries.iter().rposition(HistoryEntry::is_successful).map_or(0, |i| i + 1);
    &entries[start..]
}

/// Parses an error rate: a fraction (`0.01`), a fraction as text, or a percentage (`'1%'`).
pub fn parse_rate(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => match text.trim().strip_suffix('%') {
            Some(percent) => percent.trim().parse::<f64>().ok().map(|p| p / 100.0),
            None => text.trim().parse().ok(),
        },
        _ => None,
    }
}

/// Parses a latency: a duration (`500ms`) or a number of seconds.
pub fn parse_latency(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => units::parse_duration(text),
        _ => None,
    }
}

impl Thresholds {
    /// Returns `errorRate` as a fraction.
    pub fn error_rate_fraction(&self) -> Option<f64> {
        self.error_rate.as_ref().and_then(parse_rate)
    }

    /// Returns `latencyP99` in seconds.
    pub fn latency_p99_seconds(&self) -> Option<f64> {
        self.latency_p99.as_ref().and_then(parse_latency)
    }
}

/// Formats a fraction as a percentage with up to two decimals (`3.4%`).
pub fn format_percent(fraction: f64) -> String {
    let text = format!("{:.2}", fraction * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

/// Formats a latency in seconds as milliseconds below 10 s (`420ms`), else as seconds.
pub fn format_latency(seconds: f64) -> String {
    if seconds < 10.0 { format!("{:.0}ms", seconds * 1000.0) } else { format!("{seconds:.1}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_of_documented_shape_parses() {
        let value = serde_json::json!({
            "time": "2026-12-04T10:10:00Z", "result": "Failed", "weight": 20, "metric": "errorRate",
            "metrics": {"errorRate": "3.4%", "requests": 1840, "latencyP99": "420ms"},
            "baseline": {"errorRate": 0.002, "requests": 9200, "query": "sum(x)"},
            "message": "error rate above threshold"
        });
        let entry = HistoryEntry::parse(&value);
        assert_eq!(entry.result, "Failed");
        assert_eq!(entry.weight, Some(20));
        assert!((entry.canary.error_rate.unwrap() - 0.034).abs() < 1e-12);
        assert_eq!(entry.canary.requests, Some(1840.0));
        assert_eq!(entry.canary.latency_p99, Some(0.42));
        assert_eq!(entry.baseline.error_rate, Some(0.002));
        assert_eq!(entry.baseline_query.as_deref(), Some("sum(x)"));
    }

    #[test]
    fn null_error_rate_reads_as_none() {
        let entry = HistoryEntry::parse(&serde_json::json!({"result": "Inconclusive", "metrics": {"errorRate": null, "requests": 0}}));
        assert_eq!(entry.canary.error_rate, None);
        assert_eq!(entry.canary.requests, Some(0.0));
    }

    #[test]
    fn failing_streak_starts_after_last_success() {
        let entries: Vec<HistoryEntry> = ["Failed", "Successful", "Inconclusive", "Failed"]
            .iter()
            .map(|r| HistoryEntry { result: r.to_string(), ..HistoryEntry::default() })
            .collect();
        let streak = failing_streak(&entries);
        assert_eq!(streak.len(), 2);
        assert_eq!(streak[0].result, "Inconclusive");
    }

    #[test]
    fn percent_formats_without_trailing_zeros() {
        assert_eq!(format_percent(0.034), "3.4%");
        assert_eq!(format_percent(0.01), "1%");
        assert_eq!(format_percent(0.00126), "0.13%");
    }
}
