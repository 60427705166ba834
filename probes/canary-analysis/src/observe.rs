//! The values the judgement compares: error rate, request rate and p99 latency of the canary and
//! of the stable pods, read from Prometheus with the guide's queries, or, when Prometheus cannot
//! be queried, from the failing entries of the analysis history.

use ggcore_probe_sdk::analysis::{HistoryEntry, format_latency, format_percent};
use ggcore_probe_sdk::prelude::*;
use ggcore_probe_sdk::promql;

use crate::judge::Limits;

/// Where the values came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The guide's queries, evaluated at the run's time.
    Prometheus,
    /// The values the controller recorded in `status.analysisHistory`.
    History,
}

/// The values of one side of the comparison; `None` where there was no data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Side {
    /// Errors over requests.
    pub error_rate: Option<f64>,
    /// Requests per second.
    pub requests_per_second: Option<f64>,
    /// The p99 latency in seconds.
    pub latency_p99: Option<f64>,
}

/// What the probe could measure.
#[derive(Debug, Default)]
pub struct Observation {
    /// Where the values came from; `None` when neither Prometheus nor the history had any.
    pub source: Option<Source>,
    /// The canary.
    pub canary: Side,
    /// The stable pods, the baseline.
    pub stable: Side,
    /// Why Prometheus could not be queried, when it could not.
    pub unreachable: Option<String>,
    /// Baseline queries from the history that return no series, with the reason.
    pub missing_baseline: Vec<String>,
    /// True when a failing history entry recorded a baseline with no requests.
    pub baseline_recorded_empty: bool,
}

/// Measures both sides, from Prometheus if it responds, else from the failing history entries.
pub fn observe(cx: &Context, limits: &Limits, streak: &[HistoryEntry]) -> Observation {
    let mut observation = Observation {
        baseline_recorded_empty: streak.iter().any(|e| e.baseline.requests == Some(0.0)),
        ..Observation::default()
    };
    match from_prometheus(cx, limits) {
        Ok((canary, stable)) => {
            observation.source = Some(Source::Prometheus);
            observation.canary = canary;
            observation.stable = stable;
            observation.missing_baseline = missing_baseline(cx, streak);
        }
        Err(error) => {
            cx.debug(format!("Prometheus could not be queried, reading the analysis history instead: {}", error.message()));
            observation.unreachable = Some(error.message());
            if let Some((canary, stable)) = from_history(streak, limits.interval) {
                observation.source = Some(Source::History);
                observation.canary = canary;
                observation.stable = stable;
            }
        }
    }
    observation
}

/// Reads the single value of an instant query; no sample or `NaN` is no data.
fn value(cx: &Context, query: &str) -> Result<Option<f64>, HostError> {
    let samples = cx.query(query)?;
    Ok(samples.first().map(|s| s.value).filter(|v| v.is_finite()))
}

fn side(cx: &Context, matchers: &str) -> Result<Side, HostError> {
    let requests_per_second = value(cx, &promql::request_rate(matchers))?;
    let error_rate = match value(cx, &promql::error_rate(matchers))? {
        Some(rate) => Some(rate),
        // No `status="error"` series at all, while requests flow: no errors.
        None if requests_per_second.is_some_and(|r| r > 0.0) => Some(0.0),
        None => None,
    };
    let latency_p99 = value(cx, &promql::p99_latency(matchers))?;
    Ok(Side { error_rate, requests_per_second, latency_p99 })
}

fn from_prometheus(cx: &Context, limits: &Limits) -> Result<(Side, Side), HostError> {
    Ok((side(cx, &limits.canary_matchers)?, side(cx, &limits.stable_matchers)?))
}

/// Runs each baseline query the failing analyses recorded and returns those without a series.
fn missing_baseline(cx: &Context, streak: &[HistoryEntry]) -> Vec<String> {
    let mut queries: Vec<&str> = streak.iter().filter_map(|e| e.baseline_query.as_deref()).collect();
    queries.sort_unstable();
    queries.dedup();
    let mut missing = Vec::new();
    for query in queries {
        match cx.query(query) {
            Ok(samples) if samples.is_empty() => missing.push(format!("baseline query `{query}` returns no series in Prometheus")),
            Err(HostError::Invalid(message)) => missing.push(format!("baseline query `{query}` is invalid: {message}")),
            _ => {}
        }
    }
    missing
}

/// Takes the canary's and the baseline's values from the failing entries: the max requests
/// any of them saw, and the newest error rate and latency. `None` when no entry recorded any.
fn from_history(streak: &[HistoryEntry], interval: f64) -> Option<(Side, Side)> {
    let newest = |pick: fn(&HistoryEntry) -> Option<f64>| streak.iter().rev().find_map(pick);
    let max = |pick: fn(&HistoryEntry) -> Option<f64>| streak.iter().filter_map(pick).reduce(f64::max);
    let canary = Side {
        error_rate: newest(|e| e.canary.error_rate),
        requests_per_second: max(|e| e.canary.requests).map(|n| n / interval),
        latency_p99: newest(|e| e.canary.latency_p99),
    };
    let stable = Side {
        error_rate: newest(|e| e.baseline.error_rate),
        requests_per_second: max(|e| e.baseline.requests).map(|n| n / interval),
        latency_p99: newest(|e| e.baseline.latency_p99),
    };
    if canary == Side::default() && stable == Side::default() { None } else { Some((canary, stable)) }
}

impl Observation {
    /// Describes where the values came from, for evidence lines.
    pub fn origin(&self) -> &'static str {
        match self.source {
            Some(Source::Prometheus) => "Prometheus",
            Some(Source::History) => "analysisHistory",
            None => "no source",
        }
    }

    /// Describes one side's values in one line.
    pub fn describe(&self, who: &str, side: &Side, interval: f64) -> String {
        let rate = side.error_rate.map_or("no data".to_string(), format_percent);
        let requests = side
            .requests_per_second
            .map_or("no data".to_string(), |r| format!("{:.0} per {} ({r:.2}/s)", r * interval, format_duration(interval)));
        let latency = side.latency_p99.map_or("no data".to_string(), format_latency);
        format!("{who} ({}): error rate {rate}, requests {requests}, p99 latency {latency}", self.origin())
    }
}
