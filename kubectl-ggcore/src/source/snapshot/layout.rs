//! Recognises the layout of a snapshot, which tells two things: where pod logs are, and which
//! kinds the snapshot holds at all. A kind outside a layout's set is "not in the snapshot",
//! which makes the probes that need it inconclusive instead of reporting it missing.

use std::collections::BTreeSet;

use super::files::Entry;

/// The layouts the reader knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// YAML or JSON files of `kubectl get -o yaml|json` output, anywhere in the tree. Every
    /// kind counts as present: a kind with no object is taken as absent from the cluster.
    Plain,
    /// `kubectl cluster-info dump --output-directory`: a fixed set of kinds.
    ClusterInfoDump,
    /// A troubleshoot.sh support bundle: `cluster-resources/<resource>/<namespace>.json`.
    SupportBundle,
    /// A snapshot written by `kubectl ggcore collect`, with an index of what it holds.
    Collected,
}

/// The index file a collected snapshot carries at its root.
pub const INDEX_FILE: &str = "ggcore-snapshot.json";

/// The kinds `kubectl cluster-info dump` writes.
pub const CLUSTER_INFO_KINDS: [&str; 8] =
    ["Node", "Event", "ReplicationController", "Service", "DaemonSet", "Deployment", "ReplicaSet", "Pod"];

/// Recognises the layout from the file names.
pub fn detect(entries: &[Entry]) -> Layout {
    if entries.iter().any(|e| e.path == INDEX_FILE) {
        Layout::Collected
    } else if entries.iter().any(|e| e.path.starts_with("cluster-resources/")) {
        Layout::SupportBundle
    } else if entries.iter().any(|e| e.path == "nodes.json")
        && entries.iter().any(|e| e.path.ends_with("/pods.json") || e.path.ends_with("/events.json"))
    {
        Layout::ClusterInfoDump
    } else {
        Layout::Plain
    }
}

/// The `apiVersion` and kind of the objects in a support bundle's `cluster-resources/<dir>`,
/// for items that the bundle stores without them.
pub fn support_bundle_kind(dir: &str) -> Option<(&'static str, &'static str)> {
    Some(match dir {
        "pods" => ("v1", "Pod"),
        "services" => ("v1", "Service"),
        "endpoints" => ("v1", "Endpoints"),
        "events" => ("v1", "Event"),
        "configmaps" => ("v1", "ConfigMap"),
        "namespaces" => ("v1", "Namespace"),
        "nodes" => ("v1", "Node"),
        "pvcs" | "persistentvolumeclaims" => ("v1", "PersistentVolumeClaim"),
        "pvs" | "persistentvolumes" => ("v1", "PersistentVolume"),
        "serviceaccounts" => ("v1", "ServiceAccount"),
        "limitranges" => ("v1", "LimitRange"),
        "resource-quota" | "resourcequotas" => ("v1", "ResourceQuota"),
        "deployments" => ("apps/v1", "Deployment"),
        "replicasets" => ("apps/v1", "ReplicaSet"),
        "statefulsets" => ("apps/v1", "StatefulSet"),
        "daemonsets" => ("apps/v1", "DaemonSet"),
        "jobs" => ("batch/v1", "Job"),
        "cronjobs" => ("batch/v1", "CronJob"),
        "endpointslices" => ("discovery.k8s.io/v1", "EndpointSlice"),
        "ingress" | "ingresses" => ("networking.k8s.io/v1", "Ingress"),
        "network-policy" | "networkpolicies" => ("networking.k8s.io/v1", "NetworkPolicy"),
        "storage-classes" | "storageclasses" => ("storage.k8s.io/v1", "StorageClass"),
        "roles" => ("rbac.authorization.k8s.io/v1", "Role"),
        "rolebindings" => ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        "clusterroles" => ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        "clusterrolebindings" => ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
        "priorityclasses" => ("scheduling.k8s.io/v1", "PriorityClass"),
        "custom-resource-definitions" => ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
        _ => return None,
    })
}

/// Returns the kinds a support bundle holds, from its `cluster-resources/` directories.
pub fn support_bundle_kinds(entries: &[Entry]) -> BTreeSet<String> {
    entries
        .iter()
        .filter_map(|e| e.path.strip_prefix("cluster-resources/"))
        .filter_map(|rest| rest.split('/').next())
        .filter_map(support_bundle_kind)
        .map(|(_, kind)| kind.to_string())
        .collect()
}

/// A container log found in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod.
    pub pod: String,
    /// The container; `None` when the layout does not say (cluster-info dump `logs.txt`).
    pub container: Option<String>,
    /// True for the log of the previous, terminated container.
    pub previous: bool,
}

/// Recognises a log file by its path: `logs/<ns>/<pod>/<container>.log` (collected and
/// plain), `cluster-resources/pods/logs/<ns>/<pod>/<container>[-previous].log` (support
/// bundle) and `<ns>/<pod>/logs.txt` (cluster-info dump).
pub fn log_file(path: &str, layout: Layout) -> Option<LogFile> {
    let parts: Vec<&str> = path.split('/').collect();
    if layout == Layout::ClusterInfoDump && parts.len() == 3 && parts[2] == "logs.txt" {
        return Some(LogFile { namespace: parts[0].into(), pod: parts[1].into(), container: None, previous: false });
    }
    let at = parts.iter().rposition(|p| *p == "logs")?;
    let rest = &parts[at + 1..];
    if rest.len() != 3 {
        return None;
    }
    let file = rest[2].strip_suffix(".log").or_else(|| rest[2].strip_suffix(".txt"))?;
    let (container, previous) = match file.strip_suffix("-previous").or_else(|| file.strip_suffix(".previous")) {
        Some(container) => (container, true),
        None => (file, false),
    };
    Some(LogFile { namespace: rest[0].into(), pod: rest[1].into(), container: Some(container.into()), previous })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> Entry {
        Entry { path: path.into(), bytes: Vec::new() }
    }

    #[test]
    fn detects_each_layout() {
        assert_eq!(detect(&[entry("pods.yaml")]), Layout::Plain);
        assert_eq!(detect(&[entry("nodes.json"), entry("veritas/pods.json")]), Layout::ClusterInfoDump);
        assert_eq!(detect(&[entry("cluster-resources/pods/veritas.json")]), Layout::SupportBundle);
        assert_eq!(detect(&[entry(INDEX_FILE), entry("objects/pods.json")]), Layout::Collected);
    }

    #[test]
    fn recognises_log_paths() {
        let bundle = log_file("cluster-resources/pods/logs/veritas/gg-core-a/gg-core-previous.log", Layout::SupportBundle).unwrap();
        assert_eq!(bundle, LogFile { namespace: "veritas".into(), pod: "gg-core-a".into(), container: Some("gg-core".into()), previous: true });
        let plain = log_file("logs/veritas/gg-core-a/gg-core.log", Layout::Plain).unwrap();
        assert!(!plain.previous);
        let dump = log_file("veritas/gg-core-a/logs.txt", Layout::ClusterInfoDump).unwrap();
        assert_eq!(dump.container, None);
        assert!(log_file("veritas/pods.json", Layout::ClusterInfoDump).is_none());
    }
}
