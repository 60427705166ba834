//! The rules that tell the five causes of a failing canary apart, one function per cause. Each
//! returns a [`Verdict`]: present, absent, or undecided with the reason.

use ggcore_probe_sdk::analysis::{HistoryEntry, format_latency, format_percent};
use ggcore_probe_sdk::prelude::*;

use crate::observe::{Observation, Side};

/// The thresholds and settings the rules apply.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The highest error rate the analysis accepts, as a fraction.
    pub error_rate: f64,
    /// True when `error_rate` is the VeritasCanary's own, not the default.
    pub error_rate_from_spec: bool,
    /// The highest p99 latency the analysis accepts, in seconds.
    pub latency_p99: Option<f64>,
    /// Seconds between analyses.
    pub interval: f64,
    /// True when `interval` is the VeritasCanary's own, not the default.
    pub interval_from_spec: bool,
    /// Requests one analysis needs to be significant.
    pub min_requests: f64,
    /// How many times stable's error rate makes a real bug.
    pub error_ratio: f64,
    /// PromQL matchers of the canary's series.
    pub canary_matchers: String,
    /// PromQL matchers of the stable series.
    pub stable_matchers: String,
}

impl Limits {
    /// Describes the thresholds in one evidence line.
    pub fn describe(&self) -> String {
        let origin = |from_spec: bool| if from_spec { "from spec.analysis" } else { "default" };
        let latency = self.latency_p99.map_or(String::new(), |l| format!(", latencyP99 {}", format_latency(l)));
        format!(
            "thresholds: errorRate {} ({}){latency}; interval {} ({}); at least {:.0} requests per analysis",
            format_percent(self.error_rate),
            origin(self.error_rate_from_spec),
            format_duration(self.interval),
            origin(self.interval_from_spec),
            self.min_requests
        )
    }
}

/// The outcome of one rule.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    /// `Some(true)` present, `Some(false)` absent, `None` undecided.
    pub present: Option<bool>,
    /// One line: what was found.
    pub summary: String,
    /// The values behind it.
    pub evidence: Vec<String>,
    /// What to do, when present.
    pub resolution: Option<String>,
    /// The VeritasCanary field the finding points at.
    pub field: Option<&'static str>,
}

fn present(summary: String, evidence: Vec<String>, resolution: String, field: &'static str) -> Verdict {
    Verdict { present: Some(true), summary, evidence, resolution: Some(resolution), field: Some(field) }
}

fn absent(summary: String, evidence: Vec<String>) -> Verdict {
    Verdict { present: Some(false), summary, evidence, ..Verdict::default() }
}

fn undecided(summary: String, evidence: Vec<String>) -> Verdict {
    Verdict { present: None, summary, evidence, ..Verdict::default() }
}

/// Describes both sides in evidence lines.
fn values(observation: &Observation, limits: &Limits) -> Vec<String> {
    vec![
        observation.describe("canary", &observation.canary, limits.interval),
        observation.describe("stable", &observation.stable, limits.interval),
    ]
}

/// Returns why nothing can be judged, when neither Prometheus nor the history had values.
fn nothing_measured(observation: &Observation) -> Option<Verdict> {
    observation.source.is_none().then(|| {
        undecided("Prometheus could not be queried and the analysis history records no values to compare".into(), Vec::new())
    })
}

/// Requests the canary serves in five minutes, the longest window the rules consider.
fn requests_in_window(side: &Side) -> Option<f64> {
    side.requests_per_second.map(|r| r * 300.0)
}

/// Reports whether the canary had too few requests in five minutes to judge it.
fn too_little_traffic(observation: &Observation, limits: &Limits) -> bool {
    requests_in_window(&observation.canary).is_none_or(|n| n < limits.min_requests)
}

