//! The resource types the server serves: their group, version, plural and singular names,
//! scope, short names and subresources, which discovery publishes and the router resolves
//! paths against.
//!
//! Every built-in kind below is always served, as a real cluster serves them whether or not
//! any object exists. A custom kind is served when the fixtures hold an object of it or the
//! `CustomResourceDefinition` that defines it. Without either, its paths return 404, as on a
//! cluster where the CRD is not installed.

use serde_json::Value;

/// One resource type: a kind served at `/apis/<group>/<version>/<plural>`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    /// The API group, `""` for the core group.
    pub group: String,
    /// The version, such as `v1`.
    pub version: String,
    /// The kind, such as `Pod`.
    pub kind: String,
    /// The plural name used in paths, such as `pods`.
    pub plural: String,
    /// The singular name, the lowercase kind.
    pub singular: String,
    /// True when objects live in a namespace.
    pub namespaced: bool,
    /// The short names kubectl accepts, such as `po`.
    pub short_names: Vec<String>,
    /// The categories, such as `all`.
    pub categories: Vec<String>,
    /// The subresources served with GET: `status`, `log`, `proxy`.
    pub subresources: Vec<String>,
    /// The `additionalPrinterColumns` of the CRD that defines the kind; empty for built-ins.
    pub printer_columns: Vec<PrinterColumn>,
}

/// A column of a custom resource's table, from its CRD.
#[derive(Debug, Clone, PartialEq)]
pub struct PrinterColumn {
    /// The header.
    pub name: String,
    /// The OpenAPI type: `string`, `integer`, `number`, `boolean` or `date`.
    pub column_type: String,
    /// The OpenAPI format, often empty.
    pub format: String,
    /// The description.
    pub description: String,
    /// 0 for the default columns, more for `-o wide` only.
    pub priority: i64,
    /// The simple JSONPath of the value, such as `.status.phase`.
    pub json_path: String,
}

impl ResourceType {
    /// Returns the `apiVersion` of the objects: `v1` or `<group>/<version>`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.clone() } else { format!("{}/{}", self.group, self.version) }
    }

    /// Returns the group-qualified resource as the API server names it in messages:
    /// `pods`, `deployments.apps`, `veritascanaries.veritas.ggcore.io`.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() { self.plural.clone() } else { format!("{}.{}", self.plural, self.group) }
    }
}

/// A built-in kind: group, version, kind, plural, namespaced, short names, categories,
/// subresources.
type Builtin = (&'static str, &'static str, &'static str, &'static str, bool, &'static [&'static str], &'static [&'static str], &'static [&'static str]);

