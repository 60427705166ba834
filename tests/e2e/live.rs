//! Live mode against the test API server: the plugin connects through a kubeconfig as kubectl
//! does, reads each kind once per scope with GET only, turns a 403 into an inconclusive
//! finding, and `collect` saves a snapshot that replays the same verdicts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ggcore_test_apiserver::{Fixtures, Matcher, TestApiServer};

use super::support::*;

/// A test API server serving a snapshot folder, and a kubeconfig pointing at it.
struct Cluster {
    server: TestApiServer,
    kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

/// Starts the test API server on a snapshot, with every GG-CORE pod's HTTP and metrics ports
/// proxied to a loopback backend that answers as a healthy runtime does.
fn cluster(snapshot: &Path) -> Cluster {
    let fixtures = Fixtures::from_path(snapshot).expect("loading fixtures").with_clock("2026-12-04T10:30:00Z").expect("setting the clock");
    let pods: Vec<String> = fixtures
        .objects()
        .iter()
        .filter(|o| o["kind"] == "Pod" && o["metadata"]["labels"]["app"] == "GG-CORE")
        .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    let server = TestApiServer::start(fixtures).expect("starting the test API server");
    let backend = healthy_runtime();
    for pod in &pods {
        for port in [8080u16, 9090] {
            server.proxy_to("pod", "veritas", pod, port, backend);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig, "veritas-test").expect("writing the kubeconfig");
    Cluster { server, kubeconfig, _dir: dir }
}

/// Starts a loopback HTTP server that answers `/health`, `/ready` and `/live` with 200 and
/// `/metrics` with GG-CORE series, for the life of the test process.
fn healthy_runtime() -> std::net::SocketAddr {
    use std::io::{BufRead as _, BufReader, Write as _};

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a loopback backend");
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let body = if request_line.contains("/metrics") {
                "# TYPE gg_core_requests_total counter\ngg_core_requests_total{status=\"ok\"} 42\n"
            } else {
                "ok\n"
            };
            let mut stream = stream;
            let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        }
    });
    address
}

/// The symptom statuses of a report.
fn statuses(report: &serde_json::Value) -> BTreeMap<String, String> {
    report["symptoms"].as_array().unwrap().iter().map(|s| (s["id"].as_str().unwrap().to_string(), s["status"].as_str().unwrap().to_string())).collect()
}

/// The (symptom, cause, outcome) of every fail and warn finding.
fn problems(report: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut found: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "fail" || f["outcome"] == "warn")
        .map(|f| (f["symptom"].to_string(), f["cause"].to_string(), f["outcome"].to_string()))
        .collect();
    found.sort();
    found.dedup();
    found
}

const NOW: &str = "2026-12-04T10:28:00Z";

#[test]
fn live_diagnose_through_kubectl_matches_the_snapshot() {
    let cluster = cluster(&example_snapshot());
    let live = run(kubectl_ggcore().arg("--kubeconfig").arg(&cluster.kubeconfig).args(["diagnose", "-o", "json", "--now", NOW]));
    let offline = run(ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()).args(["-o", "json", "--now", NOW]));
    let (live_report, offline_report) = (report(&live), report(&offline));

    assert_eq!(live_report["source"]["mode"], "live");
    assert!(live_report["source"]["location"].as_str().unwrap().contains("veritas-test"));
    assert_eq!(statuses(&live_report), statuses(&offline_report));
    assert_eq!(problems(&live_report), problems(&offline_report));
    assert_eq!(live.status.code(), Some(3), "stderr: {}", String::from_utf8_lossy(&live.stderr));
}

