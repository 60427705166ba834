//! Probes that misbehave are stopped within their caps and reported; the built-in probes'
//! findings stay in the report.

use std::time::Duration;

use super::support::*;

/// Runs the example snapshot with one test guest beside the built-in probes, under small caps.
fn diagnose_with(guest_name: &str) -> (serde_json::Value, Duration) {
    diagnose_beside_builtins(&guest(guest_name))
}

#[test]
fn endless_loop_is_stopped_at_its_cpu_budget() {
    let (report, elapsed) = diagnose_with("spin");
    assert_contained(&report, "guest-spin", "cpu-budget");
    assert!(probe(&report, "guest-spin")["error"]["message"].as_str().unwrap().contains("CPU budget of 1s"));
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
}

#[test]
fn allocation_past_the_cap_is_stopped() {
    let (report, _) = diagnose_with("hog");
    assert_contained(&report, "guest-hog", "memory");
    let message = probe(&report, "guest-hog")["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("memory cap of 64 MiB"), "{message}");
    assert!(probe(&report, "guest-hog")["stats"]["peakMemoryBytes"].as_u64().unwrap() <= 64 << 20);
}

#[test]
fn undeclared_read_is_denied_and_reported() {
    let (report, _) = diagnose_with("snoop");
    assert_contained(&report, "guest-snoop", "undeclared-read");
    let message = probe(&report, "guest-snoop")["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("did not declare kind `ConfigMap`"), "{message}");
    // The snoop's own finding does not count: a probe that broke its declaration is not trusted.
    assert!(report["findings"].as_array().unwrap().iter().all(|f| f["probe"] != "guest-snoop" || f["outcome"] == "inconclusive"));
}

#[test]
fn trap_is_reported_as_a_probe_error() {
    let (report, _) = diagnose_with("trap");
    assert_contained(&report, "guest-trap", "trap");
    let inconclusive = report["findings"].as_array().unwrap().iter().filter(|f| f["probe"] == "guest-trap" && f["outcome"] == "inconclusive").count();
    assert_eq!(inconclusive, 1, "one inconclusive finding stands in for the failed probe's symptom");
}

#[test]
fn probe_file_without_allow_unsigned_is_refused() {
    let output = run(ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()).arg("--probe").arg(guest("trap")));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("pass --allow-unsigned"));
}
