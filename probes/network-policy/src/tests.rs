use ggcore_probe_sdk::backend::{Answer, Backend, Level, ListOptions, LogOptions, Response, Sample, Series};
use ggcore_probe_sdk::bindings::KindRef;
use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::{Findings, Fixture};

use super::*;

/// Namespaces with their labels, a Service per track, a stable, a canary and a controller pod,
/// an ingress gateway pod and a Prometheus resource with its pod.
const CLUSTER: &str = r#"
---
apiVersion: v1
kind: Namespace
metadata: {name: veritas, labels: {kubernetes.io/metadata.name: veritas, team: ml-serving}}
---
apiVersion: v1
kind: Namespace
metadata: {name: istio-system, labels: {kubernetes.io/metadata.name: istio-system, team: platform}}
---
apiVersion: v1
kind: Namespace
metadata: {name: monitoring, labels: {kubernetes.io/metadata.name: monitoring, team: platform}}
---
apiVersion: v1
kind: Service
metadata: {name: gg-core, namespace: veritas}
spec:
  selector: {app: GG-CORE, deployment: stable}
  ports: [{name: http, port: 8080, targetPort: serving}, {name: metrics, port: 9090, targetPort: 9090}]
---
apiVersion: v1
kind: Service
metadata: {name: gg-core-canary, namespace: veritas}
spec:
  selector: {app: GG-CORE, deployment: canary}
  ports: [{name: http, port: 8080, targetPort: serving}, {name: metrics, port: 9090, targetPort: 9090}]
---
apiVersion: v1
kind: Pod
metadata: {name: gg-core-blue-a, namespace: veritas, labels: {app: GG-CORE, deployment: stable, environment: blue}}
spec:
  containers:
  - name: gg-core
    ports: [{name: serving, containerPort: 8000}, {name: metrics, containerPort: 9090}]
status: {phase: Running, podIP: 10.42.1.17}
---
apiVersion: v1
kind: Pod
metadata: {name: gg-core-canary-a, namespace: veritas, labels: {app: GG-CORE, deployment: canary}}
spec:
  containers:
  - name: gg-core
    ports: [{name: serving, containerPort: 8001}, {name: metrics, containerPort: 9090}]
status: {phase: Running, podIP: 10.42.3.15}
---
apiVersion: v1
kind: Pod
metadata: {name: istio-ingressgateway-a, namespace: istio-system, labels: {istio: ingressgateway, app: istio-ingressgateway}}
spec:
  containers: [{name: istio-proxy}]
status: {phase: Running, podIP: 10.42.0.5}
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s, namespace: monitoring}
spec: {serviceAccountName: prometheus-k8s}
---
apiVersion: v1
kind: Pod
metadata: {name: prometheus-k8s-0, namespace: monitoring, labels: {app: prometheus, app.kubernetes.io/name: prometheus, prometheus: k8s}}
spec:
  containers: [{name: prometheus, ports: [{name: web, containerPort: 9090}]}]
status: {phase: Running, podIP: 10.42.5.9}
"#;

const DEFAULT_DENY: &str = r#"
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-ingress, namespace: veritas}
spec: {podSelector: {}, policyTypes: [Ingress]}
"#;

const ALLOW_GATEWAY: &str = r#"
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-gateway, namespace: veritas}
spec:
  podSelector: {matchLabels: {app: GG-CORE}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: istio-system}}
      podSelector: {matchLabels: {istio: ingressgateway}}
    ports: [{port: serving}]
"#;

const ALLOW_PROMETHEUS: &str = r#"
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-prometheus, namespace: veritas}
spec:
  podSelector: {matchLabels: {app: GG-CORE}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: platform}}
      podSelector: {matchLabels: {app.kubernetes.io/name: prometheus}}
    ports: [{port: 9090, protocol: TCP}]
"#;

fn run(parts: &[&str]) -> Findings {
    Fixture::yaml(&parts.concat()).run::<NetworkPolicyProbe>()
}

fn evidence(finding: &Finding) -> String {
    finding.evidence.join("\n")
}

#[test]
fn no_policy_passes_both_symptoms() {
    let findings = run(&[CLUSTER]);
    findings.assert_healthy();
    findings.assert_reported(Outcome::Pass, CANARY_SYMPTOM, BLOCKING);
    findings.assert_reported(Outcome::Pass, METRICS_SYMPTOM, BLOCKING);
}

#[test]
fn default_deny_with_allow_rules_passes() {
    let findings = run(&[CLUSTER, DEFAULT_DENY, ALLOW_GATEWAY, ALLOW_PROMETHEUS]);
    findings.assert_healthy();
    let canary = findings.assert_reported(Outcome::Pass, CANARY_SYMPTOM, BLOCKING);
    assert!(evidence(canary).contains("NetworkPolicy `veritas/allow-gateway` rule 1 admits"), "{}", evidence(canary));
    findings.assert_reported(Outcome::Pass, METRICS_SYMPTOM, BLOCKING);
}

