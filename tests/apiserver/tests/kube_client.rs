//! kube-rs 5, the plugin's client, against the server: discovery (aggregated and legacy),
//! typed and dynamic lists, paging, get errors, logs, watch and the proxy, so that what the
//! plugin's live mode reads parses as it would from a cluster.

mod support;

use futures_util::{StreamExt, TryStreamExt};
use ggcore_test_apiserver::{Matcher, TestApiServer};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DynamicObject, ListParams, LogParams, WatchEvent, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::GroupVersionKind;
use kube::discovery::{Discovery, Scope};
use kube::{Client, Config};

async fn client(server: &TestApiServer) -> Client {
    let kubeconfig = Kubeconfig::from_yaml(&server.kubeconfig("kube-rs")).unwrap();
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await.unwrap();
    Client::try_from(config).unwrap()
}

fn api_error(error: kube::Error) -> Box<kube::core::Status> {
    match error {
        kube::Error::Api(status) => status,
        other => panic!("expected an API error, found {other:?}"),
    }
}

#[tokio::test]
async fn aggregated_discovery_resolves_custom_kinds() {
    let server = support::example_server();
    let discovery = Discovery::new(client(&server).await).run_aggregated().await.unwrap();

    let canary = GroupVersionKind::gvk("veritas.ggcore.io", "v1alpha1", "VeritasCanary");
    let (resource, capabilities) = discovery.resolve_gvk(&canary).expect("VeritasCanary is discovered");
    assert_eq!(resource.plural, "veritascanaries");
    assert_eq!(capabilities.scope, Scope::Namespaced);

    let monitor = GroupVersionKind::gvk("monitoring.coreos.com", "v1", "ServiceMonitor");
    let (resource, _) = discovery.resolve_gvk(&monitor).expect("ServiceMonitor is discovered");
    assert_eq!(resource.plural, "servicemonitors");

    let node = GroupVersionKind::gvk("", "v1", "Node");
    let (_, capabilities) = discovery.resolve_gvk(&node).expect("Node is discovered");
    assert_eq!(capabilities.scope, Scope::Cluster);
}

#[tokio::test]
async fn legacy_discovery_resolves_custom_kinds() {
    let server = support::example_server();
    let discovery = Discovery::new(client(&server).await).run().await.unwrap();

    let environment = GroupVersionKind::gvk("veritas.ggcore.io", "v1alpha1", "VeritasEnvironment");
    let (resource, capabilities) = discovery.resolve_gvk(&environment).expect("VeritasEnvironment is discovered");
    assert_eq!(resource.plural, "veritasenvironments");
    assert_eq!(capabilities.scope, Scope::Namespaced);
}

#[tokio::test]
async fn typed_list_applies_label_selector() {
    let server = support::example_server();
    let pods: Api<Pod> = Api::namespaced(client(&server).await, "veritas");

    let list = pods.list(&ListParams::default().labels("deployment=canary")).await.unwrap();

    let names: Vec<String> = list.items.iter().map(|p| p.metadata.name.clone().unwrap()).collect();
    assert_eq!(names, ["gg-core-canary-58c9f7d6b4-c9d2f"]);
    assert!(list.metadata.resource_version.is_some());
}

#[tokio::test]
async fn typed_list_pages_with_continue() {
    let server = support::example_server();
    let pods: Api<Pod> = Api::all(client(&server).await);

    let mut names = Vec::new();
    let mut params = ListParams::default().limit(3);
    loop {
        let page = pods.list(&params).await.unwrap();
        names.extend(page.items.iter().map(|p| p.metadata.name.clone().unwrap()));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = ListParams::default().limit(3).continue_token(&token),
            None => break,
        }
    }

    assert_eq!(names.len(), 7);
    assert_eq!(names[0], "prometheus-k8s-0");
}

