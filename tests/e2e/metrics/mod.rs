//! The metrics probes (`canary-analysis`, `latency`, `metrics-endpoint`) and commands against a
//! real Prometheus: each scenario's series are backfilled with promtool, and the built plugin
//! runs `diagnose --snapshot <fixture> --prometheus-url http://127.0.0.1:PORT --now <hour> -o json`.
//! Each cause has a test that shows it and a healthy twin that reports nothing.

mod server;
mod scenario;

use std::path::Path;
use std::time::{Duration, Instant};

use ggcore::source::prometheus::Prometheus as Client;
use ggcore::source::ReadError;

use self::scenario::{Objects, PASSING, ROLLED_BACK, Scenario};
use self::server::Prometheus;
use super::support::*;

/// The probes this module shows.
const PROBES: [&str; 3] = ["canary-analysis", "latency", "metrics-endpoint"];

/// Writes the objects into a new snapshot folder.
fn snapshot(objects: &Objects) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("creating a snapshot folder");
    scenario::write_objects(dir.path(), objects);
    dir
}

/// Runs `diagnose` on a snapshot against the server, judged at the scenario's hour.
fn diagnose(dir: &Path, scenario: &Scenario, server: &Prometheus, extra: &[&str]) -> serde_json::Value {
    let output = run(ggcore()
        .args(["diagnose", "--snapshot"])
        .arg(dir)
        .args(["--prometheus-url", &server.url(), "--now", &scenario.now_text(), "-o", "json"])
        .args(extra));
    report(&output)
}

/// Lists the `fail` and `warn` findings of the metrics probes, one line each, for messages.
fn problems(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| PROBES.contains(&f["probe"].as_str().unwrap_or("")) && (f["outcome"] == "fail" || f["outcome"] == "warn"))
        .map(|f| format!("{} {}/{}: {}", f["outcome"], f["symptom"], f["cause"], f["summary"]))
        .collect()
}

/// Returns the single finding of a probe for a cause, whatever its outcome.
fn finding<'a>(report: &'a serde_json::Value, symptom: &str, cause: &str) -> &'a serde_json::Value {
    let matching: Vec<&serde_json::Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["symptom"] == symptom && f["cause"] == cause).collect();
    assert_eq!(matching.len(), 1, "expected one {symptom}/{cause} finding, found {}: {matching:#?}", matching.len());
    matching[0]
}

/// Asserts that a cause is reported with this outcome, and returns its summary.
#[track_caller]
fn assert_cause(report: &serde_json::Value, outcome: &str, symptom: &str, cause: &str) -> String {
    let found = finding(report, symptom, cause);
    assert_eq!(found["outcome"], outcome, "{symptom}/{cause}: {found:#}\nother problems: {:#?}", problems(report));
    found["summary"].as_str().unwrap().to_string()
}

/// Asserts that the metrics probes report no problem and pass every cause of `symptom`.
#[track_caller]
fn assert_healthy(report: &serde_json::Value, symptom: &str, causes: &[&str]) {
    assert_eq!(problems(report), Vec::<String>::new());
    for cause in causes {
        assert_cause(report, "pass", symptom, cause);
    }
    assert_eq!(symptom_status(report, symptom), "healthy");
}

const CANARY_CAUSES: [&str; 5] = ["threshold-too-strict", "analysis-interval-too-short", "canary-has-real-bug", "traffic-too-low", "baseline-metrics-wrong"];
const LATENCY_CAUSES: [&str; 3] = ["p99-latency-high", "memory-pressure", "resource-contention"];

// ---- canary-failing ----------------------------------------------------------------------

#[test]
fn canary_has_real_bug() {
    let server = server::shared();
    let dir = snapshot(&ROLLED_BACK);
    let report = diagnose(dir.path(), &scenario::FAILING_CANARY, &server, &[]);

    let summary = assert_cause(&report, "fail", "canary-failing", "canary-has-real-bug");
    assert!(summary.contains("the canary's error rate 10% is 100.1× stable's 0.1% and above the 1% threshold"), "{summary}");
    for cause in ["threshold-too-strict", "analysis-interval-too-short", "traffic-too-low", "baseline-metrics-wrong"] {
        assert_cause(&report, "pass", "canary-failing", cause);
    }
    assert_eq!(symptom_status(&report, "canary-failing"), "critical");
}