#[test]
fn default_deny_alone_fails_both_and_is_named() {
    let findings = run(&[CLUSTER, DEFAULT_DENY]);
    let canary = findings.assert_reported(Outcome::Fail, CANARY_SYMPTOM, BLOCKING);
    assert!(canary.summary.contains("close the serving port 8001/TCP"), "{}", canary.summary);
    assert!(evidence(canary).contains("`veritas/default-deny-ingress` is a default-deny for ingress"), "{}", evidence(canary));
    let metrics = findings.assert_reported(Outcome::Fail, METRICS_SYMPTOM, BLOCKING);
    assert!(metrics.resolution.as_deref().unwrap_or("").contains("kind: NetworkPolicy"), "{:?}", metrics.resolution);
}

#[test]
fn allow_rule_for_stable_only_blocks_canary() {
    let stable_only = ALLOW_GATEWAY.replace("podSelector: {matchLabels: {app: GG-CORE}}", "podSelector: {matchLabels: {app: GG-CORE, deployment: stable}}");
    let findings = run(&[CLUSTER, DEFAULT_DENY, &stable_only, ALLOW_PROMETHEUS]);
    let canary = findings.assert_reported(Outcome::Fail, CANARY_SYMPTOM, BLOCKING);
    let text = evidence(canary);
    assert!(text.contains("ingress gateway pod `istio-system/istio-ingressgateway-a` cannot reach canary pod `veritas/gg-core-canary-a`"), "{text}");
    assert!(text.contains("NetworkPolicy `veritas/allow-gateway` would allow it, but its podSelector app=GG-CORE,deployment=stable"), "{text}");
    assert!(canary.resolution.as_deref().unwrap_or("").contains("matchLabels: {deployment: canary}"), "{:?}", canary.resolution);
    findings.assert_reported(Outcome::Pass, METRICS_SYMPTOM, BLOCKING);
}

#[test]
fn service_port_in_policy_misses_container_port() {
    let service_port = ALLOW_GATEWAY.replace("ports: [{port: serving}]", "ports: [{port: 8080}]");
    let findings = run(&[CLUSTER, DEFAULT_DENY, &service_port, ALLOW_PROMETHEUS]);
    let canary = findings.assert_reported(Outcome::Fail, CANARY_SYMPTOM, BLOCKING);
    assert!(evidence(canary).contains("rule 1 admits ports 8080/TCP, not 8001/TCP"), "{}", evidence(canary));
}

#[test]
fn prometheus_outside_allowed_namespaces_fails_metrics() {
    let findings = run(&[CLUSTER, DEFAULT_DENY, ALLOW_GATEWAY]);
    findings.assert_reported(Outcome::Pass, CANARY_SYMPTOM, BLOCKING);
    let metrics = findings.assert_reported(Outcome::Fail, METRICS_SYMPTOM, BLOCKING);
    assert!(evidence(metrics).contains("Prometheus pod `monitoring/prometheus-k8s-0` cannot reach"), "{}", evidence(metrics));
    assert!(evidence(metrics).contains("9090/TCP"), "{}", evidence(metrics));
}

#[test]
fn egress_deny_in_prometheus_namespace_fails_metrics() {
    let egress = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-egress, namespace: monitoring}\nspec: {podSelector: {}, policyTypes: [Egress]}\n";
    let findings = run(&[CLUSTER, egress]);
    let metrics = findings.assert_reported(Outcome::Fail, METRICS_SYMPTOM, BLOCKING);
    let text = evidence(metrics);
    assert!(text.contains("egress of Prometheus pod `monitoring/prometheus-k8s-0` is denied"), "{text}");
    assert!(text.contains("default-deny for egress"), "{text}");
    assert!(metrics.resolution.as_deref().unwrap_or("").contains("policyTypes: [Egress]"), "{:?}", metrics.resolution);
}

#[test]
fn prometheus_known_only_from_resource_is_assumed() {
    let without_pod = CLUSTER.split("---\napiVersion: v1\nkind: Pod\nmetadata: {name: prometheus-k8s-0").next().unwrap();
    let findings = run(&[without_pod, DEFAULT_DENY, ALLOW_GATEWAY, ALLOW_PROMETHEUS]);
    findings.assert_healthy();
    let metrics = findings.assert_reported(Outcome::Pass, METRICS_SYMPTOM, BLOCKING);
    assert!(evidence(metrics).contains("a pod of Prometheus `monitoring/k8s` (assumed"), "{}", evidence(metrics));
}

#[test]
fn gateway_assumed_from_virtual_service() {
    let without_gateway = CLUSTER.replace("istio-ingressgateway-a, namespace: istio-system, labels: {istio: ingressgateway, app: istio-ingressgateway}", "sidecar-less, namespace: istio-system, labels: {app: other}");
    let virtual_service = "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: gg-core, namespace: veritas}\nspec: {gateways: [istio-system/veritas-gateway]}\n";
    let stable_only = ALLOW_GATEWAY.replace("{app: GG-CORE}}", "{app: GG-CORE, deployment: stable}}");
    let findings = run(&[&without_gateway, virtual_service, DEFAULT_DENY, &stable_only, ALLOW_PROMETHEUS]);
    let canary = findings.assert_reported(Outcome::Fail, CANARY_SYMPTOM, BLOCKING);
    let text = evidence(canary);
    assert!(text.contains("an ingress gateway pod assumed in `istio-system`"), "{text}");
    assert!(text.contains("is assumed, so the verdict rests on its assumed labels"), "{text}");
}

