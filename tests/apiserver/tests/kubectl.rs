//! The real `kubectl` against the server: each test runs a kubectl command with a kubeconfig
//! the server wrote and checks what kubectl prints, so that the server cannot drift from the
//! protocol kubectl speaks. kubectl must be on `PATH` (`scripts/test.sh` installs Debian's
//! `kubernetes-client` when it is missing).

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::mpsc;
use std::thread;

use ggcore_test_apiserver::{Matcher, TestApiServer};
use serde_json::Value;
use tempfile::TempDir;

/// A server with a kubeconfig and a kubectl cache of its own.
struct Cluster {
    server: TestApiServer,
    dir: TempDir,
}

impl Cluster {
    fn start() -> Cluster {
        let server = support::example_server();
        let dir = tempfile::tempdir().unwrap();
        server.write_kubeconfig(dir.path().join("kubeconfig"), "veritas-test").unwrap();
        Cluster { server, dir }
    }

    /// Runs kubectl with the server's kubeconfig and a fresh discovery cache.
    fn kubectl(&self, args: &[&str]) -> Output {
        let kubeconfig: PathBuf = self.dir.path().join("kubeconfig");
        Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .arg("--cache-dir")
            .arg(self.dir.path().join("cache"))
            .args(args)
            .env_remove("KUBECONFIG")
            .output()
            .expect("kubectl runs: install Debian's `kubernetes-client` (scripts/test.sh does)")
    }

