use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::Fixture;

use super::*;

fn pod(name: &str, phase: &str) -> String {
    format!("---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: veritas, labels: {{app: GG-CORE}}}}\nstatus: {{phase: {phase}}}\n")
}

const METRICS: &str = "# HELP gg_core_requests_total Requests.\n# TYPE gg_core_requests_total counter\ngg_core_requests_total{status=\"ok\"} 12\n";
const GO_ONLY: &str = "# TYPE go_goroutines gauge\ngo_goroutines 12\n";
const REFUSED: &str = "error trying to reach service: dial tcp 10.42.0.5:9090: connect: connection refused";

fn two_pods() -> Fixture {
    Fixture::yaml(&[pod("a", "Running"), pod("b", "Running")].concat())
}

#[test]
fn every_pod_serving_passes() {
    let findings = two_pods().http("veritas", "a", 9090, "/metrics", 200, METRICS).http("veritas", "b", 9090, "/metrics", 200, METRICS).run::<MetricsEndpoint>();
    findings.assert_healthy();
    findings.assert_reported(Outcome::Pass, SYMPTOM, CAUSE);
}

#[test]
fn every_pod_refused_fails() {
    let findings = two_pods().http("veritas", "a", 9090, "/metrics", 503, REFUSED).http("veritas", "b", 9090, "/metrics", 502, REFUSED).run::<MetricsEndpoint>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, CAUSE);
    assert_eq!(finding.summary, "the metrics endpoint is down on 2 of 2 running GG-CORE pods and no pod serves metrics");
    assert!(finding.evidence.iter().any(|e| e.contains("HTTP 503 on :9090/metrics: `error trying to reach service")), "{}", findings.dump());
}

#[test]
fn some_pods_refused_warns() {
    let findings = two_pods().http("veritas", "a", 9090, "/metrics", 200, METRICS).http("veritas", "b", 9090, "/metrics", 503, REFUSED).run::<MetricsEndpoint>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, CAUSE);
    assert_eq!(finding.summary, "partial metrics: the endpoint is down on 1 of 2 running GG-CORE pods");
}

#[test]
fn page_without_gg_core_series_warns() {
    let findings = two_pods().http("veritas", "a", 9090, "/metrics", 200, GO_ONLY).http("veritas", "b", 9090, "/metrics", 200, METRICS).run::<MetricsEndpoint>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, CAUSE);
    assert_eq!(finding.summary, "partial metrics: the endpoint is without gg_core_ series on 1 of 2 running GG-CORE pods");
}

#[test]
fn pending_pod_is_named_not_failed() {
    let fixture = Fixture::yaml(&[pod("a", "Running"), pod("b", "Pending")].concat()).http("veritas", "a", 9090, "/metrics", 200, METRICS);
    let findings = fixture.run::<MetricsEndpoint>();
    let finding = findings.assert_reported(Outcome::Pass, SYMPTOM, CAUSE);
    assert!(finding.evidence.iter().any(|e| e == "pod `b` is Pending, not probed: pods-down reports pods that are not running"), "{}", findings.dump());
}

#[test]
fn no_running_pod_is_skipped() {
    let findings = Fixture::yaml(&pod("a", "Pending")).run::<MetricsEndpoint>();
    findings.assert_healthy();
    assert_eq!(findings.matching(Outcome::Skip, SYMPTOM, CAUSE).len(), 1);
}

#[test]
fn unrecorded_endpoint_is_inconclusive() {
    let findings = two_pods().http("veritas", "a", 9090, "/metrics", 200, METRICS).run::<MetricsEndpoint>();
    findings.assert_healthy();
    findings.assert_reported(Outcome::Inconclusive, SYMPTOM, CAUSE);
}

#[test]
fn profile_metrics_port_is_used() {
    let mut profile = two_pods().profile();
    profile.metrics_port = 9100;
    let fixture = two_pods().http("veritas", "a", 9100, "/metrics", 200, METRICS).http("veritas", "b", 9100, "/metrics", 200, METRICS);
    fixture.run_with::<MetricsEndpoint>(profile).assert_reported(Outcome::Pass, SYMPTOM, CAUSE);
}
