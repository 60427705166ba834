//! Python probes that break their caps are stopped and reported as a Rust probe would be; the
//! built-in probes' findings stay in the report.

use std::time::Duration;

use super::toolchains::python_guest;
use crate::support::*;

/// Runs the example snapshot with one Python guest beside the built-in probes, under small caps.
fn diagnose_with(name: &str) -> (serde_json::Value, Duration) {
    diagnose_beside_builtins(&python_guest(name))
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
