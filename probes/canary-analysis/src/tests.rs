use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::{Fixture, sample};

use super::*;

/// A VeritasCanary in `phase` with an errorRate threshold, an analysis interval, the
/// `AnalysisHealthy` status and history entries (YAML list items indented for `status`).
fn canary(phase: &str, error_rate: &str, interval: &str, healthy: &str, history: &str) -> String {
    format!(
        r#"---
apiVersion: veritas.ggcore.io/v1alpha1
kind: VeritasCanary
metadata: {{name: gg-core, namespace: veritas, generation: 3}}
spec:
  trafficWeight: 20
  analysis:
    interval: {interval}
    thresholds: {{errorRate: {error_rate}, latencyP99: 500ms}}
status:
  phase: {phase}
  observedGeneration: 3
  conditions:
  - {{type: AnalysisHealthy, status: '{healthy}', reason: Checked}}
  analysisHistory:
{history}
"#
    )
}

const FAILED_ENTRY: &str = "  - {time: '2026-12-04T10:20:00Z', result: Failed, weight: 20, metric: errorRate}\n";
const NO_HISTORY: &str = "    []\n";

/// The values of one side: error rate, requests per second and p99 latency; `None` is no sample.
type Values = (Option<f64>, Option<f64>, Option<f64>);

/// Sets the results of the guide's queries for the canary and stable pods.
fn prometheus(fixture: Fixture, canary: Values, stable: Values) -> Fixture {
    let answer = |value: Option<f64>| value.map(|v| vec![sample(&[], v)]).unwrap_or_default();
    fixture
        .query(r#"{status="error",deployment="canary"}"#, answer(canary.0))
        .query(r#"{status="error",deployment="stable"}"#, answer(stable.0))
        .query(r#"gg_core_requests_total{deployment="canary"}"#, answer(canary.1))
        .query(r#"gg_core_requests_total{deployment="stable"}"#, answer(stable.1))
        .query(r#"gg_core_request_duration_bucket{deployment="canary"}"#, answer(canary.2))
        .query(r#"gg_core_request_duration_bucket{deployment="stable"}"#, answer(stable.2))
}

const HEALTHY_STABLE: Values = (Some(0.002), Some(50.0), Some(0.3));

fn rolled_back(error_rate: &str, interval: &str) -> Fixture {
    Fixture::yaml(&canary("RollingBack", error_rate, interval, "False", FAILED_ENTRY))
}

#[test]
fn passing_analysis_passes_every_cause() {
    let findings = Fixture::yaml(&canary("Progressing", "0.01", "1m", "True", NO_HISTORY)).run::<CanaryAnalysis>();
    findings.assert_healthy();
    for cause in CAUSES {
        findings.assert_reported(Outcome::Pass, SYMPTOM, cause);
    }
}

#[test]
fn finished_canary_is_skipped() {
    let findings = Fixture::yaml(&canary("Succeeded", "0.01", "1m", "True", NO_HISTORY)).run::<CanaryAnalysis>();
    findings.assert_healthy();
    for cause in CAUSES {
        assert_eq!(findings.matching(Outcome::Skip, SYMPTOM, cause).len(), 1, "{}", findings.dump());
    }
}

#[test]
fn no_canary_is_skipped() {
    let findings = Fixture::yaml("").run::<CanaryAnalysis>();
    findings.assert_healthy();
    assert_eq!(findings.matching(Outcome::Skip, SYMPTOM, TRAFFIC).len(), 1);
}

#[test]
fn canary_errors_far_above_stable_are_a_bug() {
    let fixture = prometheus(rolled_back("0.01", "1m"), (Some(0.12), Some(5.0), Some(0.3)), HEALTHY_STABLE);
    let findings = fixture.run::<CanaryAnalysis>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, BUG);
    assert!(finding.summary.contains("error rate 12% is 60.0× stable's 0.2%"), "{}", finding.summary);
    for cause in [THRESHOLD, TRAFFIC, INTERVAL, BASELINE] {
        findings.assert_reported(Outcome::Pass, SYMPTOM, cause);
    }
}

#[test]
fn canary_latency_far_above_stable_is_a_bug() {
    let fixture = prometheus(rolled_back("0.01", "1m"), (Some(0.002), Some(5.0), Some(2.0)), HEALTHY_STABLE);
    let finding = fixture.run::<CanaryAnalysis>().assert_reported(Outcome::Fail, SYMPTOM, BUG).clone();
    assert!(finding.summary.contains("p99 latency 2000ms"), "{}", finding.summary);
}

#[test]
fn failing_canary_in_progress_warns() {
    let fixture = Fixture::yaml(&canary("Progressing", "0.01", "1m", "False", FAILED_ENTRY));
    let findings = prometheus(fixture, (Some(0.12), Some(5.0), Some(0.3)), HEALTHY_STABLE).run::<CanaryAnalysis>();
    findings.assert_reported(Outcome::Warn, SYMPTOM, BUG);
    assert!(findings.matching(Outcome::Fail, SYMPTOM, BUG).is_empty());
}

#[test]
fn stable_above_threshold_is_too_strict() {
    let fixture = prometheus(rolled_back("0.001", "1m"), (Some(0.003), Some(5.0), Some(0.3)), (Some(0.0025), Some(50.0), Some(0.3)));
    let findings = fixture.run::<CanaryAnalysis>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, THRESHOLD);
    assert!(finding.summary.contains("stable's own error rate 0.25% is above the errorRate threshold 0.1%"), "{}", finding.summary);
    findings.assert_reported(Outcome::Pass, SYMPTOM, BUG);
}

#[test]
fn few_canary_requests_are_too_low_traffic() {
    let fixture = prometheus(rolled_back("0.01", "1m"), (Some(0.0), Some(0.2), Some(0.3)), HEALTHY_STABLE);
    let findings = fixture.run::<CanaryAnalysis>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, TRAFFIC);
    assert!(finding.summary.contains("serves 60 requests in 5 minutes, under the 100"), "{}", finding.summary);
    findings.assert_reported(Outcome::Pass, SYMPTOM, INTERVAL);
    findings.assert_reported(Outcome::Inconclusive, SYMPTOM, BUG);
}

#[test]
fn missing_canary_series_are_too_low_traffic() {
    let fixture = prometheus(rolled_back("0.01", "1m"), (None, None, None), HEALTHY_STABLE);
    let finding = fixture.run::<CanaryAnalysis>().assert_reported(Outcome::Fail, SYMPTOM, TRAFFIC).clone();
    assert!(finding.summary.contains("no data points"), "{}", finding.summary);
}

#[test]
fn short_interval_is_too_short_for_traffic() {
    let fixture = prometheus(rolled_back("0.01", "10s"), (Some(0.0), Some(1.0), Some(0.3)), HEALTHY_STABLE);
    let findings = fixture.run::<CanaryAnalysis>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, INTERVAL);
    assert!(finding.summary.contains("one 10s analysis interval brings 10 canary requests"), "{}", finding.summary);
    assert_eq!(finding.resolution.as_deref(), Some("Extend interval for stability: set spec.analysis.interval to at least 1m40s"));
    findings.assert_reported(Outcome::Pass, SYMPTOM, TRAFFIC);
}

#[test]
fn min_requests_setting_overrides_default() {
    let fixture = prometheus(rolled_back("0.01", "1m"), (Some(0.0), Some(1.0), Some(0.3)), HEALTHY_STABLE).setting("canary.minRequests", "1000");
    fixture.run::<CanaryAnalysis>().assert_reported(Outcome::Fail, SYMPTOM, TRAFFIC);
}

#[test]
fn empty_stable_series_are_a_wrong_baseline() {
    let fixture = prometheus(rolled_back("0.01", "1m"), (Some(0.02), Some(5.0), Some(0.3)), (None, None, None));
    let findings = fixture.run::<CanaryAnalysis>();
    findings.assert_reported(Outcome::Fail, SYMPTOM, BASELINE);
    findings.assert_reported(Outcome::Inconclusive, SYMPTOM, THRESHOLD);
}

#[test]
fn recorded_baseline_query_without_series_is_wrong() {
    let entry = "  - {result: Failed, baseline: {query: 'sum(rate(gg_core_requests_total{track=\"stable\"}[1m]))'}}\n";
    let fixture = Fixture::yaml(&canary("RollingBack", "0.01", "1m", "False", entry)).query(r#"{track="stable"}"#, vec![]);
    let findings = prometheus(fixture, (Some(0.002), Some(5.0), Some(0.3)), HEALTHY_STABLE).run::<CanaryAnalysis>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, BASELINE);
    assert!(finding.summary.contains("returns no series in Prometheus"), "{}", finding.summary);
}

#[test]
fn zero_request_history_is_low_traffic() {
    let entry = "  - {result: Inconclusive, weight: 20, metrics: {errorRate: null, requests: 0}}\n";
    let findings = Fixture::yaml(&canary("Progressing", "0.01", "1m", "False", entry)).run::<CanaryAnalysis>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, TRAFFIC);
    assert!(finding.summary.contains("recorded at most 0 canary requests per 1m interval"), "{}", finding.summary);
    findings.assert_reported(Outcome::Inconclusive, SYMPTOM, THRESHOLD);
    findings.assert_reported(Outcome::Inconclusive, SYMPTOM, BASELINE);
}

#[test]
fn history_values_judge_bug_without_prometheus() {
    let entry = "  - {result: Failed, metrics: {errorRate: '8%', requests: 900}, baseline: {errorRate: 0.004, requests: 9000}}\n";
    let findings = Fixture::yaml(&canary("Failed", "0.01", "1m", "False", entry)).run::<CanaryAnalysis>();
    findings.assert_reported(Outcome::Fail, SYMPTOM, BUG);
    findings.assert_reported(Outcome::Pass, SYMPTOM, THRESHOLD);
    findings.assert_reported(Outcome::Pass, SYMPTOM, BASELINE);
}

#[test]
fn no_prometheus_and_no_history_is_inconclusive() {
    let findings = Fixture::yaml(&canary("Progressing", "0.01", "1m", "False", NO_HISTORY)).run::<CanaryAnalysis>();
    findings.assert_healthy();
    for cause in CAUSES {
        let finding = findings.assert_reported(Outcome::Inconclusive, SYMPTOM, cause);
        assert!(finding.summary.ends_with("(Prometheus not reachable)"), "{}", findings.dump());
        assert!(finding.evidence.iter().any(|e| e == "Prometheus: unavailable: no Prometheus in this fixture"), "{}", findings.dump());
    }
}