#[test]
fn threshold_too_strict() {
    let server = server::shared();
    let dir = snapshot(&Objects { error_rate: "0.001", ..ROLLED_BACK });
    let report = diagnose(dir.path(), &scenario::SLIGHT_ERRORS, &server, &[]);

    let summary = assert_cause(&report, "fail", "canary-failing", "threshold-too-strict");
    assert!(summary.contains("stable's own error rate 0.4% is above the errorRate threshold 0.1%"), "{summary}");
    assert_cause(&report, "pass", "canary-failing", "canary-has-real-bug");
}

#[test]
fn threshold_met_by_stable_is_not_too_strict() {
    let server = server::shared();
    let dir = snapshot(&ROLLED_BACK);
    let report = diagnose(dir.path(), &scenario::SLIGHT_ERRORS, &server, &[]);

    for cause in CANARY_CAUSES {
        assert_cause(&report, "pass", "canary-failing", cause);
    }
}

#[test]
fn analysis_interval_too_short() {
    let server = server::shared();
    let dir = snapshot(&Objects { interval: "10s", ..ROLLED_BACK });
    let report = diagnose(dir.path(), &scenario::MODEST_TRAFFIC, &server, &[]);

    let summary = assert_cause(&report, "fail", "canary-failing", "analysis-interval-too-short");
    assert!(summary.contains("one 10s analysis interval brings 10 canary requests, under the 100 needed, while 5 minutes bring 300"), "{summary}");
    assert_cause(&report, "pass", "canary-failing", "traffic-too-low");
}

#[test]
fn analysis_interval_long_enough_passes() {
    let server = server::shared();
    let dir = snapshot(&Objects { interval: "2m", ..ROLLED_BACK });
    let report = diagnose(dir.path(), &scenario::MODEST_TRAFFIC, &server, &[]);

    assert_cause(&report, "pass", "canary-failing", "analysis-interval-too-short");
}

#[test]
fn analysis_interval_minimum_follows_setting() {
    let server = server::shared();
    let dir = snapshot(&ROLLED_BACK);
    let report = diagnose(dir.path(), &scenario::MODEST_TRAFFIC, &server, &["--set", "canary.minRequests=120"]);

    let summary = assert_cause(&report, "fail", "canary-failing", "analysis-interval-too-short");
    assert!(summary.contains("one 1m analysis interval brings 60 canary requests, under the 120 needed"), "{summary}");
}

#[test]
fn traffic_too_low() {
    let server = server::shared();
    let dir = snapshot(&ROLLED_BACK);
    let report = diagnose(dir.path(), &scenario::LOW_TRAFFIC, &server, &[]);

    let summary = assert_cause(&report, "fail", "canary-failing", "traffic-too-low");
    assert!(summary.contains("the canary serves 30 requests in 5 minutes, under the 100 one analysis needs"), "{summary}");
    assert_cause(&report, "pass", "canary-failing", "analysis-interval-too-short");
    assert_cause(&report, "inconclusive", "canary-failing", "canary-has-real-bug");
}

#[test]
fn baseline_metrics_wrong() {
    let server = server::shared();
    let dir = snapshot(&ROLLED_BACK);
    let report = diagnose(dir.path(), &scenario::NO_STABLE_SERIES, &server, &[]);

    let summary = assert_cause(&report, "fail", "canary-failing", "baseline-metrics-wrong");
    assert!(summary.contains("Prometheus has canary requests but no stable requests"), "{summary}");
    assert_cause(&report, "inconclusive", "canary-failing", "threshold-too-strict");
}

#[test]
fn failing_canary_in_progress_is_degraded() {
    let server = server::shared();
    let dir = snapshot(&Objects { phase: "Progressing", ..ROLLED_BACK });
    let report = diagnose(dir.path(), &scenario::FAILING_CANARY, &server, &[]);

    assert_cause(&report, "warn", "canary-failing", "canary-has-real-bug");
    assert_eq!(symptom_status(&report, "canary-failing"), "degraded");
}

#[test]
fn rollback_with_healthy_metrics_names_no_cause() {
    let server = server::shared();
    let dir = snapshot(&ROLLED_BACK);
    let report = diagnose(dir.path(), &scenario::HEALTHY, &server, &[]);

    for cause in CANARY_CAUSES {
        assert_cause(&report, "pass", "canary-failing", cause);
    }
    assert_eq!(symptom_status(&report, "canary-failing"), "unknown");
}