    /// Runs kubectl, expects success and returns stdout.
    fn stdout(&self, args: &[&str]) -> String {
        let output = self.kubectl(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "kubectl {args:?} failed: {stderr}");
        assert!(!stderr.contains("couldn't get"), "kubectl {args:?} complained: {stderr}");
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs kubectl, expects failure and returns stderr.
    fn stderr(&self, args: &[&str]) -> String {
        let output = self.kubectl(args);
        assert!(!output.status.success(), "kubectl {args:?} succeeded: {}", String::from_utf8_lossy(&output.stdout));
        String::from_utf8(output.stderr).unwrap()
    }
}

/// Splits table output into rows of cells (cells are separated by two or more spaces).
fn rows(output: &str) -> Vec<Vec<String>> {
    output
        .lines()
        .map(|line| line.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect())
        .collect()
}

#[test]
fn get_pods_prints_server_table() {
    let cluster = Cluster::start();
    let output = cluster.stdout(&["get", "pods", "-n", "veritas"]);
    let rows = rows(&output);

    assert_eq!(rows[0], ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    assert_eq!(rows.len(), 7, "{output}");
    assert!(rows.contains(&vec!["gg-core-green-7b5d4c9f86-r5m8t".into(), "0/1".into(), "CrashLoopBackOff".into(), "9 (4m ago)".into(), "50m".into()]), "{output}");
    assert!(rows.contains(&vec!["gg-core-canary-58c9f7d6b4-c9d2f".into(), "1/1".into(), "Running".into(), "0".into(), "33m".into()]), "{output}");
}

#[test]
fn get_custom_resources_in_all_namespaces() {
    let cluster = Cluster::start();
    let output = cluster.stdout(&["get", "veritascanaries", "-A"]);
    let rows = rows(&output);

    assert_eq!(rows[0], ["NAMESPACE", "NAME", "PHASE", "WEIGHT", "SUCCESSES", "AGE"]);
    assert_eq!(rows[1], ["veritas", "gg-core", "Progressing", "20", "1", "120d"]);
    assert_eq!(rows.len(), 2, "{output}");
}

#[test]
fn get_custom_resources_as_json() {
    let cluster = Cluster::start();
    let output = cluster.stdout(&["get", "veritascanaries", "-A", "-o", "json"]);
    let list: Value = serde_json::from_str(&output).unwrap();

    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"][0]["kind"], "VeritasCanary");
    assert_eq!(list["items"][0]["apiVersion"], "veritas.ggcore.io/v1alpha1");
    assert_eq!(list["items"][0]["spec"]["trafficWeight"], 20);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[test]
fn short_name_resolves_custom_kind() {
    let cluster = Cluster::start();
    let output = cluster.stdout(&["get", "vcanary", "gg-core", "-n", "veritas", "-o", "name"]);
    assert_eq!(output, "veritascanary.veritas.ggcore.io/gg-core\n");
}

#[test]
fn label_selector_names_canary_pod() {
    let cluster = Cluster::start();
    let output = cluster.stdout(&["get", "pods", "-n", "veritas", "-l", "deployment=canary", "-o", "name"]);
    assert_eq!(output, "pod/gg-core-canary-58c9f7d6b4-c9d2f\n");
}

#[test]
fn set_based_selector_excludes_values() {
    let cluster = Cluster::start();
    let output = cluster.stdout(&["get", "pods", "-n", "veritas", "-l", "app=GG-CORE,environment notin (green),deployment!=canary", "-o", "name"]);
    assert_eq!(output, "pod/gg-core-blue-6f7c9d8b54-h2x9p\npod/gg-core-blue-6f7c9d8b54-k7q4z\n");
}

#[test]
fn get_endpoints_as_yaml() {
    let cluster = Cluster::start();
    let output = cluster.stdout(&["get", "endpoints", "gg-core", "-n", "veritas", "-o", "yaml"]);

    assert!(output.starts_with("apiVersion: v1\nkind: Endpoints\n"), "{output}");
    assert!(output.contains("  name: gg-core\n"), "{output}");
    assert!(output.contains("- ip: 10.42.1.17\n"), "{output}");
    assert!(output.contains("name: gg-core-blue-6f7c9d8b54-h2x9p"), "{output}");
}

#[test]
fn field_selector_filters_events_by_object() {
    let cluster = Cluster::start();
    let selector = "involvedObject.kind=Pod,involvedObject.name=gg-core-green-7b5d4c9f86-r5m8t,type=Warning";
    let output = cluster.stdout(&["get", "events", "-n", "veritas", "--field-selector", selector, "-o", "json"]);
    let list: Value = serde_json::from_str(&output).unwrap();
    let reasons: Vec<&str> = list["items"].as_array().unwrap().iter().map(|e| e["reason"].as_str().unwrap()).collect();

    assert_eq!(reasons, ["BackOff"]);
}

#[test]
fn unsupported_field_selector_is_rejected() {
    let cluster = Cluster::start();
    let stderr = cluster.stderr(&["get", "pods", "-n", "veritas", "--field-selector", "spec.foo=bar"]);
    assert!(stderr.contains("Error from server (BadRequest)"), "{stderr}");
    assert!(stderr.contains("field label not supported: spec.foo"), "{stderr}");
}

#[test]
fn logs_of_canary_container() {
    let cluster = Cluster::start();
    let output = cluster.stdout(&["logs", "gg-core-canary-58c9f7d6b4-c9d2f", "-n", "veritas"]);

    assert!(output.starts_with("2026-12-04T09:58:02Z INFO runtime 1.9.0 starting"), "{output}");
    assert!(output.contains("ERROR E4001 INFERENCE_FAILED request=9f3c2a"), "{output}");
    assert!(output.contains("WARN E4003 CONTEXT_OVERFLOW request=b2d914"), "{output}");
}

#[test]
fn previous_logs_of_crashed_container() {
    let cluster = Cluster::start();
    let output = cluster.stdout(&["logs", "gg-core-green-7b5d4c9f86-r5m8t", "-n", "veritas", "--previous", "--tail", "2"]);
    assert_eq!(
        output,
        "2026-12-04T10:25:40Z INFO loaded shard 4/6 (resident 21.9 GiB)\n2026-12-04T10:25:52Z INFO loading shard 5/6\n"
    );
}

#[test]
fn previous_logs_missing_is_bad_request() {
    let cluster = Cluster::start();
    let stderr = cluster.stderr(&["logs", "gg-core-canary-58c9f7d6b4-c9d2f", "-n", "veritas", "--previous"]);
    assert!(
        stderr.contains("previous terminated container \"gg-core\" in pod \"gg-core-canary-58c9f7d6b4-c9d2f\" not found"),
        "{stderr}"
    );
}

/// Starts a loopback HTTP backend that responds to one request with `body` and sends the
/// request line it received over the channel.
fn one_shot_backend(body: &'static str) -> (u16, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 2 {
            line.clear();
        }
        let response = format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        reader.get_mut().write_all(response.as_bytes()).unwrap();
        sender.send(request_line.trim_end().to_string()).unwrap();
    });
    (port, receiver)
}