#[test]
fn a_full_run_lists_each_kind_once_and_writes_nothing() {
    let cluster = cluster(&example_snapshot());
    let output = run(ggcore().arg("--kubeconfig").arg(&cluster.kubeconfig).args(["diagnose", "-o", "json", "--now", NOW]));
    assert_eq!(output.status.code(), Some(3), "stderr: {}", String::from_utf8_lossy(&output.stderr));

    let requests = cluster.server.requests();
    assert!(requests.iter().all(|r| r.method == "GET"), "a request that is not GET: {:?}", requests.iter().find(|r| r.method != "GET"));
    let mut lists: BTreeMap<String, usize> = BTreeMap::new();
    for request in requests.iter().filter(|r| r.param("limit").is_some()) {
        *lists.entry(request.path.clone()).or_default() += 1;
    }
    assert!(lists.contains_key("/api/v1/namespaces/veritas/pods"), "{lists:?}");
    assert!(lists.keys().any(|p| p.ends_with("/namespaces/veritas/veritascanaries")), "{lists:?}");
    for (path, count) in &lists {
        assert_eq!(*count, 1, "{path} was listed {count} times: {lists:?}");
    }
}

#[test]
fn forbidden_servicemonitors_make_no_metrics_unknown() {
    let healthy = root().join("tests/cases/15-healthy-named-targetport-mixed-numbers");
    let cluster = cluster(&healthy);
    cluster.server.fail(Matcher::resource("servicemonitors"), 403);
    let output = run(ggcore().arg("--kubeconfig").arg(&cluster.kubeconfig).args(["diagnose", "-o", "json", "--now", NOW]));
    let report = report(&output);

    assert_eq!(symptom_status(&report, "no-metrics"), "unknown");
    let inconclusive: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "inconclusive" && f["symptom"] == "no-metrics")
        .collect();
    let summaries: Vec<&str> = inconclusive.iter().map(|f| f["summary"].as_str().unwrap()).collect();
    let summary = summaries.iter().find(|s| s.contains("servicemonitors")).copied().unwrap_or_default();
    assert!(summary.contains("list servicemonitors.monitoring.coreos.com in namespace `veritas`"), "{summaries:?}");
    assert!(summary.contains("verbs: [\"get\", \"list\"]"), "the RBAC rule is named: {summary}");
    assert_eq!(report["partial"], true);
    assert!(report["unseen"].as_array().unwrap().iter().any(|u| u["what"].as_str().unwrap().starts_with("list ServiceMonitor")));
    assert_eq!(output.status.code(), Some(5), "stderr: {}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn server_errors_are_retried() {
    let cluster = cluster(&example_snapshot());
    cluster.server.fail(Matcher::resource("pods").namespace("veritas").first(2), 500);
    let output = run(ggcore().arg("--kubeconfig").arg(&cluster.kubeconfig).args(["diagnose", "-o", "json", "--now", NOW]));
    let report = report(&output);
    assert_eq!(symptom_status(&report, "pods-down"), "degraded");
    let pod_lists = cluster.server.requests().iter().filter(|r| r.path == "/api/v1/namespaces/veritas/pods").count();
    assert_eq!(pod_lists, 3, "two failures, then the answer");
}

#[test]
fn unreachable_pods_are_asked_once() {
    // No backend is registered for the pods, so the API server's proxy returns 503 for each of them.
    let fixtures = Fixtures::from_path(example_snapshot()).unwrap().with_clock("2026-12-04T10:30:00Z").unwrap();
    let server = TestApiServer::start(fixtures).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig, "veritas-test").unwrap();

    let output = run(ggcore().arg("--kubeconfig").arg(&kubeconfig).args(["diagnose", "-o", "json", "--now", NOW]));
    let report = report(&output);
    assert_ne!(symptom_status(&report, "runtime-unhealthy"), "healthy");
    // The client library logs each 5xx at ERROR; the plugin keeps those logs below -v=6.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("ERROR"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    let requests = server.requests();
    let proxied: Vec<&str> = requests.iter().filter(|r| r.path.contains("/proxy/")).map(|r| r.path.as_str()).collect();
    assert!(!proxied.is_empty(), "the runtime probes ask the pods through the proxy");
    let distinct: std::collections::BTreeSet<&str> = proxied.iter().copied().collect();
    assert_eq!(proxied.len(), distinct.len(), "a 503 from the proxy is not retried: {proxied:#?}");
}