/// `canary-has-real-bug`: the canary's error rate is above the threshold and more than
/// `error_ratio` times stable's, or its p99 latency is, against `latencyP99`.
pub fn real_bug(observation: &Observation, limits: &Limits) -> Verdict {
    if let Some(verdict) = nothing_measured(observation) {
        return verdict;
    }
    let evidence = values(observation, limits);
    if too_little_traffic(observation, limits) {
        return undecided("too few canary requests to judge its error rate".into(), evidence);
    }
    let (Some(canary), Some(stable)) = (observation.canary.error_rate, observation.stable.error_rate) else {
        return undecided("the canary's and stable's error rates cannot both be read: nothing to compare".into(), evidence);
    };

    let ratio = limits.error_ratio;
    let errors_worse = canary > limits.error_rate && canary > ratio * stable;
    let latency_worse = match (observation.canary.latency_p99, observation.stable.latency_p99, limits.latency_p99) {
        (Some(canary), Some(stable), Some(threshold)) => (canary > threshold && canary > ratio * stable).then_some((canary, stable, threshold)),
        _ => None,
    };
    let times = |a: f64, b: f64| if b > 0.0 { format!("{:.1}× stable's {}", a / b, format_percent(b)) } else { "while stable has no errors".to_string() };

    if errors_worse {
        let summary = format!(
            "the canary's error rate {} is {} and above the {} threshold: the canary fails where stable does not",
            format_percent(canary),
            times(canary, stable),
            format_percent(limits.error_rate)
        );
        return present(summary, evidence, "Fix the bug before redeploying: read the canary's logs of the failure window".into(), "status.analysisHistory");
    }
    if let Some((canary, stable, threshold)) = latency_worse {
        let summary = format!(
            "the canary's p99 latency {} is {:.1}× stable's {} and above the {} threshold",
            format_latency(canary),
            canary / stable.max(f64::MIN_POSITIVE),
            format_latency(stable),
            format_latency(threshold)
        );
        return present(summary, evidence, "Fix the bug before redeploying: find the canary's slow path".into(), "status.analysisHistory");
    }
    absent(
        format!(
            "the canary's error rate {} is not both above the {} threshold and more than {ratio}× stable's {}",
            format_percent(canary),
            format_percent(limits.error_rate),
            format_percent(stable)
        ),
        evidence,
    )
}

/// `threshold-too-strict`: stable's own error rate is above the threshold.
pub fn threshold(observation: &Observation, limits: &Limits) -> Verdict {
    if let Some(verdict) = nothing_measured(observation) {
        return verdict;
    }
    let evidence = values(observation, limits);
    let Some(stable) = observation.stable.error_rate else {
        return undecided("stable's error rate is unknown: the threshold cannot be compared with it".into(), evidence);
    };
    let threshold = format_percent(limits.error_rate);
    if stable > limits.error_rate {
        let summary = format!("stable's own error rate {} is above the errorRate threshold {threshold}: a canary as good as stable cannot pass", format_percent(stable));
        let resolution = format!("Increase error-rate threshold: set spec.analysis.thresholds.errorRate above stable's {}", format_percent(stable));
        return present(summary, evidence, resolution, "spec.analysis.thresholds.errorRate");
    }
    absent(format!("stable's error rate {} is within the errorRate threshold {threshold}", format_percent(stable)), evidence)
}

/// `traffic-too-low`: the canary has no requests, or fewer than the minimum in five minutes.
pub fn traffic(observation: &Observation, limits: &Limits) -> Verdict {
    if let Some(verdict) = nothing_measured(observation) {
        return verdict;
    }
    let evidence = values(observation, limits);
    let resolution = "Ensure minimum traffic for statistical significance: raise spec.trafficWeight or analyse when the service is busier".to_string();
    match requests_in_window(&observation.canary) {
        None => {
            let summary = match observation.origin() {
                "Prometheus" => "Prometheus has no data points of canary requests in the last 5m".to_string(),
                _ => return undecided("the analysis history records no canary request counts".into(), evidence),
            };
            present(summary, evidence, resolution, "spec.trafficWeight")
        }
        Some(n) if n < limits.min_requests => {
            let summary = match observation.source {
                Some(crate::observe::Source::History) => format!(
                    "the failing analyses recorded at most {:.0} canary requests per {} interval, {n:.0} in 5 minutes, under the {:.0} one analysis needs to be significant",
                    n / 300.0 * limits.interval,
                    format_duration(limits.interval),
                    limits.min_requests
                ),
                _ => format!("the canary serves {n:.0} requests in 5 minutes, under the {:.0} one analysis needs to be significant", limits.min_requests),
            };
            present(summary, evidence, resolution, "spec.trafficWeight")
        }
        Some(n) => absent(format!("the canary serves {n:.0} requests in 5 minutes, at least the {:.0} an analysis needs", limits.min_requests), evidence),
    }
}