#[tokio::test]
async fn dynamic_list_reads_custom_resources() {
    let server = support::example_server();
    let client = client(&server).await;
    let discovery = Discovery::new(client.clone()).run_aggregated().await.unwrap();
    let (resource, _) = discovery.resolve_gvk(&GroupVersionKind::gvk("veritas.ggcore.io", "v1alpha1", "VeritasCanary")).unwrap();
    let canaries: Api<DynamicObject> = Api::namespaced_with(client, "veritas", &resource);

    let list = canaries.list(&ListParams::default()).await.unwrap();

    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].types.as_ref().unwrap().kind, "VeritasCanary");
    assert_eq!(list.items[0].data["spec"]["trafficWeight"], 20);
}

#[tokio::test]
async fn missing_pod_is_api_not_found() {
    let server = support::example_server();
    let pods: Api<Pod> = Api::namespaced(client(&server).await, "veritas");

    let status = api_error(pods.get("gg-core-nope").await.unwrap_err());

    assert_eq!(status.code, 404);
    assert_eq!(status.reason, "NotFound");
    assert_eq!(status.message, "pods \"gg-core-nope\" not found");
}

#[tokio::test]
async fn injected_forbidden_is_api_forbidden() {
    let server = support::example_server();
    server.fail(Matcher::resource("configmaps").namespace("veritas"), 403);
    let configmaps: Api<k8s_openapi::api::core::v1::ConfigMap> = Api::namespaced(client(&server).await, "veritas");

    let status = api_error(configmaps.list(&ListParams::default()).await.unwrap_err());

    assert_eq!(status.code, 403);
    assert_eq!(status.reason, "Forbidden");
    assert_eq!(
        status.message,
        "configmaps is forbidden: User \"ggcore-test\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"veritas\""
    );
}

#[tokio::test]
async fn previous_log_tail_reads_last_line() {
    let server = support::example_server();
    let pods: Api<Pod> = Api::namespaced(client(&server).await, "veritas");
    let params = LogParams { container: Some("gg-core".into()), previous: true, tail_lines: Some(1), ..LogParams::default() };

    let log = pods.logs("gg-core-green-7b5d4c9f86-w3n6v", &params).await.unwrap();

    assert_eq!(log.lines().count(), 1);
    assert!(log.contains("INFO loading shard"), "{log}");
}

#[tokio::test]
async fn watch_replays_objects_then_ends() {
    let server = support::example_server();
    let pods: Api<Pod> = Api::namespaced(client(&server).await, "veritas");

    let events: Vec<WatchEvent<Pod>> = pods.watch(&WatchParams::default().timeout(1), "0").await.unwrap().try_collect().await.unwrap();

    let added = events.iter().filter(|e| matches!(e, WatchEvent::Added(_))).count();
    assert_eq!(added, 6);
    assert_eq!(events.len(), 6);
}

#[tokio::test]
async fn watch_from_list_version_sends_nothing() {
    let server = support::example_server();
    let pods: Api<Pod> = Api::namespaced(client(&server).await, "veritas");
    let version = pods.list(&ListParams::default()).await.unwrap().metadata.resource_version.unwrap();

    let mut stream = pods.watch(&WatchParams::default().timeout(1), &version).await.unwrap().boxed();

    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn proxy_request_reaches_backend() {
    let server = support::example_server();
    let backend = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = backend.local_addr().unwrap().port();
    server.proxy_to("pod", "veritas", "gg-core-canary-58c9f7d6b4-c9d2f", "http", format!("127.0.0.1:{port}").as_str());
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut stream, _) = backend.accept().await.unwrap();
        let mut buffer = [0u8; 1024];
        let _ = stream.read(&mut buffer).await.unwrap();
        stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok").await.unwrap();
    });
    let client = client(&server).await;

    let request = http::Request::get("/api/v1/namespaces/veritas/pods/gg-core-canary-58c9f7d6b4-c9d2f:8080/proxy/healthz").body(Vec::new()).unwrap();
    let text = client.request_text(request).await.unwrap();

    assert_eq!(text, "ok");
}
