//! One Kubernetes object as the host stores it: the compact JSON the probes receive, plus the
//! fields the host filters on, read once. Keeping JSON text rather than a parsed tree keeps a
//! large snapshot's memory close to its size on disk.

use ggcore_probe_sdk::selector::Labels;
use serde_json::Value;

/// A Kubernetes object from a snapshot or a live LIST.
#[derive(Debug)]
pub struct Object {
    /// The API group, `""` for core.
    pub group: String,
    /// The kind.
    pub kind: String,
    /// The namespace; `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// The labels.
    pub labels: Labels,
    json: Box<str>,
}

impl Object {
    /// Reads an object; `None` when the value lacks `apiVersion`, `kind` or `metadata.name`,
    /// and so is not a Kubernetes object.
    pub fn from_value(value: Value) -> Option<Object> {
        let api_version = value.get("apiVersion")?.as_str()?;
        let kind = value.get("kind")?.as_str()?.to_string();
        let metadata = value.get("metadata")?;
        let name = metadata.get("name")?.as_str()?.to_string();
        let namespace = metadata.get("namespace").and_then(Value::as_str).filter(|n| !n.is_empty()).map(str::to_string);
        let group = group_of(api_version).to_string();
        let labels = metadata
            .get("labels")
            .and_then(Value::as_object)
            .map(|map| map.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
            .unwrap_or_default();
        let json = value.to_string().into_boxed_str();
        Some(Object { group, kind, namespace, name, labels, json })
    }

    /// Returns the object as compact JSON, with `apiVersion` and `kind`.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// Parses the object, for the rare reads the indexed fields do not answer (field selectors,
    /// a Secret's data).
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.json).expect("an object's JSON was written by serde_json")
    }

    /// Formats the object as `Kind/namespace/name`.
    pub fn display_name(&self) -> String {
        match &self.namespace {
            Some(namespace) => format!("{}/{namespace}/{}", self.kind, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }
}

/// Returns the group part of an `apiVersion` (`apps/v1` gives `apps`, `v1` gives `""`).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map(|(group, _)| group).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_group_namespace_and_labels() {
        let value = serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "gg-core-blue", "namespace": "veritas", "labels": {"app": "GG-CORE"}}
        });
        let object = Object::from_value(value).unwrap();
        assert_eq!(object.group, "apps");
        assert_eq!(object.namespace.as_deref(), Some("veritas"));
        assert_eq!(object.labels.get("app").map(String::as_str), Some("GG-CORE"));
        assert_eq!(object.display_name(), "Deployment/veritas/gg-core-blue");
    }

    #[test]
    fn value_without_kind_is_not_an_object() {
        assert!(Object::from_value(serde_json::json!({"apiVersion": "v1", "metadata": {"name": "x"}})).is_none());
    }
}
