//! Reads a request the way kube-apiserver's `RequestInfoFactory` does: which verb, group,
//! version, resource, subresource, namespace and name a path names, plus the query
//! parameters and the representation the `Accept` header requests.

use serde_json::{Value, json};

/// The target of a request, in the terms of RBAC: verb, resource, subresource, namespace and
/// name. Discovery and other non-resource paths carry only the verb and the path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestInfo {
    /// The verb: `get`, `list` or `watch` for GET, else the method in lowercase.
    pub verb: String,
    /// True for paths under `/api/<version>/` and `/apis/<group>/<version>/` that name a resource.
    pub is_resource: bool,
    /// The API group, `""` for core.
    pub group: String,
    /// The version, `""` for non-resource paths.
    pub version: String,
    /// The plural resource, `""` for non-resource paths.
    pub resource: String,
    /// The subresource, such as `log` or `proxy`.
    pub subresource: Option<String>,
    /// The namespace of the request.
    pub namespace: Option<String>,
    /// The object's name, for requests on one object.
    pub name: Option<String>,
    /// The path after the subresource, still percent-encoded, for `proxy` (`/metrics`).
    pub rest: String,
    /// The path.
    pub path: String,
}

/// Namespace subresources, which `/api/v1/namespaces/<name>/<subresource>` names instead of
/// a resource in the namespace.
const NAMESPACE_SUBRESOURCES: [&str; 2] = ["status", "finalize"];

impl RequestInfo {
    /// Reads a request's method, path and query parameters.
    pub fn parse(method: &str, path: &str, params: &Params) -> RequestInfo {
        let mut info = RequestInfo { verb: method.to_ascii_lowercase(), path: path.to_string(), ..RequestInfo::default() };
        let raw: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let (group, version, skip) = match raw.as_slice() {
            ["api", version, _, ..] => ("", *version, 2),
            ["apis", group, version, _, ..] => (*group, *version, 3),
            _ => return info,
        };
        let mut parts: Vec<&str> = raw[skip..].to_vec();
        let mut raw_parts = &raw[skip..];

        if parts[0] == "namespaces" && parts.len() > 1 {
            info.namespace = Some(decode(parts[1]));
            if parts.len() > 2 && !NAMESPACE_SUBRESOURCES.contains(&parts[2]) {
                parts.drain(..2);
                raw_parts = &raw_parts[2..];
            }
        }
        if parts[0].is_empty() {
            return info;
        }
        info.is_resource = true;
        info.group = group.to_string();
        info.version = version.to_string();
        info.resource = decode(parts[0]);
        // A trailing slash (`.../pods/`) names no object.
        if let Some(name) = parts.get(1).filter(|n| !n.is_empty()) {
            info.name = Some(decode(name));
        }
        if let Some(sub) = parts.get(2) {
            info.subresource = Some(decode(sub));
            info.rest = raw_parts[3..].iter().map(|p| format!("/{p}")).collect();
        }
        if info.verb == "get" {
            info.verb = match (&info.name, params.is_true("watch")) {
                (_, true) => "watch".into(),
                (None, false) => "list".into(),
                (Some(_), false) => "get".into(),
            };
        }
        info
    }

    /// Returns `resource` or `resource/subresource`, as RBAC rules name it.
    pub fn full_resource(&self) -> String {
        match &self.subresource {
            Some(sub) => format!("{}/{sub}", self.resource),
            None => self.resource.clone(),
        }
    }

    /// Returns the group-qualified resource: `pods`, `veritascanaries.veritas.ggcore.io`.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() { self.resource.clone() } else { format!("{}.{}", self.resource, self.group) }
    }

    /// Returns the `details` of a `Status` about this request's resource.
    pub fn resource_details(&self) -> Value {
        let mut details = serde_json::Map::new();
        if let Some(name) = &self.name {
            details.insert("name".into(), json!(name));
        }
        if !self.group.is_empty() {
            details.insert("group".into(), json!(self.group));
        }
        details.insert("kind".into(), json!(self.resource));
        Value::Object(details)
    }
}

fn decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// The query parameters of a request, decoded.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decodes a query string (`a=1&b=x%20y`).
    pub fn parse(query: &str) -> Params {
        Params { pairs: form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect() }
    }

    /// Returns the first value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Returns true when a parameter is `true` or `1`.
    pub fn is_true(&self, name: &str) -> bool {
        matches!(self.get(name), Some("true" | "1"))
    }
}