#[test]
fn unreachable_server_is_a_tool_failure_naming_context_and_server() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: gone\nclusters:\n- name: gone\n  cluster: {{server: 'http://127.0.0.1:{port}'}}\ncontexts:\n- name: gone\n  context: {{cluster: gone, user: u}}\nusers:\n- name: u\n  user: {{token: t}}\n"
    );
    std::fs::write(&kubeconfig, text).unwrap();
    let output = run(ggcore().arg("--kubeconfig").arg(&kubeconfig).args(["--request-timeout", "2s", "diagnose"]));
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("http://127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("context `gone`"), "{stderr}");
}

#[test]
fn kubeconfig_list_skips_missing_files() {
    let cluster = cluster(&example_snapshot());
    let missing = cluster.kubeconfig.with_file_name("missing");
    let value = std::env::join_paths([missing, cluster.kubeconfig.clone()]).unwrap();
    let output = run(ggcore().env("KUBECONFIG", value).args(["diagnose", "-o", "json", "--now", NOW]));
    assert_eq!(output.status.code(), Some(3), "stderr: {}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn collect_then_replay_gives_the_live_verdicts() {
    let cluster = cluster(&example_snapshot());
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("veritas.tar.gz");

    let live = report(&run(ggcore().arg("--kubeconfig").arg(&cluster.kubeconfig).args(["diagnose", "-o", "json", "--now", NOW])));
    let collect = run(ggcore().arg("--kubeconfig").arg(&cluster.kubeconfig).args(["collect", "--now", NOW, "-o"]).arg(&archive));
    assert_eq!(collect.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&collect.stderr));
    assert!(String::from_utf8_lossy(&collect.stderr).contains("wrote snapshot"));

    let replay = report(&run(ggcore().args(["diagnose", "--snapshot"]).arg(&archive).args(["-o", "json"])));
    assert_eq!(replay["source"]["layout"], "collected");
    assert_eq!(replay["source"]["observedAt"], live["source"]["observedAt"]);
    assert_eq!(statuses(&replay), statuses(&live));
    assert_eq!(problems(&replay), problems(&live));
}

#[test]
fn collect_replays_a_forbidden_list_as_forbidden() {
    let cluster = cluster(&example_snapshot());
    cluster.server.fail(Matcher::resource("servicemonitors"), 403);
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    let collect = run(ggcore().arg("--kubeconfig").arg(&cluster.kubeconfig).args(["collect", "--now", NOW, "-o"]).arg(&snapshot));
    assert_eq!(collect.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&collect.stderr));

    let replay = report(&run(ggcore().args(["diagnose", "--snapshot"]).arg(&snapshot).args(["-o", "json"])));
    let summaries: Vec<&str> = replay["findings"].as_array().unwrap().iter().filter(|f| f["outcome"] == "inconclusive").map(|f| f["summary"].as_str().unwrap()).collect();
    assert!(summaries.iter().any(|s| s.contains("forbidden: list servicemonitors")), "{summaries:?}");
}

#[test]
fn collect_rejects_tar_output() {
    let cluster = cluster(&example_snapshot());
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("veritas.tar");
    let collect = run(ggcore().arg("--kubeconfig").arg(&cluster.kubeconfig).args(["collect", "-o"]).arg(&output));
    assert_eq!(collect.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&collect.stderr).contains("name the output DIR or FILE.tar.gz"));
    assert!(!output.exists());
}

#[test]
fn collect_refuses_an_existing_output() {
    let cluster = cluster(&example_snapshot());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "data").unwrap();
    let output = run(ggcore().arg("--kubeconfig").arg(&cluster.kubeconfig).args(["collect", "-o"]).arg(dir.path()));
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(), "data");
}
