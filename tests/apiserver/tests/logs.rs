//! `pods/<name>/log` over HTTP: container choice, `previous`, `tailLines`, `limitBytes`, and
//! the 400s the API server gives for an ambiguous, unknown or waiting container.

mod support;

use ggcore_test_apiserver::{Fixtures, TestApiServer};

/// Starts a server with a two-container pod (`app` runs, `sidecar` crashed once) and a pod
/// whose only container waits for its image.
fn server() -> TestApiServer {
    let mut fixtures = Fixtures::new();
    fixtures
        .add_yaml(
            r#"
apiVersion: v1
kind: Pod
metadata: {name: two, namespace: veritas}
spec:
  containers: [{name: app, image: app:1}, {name: sidecar, image: sidecar:1}]
status:
  containerStatuses:
  - {name: app, ready: true, restartCount: 0, state: {running: {startedAt: '2026-12-04T10:00:00Z'}}}
  - name: sidecar
    ready: false
    restartCount: 1
    state: {waiting: {reason: CrashLoopBackOff}}
    lastState: {terminated: {exitCode: 1, reason: Error, finishedAt: '2026-12-04T10:20:00Z'}}
---
apiVersion: v1
kind: Pod
metadata: {name: pulling, namespace: veritas}
spec:
  containers: [{name: app, image: app:missing}]
status:
  containerStatuses:
  - {name: app, ready: false, restartCount: 0, state: {waiting: {reason: ImagePullBackOff}}}
"#,
        )
        .unwrap();
    fixtures.add_log("veritas", "two", "app", false, "one\ntwo\nthree\n");
    fixtures.add_log("veritas", "two", "sidecar", true, "sidecar failed: config missing\n");
    TestApiServer::start(fixtures).unwrap()
}

fn log(server: &TestApiServer, query: &str) -> support::Answer {
    support::send(server.address(), "GET", &format!("/api/v1/namespaces/veritas/pods/{query}"), None)
}

#[test]
fn named_container_log_is_plain_text() {
    let server = server();
    let answer = log(&server, "two/log?container=app");

    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("text/plain"));
    assert_eq!(answer.body, "one\ntwo\nthree\n");
}

#[test]
fn tail_lines_keeps_last_lines() {
    let server = server();
    assert_eq!(log(&server, "two/log?container=app&tailLines=2").body, "two\nthree\n");
}

#[test]
fn limit_bytes_cuts_log() {
    let server = server();
    assert_eq!(log(&server, "two/log?container=app&limitBytes=6").body, "one\ntw");
}

#[test]
fn ambiguous_container_is_bad_request() {
    let server = server();
    let answer = log(&server, "two/log");

    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["message"], "a container name must be specified for pod two, choose one of: [app sidecar]");
}

#[test]
fn unknown_container_is_bad_request() {
    let server = server();
    let answer = log(&server, "two/log?container=proxy");

    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["message"], "container proxy is not valid for pod two");
}

#[test]
fn crash_looping_container_shows_last_run() {
    let server = server();
    assert_eq!(log(&server, "two/log?container=sidecar").body, "sidecar failed: config missing\n");
    assert_eq!(log(&server, "two/log?container=sidecar&previous=true").body, "sidecar failed: config missing\n");
}

#[test]
fn running_container_without_previous_is_bad_request() {
    let server = server();
    let answer = log(&server, "two/log?container=app&previous=true");

    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["message"], "previous terminated container \"app\" in pod \"two\" not found");
}

#[test]
fn waiting_container_has_no_log() {
    let server = server();
    let answer = log(&server, "pulling/log");

    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["message"], "container \"app\" in pod \"pulling\" is waiting to start: trying and failing to pull image");
}

#[test]
fn log_of_missing_pod_is_not_found() {
    let server = server();
    let answer = log(&server, "gone/log");

    assert_eq!(answer.status, 404);
    assert_eq!(answer.json()["message"], "pods \"gone\" not found");
}
