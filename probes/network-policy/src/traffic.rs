//! The pods on both ends of the connections the probe checks, and the ports they use.
//!
//! Turns Pods, Services and Prometheus resources into [`PolicyPod`]s and [`TargetPort`]s for
//! [`crate::policy`]. Clients that the snapshot does not hold as pods (an ingress gateway
//! named only by a VirtualService, Prometheus pods known only from their Prometheus resource)
//! become assumed pods: the namespace and labels they would have, with no address.

use std::collections::BTreeMap;

use ggcore_probe_sdk::prelude::*;
use serde_json::Value;

use crate::policy::{PolicyPod, TargetPort};

/// The labels of Istio's ingress gateway pods in its default installation profiles.
pub const GATEWAY_SELECTORS: [&str; 2] = ["istio=ingressgateway", "app=istio-ingressgateway"];

/// Who a client is, which decides how much its blocked traffic matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The mesh's ingress gateway, through which the canary's share of traffic arrives.
    Gateway,
    /// Another pod in GG-CORE's namespace.
    Neighbour,
    /// A Prometheus server scraping the metrics port.
    Prometheus,
}

/// A client pod and its role.
#[derive(Debug, Clone)]
pub struct Client {
    /// The pod as the policies see it.
    pub pod: PolicyPod,
    /// Its role.
    pub role: Role,
    /// True when the pod is assumed from other objects rather than read.
    pub assumed: bool,
}

/// Converts a Pod for policy evaluation; `noun` names it in evidence (`canary pod`).
pub fn policy_pod(pod: &Pod, noun: &str) -> PolicyPod {
    PolicyPod {
        description: format!("{noun} `{}/{}`", pod.metadata.namespace(), pod.metadata.name),
        namespace: pod.metadata.namespace().to_string(),
        labels: pod.metadata.labels.clone(),
        ips: pod.status.pod_ip.as_deref().and_then(|ip| ip.parse().ok()).map(|ip| vec![ip]),
        ports: pod.spec.containers.iter().flat_map(|c| c.ports.iter().cloned()).collect(),
    }
}

/// Reports whether a pod has ended and so takes no traffic.
pub fn is_finished(pod: &Pod) -> bool {
    matches!(pod.phase(), "Succeeded" | "Failed") || pod.metadata.deletion_timestamp.is_some()
}

/// A port on a pod, with how it was found, for evidence.
#[derive(Debug, Clone)]
pub struct ResolvedPort {
    /// The container port.
    pub target: TargetPort,
    /// The place it was found, for example ``container port `serving`, the target of Service `gg-core-canary` port 8080``.
    pub origin: String,
}

impl std::fmt::Display for ResolvedPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.target, self.origin)
    }
}

/// Finds the container port a pod serves `port` on. The first found of these wins: the target
/// of a Service port that selects the pod and is numbered `port` or named `name`, a container
/// port with that number, a container port with that name, and `port` itself. NetworkPolicy
/// ports match this container port, not the Service port.
pub fn resolve_port(pod: &Pod, services: &[Service], port: u16, name: &str) -> ResolvedPort {
    let port = i64::from(port);
    for service in services.iter().filter(|s| selects(s, pod)) {
        for service_port in service.spec.ports.iter().filter(|p| p.port == port || p.name() == name) {
            if let Some(number) = service_port.resolve(pod) {
                let protocol = service_port.protocol.clone().unwrap_or_else(|| "TCP".to_string());
                let container = container_port_name(pod, number).map(|n| format!("container port `{n}`, ")).unwrap_or_default();
                let origin = format!(
                    "{container}the target of Service `{}` port {} `{}`",
                    service.metadata.name,
                    service_port.port,
                    service_port.name()
                );
                return ResolvedPort { target: TargetPort { number, protocol }, origin };
            }
        }
    }

    let ports: Vec<&ContainerPort> = pod.spec.containers.iter().flat_map(|c| &c.ports).collect();
    if let Some(found) = ports.iter().find(|p| p.container_port == port) {
        let origin = match &found.name {
            Some(n) => format!("container port `{n}`"),
            None => "an unnamed container port".to_string(),
        };
        return ResolvedPort { target: target_of(found), origin };
    }
    if let Some(found) = ports.iter().find(|p| p.name.as_deref() == Some(name)) {
        return ResolvedPort { target: target_of(found), origin: format!("container port `{name}`") };
    }
    ResolvedPort {
        target: TargetPort { number: port, protocol: "TCP".to_string() },
        origin: "no Service or container port declares it, so the profile's port is assumed".to_string(),
    }
}

