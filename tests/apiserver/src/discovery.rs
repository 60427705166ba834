//! Discovery documents: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/<group>` and
//! `/apis/<group>/<version>`, in the legacy form (`APIVersions`, `APIGroupList`,
//! `APIResourceList`) and the aggregated form (`APIGroupDiscoveryList` of
//! `apidiscovery.k8s.io/v2` or `v2beta1`) that kubectl and kube-rs ask for first.
//!
//! Every resource lists the verbs `get`, `list` and `watch` only, because the server never
//! changes anything; subresources list `get`.

use serde_json::{Value, json};

use crate::resources::{Catalog, ResourceType};

/// The verbs of every resource.
const VERBS: [&str; 3] = ["get", "list", "watch"];

/// The Kubernetes version the server reports, the minor version of the kubectl it is tested
/// with, so that kubectl prints no version-skew warning.
pub const KUBERNETES_VERSION: (&str, &str) = ("1", "32");

/// Builds `/version`.
pub fn version() -> Value {
    let (major, minor) = KUBERNETES_VERSION;
    json!({
        "major": major,
        "minor": minor,
        "gitVersion": format!("v{major}.{minor}.0"),
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.4",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// Builds `/api` in the legacy form.
pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]
    })
}

/// Builds `/apis` in the legacy form.
pub fn group_list(catalog: &Catalog) -> Value {
    let groups: Vec<Value> = catalog.groups().iter().map(|(name, versions)| group(name, versions)).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// Builds `/apis/<group>`; `None` when the group is not served.
pub fn group_document(catalog: &Catalog, name: &str) -> Option<Value> {
    let groups = catalog.groups();
    let (_, versions) = groups.iter().find(|(group, _)| group == name)?;
    let mut document = group(name, versions);
    document["kind"] = json!("APIGroup");
    document["apiVersion"] = json!("v1");
    Some(document)
}

fn group(name: &str, versions: &[String]) -> Value {
    let versions: Vec<Value> = versions.iter().map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v})).collect();
    json!({"name": name, "versions": versions, "preferredVersion": versions[0]})
}

/// Builds `/api/v1` or `/apis/<group>/<version>`; `None` when the group version is not served.
pub fn resource_list(catalog: &Catalog, group: &str, version: &str) -> Option<Value> {
    let types: Vec<&ResourceType> = catalog.in_group_version(group, version).collect();
    if types.is_empty() && !(group.is_empty() && version == "v1") {
        return None;
    }
    let mut resources = Vec::new();
    for resource in types {
        let mut entry = json!({
            "name": resource.plural,
            "singularName": resource.singular,
            "namespaced": resource.namespaced,
            "kind": resource.kind,
            "verbs": VERBS,
        });
        if !resource.short_names.is_empty() {
            entry["shortNames"] = json!(resource.short_names);
        }
        if !resource.categories.is_empty() {
            entry["categories"] = json!(resource.categories);
        }
        resources.push(entry);
        for sub in &resource.subresources {
            resources.push(json!({
                "name": format!("{}/{sub}", resource.plural),
                "singularName": "",
                "namespaced": resource.namespaced,
                "kind": subresource_kind(resource, sub),
                "verbs": ["get"],
            }));
        }
    }
    let group_version = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    Some(json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}))
}

/// The kind a subresource returns: the parent's kind, except for the proxy options kinds.
fn subresource_kind(resource: &ResourceType, sub: &str) -> String {
    match (resource.kind.as_str(), sub) {
        ("Pod", "proxy") => "PodProxyOptions".into(),
        ("Service", "proxy") => "ServiceProxyOptions".into(),
        ("Node", "proxy") => "NodeProxyOptions".into(),
        _ => resource.kind.clone(),
    }
}

/// Builds the aggregated discovery of `/api` (`core` true) or `/apis`, in `apidiscovery.k8s.io`
/// version `v2` or `v2beta1` (the two have the same fields).
pub fn aggregated(catalog: &Catalog, core: bool, version: &str) -> Value {
    let mut items = Vec::new();
    if core {
        items.push(json!({"metadata": {"creationTimestamp": null}, "versions": [aggregated_version(catalog, "", "v1")]}));
    } else {
        for (group, versions) in catalog.groups() {
            let versions: Vec<Value> = versions.iter().map(|v| aggregated_version(catalog, &group, v)).collect();
            items.push(json!({"metadata": {"name": group, "creationTimestamp": null}, "versions": versions}));
        }
    }
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": format!("apidiscovery.k8s.io/{version}"), "metadata": {}, "items": items})
}

fn aggregated_version(catalog: &Catalog, group: &str, version: &str) -> Value {
    let resources: Vec<Value> = catalog
        .in_group_version(group, version)
        .map(|resource| {
            let response_kind = json!({"group": resource.group, "version": resource.version, "kind": resource.kind});
            let subresources: Vec<Value> = resource
                .subresources
                .iter()
                .map(|sub| {
                    json!({
                        "subresource": sub,
                        "responseKind": {"group": resource.group, "version": resource.version, "kind": subresource_kind(resource, sub)},
                        "verbs": ["get"],
                    })
                })
                .collect();
            let mut entry = json!({
                "resource": resource.plural,
                "responseKind": response_kind,
                "scope": if resource.namespaced { "Namespaced" } else { "Cluster" },
                "singularResource": resource.singular,
                "verbs": VERBS,
            });
            if !resource.short_names.is_empty() {
                entry["shortNames"] = json!(resource.short_names);
            }
            if !resource.categories.is_empty() {
                entry["categories"] = json!(resource.categories);
            }
            if !subresources.is_empty() {
                entry["subresources"] = json!(subresources);
            }
            entry
        })
        .collect();
    json!({"version": version, "resources": resources, "freshness": "Current"})
}
