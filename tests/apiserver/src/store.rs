//! The objects the server serves, indexed by resource type and kept in the order etcd keeps
//! them (by the key `<namespace>/<name>`), so that lists and pages come out in a stable order.
//!
//! Objects without `metadata.resourceVersion` get one when the store is built, so that every
//! object carries one as on a real server. The store's resource version, which lists report,
//! is the highest of them. A namespaced object without a namespace goes to `default`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::fixtures::{Fixtures, LogKey};
use crate::resources::{Catalog, ResourceType, split_api_version};

/// One stored object.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The namespace, `""` for cluster-scoped objects.
    pub namespace: String,
    /// The name.
    pub name: String,
    /// The etcd key below the resource's prefix, `<namespace>/<name>` or `<name>`, which
    /// orders lists and continue tokens.
    pub key: String,
    /// The labels.
    pub labels: BTreeMap<String, String>,
    /// The object as served.
    pub value: Value,
}

/// The server's objects and logs, fixed once built.
#[derive(Debug, Default)]
pub struct Store {
    /// The resource types served.
    pub catalog: Catalog,
    /// Objects per (group, kind), sorted by namespace and name.
    objects: BTreeMap<(String, String), Vec<Stored>>,
    logs: BTreeMap<LogKey, String>,
    /// The highest resource version of any object.
    pub resource_version: u64,
    /// The time taken as now for table ages; `None` for the wall clock.
    pub clock: Option<i64>,
}

impl Store {
    /// Builds the store from fixtures.
    pub fn build(fixtures: &Fixtures) -> Store {
        let catalog = Catalog::build(&fixtures.objects);
        let mut highest = fixtures
            .objects
            .iter()
            .filter_map(|o| o.pointer("/metadata/resourceVersion").and_then(Value::as_str))
            .filter_map(|v| v.parse::<u64>().ok())
            .max()
            .unwrap_or(0);

        let mut objects: BTreeMap<(String, String), Vec<Stored>> = BTreeMap::new();
        for value in &fixtures.objects {
            let mut value = value.clone();
            let (Some(api_version), Some(kind)) = (value["apiVersion"].as_str(), value["kind"].as_str()) else { continue };
            let (group, version) = split_api_version(api_version);
            let namespaced = catalog.find_kind(group, version, kind).is_some_and(|t| t.namespaced);
            let (group, kind) = (group.to_string(), kind.to_string());
            if let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) {
                if !metadata.contains_key("resourceVersion") {
                    highest += 1;
                    metadata.insert("resourceVersion".into(), Value::String(highest.to_string()));
                }
                // The API server puts a namespaced object without a namespace in `default`.
                if namespaced && metadata.get("namespace").and_then(Value::as_str).is_none_or(str::is_empty) {
                    metadata.insert("namespace".into(), Value::String("default".into()));
                }
            }
            let metadata = &value["metadata"];
            let namespace = metadata["namespace"].as_str().unwrap_or("").to_string();
            let name = metadata["name"].as_str().unwrap_or("").to_string();
            let key = if namespace.is_empty() { name.clone() } else { format!("{namespace}/{name}") };
            let stored = Stored {
                namespace,
                name,
                key,
                labels: metadata["labels"]
                    .as_object()
                    .map(|labels| labels.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
                    .unwrap_or_default(),
                value,
            };
            objects.entry((group, kind)).or_default().push(stored);
        }
        for list in objects.values_mut() {
            list.sort_by(|a, b| a.key.cmp(&b.key));
        }

        Store { catalog, objects, logs: fixtures.logs.clone(), resource_version: highest.max(1), clock: fixtures.clock }
    }

    /// Returns the objects of a resource type, in one namespace or in all for `None`, sorted
    /// by key.
    ///
    /// NOTE: objects are served as stored, whatever version the path names: a kind the
    /// fixtures hold in two versions is served in both without conversion.
    pub fn list<'a>(&'a self, resource: &ResourceType, namespace: Option<&'a str>) -> impl Iterator<Item = &'a Stored> + 'a {
        let key = (resource.group.clone(), resource.kind.clone());
        self.objects.get(&key).into_iter().flatten().filter(move |o| namespace.is_none_or(|n| o.namespace == n))
    }

    /// Returns one object.
    pub fn get(&self, resource: &ResourceType, namespace: Option<&str>, name: &str) -> Option<&Stored> {
        self.list(resource, None).find(|o| o.name == name && o.namespace == namespace.unwrap_or(""))
    }

    /// Returns a container log, current or previous.
    pub fn log(&self, namespace: &str, pod: &str, container: &str, previous: bool) -> Option<&str> {
        let key = LogKey { namespace: namespace.into(), pod: pod.into(), container: container.into(), previous };
        self.logs.get(&key).map(String::as_str)
    }

    /// Returns the time taken as now, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.unwrap_or_else(crate::time::now)
    }
}