/// The built-in kinds of Kubernetes 1.32 that the server serves, with the names and scopes of
/// the real API server's discovery.
const BUILTINS: &[Builtin] = &[
    ("", "v1", "ConfigMap", "configmaps", true, &["cm"], &[], &[]),
    ("", "v1", "Endpoints", "endpoints", true, &["ep"], &[], &[]),
    ("", "v1", "Event", "events", true, &["ev"], &[], &[]),
    ("", "v1", "LimitRange", "limitranges", true, &["limits"], &[], &[]),
    ("", "v1", "Namespace", "namespaces", false, &["ns"], &[], &["status"]),
    ("", "v1", "Node", "nodes", false, &["no"], &[], &["proxy", "status"]),
    ("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, &["pvc"], &[], &["status"]),
    ("", "v1", "PersistentVolume", "persistentvolumes", false, &["pv"], &[], &["status"]),
    ("", "v1", "Pod", "pods", true, &["po"], &["all"], &["log", "proxy", "status"]),
    ("", "v1", "ReplicationController", "replicationcontrollers", true, &["rc"], &["all"], &["status"]),
    ("", "v1", "ResourceQuota", "resourcequotas", true, &["quota"], &[], &["status"]),
    ("", "v1", "Secret", "secrets", true, &[], &[], &[]),
    ("", "v1", "ServiceAccount", "serviceaccounts", true, &["sa"], &[], &[]),
    ("", "v1", "Service", "services", true, &["svc"], &["all"], &["proxy", "status"]),
    ("apps", "v1", "ControllerRevision", "controllerrevisions", true, &[], &[], &[]),
    ("apps", "v1", "DaemonSet", "daemonsets", true, &["ds"], &["all"], &["status"]),
    ("apps", "v1", "Deployment", "deployments", true, &["deploy"], &["all"], &["status"]),
    ("apps", "v1", "ReplicaSet", "replicasets", true, &["rs"], &["all"], &["status"]),
    ("apps", "v1", "StatefulSet", "statefulsets", true, &["sts"], &["all"], &["status"]),
    ("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, &["hpa"], &["all"], &["status"]),
    ("batch", "v1", "CronJob", "cronjobs", true, &["cj"], &["all"], &["status"]),
    ("batch", "v1", "Job", "jobs", true, &[], &["all"], &["status"]),
    ("coordination.k8s.io", "v1", "Lease", "leases", true, &[], &[], &[]),
    ("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, &[], &[], &[]),
    ("networking.k8s.io", "v1", "IngressClass", "ingressclasses", false, &[], &[], &[]),
    ("networking.k8s.io", "v1", "Ingress", "ingresses", true, &["ing"], &[], &["status"]),
    ("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, &["netpol"], &[], &[]),
    ("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, &["pdb"], &[], &["status"]),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, &[], &[], &[]),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, &[], &[], &[]),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, &[], &[], &[]),
    ("rbac.authorization.k8s.io", "v1", "Role", "roles", true, &[], &[], &[]),
    ("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, &["pc"], &[], &[]),
    ("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, &["sc"], &[], &[]),
    ("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, &["crd", "crds"], &["api-extensions"], &["status"]),
];

/// Custom kinds that the GG-CORE guide meets, with the names their CRDs give them, used when
/// the fixtures hold objects of the kind but not its CRD.
const WELL_KNOWN_CUSTOM: &[Builtin] = &[
    ("monitoring.coreos.com", "v1", "Alertmanager", "alertmanagers", true, &["am"], &[], &["status"]),
    ("monitoring.coreos.com", "v1", "PodMonitor", "podmonitors", true, &["pmon"], &[], &[]),
    ("monitoring.coreos.com", "v1", "Prometheus", "prometheuses", true, &["prom"], &[], &["status"]),
    ("monitoring.coreos.com", "v1", "PrometheusRule", "prometheusrules", true, &["promrule"], &[], &[]),
    ("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors", true, &["smon"], &[], &[]),
    ("networking.istio.io", "v1", "DestinationRule", "destinationrules", true, &["dr"], &[], &["status"]),
    ("networking.istio.io", "v1", "Gateway", "gateways", true, &["gw"], &[], &["status"]),
    ("networking.istio.io", "v1", "ServiceEntry", "serviceentries", true, &["se"], &[], &["status"]),
    ("networking.istio.io", "v1", "VirtualService", "virtualservices", true, &["vs"], &[], &["status"]),
    ("veritas.ggcore.io", "v1alpha1", "VeritasCanary", "veritascanaries", true, &["vcanary"], &[], &["status"]),
    ("veritas.ggcore.io", "v1alpha1", "VeritasEnvironment", "veritasenvironments", true, &["venv"], &[], &["status"]),
];

fn from_builtin(entry: &Builtin) -> ResourceType {
    let (group, version, kind, plural, namespaced, short_names, categories, subresources) = *entry;
    ResourceType {
        group: group.into(),
        version: version.into(),
        kind: kind.into(),
        plural: plural.into(),
        singular: kind.to_ascii_lowercase(),
        namespaced,
        short_names: short_names.iter().map(|s| s.to_string()).collect(),
        categories: categories.iter().map(|s| s.to_string()).collect(),
        subresources: subresources.iter().map(|s| s.to_string()).collect(),
        printer_columns: Vec::new(),
    }
}

/// The resource types of one server.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    types: Vec<ResourceType>,
}

impl Catalog {
    /// Builds the catalog: every built-in kind, the kinds of the CRDs among the objects, and
    /// the kinds of the other objects.
    pub fn build(objects: &[Value]) -> Catalog {
        let mut catalog = Catalog { types: BUILTINS.iter().map(from_builtin).collect() };
        for crd in objects.iter().filter(|o| is_crd(o)) {
            for resource in from_crd(crd) {
                catalog.insert(resource);
            }
        }
        for object in objects {
            let (Some(api_version), Some(kind)) = (object["apiVersion"].as_str(), object["kind"].as_str()) else { continue };
            let (group, version) = split_api_version(api_version);
            if catalog.find_kind(group, version, kind).is_none() {
                let namespaced = object.pointer("/metadata/namespace").and_then(Value::as_str).is_some_and(|n| !n.is_empty());
                catalog.insert(guess(group, version, kind, namespaced));
            }
        }
        catalog
    }

    fn insert(&mut self, resource: ResourceType) {
        let existing = self.types.iter().position(|t| t.group == resource.group && t.version == resource.version && t.kind == resource.kind);
        match existing {
            Some(at) => self.types[at] = resource,
            None => self.types.push(resource),
        }
    }

    /// Finds a type by group, version and plural.
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceType> {
        self.types.iter().find(|t| t.group == group && t.version == version && t.plural == plural)
    }

    /// Finds a type by group, version and kind.
    pub fn find_kind(&self, group: &str, version: &str, kind: &str) -> Option<&ResourceType> {
        self.types.iter().find(|t| t.group == group && t.version == version && t.kind == kind)
    }

    /// Returns the groups other than core, each with its versions, in the order served.
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for resource in self.types.iter().filter(|t| !t.group.is_empty()) {
            match groups.iter_mut().find(|(name, _)| *name == resource.group) {
                Some((_, versions)) if !versions.contains(&resource.version) => versions.push(resource.version.clone()),
                Some(_) => {}
                None => groups.push((resource.group.clone(), vec![resource.version.clone()])),
            }
        }
        groups
    }

    /// Returns the types of one group version.
    pub fn in_group_version<'a>(&'a self, group: &'a str, version: &'a str) -> impl Iterator<Item = &'a ResourceType> {
        self.types.iter().filter(move |t| t.group == group && t.version == version)
    }
}

/// Splits an `apiVersion` into group and version: `apps/v1` gives (`apps`, `v1`), `v1` gives
/// (``, `v1`).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.split_once('/').unwrap_or(("", api_version))
}

fn is_crd(object: &Value) -> bool {
    object["kind"] == "CustomResourceDefinition" && object["apiVersion"].as_str().is_some_and(|v| v.starts_with("apiextensions.k8s.io/"))
}

/// Reads the served versions of a `CustomResourceDefinition`.
fn from_crd(crd: &Value) -> Vec<ResourceType> {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let (Some(group), Some(kind), Some(plural)) = (spec["group"].as_str(), names["kind"].as_str(), names["plural"].as_str()) else {
        return Vec::new();
    };
    let strings = |value: &Value| -> Vec<String> { value.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect() };
    let singular = names["singular"].as_str().map_or_else(|| kind.to_ascii_lowercase(), str::to_string);
    let namespaced = spec["scope"].as_str() != Some("Cluster");

    let mut resources = Vec::new();
    for version in spec["versions"].as_array().into_iter().flatten() {
        let Some(name) = version["name"].as_str() else { continue };
        if version["served"] == false {
            continue;
        }
        let mut subresources = Vec::new();
        if version.pointer("/subresources/status").is_some() {
            subresources.push("status".to_string());
        }
        let printer_columns = version["additionalPrinterColumns"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|column| {
                Some(PrinterColumn {
                    name: column["name"].as_str()?.to_string(),
                    column_type: column["type"].as_str().unwrap_or("string").to_string(),
                    format: column["format"].as_str().unwrap_or("").to_string(),
                    description: column["description"].as_str().unwrap_or("").to_string(),
                    priority: column["priority"].as_i64().unwrap_or(0),
                    json_path: column["jsonPath"].as_str()?.to_string(),
                })
            })
            .collect();
        resources.push(ResourceType {
            group: group.into(),
            version: name.into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: singular.clone(),
            namespaced,
            short_names: strings(&names["shortNames"]),
            categories: strings(&names["categories"]),
            subresources,
            printer_columns,
        });
    }
    resources
}

/// Describes a kind the fixtures hold but neither the catalog nor a CRD defines. A built-in
/// or well-known kind in another version keeps its names. Any other kind gets the plural
/// Kubernetes guesses (`UnsafeGuessKindToResource`) and the scope its first object shows.
fn guess(group: &str, version: &str, kind: &str, namespaced: bool) -> ResourceType {
    let known = BUILTINS.iter().chain(WELL_KNOWN_CUSTOM).find(|entry| entry.0 == group && entry.2 == kind);
    if let Some(entry) = known {
        let mut resource = from_builtin(entry);
        resource.version = version.into();
        return resource;
    }
    let singular = kind.to_ascii_lowercase();
    ResourceType {
        group: group.into(),
        version: version.into(),
        kind: kind.into(),
        plural: guess_plural(&singular),
        singular,
        namespaced,
        short_names: Vec::new(),
        categories: Vec::new(),
        subresources: Vec::new(),
        printer_columns: Vec::new(),
    }
}

/// Returns the plural Kubernetes guesses from a lowercase kind.
pub fn guess_plural(singular: &str) -> String {
    if singular.ends_with("endpoints") {
        singular.to_string()
    } else if singular.ends_with('s') || singular.ends_with("ch") || singular.ends_with("sh") || singular.ends_with('x') || singular.ends_with('z') {
        format!("{singular}es")
    } else if let Some(stem) = singular.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{singular}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn guessed_plurals_follow_kubernetes() {
        assert_eq!(guess_plural("veritascanary"), "veritascanaries");
        assert_eq!(guess_plural("prometheus"), "prometheuses");
        assert_eq!(guess_plural("servicemonitor"), "servicemonitors");
    }

    #[test]
    fn crd_names_and_columns_are_served() {
        let crd = json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.io"},
            "spec": {"group": "example.io", "scope": "Cluster",
                "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "shortNames": ["wd"]},
                "versions": [{"name": "v1", "served": true, "storage": true,
                    "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]}]}
        });
        let catalog = Catalog::build(&[crd]);
        let widget = catalog.find("example.io", "v1", "widgets").unwrap();
        assert!(!widget.namespaced);
        assert_eq!(widget.short_names, ["wd"]);
        assert_eq!(widget.printer_columns[0].json_path, ".spec.size");
    }

    #[test]
    fn well_known_custom_kind_keeps_short_name() {
        let monitor = json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "m", "namespace": "veritas"}});
        let catalog = Catalog::build(&[monitor]);
        let resource = catalog.find("monitoring.coreos.com", "v1", "servicemonitors").unwrap();
        assert_eq!(resource.short_names, ["smon"]);
        assert!(resource.namespaced);
    }
}
