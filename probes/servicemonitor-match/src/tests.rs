use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::Fixture;

use super::*;

const SERVICES: &str = r#"---
apiVersion: v1
kind: Service
metadata: {name: gg-core, namespace: veritas, labels: {app: GG-CORE, track: stable}}
spec:
  selector: {app: GG-CORE, deployment: stable}
  ports: [{name: http, port: 8080, targetPort: http}, {name: metrics, port: 9090, targetPort: metrics}]
---
apiVersion: v1
kind: Service
metadata: {name: gg-core-canary, namespace: veritas, labels: {app: GG-CORE, track: canary}}
spec:
  selector: {app: GG-CORE, deployment: canary}
  ports: [{name: http, port: 8080, targetPort: http}, {name: metrics, port: 9090, targetPort: metrics}]
---
apiVersion: v1
kind: Pod
metadata: {name: stable-a, namespace: veritas, labels: {app: GG-CORE, deployment: stable}}
spec:
  containers: [{name: gg-core, ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: canary-a, namespace: veritas, labels: {app: GG-CORE, deployment: canary}}
spec:
  containers: [{name: gg-core, ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]}]
"#;

fn prometheus(monitor_selector: &str, namespace_selector: &str) -> String {
    format!(
        "---\napiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {{name: k8s, namespace: monitoring}}\nspec:\n{monitor_selector}{namespace_selector}"
    )
}

const LOADS_ALL: &str = "  serviceMonitorSelector: {matchLabels: {release: kube-prom}}\n";
const ALL_NAMESPACES: &str = "  serviceMonitorNamespaceSelector: {}\n";

fn monitor(name: &str, selector: &str, namespace_selector: &str, port: &str) -> String {
    format!(
        "---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {{name: {name}, namespace: veritas, labels: {{release: kube-prom}}}}\nspec:\n  selector: {{matchLabels: {selector}}}\n{namespace_selector}  endpoints: [{{port: {port}}}]\n"
    )
}

const IN_VERITAS: &str = "  namespaceSelector: {matchNames: [veritas]}\n";

fn run(parts: &[String]) -> ggcore_probe_sdk::testing::Findings {
    Fixture::yaml(&format!("{SERVICES}{}", parts.concat())).run::<ServiceMonitorMatch>()
}

#[test]
fn monitor_selecting_both_services_is_healthy() {
    let findings = run(&[prometheus(LOADS_ALL, ALL_NAMESPACES), monitor("gg-core", "{app: GG-CORE}", IN_VERITAS, "metrics")]);
    findings.assert_healthy();
    findings.assert_reported(Outcome::Pass, SYMPTOM, SELECTOR);
    findings.assert_reported(Outcome::Pass, SYMPTOM, PORT);
}

#[test]
fn monitor_selecting_the_service_name_as_label_is_wrong() {
    let findings = run(&[
        prometheus(LOADS_ALL, ALL_NAMESPACES),
        monitor("gg-core", "{app: GG-CORE, track: stable}", IN_VERITAS, "metrics"),
        monitor("gg-core-canary", "{app: gg-core-canary}", IN_VERITAS, "metrics"),
    ]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, SELECTOR);
    assert!(finding.summary.contains("Service `gg-core-canary` is labelled app=GG-CORE,track=canary"), "{}", finding.summary);
    assert!(finding.evidence.iter().any(|e| e.contains("app=gg-core-canary")), "{:?}", finding.evidence);
    findings.assert_not_reported(MISSING);
}

#[test]
fn service_without_any_monitor_is_missing_one() {
    let findings = run(&[prometheus(LOADS_ALL, ALL_NAMESPACES), monitor("gg-core", "{app: GG-CORE, track: stable}", IN_VERITAS, "metrics")]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, MISSING);
    assert!(finding.summary.contains("gg-core-canary"), "{}", finding.summary);
}

#[test]
fn namespace_selector_leaving_out_the_namespace_is_wrong() {
    let elsewhere = "  namespaceSelector: {matchNames: [other]}\n";
    let findings = run(&[prometheus(LOADS_ALL, ALL_NAMESPACES), monitor("gg-core", "{app: GG-CORE}", elsewhere, "metrics")]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, SELECTOR);
    assert!(finding.summary.contains("namespace selector leaves out `veritas`"), "{}", finding.summary);
}

#[test]
fn prometheus_not_loading_the_monitor_is_wrong() {
    let picky = "  serviceMonitorSelector: {matchLabels: {release: other}}\n";
    let findings = run(&[prometheus(picky, ALL_NAMESPACES), monitor("gg-core", "{app: GG-CORE}", IN_VERITAS, "metrics")]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, SELECTOR);
    assert!(finding.evidence.iter().any(|e| e.contains("misses release=other")), "{:?}", finding.evidence);
}

#[test]
fn null_namespace_selector_loads_only_its_own_namespace() {
    let findings = run(&[prometheus(LOADS_ALL, ""), monitor("gg-core", "{app: GG-CORE}", IN_VERITAS, "metrics")]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, SELECTOR);
    assert!(finding.evidence.iter().any(|e| e.contains("only from `monitoring`")), "{:?}", finding.evidence);
}

#[test]
fn null_monitor_selector_loads_nothing() {
    let findings = run(&[prometheus("", ALL_NAMESPACES), monitor("gg-core", "{app: GG-CORE}", IN_VERITAS, "metrics")]);
    findings.assert_reported(Outcome::Fail, SYMPTOM, SELECTOR);
}

#[test]
fn endpoint_port_not_on_the_service_is_a_mismatch() {
    let findings = run(&[prometheus(LOADS_ALL, ALL_NAMESPACES), monitor("gg-core", "{app: GG-CORE}", IN_VERITAS, "prometheus")]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, PORT);
    assert!(finding.evidence[0].contains("scrapes port `prometheus`"), "{:?}", finding.evidence);
}

#[test]
fn no_operator_means_nothing_to_check() {
    let findings = Fixture::yaml(SERVICES).run::<ServiceMonitorMatch>();
    findings.assert_healthy();
    findings.assert_reported(Outcome::Skip, SYMPTOM, MISSING);
}