#[test]
fn neighbour_blocked_only_at_canary_warns() {
    let client = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: batch-client, namespace: veritas, labels: {role: client}}\nspec: {containers: [{name: c}]}\nstatus: {phase: Running, podIP: 10.42.7.7}\n";
    let allow_clients = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-clients, namespace: veritas}\nspec:\n  podSelector: {matchLabels: {deployment: stable}}\n  ingress: [{from: [{podSelector: {matchLabels: {role: client}}}]}]\n";
    let findings = run(&[CLUSTER, client, DEFAULT_DENY, ALLOW_GATEWAY, ALLOW_PROMETHEUS, allow_clients]);
    let canary = findings.assert_reported(Outcome::Warn, CANARY_SYMPTOM, BLOCKING);
    assert!(canary.summary.contains("pod `veritas/batch-client`"), "{}", canary.summary);
}

#[test]
fn unread_namespace_labels_are_inconclusive() {
    let without_namespaces: String = CLUSTER.split("---\n").filter(|doc| !doc.contains("kind: Namespace")).collect::<Vec<_>>().join("---\n");
    let findings = run(&[&without_namespaces, DEFAULT_DENY, ALLOW_GATEWAY, ALLOW_PROMETHEUS]);
    findings.assert_reported(Outcome::Pass, CANARY_SYMPTOM, BLOCKING);
    let metrics = findings.assert_reported(Outcome::Inconclusive, METRICS_SYMPTOM, BLOCKING);
    assert!(evidence(metrics).contains("needs labels of namespace `monitoring`"), "{}", evidence(metrics));
}

#[test]
fn no_canary_pod_skips_canary_check() {
    let without_canary = CLUSTER.replace("deployment: canary}}\nspec:\n  containers:\n  - name: gg-core\n    ports: [{name: serving, containerPort: 8001}", "deployment: retired}}\nspec:\n  containers:\n  - name: gg-core\n    ports: [{name: serving, containerPort: 8001}");
    let findings = run(&[&without_canary, DEFAULT_DENY]);
    findings.assert_reported(Outcome::Skip, CANARY_SYMPTOM, BLOCKING);
}

/// A backend that serves a fixture but fails every list of one kind.
struct Failing {
    fixture: Fixture,
    kind: &'static str,
}

impl Backend for Failing {
    fn list(&self, kind: &KindRef, options: &ListOptions) -> Result<String, HostError> {
        if kind.kind == self.kind {
            return Err(HostError::Unavailable(format!("kind `{}` is not in the snapshot", self.kind)));
        }
        Backend::list(&self.fixture, kind, options)
    }
    fn get(&self, kind: &KindRef, namespace: Option<&str>, name: &str) -> Result<String, HostError> {
        Backend::get(&self.fixture, kind, namespace, name)
    }
    fn pod_logs(&self, namespace: &str, pod: &str, options: &LogOptions) -> Result<String, HostError> {
        Backend::pod_logs(&self.fixture, namespace, pod, options)
    }
    fn secret_digests(&self, namespace: &str, name: &str) -> Result<Vec<(String, String)>, HostError> {
        Backend::secret_digests(&self.fixture, namespace, name)
    }
    fn pod_get(&self, namespace: &str, pod: &str, port: u16, path: &str) -> Result<Response, HostError> {
        Backend::pod_get(&self.fixture, namespace, pod, port, path)
    }
    fn service_get(&self, namespace: &str, service: &str, port: &str, path: &str) -> Result<Response, HostError> {
        Backend::service_get(&self.fixture, namespace, service, port, path)
    }
    fn query(&self, promql: &str) -> Result<Vec<Sample>, HostError> {
        Backend::query(&self.fixture, promql)
    }
    fn query_range(&self, promql: &str, range_seconds: u32, step_seconds: u32) -> Result<Vec<Series>, HostError> {
        Backend::query_range(&self.fixture, promql, range_seconds, step_seconds)
    }
    fn resolve(&self, name: &str) -> Result<Answer, HostError> {
        Backend::resolve(&self.fixture, name)
    }
    fn log(&self, level: Level, message: &str) {
        Backend::log(&self.fixture, level, message)
    }
}

#[test]
fn unreadable_policies_are_inconclusive() {
    let backend = Failing { fixture: Fixture::yaml(&[CLUSTER, DEFAULT_DENY].concat()), kind: "NetworkPolicy" };
    let findings = Findings(ggcore_probe_sdk::run_probe::<NetworkPolicyProbe>(backend.fixture.profile(), &backend));
    let canary = findings.assert_reported(Outcome::Inconclusive, CANARY_SYMPTOM, BLOCKING);
    assert!(evidence(canary).contains("not in the snapshot"), "{}", evidence(canary));
    findings.assert_reported(Outcome::Inconclusive, METRICS_SYMPTOM, BLOCKING);
}

