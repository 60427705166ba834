//! Recording, injected failures and delays, and the 405 every write gets.

mod support;

use std::time::{Duration, Instant};

use ggcore_test_apiserver::{Matcher, RecordedRequest};
use serde_json::json;

#[test]
fn requests_are_recorded_with_status() {
    let server = support::example_server();
    support::get(server.address(), "/api/v1/namespaces/veritas/pods?labelSelector=app%3DGG-CORE");
    support::get(server.address(), "/api/v1/namespaces/veritas/pods/gg-core-nope");

    assert_eq!(
        server.requests(),
        [
            RecordedRequest {
                method: "GET".into(),
                path: "/api/v1/namespaces/veritas/pods".into(),
                query: "labelSelector=app%3DGG-CORE".into(),
                status: 200
            },
            RecordedRequest { method: "GET".into(), path: "/api/v1/namespaces/veritas/pods/gg-core-nope".into(), query: String::new(), status: 404 },
        ]
    );
    assert_eq!(server.requests()[0].param("labelSelector").as_deref(), Some("app=GG-CORE"));
    server.clear_requests();
    assert!(server.requests().is_empty());
}

#[test]
fn missing_object_is_not_found_status() {
    let server = support::example_server();
    let answer = support::get(server.address(), "/apis/veritas.ggcore.io/v1alpha1/namespaces/veritas/veritascanaries/nope");

    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.json(),
        json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "veritascanaries.veritas.ggcore.io \"nope\" not found", "reason": "NotFound",
            "details": {"name": "nope", "group": "veritas.ggcore.io", "kind": "veritascanaries"}, "code": 404
        })
    );
}

#[test]
fn forbidden_get_names_verb_resource_namespace() {
    let server = support::example_server();
    server.fail(Matcher::resource("pods/log"), 403);
    let answer = support::get(server.address(), "/api/v1/namespaces/veritas/pods/gg-core-canary-58c9f7d6b4-c9d2f/log");
    let status = answer.json();

    assert_eq!(answer.status, 403);
    assert_eq!(status["reason"], "Forbidden");
    assert_eq!(
        status["message"],
        "pods \"gg-core-canary-58c9f7d6b4-c9d2f\" is forbidden: User \"ggcore-test\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"veritas\""
    );
    assert_eq!(status["details"], json!({"name": "gg-core-canary-58c9f7d6b4-c9d2f", "kind": "pods"}));
}

#[test]
fn forbidden_cluster_list_names_group() {
    let server = support::example_server();
    server.fail(Matcher::resource("servicemonitors"), 403);
    let status = support::get(server.address(), "/apis/monitoring.coreos.com/v1/servicemonitors").json();
    assert_eq!(
        status["message"],
        "servicemonitors.monitoring.coreos.com is forbidden: User \"ggcore-test\" cannot list resource \"servicemonitors\" in API group \"monitoring.coreos.com\" at the cluster scope"
    );
}

#[test]
fn failure_applies_to_matching_namespace_only() {
    let server = support::example_server();
    server.fail(Matcher::resource("pods").namespace("veritas"), 500);

    let failed = support::get(server.address(), "/api/v1/namespaces/veritas/pods");
    let other = support::get(server.address(), "/api/v1/namespaces/monitoring/pods");
    let log = support::get(server.address(), "/api/v1/namespaces/veritas/pods/gg-core-canary-58c9f7d6b4-c9d2f/log");

    assert_eq!(failed.status, 500);
    assert_eq!(failed.json()["reason"], "InternalError");
    assert_eq!(other.status, 200);
    assert_eq!(log.status, 200, "the `pods` matcher does not cover the `pods/log` subresource");
}

#[test]
fn first_n_failures_then_success() {
    let server = support::example_server();
    server.fail(Matcher::resource("services").first(2), 503);

    let statuses: Vec<u16> = (0..4).map(|_| support::get(server.address(), "/api/v1/namespaces/veritas/services").status).collect();

    assert_eq!(statuses, [503, 503, 200, 200]);
}

#[test]
fn path_prefix_fails_discovery() {
    let server = support::example_server();
    server.fail(Matcher::path_prefix("/apis"), 403);

    assert_eq!(support::get(server.address(), "/apis").status, 403);
    assert_eq!(support::get(server.address(), "/api").status, 200);
    assert_eq!(support::get(server.address(), "/apis").json()["message"], "forbidden: User \"ggcore-test\" cannot get path \"/apis\"");
}

#[test]
fn expired_continue_fails_later_pages_only() {
    let server = support::example_server();
    server.fail(Matcher::resource("pods").with_param("continue").first(1), 410);

    let first = support::get(server.address(), "/api/v1/pods?limit=2").json();
    let token = first["metadata"]["continue"].as_str().unwrap().to_string();
    let expired = support::get(server.address(), &format!("/api/v1/pods?limit=2&continue={token}"));
    let retried = support::get(server.address(), &format!("/api/v1/pods?limit=2&continue={token}"));

    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(expired.status, 410);
    assert_eq!(expired.json()["reason"], "Expired");
    assert_eq!(retried.status, 200);
}

#[test]
fn clear_faults_restores_responses() {
    let server = support::example_server();
    server.fail(Matcher::resource("*"), 500);
    assert_eq!(support::get(server.address(), "/version").status, 500);

    server.clear_faults();
    assert_eq!(support::get(server.address(), "/version").status, 200);
}

#[test]
fn delay_holds_first_answer_back() {
    let server = support::example_server();
    let delay = Duration::from_millis(1000);
    server.delay(Matcher::resource("endpoints").first(1), delay);

    let started = Instant::now();
    let delayed = support::get(server.address(), "/api/v1/namespaces/veritas/endpoints");
    let delayed_for = started.elapsed();
    let started = Instant::now();
    let prompt = support::get(server.address(), "/api/v1/namespaces/veritas/endpoints");
    let prompt_for = started.elapsed();

    assert_eq!(delayed.status, 200);
    assert!(delayed_for >= delay, "the first answer came after {delayed_for:?}");
    assert_eq!(prompt.status, 200);
    assert!(prompt_for < delay, "the second answer was delayed too: {prompt_for:?}");
}

#[test]
fn writes_are_method_not_allowed() {
    let server = support::example_server();
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let answer = support::send(server.address(), method, "/api/v1/namespaces/veritas/configmaps/veritas-config-blue", None);
        let status = answer.json();

        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(status["kind"], "Status", "{method}");
        assert_eq!(status["reason"], "MethodNotAllowed", "{method}");
        assert_eq!(status["message"], "the server does not allow this method on the requested resource", "{method}");
    }
    let recorded: Vec<(String, u16)> = server.requests().into_iter().map(|r| (r.method, r.status)).collect();
    assert_eq!(recorded, [("POST".into(), 405), ("PUT".into(), 405), ("PATCH".into(), 405), ("DELETE".into(), 405)]);
}

#[test]
fn writes_leave_objects_unchanged() {
    let server = support::example_server();
    let before = support::get(server.address(), "/api/v1/namespaces/veritas/configmaps/veritas-config-blue").body;
    support::send(server.address(), "DELETE", "/api/v1/namespaces/veritas/configmaps/veritas-config-blue", None);
    let after = support::get(server.address(), "/api/v1/namespaces/veritas/configmaps/veritas-config-blue");

    assert_eq!(after.status, 200);
    assert_eq!(after.body, before);
}