/// `analysis-interval-too-short`: five minutes bring enough requests, one interval does not.
pub fn interval(observation: &Observation, limits: &Limits) -> Verdict {
    if let Some(verdict) = nothing_measured(observation) {
        return verdict;
    }
    let evidence = values(observation, limits);
    let Some(rate) = observation.canary.requests_per_second else {
        return undecided("the canary's request rate is unknown".into(), evidence);
    };
    if too_little_traffic(observation, limits) {
        return absent("too few canary requests even in 5 minutes: the traffic is too low, not the interval".into(), evidence);
    }
    let per_interval = rate * limits.interval;
    let interval = format_duration(limits.interval);
    if per_interval < limits.min_requests {
        let needed = (limits.min_requests / rate).ceil();
        let summary = format!(
            "one {interval} analysis interval brings {per_interval:.0} canary requests, under the {:.0} needed, while 5 minutes bring {:.0}",
            limits.min_requests,
            rate * 300.0
        );
        let resolution = format!("Extend interval for stability: set spec.analysis.interval to at least {}", format_duration(needed));
        return present(summary, evidence, resolution, "spec.analysis.interval");
    }
    absent(format!("one {interval} analysis interval brings {per_interval:.0} canary requests, at least the {:.0} needed", limits.min_requests), evidence)
}

/// `baseline-metrics-wrong`: the comparison has no stable data, or reads a series that does
/// not exist.
pub fn baseline(observation: &Observation, canary: &VeritasCanary) -> Verdict {
    let mut problems: Vec<String> = observation.missing_baseline.clone();
    if observation.baseline_recorded_empty {
        problems.push("a failing analysis recorded a baseline with 0 requests".into());
    }
    for condition in canary.status.conditions.iter().filter(|c| c.status == "False") {
        if condition.reason.as_deref().is_some_and(|r| r.to_ascii_lowercase().contains("baseline")) {
            problems.push(format!("condition {}", condition.describe()));
        }
    }
    let stable_requests = observation.stable.requests_per_second;
    let canary_requests = observation.canary.requests_per_second.is_some_and(|r| r > 0.0);
    if observation.source == Some(crate::observe::Source::Prometheus) && canary_requests && stable_requests.is_none_or(|r| r == 0.0) {
        problems.push("Prometheus has canary requests but no stable requests in the last 5m: the baseline series is empty".into());
    }

    if !problems.is_empty() {
        let summary = format!("the analysis compares against a baseline without data: {}", problems[0]);
        return present(summary, problems, "Recalibrate thresholds from stable: point the baseline at the stable pods' series".into(), "status.analysisHistory");
    }
    match stable_requests {
        Some(rate) if rate > 0.0 => absent(format!("stable serves {:.2} requests per second: the baseline has data", rate), Vec::new()),
        _ => undecided("stable's request data cannot be read: the baseline cannot be checked".into(), Vec::new()),
    }
}

/// Describes a history entry in one line: time, result, weight and values.
pub fn describe_entry(entry: &HistoryEntry) -> String {
    let mut parts = vec![entry.time.clone().unwrap_or_else(|| "(no time)".into()), if entry.result.is_empty() { "(no result)".into() } else { entry.result.clone() }];
    if let Some(weight) = entry.weight {
        parts.push(format!("weight {weight}"));
    }
    if let Some(metric) = &entry.metric {
        parts.push(format!("metric {metric}"));
    }
    if let Some(rate) = entry.canary.error_rate {
        parts.push(format!("error rate {}", format_percent(rate)));
    }
    if let Some(requests) = entry.canary.requests {
        parts.push(format!("{requests:.0} requests"));
    }
    if let Some(message) = &entry.message {
        parts.push(format!("`{message}`"));
    }
    parts.join(", ")
}
