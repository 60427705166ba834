//! Benchmark of `diagnose` on a large synthetic GG-CORE cluster (5,000 pods, 1,000 Services,
//! 20,000 events). Prints the time to only load and parse the snapshot, the time of a full
//! `diagnose` of it (a separate process, compiled probes cached), their ratio, and the peak
//! memory of `diagnose` against the snapshot's size.
//!
//! Run with `cargo bench -p kubectl-ggcore --bench large_cluster`; the figures and how they
//! were taken are in docs/performance.md.

mod synthetic;

use std::process::Command;
use std::time::{Duration, Instant};

use ggcore::source::snapshot::Snapshot;

/// Runs of each measurement; the median is printed.
const RUNS: usize = 5;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Returns the peak resident memory of the largest child process waited for so far, in bytes.
fn children_peak_rss() -> u64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a complete rusage into the pointer it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss as u64 * 1024
}

fn main() {
    let dir = tempfile::tempdir().expect("creating a scratch directory");
    let snapshot = dir.path().join("snapshot");
    let bytes = synthetic::generate(&snapshot, &synthetic::LARGE).expect("generating the synthetic cluster");
    println!(
        "synthetic cluster: {} pods, {} services, {} events; snapshot {:.1} MB",
        synthetic::LARGE.pods,
        synthetic::LARGE.services,
        synthetic::LARGE.events,
        bytes as f64 / 1e6
    );

    let load = median(
        (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                let loaded = Snapshot::load(&snapshot).expect("loading the snapshot");
                std::hint::black_box(loaded.object_count());
                started.elapsed()
            })
            .collect(),
    );

    let binary = env!("CARGO_BIN_EXE_kubectl-ggcore");
    let cache = dir.path().join("cache");
    let diagnose = || {
        let started = Instant::now();
        let output = Command::new(binary)
            .args(["diagnose", "--snapshot"])
            .arg(&snapshot)
            .args(["-o", "json"])
            .env("GGCORE_CACHE_DIR", &cache)
            .output()
            .expect("running diagnose");
        let elapsed = started.elapsed();
        assert!(matches!(output.status.code(), Some(3 | 4 | 5)), "diagnose failed: {}", String::from_utf8_lossy(&output.stderr));
        (elapsed, output.stdout)
    };
    let (first, _) = diagnose();
    let mut report = Vec::new();
    let full = median(
        (0..RUNS)
            .map(|_| {
                let (elapsed, stdout) = diagnose();
                report = stdout;
                elapsed
            })
            .collect(),
    );
    let peak = children_peak_rss();

    let report: serde_json::Value = serde_json::from_slice(&report).expect("a JSON report");
    let probes = report["probes"].as_array().map_or(0, Vec::len);
    let problems = report["findings"].as_array().map_or(0, |f| f.iter().filter(|f| f["outcome"] == "fail" || f["outcome"] == "warn").count());
    println!("load and parse only:           {:>8.3} s (median of {RUNS})", load.as_secs_f64());
    println!("diagnose, {probes} probes:            {:>8.3} s (median of {RUNS}; first run with compiles {:.3} s)", full.as_secs_f64(), first.as_secs_f64());
    println!("ratio diagnose / load:         {:>8.2}", full.as_secs_f64() / load.as_secs_f64());
    println!("peak memory of diagnose:       {:>8.1} MB ({:.1}x the snapshot)", peak as f64 / 1e6, peak as f64 / bytes as f64);
    println!("fail and warn findings:        {problems:>8}");
}