/// The representation a response takes, from the `Accept` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Representation {
    /// The object or list as JSON.
    Json,
    /// A `Table` of `meta.k8s.io` in this version (`v1` or `v1beta1`).
    Table(String),
    /// `PartialObjectMetadata` or `PartialObjectMetadataList` of `meta.k8s.io` in this version.
    Metadata(String),
    /// The aggregated discovery `APIGroupDiscoveryList` of `apidiscovery.k8s.io` in this
    /// version (`v2` or `v2beta1`).
    Discovery(String),
}

impl Representation {
    /// Returns the `Content-Type` of a response in this representation. `single` selects
    /// `PartialObjectMetadata` over `PartialObjectMetadataList`.
    pub fn content_type(&self, single: bool) -> String {
        match self {
            Representation::Json => "application/json".into(),
            Representation::Table(version) => format!("application/json;as=Table;v={version};g=meta.k8s.io"),
            Representation::Metadata(version) if single => format!("application/json;as=PartialObjectMetadata;v={version};g=meta.k8s.io"),
            Representation::Metadata(version) => format!("application/json;as=PartialObjectMetadataList;v={version};g=meta.k8s.io"),
            Representation::Discovery(version) => format!("application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"),
        }
    }
}

/// Picks the first media range of an `Accept` header the server can write, in the client's
/// order. Discovery paths accept the aggregated form; resource paths accept tables and
/// metadata. Ranges with `q=0`, protobuf and YAML are passed over. `None` means 406.
pub fn negotiate(accept: Option<&str>, discovery: bool) -> Option<Representation> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else { return Some(Representation::Json) };
    for range in accept.split(',') {
        let mut pieces = range.split(';').map(str::trim);
        let media_type = pieces.next().unwrap_or("").to_ascii_lowercase();
        let params: Vec<(String, String)> = pieces
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().trim_matches('"').to_string()))
            .collect();
        let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        if param("q").is_some_and(|q| q.parse::<f32>().is_ok_and(|q| q <= 0.0)) {
            continue;
        }
        if !matches!(media_type.as_str(), "application/json" | "application/*" | "*/*") {
            continue;
        }
        let version = param("v").unwrap_or("").to_string();
        match (param("as"), param("g")) {
            (None, _) => return Some(Representation::Json),
            (Some("Table"), Some("meta.k8s.io")) if !discovery && matches!(version.as_str(), "v1" | "v1beta1") => {
                return Some(Representation::Table(version));
            }
            (Some("PartialObjectMetadata" | "PartialObjectMetadataList"), Some("meta.k8s.io"))
                if !discovery && matches!(version.as_str(), "v1" | "v1beta1") =>
            {
                return Some(Representation::Metadata(version));
            }
            (Some("APIGroupDiscoveryList"), Some("apidiscovery.k8s.io")) if discovery && matches!(version.as_str(), "v2" | "v2beta1") => {
                return Some(Representation::Discovery(version));
            }
            _ => continue,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(method: &str, path: &str) -> RequestInfo {
        RequestInfo::parse(method, path, &Params::parse(""))
    }

    #[test]
    fn namespaced_log_path_names_subresource() {
        let request = info("GET", "/api/v1/namespaces/veritas/pods/gg-core-a/log");
        assert_eq!(request.verb, "get");
        assert_eq!(request.namespace.as_deref(), Some("veritas"));
        assert_eq!(request.full_resource(), "pods/log");
        assert_eq!(request.name.as_deref(), Some("gg-core-a"));
    }

    #[test]
    fn proxy_path_keeps_rest() {
        let request = info("GET", "/api/v1/namespaces/veritas/services/gg-core:9090/proxy/metrics/x");
        assert_eq!(request.name.as_deref(), Some("gg-core:9090"));
        assert_eq!(request.rest, "/metrics/x");
    }

    #[test]
    fn namespace_itself_is_a_cluster_get() {
        let request = info("GET", "/api/v1/namespaces/veritas");
        assert_eq!(request.resource, "namespaces");
        assert_eq!(request.name.as_deref(), Some("veritas"));
        assert_eq!(request.verb, "get");
    }

    #[test]
    fn kubectl_get_accept_asks_for_table() {
        let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(negotiate(Some(accept), false), Some(Representation::Table("v1".into())));
        assert_eq!(negotiate(Some(accept), true), Some(Representation::Json));
    }

    #[test]
    fn protobuf_only_is_not_acceptable() {
        assert_eq!(negotiate(Some("application/vnd.kubernetes.protobuf"), false), None);
    }
}
