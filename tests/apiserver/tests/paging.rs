//! Lists over HTTP: `<Kind>List` shape, `limit` and `continue` (every item exactly once, in a
//! stable order), selectors, and the `Table` and metadata representations.

mod support;

use std::collections::BTreeSet;

use ggcore_test_apiserver::{Fixtures, TestApiServer, encode_continue};
use serde_json::{Value, json};

/// Starts a server with `count` ConfigMaps spread over three namespaces, named so that etcd's
/// key order differs from a (namespace, name) tuple order.
fn configmap_server(count: usize) -> TestApiServer {
    let mut fixtures = Fixtures::new();
    for index in 0..count {
        let namespace = ["a", "a-b", "b"][index % 3];
        fixtures.add_object(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("cm-{index:03}"), "namespace": namespace, "labels": {"parity": if index % 2 == 0 { "even" } else { "odd" }}},
            "data": {"index": index.to_string()}
        }));
    }
    TestApiServer::start(fixtures).unwrap()
}

/// Follows `continue` tokens until the last page and returns every item name, page sizes and
/// the number of requests.
fn read_all_pages(server: &TestApiServer, path: &str, limit: usize) -> (Vec<String>, Vec<usize>) {
    let mut names = Vec::new();
    let mut sizes = Vec::new();
    let mut token = String::new();
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{path}{separator}limit={limit}");
        if !token.is_empty() {
            url.push_str(&format!("&continue={token}"));
        }
        let answer = support::get(server.address(), &url);
        assert_eq!(answer.status, 200, "{}", answer.body);
        let list = answer.json();
        let items = list["items"].as_array().unwrap();
        sizes.push(items.len());
        names.extend(items.iter().map(|i| format!("{}/{}", i["metadata"]["namespace"].as_str().unwrap(), i["metadata"]["name"].as_str().unwrap())));
        match list["metadata"]["continue"].as_str() {
            Some(next) => token = next.to_string(),
            None => return (names, sizes),
        }
        assert!(sizes.len() < 100, "paging does not end");
    }
}

#[test]
fn pages_return_every_item_once() {
    let server = configmap_server(23);
    let (names, sizes) = read_all_pages(&server, "/api/v1/configmaps", 5);

    assert_eq!(sizes, [5, 5, 5, 5, 3]);
    assert_eq!(names.len(), 23);
    assert_eq!(names.iter().collect::<BTreeSet<_>>().len(), 23, "an item came twice: {names:?}");
}

#[test]
fn pages_follow_etcd_key_order() {
    let server = configmap_server(6);
    let (names, _) = read_all_pages(&server, "/api/v1/configmaps", 4);
    // `-` sorts before `/`, so namespace `a-b` comes before `a`, as in etcd.
    assert_eq!(names, ["a-b/cm-001", "a-b/cm-004", "a/cm-000", "a/cm-003", "b/cm-002", "b/cm-005"]);
}

#[test]
fn paging_with_selector_returns_matches_once() {
    let server = configmap_server(23);
    let (names, _) = read_all_pages(&server, "/api/v1/configmaps?labelSelector=parity%3Dodd", 4);
    let expected: BTreeSet<String> = (0..23).filter(|i| i % 2 == 1).map(|i| format!("{}/cm-{i:03}", ["a", "a-b", "b"][i % 3])).collect();

    assert_eq!(names.len(), expected.len());
    assert_eq!(names.into_iter().collect::<BTreeSet<_>>(), expected);
}

#[test]
fn namespaced_pages_stay_in_namespace() {
    let server = configmap_server(23);
    let (names, _) = read_all_pages(&server, "/api/v1/namespaces/a-b/configmaps", 2);
    assert_eq!(names, ["a-b/cm-001", "a-b/cm-004", "a-b/cm-007", "a-b/cm-010", "a-b/cm-013", "a-b/cm-016", "a-b/cm-019", "a-b/cm-022"]);
}

#[test]
fn first_page_counts_remaining_items() {
    let server = configmap_server(10);
    let list = support::get(server.address(), "/api/v1/configmaps?limit=4").json();
    assert_eq!(list["metadata"]["remainingItemCount"], 6);
    assert!(list["metadata"]["resourceVersion"].is_string());
}

#[test]
fn list_has_kind_and_typed_items() {
    let server = support::example_server();
    let list = support::get(server.address(), "/apis/apps/v1/namespaces/veritas/deployments").json();

    assert_eq!(list["kind"], "DeploymentList");
    assert_eq!(list["apiVersion"], "apps/v1");
    assert_eq!(list["items"][0]["kind"], "Deployment");
    assert_eq!(list["items"][0]["apiVersion"], "apps/v1");
    assert_eq!(list["items"].as_array().unwrap().len(), 4);
}

#[test]
fn forged_continue_token_is_rejected() {
    let server = configmap_server(3);
    let answer = support::get(server.address(), "/api/v1/configmaps?limit=1&continue=not-a-token");
    let status = answer.json();

    assert_eq!(answer.status, 400);
    assert_eq!(status["kind"], "Status");
    assert_eq!(status["reason"], "BadRequest");
}

#[test]
fn continue_token_starts_after_its_key() {
    let server = configmap_server(6);
    let token = encode_continue("a-b/cm-001", 1);
    let list = support::get(server.address(), &format!("/api/v1/configmaps?continue={token}")).json();
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|i| i["metadata"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["cm-004", "cm-000", "cm-003", "cm-002", "cm-005"]);
}

#[test]
fn table_rows_carry_partial_metadata() {
    let server = support::example_server();
    let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    let answer = support::send(server.address(), "GET", "/api/v1/namespaces/veritas/services", Some(accept));
    let table = answer.json();

    assert_eq!(answer.header("content-type"), Some("application/json;as=Table;v=v1;g=meta.k8s.io"));
    assert_eq!(table["kind"], "Table");
    let headers: Vec<&str> = table["columnDefinitions"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(headers, ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"]);
    assert_eq!(table["rows"][0]["cells"], json!(["gg-core", "ClusterIP", "10.96.14.10", "<none>", "8080/TCP,9090/TCP", "90d", "app=GG-CORE,deployment=stable,environment=blue"]));
    assert_eq!(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
    assert_eq!(table["rows"][0]["object"]["metadata"]["namespace"], "veritas");
}

#[test]
fn metadata_list_holds_only_metadata() {
    let server = support::example_server();
    let accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
    let list: Value = support::send(server.address(), "GET", "/api/v1/namespaces/veritas/configmaps", Some(accept)).json();

    assert_eq!(list["kind"], "PartialObjectMetadataList");
    assert_eq!(list["items"][0]["kind"], "PartialObjectMetadata");
    assert!(list["items"][0]["data"].is_null());
    assert!(list["items"][0]["metadata"]["name"].is_string());
}
