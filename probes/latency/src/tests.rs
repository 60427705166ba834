use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::{Fixture, sample};

use super::*;

/// A GG-CORE pod on `node`.
fn pod(name: &str, node: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: veritas, labels: {{app: GG-CORE, deployment: stable}}}}\nspec: {{nodeName: {node}, containers: [{{name: gg-core}}]}}\nstatus: {{phase: Running}}\n"
    )
}

/// A Node with its MemoryPressure and DiskPressure statuses.
fn node(name: &str, memory_pressure: &str, disk_pressure: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\nstatus:\n  conditions:\n  - {{type: MemoryPressure, status: '{memory_pressure}'}}\n  - {{type: DiskPressure, status: '{disk_pressure}'}}\n  - {{type: Ready, status: 'True'}}\n"
    )
}

fn cluster(memory_pressure: &str, disk_pressure: &str) -> Fixture {
    Fixture::yaml(&[pod("gg-core-a", "node-1"), pod("gg-core-b", "node-1"), node("node-1", memory_pressure, disk_pressure)].concat())
}

/// Sets the results of the latency, memory and throttling queries.
fn prometheus(fixture: Fixture, p99: f64, canary_p99: f64, memory: f64, throttled: f64) -> Fixture {
    fixture
        .query("by (le))", vec![sample(&[], p99)])
        .query("by (le, deployment))", vec![sample(&[("deployment", "canary")], canary_p99), sample(&[("deployment", "stable")], p99)])
        .query("gg_core_memory_used_bytes", vec![sample(&[("pod", "gg-core-a")], memory)])
        .query("container_cpu_cfs_throttled_periods_total", vec![sample(&[("pod", "gg-core-a")], throttled), sample(&[("pod", "other-app")], 0.9)])
}

#[test]
fn healthy_metrics_pass_every_cause() {
    let findings = prometheus(cluster("False", "False"), 0.3, 0.35, 0.5, 0.01).run::<Latency>();
    findings.assert_healthy();
    for cause in [P99, MEMORY, CONTENTION] {
        findings.assert_reported(Outcome::Pass, SYMPTOM, cause);
    }
}

#[test]
fn p99_above_threshold_warns() {
    let findings = prometheus(cluster("False", "False"), 0.3, 1.5, 0.5, 0.01).run::<Latency>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, P99);
    assert_eq!(finding.summary, "p99 latency {deployment=\"canary\"} 1500ms is above the threshold 1000ms (default)");
}

#[test]
fn p99_above_twice_threshold_fails() {
    prometheus(cluster("False", "False"), 2.5, 0.3, 0.5, 0.01).run::<Latency>().assert_reported(Outcome::Fail, SYMPTOM, P99);
}

#[test]
fn p99_setting_overrides_default() {
    let findings = prometheus(cluster("False", "False"), 0.3, 0.35, 0.5, 0.01).setting("latency.p99", "200ms").run::<Latency>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, P99);
    assert!(finding.summary.ends_with("threshold 200ms (--set latency.p99)"), "{}", finding.summary);
}

#[test]
fn canary_latency_threshold_is_used() {
    let canary = "---\napiVersion: veritas.ggcore.io/v1alpha1\nkind: VeritasCanary\nmetadata: {name: gg-core, namespace: veritas}\nspec: {analysis: {thresholds: {latencyP99: 250ms}}}\n";
    let fixture = Fixture::yaml(&[pod("gg-core-a", "node-1"), node("node-1", "False", "False"), canary.to_string()].concat());
    let finding = prometheus(fixture, 0.3, 0.3, 0.5, 0.01).run::<Latency>().assert_reported(Outcome::Warn, SYMPTOM, P99).clone();
    assert!(finding.summary.contains("threshold 250ms (VeritasCanary `gg-core`"), "{}", finding.summary);
}

#[test]
fn memory_near_limit_warns() {
    let finding = prometheus(cluster("False", "False"), 0.3, 0.3, 0.95, 0.01).run::<Latency>().assert_reported(Outcome::Warn, SYMPTOM, MEMORY).clone();
    assert_eq!(finding.summary, "GG-CORE {pod=\"gg-core-a\"} uses 95% of its memory limit, above 90%");
}

#[test]
fn node_memory_pressure_fails() {
    let findings = prometheus(cluster("True", "False"), 0.3, 0.3, 0.5, 0.01).run::<Latency>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, MEMORY);
    assert!(finding.evidence.iter().any(|e| e.starts_with("Node `node-1` hosting gg-core-a, gg-core-b: MemoryPressure=True")), "{}", findings.dump());
}

#[test]
fn cpu_throttling_is_contention() {
    let findings = prometheus(cluster("False", "False"), 0.3, 0.3, 0.5, 0.6).run::<Latency>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, CONTENTION);
    assert_eq!(finding.summary, "GG-CORE {pod=\"gg-core-a\"} is CPU-throttled in 60% of CFS periods, above 25%");
}

#[test]
fn throttling_of_other_pods_is_ignored() {
    prometheus(cluster("False", "False"), 0.3, 0.3, 0.5, 0.01).run::<Latency>().assert_not_reported(CONTENTION);
}

#[test]
fn node_disk_pressure_is_contention() {
    let findings = prometheus(cluster("False", "True"), 0.3, 0.3, 0.5, 0.01).run::<Latency>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, CONTENTION);
    assert!(finding.summary.contains("run on Node `node-1`, which is under resource pressure"), "{}", finding.summary);
}

#[test]
fn no_prometheus_is_inconclusive() {
    let findings = cluster("False", "False").run::<Latency>();
    findings.assert_healthy();
    for cause in [P99, MEMORY, CONTENTION] {
        findings.assert_reported(Outcome::Inconclusive, SYMPTOM, cause);
    }
}

#[test]
fn node_pressure_shows_without_prometheus() {
    cluster("True", "False").run::<Latency>().assert_reported(Outcome::Fail, SYMPTOM, MEMORY);
}
