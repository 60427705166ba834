//! Benchmark of `diagnose` on a large synthetic GG-CORE cluster (5,000 pods, 1,000 Services,
//! 20,000 events). Prints the time to only load and parse the snapshot, the time of a full
//! `diagnose` of it (a separate process, compiled probes cached), their ratio, the peak memory of
//! `diagnose` against the snapshot's size, and, in live mode against the test API server serving
//! the same cluster, the number of requests a full run sends.
//!
//! Run with `cargo bench -p kubectl-ggcore --bench large_cluster`; the figures and how they
//! were taken are in docs/performance.md. Set `GGCORE_BENCH_SNAPSHOT=DIR` to keep the
//! generated snapshot in DIR.

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

/// Runs the plugin to its end under GNU time, and returns its exit code, stdout and peak
/// resident memory in bytes. Measuring from a small wrapper process keeps this process's own
/// memory out of the child's figure.
fn run_measured(args: &[&std::ffi::OsStr], cache: &std::path::Path) -> (Option<i32>, Vec<u8>, u64) {
    let peak_file = tempfile::NamedTempFile::new().expect("creating a scratch file");
    let output = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(peak_file.path())
        .arg(env!("CARGO_BIN_EXE_kubectl-ggcore"))
        .args(args)
        .env("GGCORE_CACHE_DIR", cache)
        .output()
        .expect("running /usr/bin/time (Debian package `time`)");
    let text = std::fs::read_to_string(peak_file.path()).unwrap_or_default();
    let kilobytes: u64 = text.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0);
    (output.status.code(), output.stdout, kilobytes * 1024)
}

fn main() {
    let dir = tempfile::tempdir().expect("creating a scratch directory");
    // GGCORE_BENCH_SNAPSHOT keeps the generated snapshot at that path, to look at or reuse.
    let snapshot = std::env::var_os("GGCORE_BENCH_SNAPSHOT").map(std::path::PathBuf::from).unwrap_or_else(|| dir.path().join("snapshot"));
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

    let cache = dir.path().join("cache");
    let diagnose = || {
        let started = Instant::now();
        let args = ["diagnose".as_ref(), "--snapshot".as_ref(), snapshot.as_os_str(), "-o".as_ref(), "json".as_ref()];
        let (code, stdout, peak) = run_measured(&args, &cache);
        let elapsed = started.elapsed();
        assert!(matches!(code, Some(3 | 4 | 5)), "diagnose failed with exit code {code:?}");
        (elapsed, stdout, peak)
    };
    // The first run compiles the probes into the cache; the measured runs load them from it.
    let (first, _, _) = diagnose();
    let mut report = Vec::new();
    let mut peak = 0;
    let full = median(
        (0..RUNS)
            .map(|_| {
                let (elapsed, stdout, run_peak) = diagnose();
                report = stdout;
                peak = peak.max(run_peak);
                elapsed
            })
            .collect(),
    );

    let report: serde_json::Value = serde_json::from_slice(&report).expect("a JSON report");
    let probes = report["probes"].as_array().map_or(0, Vec::len);
    let problems = report["findings"].as_array().map_or(0, |f| f.iter().filter(|f| f["outcome"] == "fail" || f["outcome"] == "warn").count());
    println!("load and parse only:           {:>8.3} s (median of {RUNS})", load.as_secs_f64());
    println!("diagnose, {probes} probes:            {:>8.3} s (median of {RUNS}; first run with compiles {:.3} s)", full.as_secs_f64(), first.as_secs_f64());
    println!("ratio diagnose / load:         {:>8.2}", full.as_secs_f64() / load.as_secs_f64());
    println!("peak memory of diagnose:       {:>8.1} MB ({:.1}x the snapshot)", peak as f64 / 1e6, peak as f64 / bytes as f64);
    println!("fail and warn findings:        {problems:>8}");

    live_requests(&snapshot, &cache);
}

/// Runs `diagnose` live against the test API server serving the snapshot, and prints the
/// requests it sent: LISTs (counting pages), per kind and scope, and the rest.
fn live_requests(snapshot: &std::path::Path, cache: &std::path::Path) {
    use std::collections::BTreeMap;

    let fixtures = ggcore_test_apiserver::Fixtures::from_path(snapshot).expect("loading the snapshot as fixtures");
    let server = ggcore_test_apiserver::TestApiServer::start(fixtures).expect("starting the test API server");
    let kubeconfig = cache.with_file_name("kubeconfig");
    server.write_kubeconfig(&kubeconfig, "bench").expect("writing the kubeconfig");
    let started = Instant::now();
    let args = ["--kubeconfig".as_ref(), kubeconfig.as_os_str(), "diagnose".as_ref(), "-o".as_ref(), "json".as_ref()];
    let (code, _, peak) = run_measured(&args, cache);
    let elapsed = started.elapsed();
    assert!(matches!(code, Some(3 | 4 | 5)), "live diagnose failed with exit code {code:?}");

    let requests = server.requests();
    let mut lists: BTreeMap<String, usize> = BTreeMap::new();
    for request in requests.iter().filter(|r| r.param("limit").is_some()) {
        *lists.entry(request.path.clone()).or_default() += 1;
    }
    let pages: usize = lists.values().sum();
    let writes = requests.iter().filter(|r| r.method != "GET").count();
    println!(
        "live mode: {} requests in {:.3} s ({} collections listed in {pages} pages, once each; {} other GETs; {writes} not GET); peak memory {:.1} MB",
        requests.len(),
        elapsed.as_secs_f64(),
        lists.len(),
        requests.len() - pages,
        peak as f64 / 1e6
    );
    for (path, count) in &lists {
        println!("  {count:>3} pages  {path}");
    }
}