#[test]
fn healthy_canary_reports_nothing() {
    let server = server::shared();
    let dir = snapshot(&PASSING);
    let report = diagnose(dir.path(), &scenario::HEALTHY, &server, &[]);

    assert_healthy(&report, "canary-failing", &CANARY_CAUSES);
    assert_healthy(&report, "high-latency", &LATENCY_CAUSES);
}

// ---- high-latency --------------------------------------------------------------------------

#[test]
fn p99_latency_high() {
    let server = server::shared();
    let dir = snapshot(&PASSING);
    let report = diagnose(dir.path(), &scenario::SLOW, &server, &[]);

    let summary = assert_cause(&report, "fail", "high-latency", "p99-latency-high");
    assert!(summary.starts_with("p99 latency"), "{summary}");
    assert!(summary.ends_with("is above the threshold 1000ms (default)"), "{summary}");
    let evidence = finding(&report, "high-latency", "p99-latency-high")["evidence"].to_string();
    assert!(evidence.contains("p99 latency {deployment=\\\"canary\\\"}: 4500ms"), "{evidence}");
    assert_eq!(symptom_status(&report, "high-latency"), "critical");
}

#[test]
fn p99_latency_under_set_threshold_passes() {
    let server = server::shared();
    let dir = snapshot(&PASSING);
    let report = diagnose(dir.path(), &scenario::SLOW, &server, &["--set", "latency.p99=5s"]);

    let summary = assert_cause(&report, "pass", "high-latency", "p99-latency-high");
    assert_eq!(summary, "p99 latency 4500ms is within the threshold 5000ms (--set latency.p99)");
}

#[test]
fn memory_pressure() {
    let server = server::shared();
    let dir = snapshot(&PASSING);
    let report = diagnose(dir.path(), &scenario::MEMORY_NEAR_LIMIT, &server, &[]);

    let summary = assert_cause(&report, "warn", "high-latency", "memory-pressure");
    assert!(summary.ends_with("uses 95% of its memory limit, above 90%"), "{summary}");
    assert_eq!(symptom_status(&report, "high-latency"), "degraded");
}

#[test]
fn node_memory_pressure_is_critical() {
    let server = server::shared();
    let dir = snapshot(&Objects { memory_pressure: true, ..PASSING });
    let report = diagnose(dir.path(), &scenario::HEALTHY, &server, &[]);

    let summary = assert_cause(&report, "fail", "high-latency", "memory-pressure");
    assert_eq!(summary, "Node `node-a` hosting GG-CORE pods has MemoryPressure=True: the kubelet evicts pods from it");
}

#[test]
fn resource_contention() {
    let server = server::shared();
    let dir = snapshot(&PASSING);
    let report = diagnose(dir.path(), &scenario::THROTTLED, &server, &[]);

    let summary = assert_cause(&report, "warn", "high-latency", "resource-contention");
    assert!(summary.ends_with("is CPU-throttled in 60% of CFS periods, above 25%"), "{summary}");
}

#[test]
fn healthy_latency_reports_nothing() {
    let server = server::shared();
    let dir = snapshot(&PASSING);
    let report = diagnose(dir.path(), &scenario::HEALTHY, &server, &[]);

    assert_healthy(&report, "high-latency", &LATENCY_CAUSES);
    let summary = assert_cause(&report, "pass", "high-latency", "p99-latency-high");
    assert_eq!(summary, "p99 latency 242ms is within the threshold 1000ms (default)");
}

// ---- no-metrics / metrics-endpoint-down ------------------------------------------------------

const METRICS_PAGE: &str = "# HELP gg_core_requests_total Requests served.\n# TYPE gg_core_requests_total counter\ngg_core_requests_total{status=\"ok\"} 1027\n";
const REFUSED: &str = "error trying to reach service: dial tcp 10.42.0.7:9090: connect: connection refused";

/// Runs `diagnose` on a collected snapshot with recorded `/metrics` responses.
fn diagnose_recorded(answers: &[(&str, Result<(u16, &str), (&str, &str)>)]) -> serde_json::Value {
    let dir = snapshot(&PASSING);
    scenario::write_metrics_answers(dir.path(), answers);
    report(&run(ggcore().args(["diagnose", "--snapshot"]).arg(dir.path()).args(["-o", "json"])))
}

