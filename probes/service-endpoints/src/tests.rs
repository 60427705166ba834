use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::Fixture;

use super::*;

/// A pod with labels (flow map), IP, readiness and container ports (`name:number` pairs).
fn pod(name: &str, labels: &str, ip: &str, ready: bool, ports: &[(&str, i64)]) -> String {
    let ports: Vec<String> = ports.iter().map(|(n, p)| format!("{{name: {n}, containerPort: {p}}}")).collect();
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: veritas, labels: {labels}}}\nspec:\n  containers:\n  - name: gg-core\n    ports: [{}]\nstatus:\n  phase: Running\n  podIP: {ip}\n  conditions: [{{type: Ready, status: '{}'}}]\n",
        ports.join(", "),
        if ready { "True" } else { "False" }
    )
}

fn service(name: &str, selector: &str, target: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: veritas, labels: {{app: GG-CORE}}}}\nspec:\n  selector: {selector}\n  ports:\n  - {{name: http, port: 8080, targetPort: {target}}}\n"
    )
}

/// An Endpoints object with ready addresses on port `http`.
fn endpoints(name: &str, ready: &[&str], port: i64) -> String {
    let addresses: Vec<String> = ready.iter().map(|ip| format!("{{ip: {ip}}}")).collect();
    format!(
        "---\napiVersion: v1\nkind: Endpoints\nmetadata: {{name: {name}, namespace: veritas}}\nsubsets:\n- addresses: [{}]\n  ports: [{{name: http, port: {port}}}]\n",
        addresses.join(", ")
    )
}

fn canary(phase: &str, weight: i64) -> String {
    format!(
        "---\napiVersion: veritas.ggcore.io/v1alpha1\nkind: VeritasCanary\nmetadata: {{name: gg-core, namespace: veritas}}\nspec: {{trafficWeight: {weight}}}\nstatus: {{phase: {phase}}}\n"
    )
}

const STABLE: &str = "{app: GG-CORE, deployment: stable}";
const CANARY_LABELS: &str = "{app: GG-CORE, deployment: canary}";

#[test]
fn named_target_port_with_different_numbers_is_healthy() {
    let findings = Fixture::yaml(&[
        service("gg-core", STABLE, "serving"),
        service("gg-core-canary", CANARY_LABELS, "serving"),
        pod("stable-a", STABLE, "10.0.0.1", true, &[("serving", 8000)]),
        pod("canary-a", CANARY_LABELS, "10.0.0.2", true, &[("serving", 8001)]),
        endpoints("gg-core", &["10.0.0.1"], 8000),
        endpoints("gg-core-canary", &["10.0.0.2"], 8001),
        canary("Progressing", 10),
    ]
    .concat())
    .run::<ServiceEndpoints>();
    findings.assert_healthy();
    findings.assert_reported(Outcome::Pass, DNS, ENDPOINTS_STALE);
    findings.assert_reported(Outcome::Pass, CANARY, SELECTOR_MISMATCH);
}

#[test]
fn renamed_container_port_leaves_service_port_empty() {
    let findings = Fixture::yaml(&[
        service("gg-core", STABLE, "http"),
        pod("stable-a", STABLE, "10.0.0.1", true, &[("api", 8080)]),
        pod("stable-b", STABLE, "10.0.0.3", true, &[("api", 8080)]),
        "---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: gg-core, namespace: veritas}\nsubsets: []\n".to_string(),
    ]
    .concat())
    .run::<ServiceEndpoints>();
    let finding = findings.assert_reported(Outcome::Fail, DNS, ENDPOINTS_STALE);
    assert!(finding.summary.contains("targetPort `http` names no container port"), "{}", finding.summary);
    assert!(finding.evidence.iter().any(|e| e.contains("api:8080")), "{:?}", finding.evidence);
    findings.assert_not_reported(SELECTOR_WRONG);
}

#[test]
fn canary_service_selecting_other_labels_is_a_selector_mismatch() {
    let findings = Fixture::yaml(&[
        service("gg-core-canary", "{app: GG-CORE, track: canary}", "8080"),
        pod("canary-a", CANARY_LABELS, "10.0.0.2", true, &[("http", 8080)]),
        canary("Progressing", 10),
    ]
    .concat())
    .run::<ServiceEndpoints>();
    let finding = findings.assert_reported(Outcome::Fail, CANARY, SELECTOR_MISMATCH);
    assert!(finding.evidence[0].contains("track=canary (pod has no `track` label)"), "{:?}", finding.evidence);
    findings.assert_not_reported(LABELS_WRONG);
}

