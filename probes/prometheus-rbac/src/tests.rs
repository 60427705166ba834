use ggcore_probe_sdk::backend::{Answer, Backend, Level, ListOptions, LogOptions, Response, Sample, Series};
use ggcore_probe_sdk::bindings::KindRef;
use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::{Findings, Fixture};

use super::*;

const PROMETHEUS: &str = r#"
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s, namespace: monitoring}
spec: {serviceAccountName: prometheus-k8s}
"#;

/// A system binding every RBAC cluster has, so that the snapshot counts as holding RBAC.
const SYSTEM: &str = r#"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: system:basic-user}
rules: [{apiGroups: [authorization.k8s.io], resources: [selfsubjectaccessreviews], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: system:basic-user}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:basic-user}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:authenticated}]
"#;

/// The ClusterRole kube-prometheus gives Prometheus, bound cluster-wide.
const GRANT: &str = r#"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: prometheus-k8s}
rules:
- apiGroups: [""]
  resources: [services, endpoints, pods]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [nodes/metrics]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: prometheus-k8s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: prometheus-k8s}
subjects: [{kind: ServiceAccount, name: prometheus-k8s, namespace: monitoring}]
"#;

fn run(parts: &[&str]) -> Findings {
    Fixture::yaml(&parts.concat()).run::<PrometheusRbac>()
}

fn evidence(finding: &Finding) -> String {
    finding.evidence.join("\n")
}

#[test]
fn cluster_role_granting_discovery_passes() {
    let findings = run(&[PROMETHEUS, SYSTEM, GRANT]);
    findings.assert_healthy();
    let finding = findings.assert_reported(Outcome::Pass, SYMPTOM, RBAC_ISSUE);
    assert!(evidence(finding).contains("get, list, watch on endpoints in `veritas`: granted by ClusterRole `prometheus-k8s` rule 1"), "{}", evidence(finding));
}

#[test]
fn missing_watch_on_endpoints_fails() {
    let partial = GRANT.replace("resources: [services, endpoints, pods]\n  verbs: [get, list, watch]", "resources: [services, pods]\n  verbs: [get, list, watch]\n- apiGroups: [\"\"]\n  resources: [endpoints]\n  verbs: [get]");
    let findings = run(&[PROMETHEUS, SYSTEM, &partial]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, RBAC_ISSUE);
    assert_eq!(
        finding.summary,
        "ServiceAccount `monitoring/prometheus-k8s` of Prometheus may not list, watch on endpoints in `veritas`, so Prometheus cannot discover GG-CORE's targets"
    );
    assert!(evidence(finding).contains("list, watch on endpointslices.discovery.k8s.io would do instead of endpoints"), "{}", evidence(finding));
    let resolution = finding.resolution.as_deref().unwrap_or("");
    assert!(resolution.contains("kind: RoleBinding"), "{resolution}");
    assert!(resolution.contains("name: prometheus-k8s\n  namespace: monitoring"), "{resolution}");
}

#[test]
fn endpointslices_stand_in_for_endpoints() {
    let slices = GRANT.replace(
        "resources: [services, endpoints, pods]\n  verbs: [get, list, watch]",
        "resources: [services, pods]\n  verbs: [get, list, watch]\n- apiGroups: [discovery.k8s.io]\n  resources: [endpointslices]\n  verbs: [get, list, watch]",
    );
    let findings = run(&[PROMETHEUS, SYSTEM, &slices]);
    findings.assert_healthy();
    let finding = findings.assert_reported(Outcome::Pass, SYMPTOM, RBAC_ISSUE);
    assert!(evidence(finding).contains("on endpointslices.discovery.k8s.io in `veritas`: granted"), "{}", evidence(finding));
}

#[test]
fn binding_to_another_account_fails() {
    let other = GRANT.replace("name: prometheus-k8s, namespace: monitoring", "name: prometheus-operator, namespace: monitoring");
    let findings = run(&[PROMETHEUS, SYSTEM, &other]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, RBAC_ISSUE);
    let text = evidence(finding);
    assert!(text.contains("ClusterRoleBinding `system:basic-user` binds ClusterRole `system:basic-user` to Group `system:authenticated`"), "{text}");
    assert!(!text.contains("ClusterRoleBinding `prometheus-k8s`"), "{text}");
}

