//! Fixture loading: the repository's example snapshot and handed cases load, and the server
//! serves what they hold.

mod support;

use ggcore_test_apiserver::{Fixtures, TestApiServer};
use serde_json::Value;

#[test]
fn example_snapshot_loads_objects_and_logs() {
    let fixtures = Fixtures::from_path(support::repository().join("examples/veritas-snapshot")).unwrap();
    let kinds: std::collections::BTreeSet<&str> = fixtures.objects().iter().filter_map(|o| o["kind"].as_str()).collect();

    assert_eq!(fixtures.objects().len(), 38);
    assert_eq!(fixtures.log_count(), 3);
    assert!(kinds.contains("VeritasCanary"), "{kinds:?}");
    assert!(kinds.contains("ServiceMonitor"), "{kinds:?}");
    assert!(kinds.contains("EndpointSlice"), "{kinds:?}");
    assert!(fixtures.skipped().is_empty(), "{:?}", fixtures.skipped());
}

#[test]
fn every_case_loads_and_serves_pods() {
    let cases = std::fs::read_dir(support::repository().join("tests/cases")).unwrap();
    let mut loaded = 0;
    for case in cases {
        let folder = case.unwrap().path();
        let objects = folder.join("objects.yaml");
        if !objects.exists() {
            continue;
        }
        let fixtures = Fixtures::from_path(&objects).unwrap_or_else(|e| panic!("{e}"));
        let pods = fixtures.objects().iter().filter(|o| o["kind"] == "Pod").count();
        let server = TestApiServer::start(fixtures).unwrap();

        let list: Value = support::get(server.address(), "/api/v1/pods").json();
        assert_eq!(list["kind"], "PodList", "{}", folder.display());
        assert_eq!(list["items"].as_array().unwrap().len(), pods, "{}", folder.display());
        loaded += 1;
    }
    assert_eq!(loaded, 6);
}

#[test]
fn typed_list_json_file_loads() {
    let dir = tempfile::tempdir().unwrap();
    let list = r#"{"apiVersion": "v1", "kind": "PodList", "items": [
        {"metadata": {"name": "a", "namespace": "veritas"}},
        {"metadata": {"name": "b", "namespace": "veritas"}}]}"#;
    std::fs::write(dir.path().join("pods.json"), list).unwrap();
    std::fs::create_dir_all(dir.path().join("logs/veritas/a")).unwrap();
    std::fs::write(dir.path().join("logs/veritas/a/main.log"), "hello\n").unwrap();

    let fixtures = Fixtures::from_path(dir.path()).unwrap();

    assert_eq!(fixtures.objects().len(), 2);
    assert_eq!(fixtures.objects()[1]["kind"], "Pod");
    assert_eq!(fixtures.log_count(), 1);
}

#[test]
fn broken_yaml_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.yaml"), "kind: Pod\nmetadata:\n  name: [unclosed\n").unwrap();
    let error = Fixtures::from_path(dir.path()).unwrap_err();
    assert!(error.to_string().starts_with(&format!("reading fixture `{}", dir.path().join("bad.yaml").display())), "{error}");
}

#[test]
fn namespaced_object_without_namespace_goes_to_default() {
    let mut fixtures = Fixtures::new();
    fixtures.add_yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n").unwrap();
    fixtures.add_yaml("apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\n").unwrap();
    let server = TestApiServer::start(fixtures).unwrap();

    let configmap = support::get(server.address(), "/api/v1/namespaces/default/configmaps/settings");
    let node = support::get(server.address(), "/api/v1/nodes/node-a").json();

    assert_eq!(configmap.status, 200);
    assert_eq!(configmap.json()["metadata"]["namespace"], "default");
    assert!(node["metadata"]["namespace"].is_null());
}

#[test]
fn kind_without_objects_or_crd_is_not_served() {
    let server = TestApiServer::start(Fixtures::new()).unwrap();
    assert_eq!(support::get(server.address(), "/apis/veritas.ggcore.io/v1alpha1/veritascanaries").status, 404);
    assert_eq!(support::get(server.address(), "/api/v1/secrets").status, 200);
}