/// Returns the Health Status Matrix row of a check.
fn health_row<'a>(report: &'a serde_json::Value, check: &str) -> &'a serde_json::Value {
    report["health"].as_array().unwrap().iter().find(|r| r["check"] == check).unwrap_or_else(|| panic!("no {check} row: {report:#}"))
}

#[test]
fn metrics_endpoint_down() {
    let report = diagnose_recorded(&[
        ("gg-core-stable-0", Ok((503, REFUSED))),
        ("gg-core-stable-1", Ok((502, REFUSED))),
        ("gg-core-canary-0", Ok((503, REFUSED))),
    ]);

    let summary = assert_cause(&report, "fail", "no-metrics", "metrics-endpoint-down");
    assert_eq!(summary, "the metrics endpoint is down on 3 of 3 running GG-CORE pods and no pod serves metrics");
    assert_eq!(health_row(&report, "Metrics")["status"], "critical");
}

#[test]
fn metrics_endpoint_partly_down_is_degraded() {
    let report = diagnose_recorded(&[
        ("gg-core-stable-0", Ok((200, METRICS_PAGE))),
        ("gg-core-stable-1", Ok((200, "# TYPE go_goroutines gauge\ngo_goroutines 31\n"))),
        ("gg-core-canary-0", Ok((503, REFUSED))),
    ]);

    let summary = assert_cause(&report, "warn", "no-metrics", "metrics-endpoint-down");
    assert_eq!(summary, "partial metrics: the endpoint is down on 1 and without gg_core_ series on 1 of 3 running GG-CORE pods");
    assert_eq!(health_row(&report, "Metrics")["status"], "degraded");
}

#[test]
fn metrics_endpoint_healthy_reports_nothing() {
    let report = diagnose_recorded(&[
        ("gg-core-stable-0", Ok((200, METRICS_PAGE))),
        ("gg-core-stable-1", Ok((200, METRICS_PAGE))),
        ("gg-core-canary-0", Ok((200, METRICS_PAGE))),
    ]);

    assert_cause(&report, "pass", "no-metrics", "metrics-endpoint-down");
    assert_eq!(health_row(&report, "Metrics")["status"], "healthy");
}

#[test]
fn metrics_endpoint_unrecorded_is_inconclusive() {
    let report = diagnose_recorded(&[("gg-core-stable-0", Err(("timeout", "the pod proxy did not answer within 10s")))]);

    let summary = assert_cause(&report, "inconclusive", "no-metrics", "metrics-endpoint-down");
    assert_eq!(summary, "the metrics endpoint of 3 of 3 running GG-CORE pods could not be reached through the API server's pod proxy");
}

// ---- Prometheus failures ---------------------------------------------------------------------

#[test]
fn refused_prometheus_makes_probes_inconclusive() {
    let dir = snapshot(&ROLLED_BACK);
    let port = server::free_port();
    let url = format!("http://127.0.0.1:{port}");
    let output = run(ggcore().args(["diagnose", "--snapshot"]).arg(dir.path()).args(["--prometheus-url", &url, "-o", "json"]));
    let report = report(&output);

    assert_eq!(problems(&report), Vec::<String>::new());
    let summary = assert_cause(&report, "inconclusive", "high-latency", "p99-latency-high");
    assert_eq!(summary, "Prometheus not reachable: the p99 latency is unknown");
    let evidence = finding(&report, "high-latency", "p99-latency-high")["evidence"][0].as_str().unwrap().to_string();
    assert!(evidence.starts_with(&format!("Prometheus: unavailable: Prometheus at {url} is not reachable: ")), "{evidence}");
    let summary = assert_cause(&report, "inconclusive", "canary-failing", "threshold-too-strict");
    assert!(summary.ends_with("(Prometheus not reachable)"), "{summary}");
}

#[test]
fn silent_prometheus_times_out() {
    // A server that accepts connections and never responds.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let dir = snapshot(&PASSING);
    let started = Instant::now();
    let output = run(ggcore()
        .args(["--request-timeout", "1s", "diagnose", "--snapshot"])
        .arg(dir.path())
        .args(["--prometheus-url", &url, "-o", "json"]));
    let elapsed = started.elapsed();
    let report = report(&output);

    let evidence = finding(&report, "high-latency", "p99-latency-high")["evidence"][0].as_str().unwrap().to_string();
    assert_eq!(evidence, format!("Prometheus: timed out: Prometheus at {url} timed out after 1s: it is not reachable or the query is too slow"));
    // Each probe waits for one timeout at most, because later queries fail at once.
    assert!(elapsed < Duration::from_secs(30), "diagnose took {elapsed:?}");
    drop(listener);
}