fn target_of(port: &ContainerPort) -> TargetPort {
    TargetPort { number: port.container_port, protocol: port.protocol.clone().unwrap_or_else(|| "TCP".to_string()) }
}

fn container_port_name(pod: &Pod, number: i64) -> Option<&str> {
    pod.spec.containers.iter().flat_map(|c| &c.ports).find(|p| p.container_port == number).and_then(|p| p.name.as_deref())
}

fn selects(service: &Service, pod: &Pod) -> bool {
    match &service.spec.selector {
        Some(selector) if !selector.is_empty() => selector.iter().all(|(k, v)| pod.metadata.labels.get(k) == Some(v)),
        _ => false,
    }
}

/// Returns the pods of a list that differ in namespace or labels, ignoring
/// `pod-template-hash`, so that the replicas of one workload are checked once.
pub fn distinct_by_labels<'a>(pods: impl IntoIterator<Item = &'a Pod>) -> Vec<&'a Pod> {
    let mut seen: BTreeMap<(String, Labels), ()> = BTreeMap::new();
    let mut distinct = Vec::new();
    for pod in pods {
        let mut labels = pod.metadata.labels.clone();
        labels.remove("pod-template-hash");
        if seen.insert((pod.metadata.namespace().to_string(), labels), ()).is_none() {
            distinct.push(pod);
        }
    }
    distinct
}

/// Returns the namespaces of the ingress gateways the VirtualServices in `virtual_services`
/// route through, so `istio-system/veritas-gateway` gives `istio-system`. The reserved gateway
/// `mesh` stands for traffic between sidecars and is left out.
pub fn gateway_namespaces(virtual_services: &[Value]) -> Vec<String> {
    let mut namespaces = Vec::new();
    for service in virtual_services {
        let own = service["metadata"]["namespace"].as_str().unwrap_or_default();
        for gateway in service["spec"]["gateways"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if gateway == "mesh" {
                continue;
            }
            let namespace = gateway.split_once('/').map(|(ns, _)| ns).unwrap_or(own).to_string();
            if !namespaces.contains(&namespace) {
                namespaces.push(namespace);
            }
        }
    }
    namespaces
}