#[test]
fn canary_pods_without_the_canary_label_are_labelled_wrong() {
    let findings = Fixture::yaml(&[
        service("gg-core-canary", CANARY_LABELS, "8080"),
        pod("gg-core-canary-5d9f-x1", STABLE, "10.0.0.2", true, &[("http", 8080)]),
        canary("Progressing", 10),
    ]
    .concat())
    .run::<ServiceEndpoints>();
    findings.assert_reported(Outcome::Fail, CANARY, LABELS_WRONG);
}

#[test]
fn empty_canary_service_is_fine_when_no_canary_runs() {
    let findings = Fixture::yaml(&[service("gg-core-canary", CANARY_LABELS, "8080"), canary("Succeeded", 0)].concat()).run::<ServiceEndpoints>();
    findings.assert_healthy();
    findings.assert_reported(Outcome::Skip, CANARY, SELECTOR_MISMATCH);
}

#[test]
fn main_service_selecting_no_pod_is_a_wrong_selector() {
    let findings = Fixture::yaml(&[
        service("gg-core", "{app: GG-CORE, environment: purple}", "8080"),
        pod("blue-a", "{app: GG-CORE, environment: blue}", "10.0.0.1", true, &[("http", 8080)]),
    ]
    .concat())
    .run::<ServiceEndpoints>();
    let finding = findings.assert_reported(Outcome::Fail, DNS, SELECTOR_WRONG);
    assert!(finding.evidence[0].contains("environment=purple (pod has environment=blue)"), "{:?}", finding.evidence);
}

#[test]
fn old_pod_ip_in_endpoints_is_stale() {
    let findings = Fixture::yaml(&[
        service("gg-core", STABLE, "8080"),
        pod("stable-a", STABLE, "10.0.0.1", true, &[("http", 8080)]),
        endpoints("gg-core", &["10.0.0.1", "10.0.9.9"], 8080),
    ]
    .concat())
    .run::<ServiceEndpoints>();
    let finding = findings.assert_reported(Outcome::Warn, DNS, ENDPOINTS_STALE);
    assert!(finding.evidence[0].contains("10.0.9.9"), "{:?}", finding.evidence);
}

#[test]
fn endpoints_without_the_ready_pods_fail() {
    let findings = Fixture::yaml(&[
        service("gg-core", STABLE, "8080"),
        pod("stable-a", STABLE, "10.0.0.1", true, &[("http", 8080)]),
        endpoints("gg-core", &["10.0.9.9"], 8080),
    ]
    .concat())
    .run::<ServiceEndpoints>();
    let finding = findings.assert_reported(Outcome::Warn, DNS, ENDPOINTS_STALE);
    assert!(finding.evidence.iter().any(|e| e.contains("lacks ready pods `stable-a`")), "{:?}", finding.evidence);
}

#[test]
fn not_ready_pods_listed_as_not_ready_are_consistent() {
    let not_ready_endpoints = "---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: gg-core, namespace: veritas}\nsubsets:\n- notReadyAddresses: [{ip: 10.0.0.1}]\n  ports: [{name: http, port: 8080}]\n";
    let findings = Fixture::yaml(&[
        service("gg-core", STABLE, "8080"),
        pod("stable-a", STABLE, "10.0.0.1", false, &[("http", 8080)]),
        not_ready_endpoints.to_string(),
    ]
    .concat())
    .run::<ServiceEndpoints>();
    findings.assert_healthy();
}

#[test]
fn slice_disagreeing_with_endpoints_is_reported() {
    let slice = "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: gg-core-abc, namespace: veritas, labels: {kubernetes.io/service-name: gg-core}}\nendpoints: []\nports: [{name: http, port: 8080}]\n";
    let findings = Fixture::yaml(&[
        service("gg-core", STABLE, "8080"),
        pod("stable-a", STABLE, "10.0.0.1", true, &[("http", 8080)]),
        endpoints("gg-core", &["10.0.0.1"], 8080),
        slice.to_string(),
    ]
    .concat())
    .run::<ServiceEndpoints>();
    let finding = findings.assert_reported(Outcome::Fail, DNS, ENDPOINTS_STALE);
    assert!(finding.summary.starts_with("its EndpointSlices"), "{}", finding.summary);
}