#[test]
fn resource_names_rule_fails_and_is_explained() {
    let named = GRANT.replace("verbs: [get, list, watch]\n- apiGroups", "verbs: [get, list, watch]\n  resourceNames: [gg-core]\n- apiGroups");
    let findings = run(&[PROMETHEUS, SYSTEM, &named]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, RBAC_ISSUE);
    assert!(evidence(finding).contains("only for resourceNames [gg-core]"), "{}", evidence(finding));
}

#[test]
fn role_binding_in_namespace_passes() {
    let local = r#"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: prometheus-scrape, namespace: veritas}
rules: [{apiGroups: ["", discovery.k8s.io], resources: [services, endpoints, endpointslices, pods], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: prometheus-scrape, namespace: veritas}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: prometheus-scrape}
subjects: [{kind: ServiceAccount, name: prometheus-k8s, namespace: monitoring}]
"#;
    run(&[PROMETHEUS, SYSTEM, local]).assert_reported(Outcome::Pass, SYMPTOM, RBAC_ISSUE);
}

#[test]
fn aggregated_cluster_role_passes() {
    let aggregated = r#"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring-view}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring-discovery, labels: {rbac.example.com/aggregate-to-monitoring: "true"}}
rules: [{apiGroups: [""], resources: [services, endpoints, pods], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: prometheus-k8s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring-view}
subjects: [{kind: ServiceAccount, name: prometheus-k8s, namespace: monitoring}]
"#;
    let findings = run(&[PROMETHEUS, SYSTEM, aggregated]);
    let finding = findings.assert_reported(Outcome::Pass, SYMPTOM, RBAC_ISSUE);
    assert!(evidence(finding).contains("ClusterRole `monitoring-discovery` (aggregated into `monitoring-view`)"), "{}", evidence(finding));
}

#[test]
fn snapshot_without_rbac_is_inconclusive() {
    let findings = run(&[PROMETHEUS]);
    let finding = findings.assert_reported(Outcome::Inconclusive, SYMPTOM, RBAC_ISSUE);
    assert!(evidence(finding).contains("no ClusterRoleBinding was read at all"), "{}", evidence(finding));
}

#[test]
fn bound_role_missing_from_snapshot_is_inconclusive() {
    let binding_only = GRANT.split("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding").nth(1).map(|rest| format!("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding{rest}")).unwrap();
    let findings = run(&[PROMETHEUS, SYSTEM, &binding_only]);
    let finding = findings.assert_reported(Outcome::Inconclusive, SYMPTOM, RBAC_ISSUE);
    assert!(evidence(finding).contains("ClusterRole `prometheus-k8s`, which is not among the objects read"), "{}", evidence(finding));
}

#[test]
fn account_found_from_pods_without_resource() {
    let pod = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: prometheus-0, namespace: observability, labels: {app: prometheus}}\nspec: {serviceAccountName: prometheus-server, containers: [{name: prometheus}]}\n";
    let findings = run(&[pod, SYSTEM, GRANT]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, RBAC_ISSUE);
    assert!(finding.summary.contains("`observability/prometheus-server`"), "{}", finding.summary);
    assert!(evidence(finding).contains("pod `observability/prometheus-0` (matching `app=prometheus`) runs as ServiceAccount `prometheus-server`"), "{}", evidence(finding));
}

#[test]
fn no_prometheus_is_inconclusive() {
    let findings = run(&[SYSTEM, GRANT]);
    let finding = findings.assert_reported(Outcome::Inconclusive, SYMPTOM, RBAC_ISSUE);
    assert!(finding.summary.contains("no pod matches `app=prometheus`"), "{}", finding.summary);
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
fn unreadable_role_bindings_are_inconclusive() {
    let backend = Failing { fixture: Fixture::yaml(&[PROMETHEUS, SYSTEM].concat()), kind: "RoleBinding" };
    let findings = Findings(ggcore_probe_sdk::run_probe::<PrometheusRbac>(backend.fixture.profile(), &backend));
    let finding = findings.assert_reported(Outcome::Inconclusive, SYMPTOM, RBAC_ISSUE);
    assert!(evidence(finding).contains("cannot list RoleBindings: unavailable: kind `RoleBinding` is not in the snapshot"), "{}", evidence(finding));
}