/// Builds an ingress gateway pod assumed in `namespace`, with the labels of Istio's default gateway.
pub fn assumed_gateway(namespace: &str) -> Client {
    let labels: Labels = [("istio", "ingressgateway"), ("app", "istio-ingressgateway")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Client {
        pod: PolicyPod {
            description: format!("an ingress gateway pod assumed in `{namespace}` (labels {})", format_labels(&labels)),
            namespace: namespace.to_string(),
            labels,
            ips: None,
            ports: Vec::new(),
        },
        role: Role::Gateway,
        assumed: true,
    }
}

/// Builds a Prometheus server pod assumed from a Prometheus resource. It gets the labels
/// prometheus-operator gives the pods it creates, plus `spec.podMetadata.labels`.
pub fn assumed_prometheus(resource: &Value) -> Option<Client> {
    let name = resource["metadata"]["name"].as_str()?;
    let namespace = resource["metadata"]["namespace"].as_str()?;
    let mut labels: Labels = resource["spec"]["podMetadata"]["labels"]
        .as_object()
        .map(|map| map.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect())
        .unwrap_or_default();
    for (key, value) in [
        ("app.kubernetes.io/name", "prometheus"),
        ("app.kubernetes.io/managed-by", "prometheus-operator"),
        ("app.kubernetes.io/instance", name),
        ("prometheus", name),
        ("operator.prometheus.io/name", name),
        ("operator.prometheus.io/shard", "0"),
    ] {
        labels.insert(key.to_string(), value.to_string());
    }
    Some(Client {
        pod: PolicyPod {
            description: format!("a pod of Prometheus `{namespace}/{name}` (assumed from the resource, no pod in the snapshot)"),
            namespace: namespace.to_string(),
            labels,
            ips: None,
            ports: Vec::new(),
        },
        role: Role::Prometheus,
        assumed: true,
    })
}

/// Builds the matchLabels lines of a selector for a snippet: its equality requirements, or
/// `fallback` when it has none.
pub fn match_labels(selector: &str, fallback: &Labels) -> Labels {
    let parsed: Labels = Selector::parse(selector)
        .map(|s| {
            s.requirements
                .iter()
                .filter_map(|r| match r {
                    ggcore_probe_sdk::selector::Requirement::Equals(k, v) => Some((k.clone(), v.clone())),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    if parsed.is_empty() { fallback.clone() } else { parsed }
}

/// Formats labels as a YAML flow mapping for snippets.
pub fn flow_mapping(labels: &Labels) -> String {
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}: {}", quote(v))).collect();
    format!("{{{}}}", pairs.join(", "))
}

fn quote(value: &str) -> String {
    let plain = !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')) && value.parse::<f64>().is_err();
    if plain { value.to_string() } else { format!("'{value}'") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(yaml: &str) -> Pod {
        serde_yaml::from_str(yaml).unwrap()
    }

    fn service(yaml: &str) -> Service {
        serde_yaml::from_str(yaml).unwrap()
    }

    const CANARY: &str = "metadata: {name: c, namespace: veritas, labels: {app: GG-CORE, deployment: canary}}\nspec:\n  containers:\n  - name: gg-core\n    ports: [{name: serving, containerPort: 8001}, {name: metrics, containerPort: 9090}]\n";

    #[test]
    fn serving_port_follows_named_target_port() {
        let services = [service("metadata: {name: gg-core-canary}\nspec:\n  selector: {deployment: canary}\n  ports: [{name: http, port: 8080, targetPort: serving}]\n")];
        let resolved = resolve_port(&pod(CANARY), &services, 8080, "http");
        assert_eq!(resolved.target, TargetPort { number: 8001, protocol: "TCP".into() });
        assert_eq!(resolved.origin, "container port `serving`, the target of Service `gg-core-canary` port 8080 `http`");
    }

    #[test]
    fn port_without_service_uses_container_port() {
        let resolved = resolve_port(&pod(CANARY), &[], 9090, "metrics");
        assert_eq!(resolved.target.number, 9090);
        assert_eq!(resolved.origin, "container port `metrics`");
    }

    #[test]
    fn port_found_by_name_when_number_differs() {
        let resolved = resolve_port(&pod(CANARY), &[], 8080, "serving");
        assert_eq!(resolved.target.number, 8001);
    }

    #[test]
    fn undeclared_port_is_assumed() {
        let resolved = resolve_port(&pod(CANARY), &[], 7000, "admin");
        assert_eq!(resolved.target.number, 7000);
        assert!(resolved.origin.contains("assumed"), "{}", resolved.origin);
    }

    #[test]
    fn gateway_namespace_comes_from_virtual_service() {
        let services: Vec<Value> = vec![serde_json::json!({"metadata": {"namespace": "veritas"}, "spec": {"gateways": ["istio-system/veritas-gateway", "mesh", "local-gateway"]}})];
        assert_eq!(gateway_namespaces(&services), vec!["istio-system".to_string(), "veritas".to_string()]);
    }

    #[test]
    fn assumed_prometheus_carries_operator_labels() {
        let resource = serde_json::json!({"metadata": {"name": "k8s", "namespace": "monitoring"}, "spec": {"podMetadata": {"labels": {"team": "platform"}}}});
        let client = assumed_prometheus(&resource).unwrap();
        assert_eq!(client.pod.namespace, "monitoring");
        assert_eq!(client.pod.labels.get("app.kubernetes.io/name").map(String::as_str), Some("prometheus"));
        assert_eq!(client.pod.labels.get("prometheus").map(String::as_str), Some("k8s"));
        assert_eq!(client.pod.labels.get("team").map(String::as_str), Some("platform"));
        assert!(client.assumed);
    }

    #[test]
    fn replicas_are_checked_once() {
        let a = pod("metadata: {name: a, labels: {app: x, pod-template-hash: '1'}}");
        let b = pod("metadata: {name: b, labels: {app: x, pod-template-hash: '2'}}");
        let c = pod("metadata: {name: c, labels: {app: y}}");
        let all = [a, b, c];
        let names: Vec<&str> = distinct_by_labels(&all).iter().map(|p| p.metadata.name.as_str()).collect();
        assert_eq!(names, vec!["a", "c"]);
    }

    #[test]
    fn snippet_labels_quote_what_yaml_would_misread() {
        let labels: Labels = [("app".to_string(), "GG-CORE".to_string()), ("shard".to_string(), "0".to_string())].into();
        assert_eq!(flow_mapping(&labels), "{app: GG-CORE, shard: '0'}");
    }
}
