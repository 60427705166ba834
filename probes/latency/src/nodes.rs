//! The nodes GG-CORE pods run on and their pressure conditions, for the memory and contention
//! checks. Nodes are cluster-scoped and often hidden from namespace-bound users, so a failed
//! read is a note in the evidence, not an error of the probe.

use ggcore_probe_sdk::prelude::*;
use ggcore_probe_sdk::views::{Resource, null_default};
use serde::Deserialize;

/// The node conditions that say the kubelet is short of a resource.
pub const PRESSURE_CONDITIONS: [&str; 3] = ["MemoryPressure", "DiskPressure", "PIDPressure"];

/// A Node, with only what the pressure checks read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Node {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The status.
    pub status: NodeStatus,
}

/// `status` of a Node.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NodeStatus {
    /// Conditions (`Ready`, `MemoryPressure`, `DiskPressure`, `PIDPressure`).
    #[serde(deserialize_with = "null_default")]
    pub conditions: Vec<Condition>,
}

impl Resource for Node {
    const KIND: Kind = Kind::new("", "Node");
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
}

/// The nodes hosting GG-CORE pods, as far as they could be read.
#[derive(Debug, Default)]
pub struct Placement {
    /// The hosting nodes that could be read, each with the GG-CORE pods on it.
    pub nodes: Vec<(Node, Vec<String>)>,
    /// Why the nodes could not be checked, when they could not.
    pub unseen: Option<String>,
}

impl Placement {
    /// Returns the hosting nodes whose condition `type_` is `True`, with their pods.
    pub fn under(&self, type_: &str) -> Vec<&(Node, Vec<String>)> {
        self.nodes.iter().filter(|(node, _)| condition(&node.status.conditions, type_).is_some_and(Condition::is_true)).collect()
    }

    /// Reports whether the nodes could be checked.
    pub fn checked(&self) -> bool {
        self.unseen.is_none()
    }
}

/// Reads the GG-CORE pods and the nodes they are bound to.
pub fn placement(cx: &Context) -> Placement {
    let pods: Vec<Pod> = match cx.list(Some(&cx.profile().app_selector)) {
        Ok(pods) => pods,
        Err(error) => return Placement { nodes: Vec::new(), unseen: Some(format!("GG-CORE pods not visible: {}", error.message())) },
    };
    let nodes: Vec<Node> = match cx.list_in(None, None) {
        Ok(nodes) => nodes,
        Err(error) => return Placement { nodes: Vec::new(), unseen: Some(format!("Nodes not visible: {}", error.message())) },
    };

    let mut hosting: Vec<(Node, Vec<String>)> = Vec::new();
    let mut unknown_nodes = Vec::new();
    for pod in &pods {
        let Some(node_name) = pod.spec.node_name.as_deref() else { continue };
        match (hosting.iter_mut().find(|(n, _)| n.metadata.name == node_name), nodes.iter().find(|n| n.metadata.name == node_name)) {
            (Some((_, names)), _) => names.push(pod.metadata.name.clone()),
            (None, Some(node)) => hosting.push((node.clone(), vec![pod.metadata.name.clone()])),
            (None, None) => unknown_nodes.push(node_name.to_string()),
        }
    }

    let unseen = if pods.is_empty() {
        Some("no GG-CORE pods to place on nodes".to_string())
    } else if hosting.is_empty() {
        unknown_nodes.dedup();
        Some(format!("none of the nodes the GG-CORE pods run on ({}) is visible among {} Node objects", unknown_nodes.join(", "), nodes.len()))
    } else {
        None
    };
    Placement { nodes: hosting, unseen }
}

/// Describes the pressure conditions of a node in one line.
pub fn describe_pressure(node: &Node, pods: &[String]) -> String {
    let pressures: Vec<String> = PRESSURE_CONDITIONS
        .iter()
        .filter_map(|type_| condition(&node.status.conditions, type_).filter(|c| c.is_true()))
        .map(Condition::describe)
        .collect();
    format!("Node `{}` hosting {}: {}", node.metadata.name, pods.join(", "), pressures.join("; "))
}