#[test]
fn client_maps_bad_promql_to_invalid() {
    let server = server::shared();
    let client = Client::new(&server.url(), Duration::from_secs(10)).unwrap();
    let record = block_on(client.query("sum(rate(", None, scenario::HEALTHY.now(), 1 << 20));
    let error = ReadError::from(record.error.expect("an error record"));
    let ReadError::Invalid(message) = error else { panic!("expected invalid, found {error:?}") };
    assert!(message.starts_with("Prometheus rejected the query `sum(rate(`: "), "{message}");
}

#[test]
fn client_caps_answer_size() {
    let server = server::shared();
    let client = Client::new(&server.url(), Duration::from_secs(10)).unwrap();
    let record = block_on(client.query("gg_core_memory_limit_bytes", Some((1200, 15)), scenario::HEALTHY.now(), 256));
    let error = ReadError::from(record.error.expect("an error record"));
    assert!(matches!(error, ReadError::TooLarge(_)), "{error:?}");
}

#[test]
fn client_range_query_records_points() {
    let server = server::shared();
    let client = Client::new(&server.url(), Duration::from_secs(10)).unwrap();
    let record = block_on(client.query("sum(gg_core_memory_limit_bytes)", Some((600, 60)), scenario::HEALTHY.now(), 1 << 20));
    assert!(record.error.is_none(), "{:?}", record.error);
    assert_eq!(record.range, Some((600, 60)));
    assert_eq!(record.series.len(), 1);
    assert_eq!(record.series[0].points.len(), 11);
    assert_eq!(record.series[0].points[10], (scenario::HEALTHY.now() as f64, 3.0 * 48.0 * 1024.0 * 1024.0 * 1024.0));
}

