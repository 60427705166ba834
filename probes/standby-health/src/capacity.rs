//! The numbers behind a resource shortage: what a pod requests against what each node that
//! could take it has left. The room on a node is its allocatable amount minus the requests of
//! the pods bound to it, as `kubectl describe node` shows under "Allocated resources". Without
//! visible Nodes, the numbers come from the scheduler's `FailedScheduling` message alone.

use ggcore_probe_sdk::prelude::*;
use ggcore_probe_sdk::scheduling::{Room, Shortage, format_amount, pod_requests, room};

use super::classify::Facts;

/// The maximum number of nodes listed per short resource.
const MAX_NODE_LINES: usize = 5;

/// Returns the evidence lines of a shortage on `pod`.
pub(crate) fn evidence(cx: &Context, pod: &Pod, shortages: &[Shortage], facts: &Facts) -> Vec<String> {
    let name = &pod.metadata.name;
    let requests = pod_requests(pod);
    let requested: Vec<String> = requests.iter().map(|(resource, value)| format!("{resource} {}", format_amount(resource, *value))).collect();
    let mut lines = vec![format!("pod `{name}` requests {}", requested.join(", "))];
    for shortage in shortages {
        if let Some(nodes) = shortage.nodes {
            lines.push(format!("scheduler: {nodes} nodes have insufficient {}", shortage.resource));
        }
    }

    let nodes = match &facts.nodes {
        Ok(nodes) if !nodes.is_empty() => nodes,
        Ok(_) => {
            lines.push("no Node is visible, so the numbers come from the scheduler's message alone".to_string());
            return lines;
        }
        Err(reason) => {
            lines.push(format!("Nodes could not be read ({reason}), so the numbers come from the scheduler's message alone"));
            return lines;
        }
    };
    let all_pods: Vec<Pod> = match cx.list_in::<Pod>(None, None) {
        Ok(pods) => pods,
        Err(error) => {
            lines.push(format!("pods of other namespaces could not be read ({}): the requested amounts count this namespace only", error.message()));
            cx.list::<Pod>(None).unwrap_or_default()
        }
    };

    let candidates: Vec<&Node> = nodes.iter().filter(|n| n.accepts(&pod.spec.node_selector)).collect();
    if candidates.is_empty() {
        lines.push(format!("no schedulable node matches the pod's nodeSelector {}", format_labels(&pod.spec.node_selector)));
        return lines;
    }
    let empty = Room { allocatable: 0.0, requested: 0.0 };
    for shortage in shortages {
        let resource = shortage.resource.as_str();
        let need = requests.get(resource).copied().unwrap_or(0.0);
        let mut rooms: Vec<(&str, Room)> =
            candidates.iter().map(|n| (n.metadata.name.as_str(), room(n, &all_pods).get(resource).copied().unwrap_or(empty))).collect();
        rooms.sort_by(|a, b| b.1.free().total_cmp(&a.1.free()));
        let most = rooms.first().map(|(_, r)| r.free()).unwrap_or(0.0);
        lines.push(format!(
            "{resource}: the pod requests {}; the most free on the {} nodes matching its nodeSelector is {}",
            format_amount(resource, need),
            candidates.len(),
            format_amount(resource, most)
        ));
        for (node, room) in rooms.iter().take(MAX_NODE_LINES) {
            lines.push(format!(
                "node `{node}`: {resource} allocatable {}, requested by its pods {}, free {}",
                format_amount(resource, room.allocatable),
                format_amount(resource, room.requested),
                format_amount(resource, room.free())
            ));
        }
    }
    lines
}
