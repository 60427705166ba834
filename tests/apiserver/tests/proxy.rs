//! The `proxy` subresource over HTTP: ports by number or name, the pod form without a port,
//! query strings, and the 503 for a backend that is missing or refuses the connection.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;

use ggcore_test_apiserver::TestApiServer;

/// Starts a loopback backend that responds to `count` requests with its own name and the
/// request target, and returns its port.
fn backend(name: &'static str, count: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for _ in 0..count {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream);
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut accept = String::new();
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                if let Some(value) = line.strip_prefix("accept: ").or(line.strip_prefix("Accept: ")) {
                    accept = value.trim().to_string();
                }
                line.clear();
            }
            let target = request_line.split_whitespace().nth(1).unwrap_or("").to_string();
            let body = format!("{name} {target} {accept}");
            let response = format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            reader.get_mut().write_all(response.as_bytes()).unwrap();
        }
    });
    port
}

fn proxied(server: &TestApiServer, path: &str) -> support::Answer {
    support::send(server.address(), "GET", path, Some("text/plain"))
}

#[test]
fn service_port_name_reaches_number_backend() {
    let server = support::example_server();
    let port = backend("metrics", 2);
    server.proxy_to("service", "veritas", "gg-core", 9090, format!("127.0.0.1:{port}").as_str());

    let by_name = proxied(&server, "/api/v1/namespaces/veritas/services/gg-core:metrics/proxy/metrics");
    let by_number = proxied(&server, "/api/v1/namespaces/veritas/services/http:gg-core:9090/proxy/metrics?match=up");

    assert_eq!(by_name.status, 200);
    assert_eq!(by_name.body, "metrics /metrics text/plain");
    assert_eq!(by_number.body, "metrics /metrics?match=up text/plain");
}

#[test]
fn pod_proxy_without_port_uses_port_80() {
    let server = support::example_server();
    let port = backend("pod", 1);
    server.proxy_to("pods", "veritas", "gg-core-canary-58c9f7d6b4-c9d2f", 80, format!("127.0.0.1:{port}").as_str());

    let answer = proxied(&server, "/api/v1/namespaces/veritas/pods/gg-core-canary-58c9f7d6b4-c9d2f/proxy/");

    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "pod / text/plain");
}

#[test]
fn other_port_is_not_forwarded() {
    let server = support::example_server();
    let port = backend("metrics", 1);
    server.proxy_to("service", "veritas", "gg-core", "metrics", format!("127.0.0.1:{port}").as_str());

    let answer = proxied(&server, "/api/v1/namespaces/veritas/services/gg-core:8080/proxy/healthz");

    assert_eq!(answer.status, 503);
    assert_eq!(answer.json()["message"], "error trying to reach service: dial tcp 10.96.14.10:8080: connect: connection refused");
}

#[test]
fn closed_backend_is_connection_refused() {
    let server = support::example_server();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    server.proxy_to("pod", "veritas", "gg-core-canary-58c9f7d6b4-c9d2f", "metrics", format!("127.0.0.1:{port}").as_str());

    let answer = proxied(&server, "/api/v1/namespaces/veritas/pods/gg-core-canary-58c9f7d6b4-c9d2f:9090/proxy/metrics");
    let status = answer.json();

    assert_eq!(answer.status, 503);
    assert_eq!(status["kind"], "Status");
    assert_eq!(status["reason"], "ServiceUnavailable");
    assert_eq!(status["message"], "error trying to reach service: dial tcp 10.42.3.15:9090: connect: connection refused");
}

#[test]
fn proxy_to_missing_service_is_not_found() {
    let server = support::example_server();
    let answer = proxied(&server, "/api/v1/namespaces/veritas/services/gg-core-gone:8080/proxy/");

    assert_eq!(answer.status, 404);
    assert_eq!(answer.json()["message"], "services \"gg-core-gone\" not found");
}

#[test]
#[should_panic(expected = "is not loopback")]
fn backend_off_loopback_is_rejected() {
    let server = support::example_server();
    server.proxy_to("service", "veritas", "gg-core", 8080, "192.0.2.10:8080");
}

#[test]
fn requests_reach_backends_concurrently() {
    let server = support::example_server();
    let port = backend("metrics", 4);
    server.proxy_to("service", "veritas", "gg-core", 9090, format!("127.0.0.1:{port}").as_str());
    let (sender, receiver) = mpsc::channel();
    for _ in 0..4 {
        let sender = sender.clone();
        let address = server.address();
        thread::spawn(move || sender.send(support::send(address, "GET", "/api/v1/namespaces/veritas/services/gg-core:9090/proxy/x", None).status).unwrap());
    }
    drop(sender);

    let statuses: Vec<u16> = receiver.iter().collect();

    assert_eq!(statuses, [200, 200, 200, 200]);
}
