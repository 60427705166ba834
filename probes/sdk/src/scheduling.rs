//! What decides whether a pod can be placed and started: views of Nodes, PersistentVolumeClaims
//! and StorageClasses, the requests of a pod, the room left on a node, and the shortages the
//! scheduler names in its `FailedScheduling` messages.
//!
//! The room on a node is its `status.allocatable` minus the requests of the pods bound to it
//! that have not finished, as `kubectl describe node` shows under "Allocated resources".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::units;
use crate::views::{Condition, Kind, ObjectMeta, Pod, Resource, null_default};

/// A Node.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Node {
    /// Metadata; node selectors match its labels.
    pub metadata: ObjectMeta,
    /// The spec.
    pub spec: NodeSpec,
    /// The status.
    pub status: NodeStatus,
}

impl Resource for Node {
    const KIND: Kind = Kind::new("", "Node");
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
}

/// `spec` of a Node.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeSpec {
    /// True when the node is cordoned.
    pub unschedulable: Option<bool>,
    /// The taints, kept as JSON.
    #[serde(deserialize_with = "null_default")]
    pub taints: Vec<serde_json::Value>,
}

/// `status` of a Node.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeStatus {
    /// The total that pods may request, by resource name.
    #[serde(deserialize_with = "null_default")]
    pub allocatable: BTreeMap<String, String>,
    /// The node's total resources, by resource name.
    #[serde(deserialize_with = "null_default")]
    pub capacity: BTreeMap<String, String>,
    /// Conditions (`Ready`, `MemoryPressure`, ...).
    #[serde(deserialize_with = "null_default")]
    pub conditions: Vec<Condition>,
}

impl Node {
    /// Reports whether a pod with this node selector may be placed here, ignoring taints and
    /// affinity: the node is not cordoned and carries every label of the selector.
    pub fn accepts(&self, node_selector: &BTreeMap<String, String>) -> bool {
        self.spec.unschedulable != Some(true) && node_selector.iter().all(|(k, v)| self.metadata.labels.get(k) == Some(v))
    }
}

/// A PersistentVolumeClaim.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PersistentVolumeClaim {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The spec.
    pub spec: ClaimSpec,
    /// The status.
    pub status: ClaimStatus,
}

impl Resource for PersistentVolumeClaim {
    const KIND: Kind = Kind::new("", "PersistentVolumeClaim");
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
}

/// `spec` of a PersistentVolumeClaim.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClaimSpec {
    /// The StorageClass; `None` takes the cluster's default class, `""` binds only to volumes
    /// without a class.
    pub storage_class_name: Option<String>,
    /// The volume it is bound to.
    pub volume_name: Option<String>,
    /// The access modes.
    #[serde(deserialize_with = "null_default")]
    pub access_modes: Vec<String>,
}

/// `status` of a PersistentVolumeClaim.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClaimStatus {
    /// `Pending`, `Bound` or `Lost`.
    pub phase: Option<String>,
}

impl PersistentVolumeClaim {
    /// Returns the phase, `Unknown` when missing.
    pub fn phase(&self) -> &str {
        self.status.phase.as_deref().unwrap_or("Unknown")
    }
}

/// A StorageClass.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StorageClass {
    /// Metadata; the default class carries `storageclass.kubernetes.io/is-default-class: "true"`.
    pub metadata: ObjectMeta,
    /// The provisioner.
    pub provisioner: Option<String>,
}

impl Resource for StorageClass {
    const KIND: Kind = Kind::new("storage.k8s.io", "StorageClass");
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
}

impl StorageClass {
    /// Reports whether this is the cluster's default class (the GA or the beta annotation).
    pub fn is_default(&self) -> bool {
        let annotations = &self.metadata.annotations;
        ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"]
            .iter()
            .any(|key| annotations.get(*key).is_some_and(|v| v == "true"))
    }
}

/// Returns what a pod requests, by resource name, as the scheduler counts it: the larger of
/// the containers' sum and any single init container.
pub fn pod_requests(pod: &Pod) -> BTreeMap<String, f64> {
    let mut total: BTreeMap<String, f64> = BTreeMap::new();
    for container in &pod.spec.containers {
        for (resource, quantity) in &container.resources.requests {
            *total.entry(resource.clone()).or_default() += units::parse_quantity(quantity).unwrap_or(0.0);
        }
    }
    for container in &pod.spec.init_containers {
        for (resource, quantity) in &container.resources.requests {
            let value = units::parse_quantity(quantity).unwrap_or(0.0);
            let entry = total.entry(resource.clone()).or_default();
            *entry = entry.max(value);
        }
    }
    total
}

/// One resource of one node: what pods may request, and what the pods on it request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Room {
    /// `status.allocatable`.
    pub allocatable: f64,
    /// The sum of the requests of the unfinished pods bound to the node.
    pub requested: f64,
}

impl Room {
    /// Returns what is left for new pods.
    pub fn free(&self) -> f64 {
        self.allocatable - self.requested
    }
}