#[test]
fn recorded_queries_replay_the_verdicts() {
    use clap::Parser as _;
    use ggcore::commands::session::Session;
    use ggcore::flags::{Cli, Command};
    use ggcore::host::cache::ComponentCache;
    use ggcore::host::engine::ProbeEngine;
    use ggcore::host::{builtin, limits::Limits, runner};

    // The live run: the built-in probes against Prometheus, keeping each query's record.
    let server = server::shared();
    let dir = snapshot(&ROLLED_BACK);
    let now = scenario::FAILING_CANARY.now_text();
    let cli = Cli::parse_from(["kubectl-ggcore", "diagnose", "--snapshot", dir.path().to_str().unwrap(), "--prometheus-url", &server.url(), "--now", &now]);
    let Command::Diagnose(args) = &cli.command else { unreachable!("parsed a diagnose command") };
    let session = block_on(Session::open(&cli.global, &args.source, false)).unwrap_or_else(|e| panic!("{:#}", e.error));
    let cache = tempfile::tempdir().unwrap();
    let engine = std::sync::Arc::new(ProbeEngine::new(ComponentCache::new(Some(cache.path().to_path_buf()))).unwrap());
    block_on(runner::run_all(engine, builtin::sources(), session.reader.clone(), session.profile.clone(), Limits::default()));
    let records = session.reader.query_records();
    assert!(records.iter().any(|r| r.promql.contains(r#"{status="error",deployment="canary"}"#)), "{records:#?}");

    // The replay: the same objects with the records as a collected snapshot, without Prometheus.
    let replay = snapshot(&ROLLED_BACK);
    let index = serde_json::json!({
        "format": "ggcore-snapshot/v1",
        "observedAt": now,
        "kinds": ["Pod", "Node", "VeritasCanary"],
        "queries": records,
    });
    std::fs::write(replay.path().join("ggcore-snapshot.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    let replayed = report(&run(ggcore().args(["diagnose", "--snapshot"]).arg(replay.path()).args(["-o", "json"])));
    let live = diagnose(dir.path(), &scenario::FAILING_CANARY, &server, &[]);

    assert_cause(&replayed, "fail", "canary-failing", "canary-has-real-bug");
    for (symptom, causes) in [("canary-failing", &CANARY_CAUSES[..]), ("high-latency", &LATENCY_CAUSES[..])] {
        for cause in causes {
            assert_eq!(finding(&replayed, symptom, cause)["summary"], finding(&live, symptom, cause)["summary"], "{symptom}/{cause}");
        }
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

// ---- commands --------------------------------------------------------------------------------

#[test]
fn canary_inspect_history_prints_the_table() {
    let output = run(ggcore().args(["canary", "inspect", "--history", "--snapshot"]).arg(example_snapshot()));
    let text = String::from_utf8_lossy(&output.stdout);

    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(text.contains("VeritasCanary gg-core (namespace veritas)"), "{text}");
    assert!(text.contains("  Phase:       Progressing"), "{text}");
    assert!(text.contains("  Analysis history (oldest first):"), "{text}");
    let rows: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with("2026-12-04T10:")).collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows[0].contains("Successful"), "{}", rows[0]);
    assert!(rows[0].contains("0.2%"), "{}", rows[0]);
    assert!(rows[0].contains("1840"), "{}", rows[0]);
    assert!(rows[2].contains("Inconclusive"), "{}", rows[2]);
    assert!(rows[2].ends_with("no canary requests"), "{}", rows[2]);
}

#[test]
fn canary_inspect_json_carries_history() {
    let output = run(ggcore().args(["canary", "inspect", "--history", "-o", "json", "--snapshot"]).arg(example_snapshot()));
    let views: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");

    assert_eq!(views[0]["name"], "gg-core");
    assert_eq!(views[0]["trafficWeight"], 20);
    assert_eq!(views[0]["history"].as_array().unwrap().len(), 3);
    assert_eq!(views[0]["steps"][1], "pause 5m");
}

#[test]
fn canary_inspect_metrics_reads_prometheus() {
    let server = server::shared();
    let dir = snapshot(&ROLLED_BACK);
    let output = run(ggcore()
        .args(["canary", "inspect", "--metrics", "--snapshot"])
        .arg(dir.path())
        .args(["--prometheus-url", &server.url(), "--now", &scenario::FAILING_CANARY.now_text()]));
    let text = String::from_utf8_lossy(&output.stdout);

    assert!(text.contains(&format!("  Current metrics (Prometheus at {}):", server.url())), "{text}");
    assert!(text.contains("    canary error rate          10%"), "{text}");
    assert!(text.contains("    stable error rate          0.1%"), "{text}");
}

#[test]
fn metrics_canary_compares_with_stable() {
    let server = server::shared();
    let dir = snapshot(&PASSING);
    let output = run(ggcore()
        .args(["metrics", "canary", "-o", "json", "--snapshot"])
        .arg(dir.path())
        .args(["--prometheus-url", &server.url(), "--now", &scenario::FAILING_CANARY.now_text()]));
    let view: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");

    assert!(output.status.success());
    let value = |name: &str| {
        let metric = view["metrics"].as_array().unwrap().iter().find(|m| m["name"] == name).unwrap_or_else(|| panic!("no metric {name}"));
        metric["values"][0]["value"].as_f64().unwrap_or_else(|| panic!("no value for {name}: {metric}"))
    };
    assert!((value("canary error rate") - 0.1).abs() < 1e-9);
    assert!((value("stable requests") - 50.05).abs() < 1e-6);
}

#[test]
fn metrics_summary_prints_guide_queries() {
    let server = server::shared();
    let dir = snapshot(&PASSING);
    let output = run(ggcore()
        .args(["metrics", "summary", "-o", "wide", "--snapshot"])
        .arg(dir.path())
        .args(["--prometheus-url", &server.url(), "--now", &scenario::MEMORY_NEAR_LIMIT.now_text()]));
    let text = String::from_utf8_lossy(&output.stdout);

    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(text.contains("histogram_quantile(0.99, sum(rate(gg_core_request_duration_bucket[5m])) by (le))"), "{text}");
    assert!(text.contains("deployment=canary,pod=gg-core-canary-0 95%"), "{text}");
    assert!(text.contains("pod readiness              no data"), "{text}");
}

#[test]
fn metrics_summary_without_prometheus_fails() {
    let output = run(ggcore().args(["metrics", "summary", "--snapshot"]).arg(example_snapshot()));

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("every query failed: unavailable: no Prometheus is reachable"), "{stderr}");
}
