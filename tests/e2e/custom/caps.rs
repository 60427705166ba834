//! Python probes that break their caps are stopped and reported as a Rust probe would be; the
//! built-in probes' findings stay in the report.

use std::time::{Duration, Instant};

use super::toolchains::python_guest;
use crate::support::*;

/// Runs the example snapshot with one Python guest beside the built-in probes, under the caps
/// the Rust hostile guests run under.
fn diagnose_with(name: &str) -> (serde_json::Value, Duration) {
    let component = python_guest(name);
    let started = Instant::now();
    let output = run(ggcore()
        .args(["diagnose", "--snapshot"])
        .arg(example_snapshot())
        .args(["-o", "json", "--allow-unsigned", "--probe-cpu", "1s", "--probe-timeout", "20s", "--probe-memory", "64Mi", "--probe"])
        .arg(component));
    (report(&output), started.elapsed())
}

/// Checks what every hostile run must show: the guest is an error, the built-ins stand.
fn assert_contained(report: &serde_json::Value, guest_id: &str, kind: &str) {
    let guest = probe(report, guest_id);
    assert_eq!(guest["status"], "error", "{guest}");
    assert_eq!(guest["error"]["kind"], kind, "{guest}");
    assert_eq!(probe(report, "pod-health")["status"], "ok");
    assert_eq!(findings(report, "fail", "canary-no-traffic", "service-mesh-misconfigured").len(), 1);
    assert_eq!(findings(report, "warn", "pods-down", "oom-killed").len(), 1);
    assert_eq!(report["partial"], true);
    assert_eq!(report["exitCode"], 3);
}

#[test]
fn python_endless_loop_is_stopped_at_its_cpu_budget() {
    let (report, elapsed) = diagnose_with("spin");
    assert_contained(&report, "guest-python-spin", "cpu-budget");
    let message = probe(&report, "guest-python-spin")["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("CPU budget of 1s"), "{message}");
    // The Python component compiles for several seconds before it runs. The run itself ends at
    // the 1 s budget, far below the 20 s wall-clock limit.
    assert!(probe(&report, "guest-python-spin")["stats"]["runMs"].as_u64().unwrap() < 20_000);
    assert!(elapsed < Duration::from_secs(120), "took {elapsed:?}");
}

#[test]
fn python_allocation_past_the_cap_is_stopped() {
    let (report, _) = diagnose_with("hog");
    assert_contained(&report, "guest-python-hog", "memory");
    let guest = probe(&report, "guest-python-hog");
    let message = guest["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("memory cap of 64 MiB"), "{message}");
    assert!(guest["stats"]["peakMemoryBytes"].as_u64().unwrap() <= 64 << 20);
}