#[test]
fn raw_proxy_reaches_loopback_backend() {
    let cluster = Cluster::start();
    let (port, received) = one_shot_backend("gg_core_requests_total 42\n");
    cluster.server.proxy_to("service", "veritas", "gg-core", 9090, format!("127.0.0.1:{port}").as_str());

    let output = cluster.stdout(&["get", "--raw", "/api/v1/namespaces/veritas/services/gg-core:metrics/proxy/metrics?name=x"]);

    assert_eq!(output, "gg_core_requests_total 42\n");
    assert_eq!(received.recv().unwrap(), "GET /metrics?name=x HTTP/1.1");
}

#[test]
fn unregistered_proxy_backend_is_refused() {
    let cluster = Cluster::start();
    let stderr = cluster.stderr(&["get", "--raw", "/api/v1/namespaces/veritas/pods/gg-core-canary-58c9f7d6b4-c9d2f:9090/proxy/metrics"]);
    assert!(
        stderr.contains("Error from server (ServiceUnavailable): error trying to reach service: dial tcp 10.42.3.15:9090: connect: connection refused"),
        "{stderr}"
    );
}

#[test]
fn missing_pod_is_not_found() {
    let cluster = Cluster::start();
    let stderr = cluster.stderr(&["get", "pod", "gg-core-nope", "-n", "veritas"]);
    assert!(stderr.contains("Error from server (NotFound): pods \"gg-core-nope\" not found"), "{stderr}");
}

#[test]
fn delete_is_method_not_allowed() {
    let cluster = Cluster::start();
    let stderr = cluster.stderr(&["delete", "pod", "gg-core-blue-6f7c9d8b54-h2x9p", "-n", "veritas"]);
    assert!(stderr.contains("Error from server (MethodNotAllowed)"), "{stderr}");
}

#[test]
fn injected_forbidden_reads_like_rbac() {
    let cluster = Cluster::start();
    cluster.server.fail(Matcher::resource("pods").namespace("veritas"), 403);

    let stderr = cluster.stderr(&["get", "pods", "-n", "veritas"]);

    assert!(
        stderr.contains(
            "Error from server (Forbidden): pods is forbidden: User \"ggcore-test\" cannot list resource \"pods\" in API group \"\" in the namespace \"veritas\""
        ),
        "{stderr}"
    );
}

#[test]
fn chunked_get_pages_through_pods() {
    let cluster = Cluster::start();
    let output = cluster.stdout(&["get", "pods", "-A", "--chunk-size=2", "-o", "name"]);
    let requests = cluster.server.requests();
    let pages = requests.iter().filter(|r| r.path == "/api/v1/pods").count();

    let names: Vec<&str> = output.lines().collect();
    assert_eq!(
        names,
        [
            "pod/prometheus-k8s-0",
            "pod/gg-core-blue-6f7c9d8b54-h2x9p",
            "pod/gg-core-blue-6f7c9d8b54-k7q4z",
            "pod/gg-core-canary-58c9f7d6b4-c9d2f",
            "pod/gg-core-green-7b5d4c9f86-r5m8t",
            "pod/gg-core-green-7b5d4c9f86-w3n6v",
            "pod/veritas-controller-6d8b7c5f9d-q8w2n",
        ]
    );
    assert_eq!(pages, 4);
    assert!(requests.iter().any(|r| r.path == "/api/v1/pods" && r.query.contains("continue=")));
}

#[test]
fn api_resources_lists_custom_kinds() {
    let cluster = Cluster::start();
    let output = cluster.stdout(&["api-resources", "--api-group=veritas.ggcore.io"]);
    let rows = rows(&output);

    assert_eq!(rows[0], ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]);
    assert!(rows.contains(&vec!["veritascanaries".into(), "vcanary".into(), "veritas.ggcore.io/v1alpha1".into(), "true".into(), "VeritasCanary".into()]));
    assert!(rows.contains(&vec!["veritasenvironments".into(), "venv".into(), "veritas.ggcore.io/v1alpha1".into(), "true".into(), "VeritasEnvironment".into()]));
}