/// Returns the room of every allocatable resource of `node`, given all pods of the cluster.
pub fn room(node: &Node, pods: &[Pod]) -> BTreeMap<String, Room> {
    let mut rooms: BTreeMap<String, Room> = node
        .status
        .allocatable
        .iter()
        .map(|(resource, quantity)| (resource.clone(), Room { allocatable: units::parse_quantity(quantity).unwrap_or(0.0), requested: 0.0 }))
        .collect();
    let bound = pods
        .iter()
        .filter(|p| p.spec.node_name.as_deref() == Some(node.metadata.name.as_str()) && !matches!(p.phase(), "Succeeded" | "Failed"));
    for pod in bound {
        for (resource, value) in pod_requests(pod) {
            rooms.entry(resource).or_insert(Room { allocatable: 0.0, requested: 0.0 }).requested += value;
        }
    }
    rooms
}

/// A shortage the scheduler names: `2 Insufficient nvidia.com/gpu` is `(Some(2), "nvidia.com/gpu")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortage {
    /// The number of nodes that lack it, when the message gives one.
    pub nodes: Option<u32>,
    /// The resource name.
    pub resource: String,
}

/// Finds the `Insufficient <resource>` shortages in a `FailedScheduling` message, once each.
pub fn shortages(message: &str) -> Vec<Shortage> {
    let mut found: Vec<Shortage> = Vec::new();
    let mut rest = message;
    while let Some(at) = rest.find("Insufficient ") {
        let before = rest[..at].trim_end();
        let nodes = before.rsplit(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok());
        let after = &rest[at + "Insufficient ".len()..];
        let end = after.find([',', ' ', ';', ')', '\n']).unwrap_or(after.len());
        let resource = after[..end].trim_end_matches('.').to_string();
        if !resource.is_empty() && !found.iter().any(|s| s.resource == resource) {
            found.push(Shortage { nodes, resource });
        }
        rest = &after[end..];
    }
    found
}

/// Formats an amount of a resource the way Kubernetes quantities read: bytes for memory and
/// storage, cores (or millicores) for CPU, plain counts for extended resources such as GPUs.
pub fn format_amount(resource: &str, value: f64) -> String {
    if resource == "memory" || resource.contains("storage") || resource.starts_with("hugepages-") {
        if value.abs() < 1024.0 {
            return format!("{value:.0}");
        }
        let sign = if value < 0.0 { "-" } else { "" };
        return format!("{sign}{}", units::format_bytes(value.abs()));
    }
    if resource == "cpu" && value.fract().abs() > 1e-9 {
        return format!("{:.0}m", value * 1000.0);
    }
    format!("{value:.0}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortages_name_resources_and_node_counts() {
        let message = "0/6 nodes are available: 2 Insufficient nvidia.com/gpu, 1 Insufficient memory, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/6 nodes are available: 2 Insufficient nvidia.com/gpu.";
        assert_eq!(
            shortages(message),
            vec![Shortage { nodes: Some(2), resource: "nvidia.com/gpu".into() }, Shortage { nodes: Some(1), resource: "memory".into() }]
        );
    }

    #[test]
    fn shortage_without_count() {
        assert_eq!(shortages("Insufficient cpu."), vec![Shortage { nodes: None, resource: "cpu".into() }]);
    }

    #[test]
    fn room_subtracts_requests_of_bound_pods() {
        let node: Node = serde_json::from_str(r#"{"metadata":{"name":"gpu-a"},"status":{"allocatable":{"cpu":"16","memory":"64Gi","nvidia.com/gpu":"1"}}}"#).unwrap();
        let pod: Pod = serde_json::from_str(
            r#"{"spec":{"nodeName":"gpu-a","containers":[{"name":"c","resources":{"requests":{"cpu":"8","memory":"48Gi","nvidia.com/gpu":"1"}}}]},"status":{"phase":"Running"}}"#,
        )
        .unwrap();
        let rooms = room(&node, &[pod]);
        assert_eq!(rooms["nvidia.com/gpu"].free(), 0.0);
        assert_eq!(rooms["cpu"].free(), 8.0);
        assert_eq!(format_amount("memory", rooms["memory"].free()), "16Gi");
    }

    #[test]
    fn init_container_request_counts_when_larger() {
        let pod: Pod = serde_json::from_str(
            r#"{"spec":{"containers":[{"name":"c","resources":{"requests":{"memory":"1Gi"}}}],"initContainers":[{"name":"i","resources":{"requests":{"memory":"4Gi"}}}]}}"#,
        )
        .unwrap();
        assert_eq!(format_amount("memory", pod_requests(&pod)["memory"]), "4Gi");
    }

    #[test]
    fn default_class_is_recognised() {
        let class: StorageClass =
            serde_json::from_str(r#"{"metadata":{"name":"fast","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}"#).unwrap();
        assert!(class.is_default());
    }
}
