//! Server-side printing: the `Table` (`meta.k8s.io/v1`) that `kubectl get` requests with
//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. For the kinds the GG-CORE guide
//! reads, the columns and cells follow the printers of kube-apiserver
//! (`pkg/printers/internalversion/printers.go`). A custom resource gets the
//! `additionalPrinterColumns` of its CRD when the fixtures hold the CRD. Every other kind gets
//! `Name` and `Age`.
//!
//! A row holds a cell for every column, `-o wide` columns (priority 1) included, because
//! kubectl hides those itself.

use serde_json::{Value, json};

use crate::resources::ResourceType;
use crate::time::{age_since, parse_rfc3339};

/// How much of each object a row carries, from the `includeObject` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeObject {
    /// No object.
    None,
    /// A `PartialObjectMetadata` (the default): kubectl reads namespaces and labels from it.
    Metadata,
    /// The whole object.
    Object,
}

impl IncludeObject {
    /// Reads the `includeObject` parameter; anything but `None` and `Object` is `Metadata`.
    pub fn from_parameter(value: Option<&str>) -> IncludeObject {
        match value {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        }
    }
}

/// One column: header, OpenAPI type and format, description, priority (0 default, 1 wide).
struct Column(&'static str, &'static str, &'static str, &'static str, i64);

/// Builds a `Table` of objects. `list_metadata` becomes the table's `metadata`.
pub fn table(resource: &ResourceType, objects: &[&Value], now: i64, include: IncludeObject, version: &str, list_metadata: Value) -> Value {
    let columns: Vec<Value> = if resource.printer_columns.is_empty() {
        builtin_columns(resource)
            .iter()
            .map(|Column(name, kind, format, description, priority)| {
                json!({"name": name, "type": kind, "format": format, "description": description, "priority": priority})
            })
            .collect()
    } else {
        let mut columns = vec![json!({"name": "Name", "type": "string", "format": "name", "description": NAME_DESCRIPTION, "priority": 0})];
        columns.extend(resource.printer_columns.iter().map(|c| {
            json!({"name": c.name, "type": c.column_type, "format": c.format, "description": c.description, "priority": c.priority})
        }));
        columns
    };

    let rows: Vec<Value> = objects
        .iter()
        .map(|object| {
            let cells = if resource.printer_columns.is_empty() { builtin_cells(resource, object, now) } else { custom_cells(resource, object, now) };
            let mut row = json!({"cells": cells});
            match include {
                IncludeObject::None => {}
                IncludeObject::Metadata => row["object"] = partial_metadata(object),
                IncludeObject::Object => row["object"] = (*object).clone(),
            }
            row
        })
        .collect();

    json!({
        "kind": "Table",
        "apiVersion": format!("meta.k8s.io/{version}"),
        "metadata": list_metadata,
        "columnDefinitions": columns,
        "rows": rows,
    })
}

/// Builds the `PartialObjectMetadata` of an object.
pub fn partial_metadata(object: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"]})
}

const NAME_DESCRIPTION: &str = "Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DESCRIPTION: &str = "CreationTimestamp is a timestamp representing the server time when this object was created.";

fn builtin_columns(resource: &ResourceType) -> Vec<Column> {
    let name = Column("Name", "string", "name", NAME_DESCRIPTION, 0);
    let age = Column("Age", "string", "", AGE_DESCRIPTION, 0);
    let text = |header: &'static str, priority: i64| Column(header, "string", "", "", priority);
    let integer = |header: &'static str| Column(header, "integer", "", "", 0);
    match (resource.group.as_str(), resource.kind.as_str()) {
        ("", "Pod") => vec![
            name,
            text("Ready", 0),
            text("Status", 0),
            text("Restarts", 0),
            age,
            text("IP", 1),
            text("Node", 1),
            text("Nominated Node", 1),
            text("Readiness Gates", 1),
        ],
        ("", "Service") => vec![name, text("Type", 0), text("Cluster-IP", 0), text("External-IP", 0), text("Port(s)", 0), age, text("Selector", 1)],
        ("", "Endpoints") => vec![name, text("Endpoints", 0), age],
        ("discovery.k8s.io", "EndpointSlice") => vec![name, text("AddressType", 0), text("Ports", 0), text("Endpoints", 0), age],
        ("apps", "Deployment") => vec![
            name,
            text("Ready", 0),
            integer("Up-to-date"),
            integer("Available"),
            age,
            text("Containers", 1),
            text("Images", 1),
            text("Selector", 1),
        ],
        ("apps", "ReplicaSet") => vec![
            name,
            integer("Desired"),
            integer("Current"),
            integer("Ready"),
            age,
            text("Containers", 1),
            text("Images", 1),
            text("Selector", 1),
        ],
        ("apps", "StatefulSet") => vec![name, text("Ready", 0), age, text("Containers", 1), text("Images", 1)],
        ("", "ConfigMap") => vec![name, integer("Data"), age],
        ("", "Secret") => vec![name, text("Type", 0), integer("Data"), age],
        ("", "Namespace") => vec![name, text("Status", 0), age],
        ("", "Node") => vec![
            name,
            text("Status", 0),
            text("Roles", 0),
            age,
            text("Version", 0),
            text("Internal-IP", 1),
            text("External-IP", 1),
            text("OS-Image", 1),
            text("Kernel-Version", 1),
            text("Container-Runtime", 1),
        ],
        ("", "Event") => vec![
            text("Last Seen", 0),
            text("Type", 0),
            text("Reason", 0),
            text("Object", 0),
            text("Subobject", 1),
            text("Source", 1),
            text("Message", 0),
            text("First Seen", 1),
            text("Count", 1),
            Column("Name", "string", "name", NAME_DESCRIPTION, 1),
        ],
        _ => vec![name, age],
    }
}

fn builtin_cells(resource: &ResourceType, object: &Value, now: i64) -> Vec<Value> {
    let name = json!(object["metadata"]["name"]);
    let age = json!(age_since(object["metadata"]["creationTimestamp"].as_str(), now));
    match (resource.group.as_str(), resource.kind.as_str()) {
        ("", "Pod") => pod_cells(object, name, age, now),
        ("", "Service") => service_cells(object, name, age),
        ("", "Endpoints") => vec![name, json!(format_endpoints(object)), age],
        ("discovery.k8s.io", "EndpointSlice") => {
            let ports = list_or(object["ports"].as_array(), "<unset>", |p| p["port"].as_i64().map_or("<unset>".into(), |n| n.to_string()));
            let addresses: Vec<String> = object["endpoints"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|e| e["addresses"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string))
                .collect();
            vec![name, json!(object["addressType"]), json!(ports), json!(limited(&addresses, "<unset>")), age]
        }
        ("apps", "Deployment") => {
            let status = &object["status"];
            let ready = format!("{}/{}", number(&status["readyReplicas"]), object["spec"]["replicas"].as_i64().unwrap_or(1));
            let mut cells = vec![name, json!(ready), json!(number(&status["updatedReplicas"])), json!(number(&status["availableReplicas"])), age];
            cells.extend(template_cells(object));
            cells
        }
        ("apps", "ReplicaSet") => {
            let status = &object["status"];
            let desired = object["spec"]["replicas"].as_i64().unwrap_or(1);
            let mut cells = vec![name, json!(desired), json!(number(&status["replicas"])), json!(number(&status["readyReplicas"])), age];
            cells.extend(template_cells(object));
            cells
        }
        ("apps", "StatefulSet") => {
            let ready = format!("{}/{}", number(&object["status"]["readyReplicas"]), object["spec"]["replicas"].as_i64().unwrap_or(1));
            let mut cells = vec![name, json!(ready), age];
            cells.extend(template_cells(object).into_iter().take(2));
            cells
        }
        ("", "ConfigMap") => {
            let count = object["data"].as_object().map_or(0, |d| d.len()) + object["binaryData"].as_object().map_or(0, |d| d.len());
            vec![name, json!(count), age]
        }
        ("", "Secret") => vec![name, json!(object["type"].as_str().unwrap_or("Opaque")), json!(object["data"].as_object().map_or(0, |d| d.len())), age],
        ("", "Namespace") => vec![name, json!(object["status"]["phase"].as_str().unwrap_or("Active")), age],
        ("", "Node") => node_cells(object, name, age),
        ("", "Event") => event_cells(object, name, now),
        _ => vec![name, age],
    }
}

/// Follows `printPod`. The status is the phase, overridden by the pod's reason, then by the
/// state of the first container that is not running and ready. The restarts cell names the
/// time of the last termination.
fn pod_cells(pod: &Value, name: Value, age: Value, now: i64) -> Vec<Value> {
    let status = &pod["status"];
    let total = pod["spec"]["containers"].as_array().map_or(0, Vec::len);
    let mut restarts = 0;
    let mut ready = 0;
    let mut last_restart: Option<i64> = None;
    let mut reason = status["reason"].as_str().or(status["phase"].as_str()).unwrap_or("").to_string();
    let mut note_restart = |container: &Value, restarts: &mut i64| {
        *restarts += container["restartCount"].as_i64().unwrap_or(0);
        if let Some(finished) = container["lastState"]["terminated"]["finishedAt"].as_str().and_then(parse_rfc3339) {
            last_restart = Some(last_restart.map_or(finished, |l| l.max(finished)));
        }
    };

    let init_statuses = status["initContainerStatuses"].as_array().cloned().unwrap_or_default();
    let init_total = pod["spec"]["initContainers"].as_array().map_or(0, Vec::len);
    let mut initializing = false;
    for (index, container) in init_statuses.iter().enumerate() {
        note_restart(container, &mut restarts);
        let state = &container["state"];
        let terminated = &state["terminated"];
        let waiting_reason = state["waiting"]["reason"].as_str().unwrap_or("");
        if terminated.is_object() && terminated["exitCode"].as_i64() == Some(0) {
            continue;
        }
        initializing = true;
        reason = if terminated.is_object() {
            match terminated["reason"].as_str().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None if terminated["signal"].as_i64().unwrap_or(0) != 0 => format!("Init:Signal:{}", terminated["signal"]),
                None => format!("Init:ExitCode:{}", number(&terminated["exitCode"])),
            }
        } else if !waiting_reason.is_empty() && waiting_reason != "PodInitializing" {
            format!("Init:{waiting_reason}")
        } else {
            format!("Init:{index}/{init_total}")
        };
        break;
    }

    if !initializing {
        let mut has_running = false;
        for container in status["containerStatuses"].as_array().into_iter().flatten().rev() {
            note_restart(container, &mut restarts);
            let state = &container["state"];
            let terminated = &state["terminated"];
            if let Some(waiting) = state["waiting"]["reason"].as_str().filter(|r| !r.is_empty()) {
                reason = waiting.to_string();
            } else if let Some(terminated_reason) = terminated["reason"].as_str().filter(|r| !r.is_empty()) {
                reason = terminated_reason.to_string();
            } else if terminated.is_object() {
                reason = match terminated["signal"].as_i64().unwrap_or(0) {
                    0 => format!("ExitCode:{}", number(&terminated["exitCode"])),
                    signal => format!("Signal:{signal}"),
                };
            } else if container["ready"] == true && state["running"].is_object() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = status["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.into();
        }
    }
    if pod["metadata"]["deletionTimestamp"].is_string() {
        if status["reason"] == "NodeLost" {
            reason = "Unknown".into();
        } else if !matches!(status["phase"].as_str(), Some("Succeeded" | "Failed")) {
            reason = "Terminating".into();
        }
    }

    let restarts = match last_restart {
        Some(at) if restarts != 0 => format!("{restarts} ({} ago)", crate::time::human_duration(now - at)),
        _ => restarts.to_string(),
    };
    let or_none = |value: &Value| json!(value.as_str().filter(|s| !s.is_empty()).unwrap_or("<none>"));
    vec![
        name,
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts),
        age,
        or_none(&status["podIP"]),
        or_none(&pod["spec"]["nodeName"]),
        or_none(&status["nominatedNodeName"]),
        json!("<none>"),
    ]
}

fn service_cells(service: &Value, name: Value, age: Value) -> Vec<Value> {
    let spec = &service["spec"];
    let service_type = spec["type"].as_str().unwrap_or("ClusterIP");
    let cluster_ip = spec["clusterIPs"][0].as_str().or(spec["clusterIP"].as_str()).filter(|ip| !ip.is_empty()).unwrap_or("<none>");
    let external: Vec<String> = spec["externalIPs"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect();
    let external_ip = match service_type {
        "ExternalName" => spec["externalName"].as_str().unwrap_or("<none>").to_string(),
        "LoadBalancer" => {
            let mut addresses: Vec<String> = service["status"]["loadBalancer"]["ingress"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i["ip"].as_str().or(i["hostname"].as_str()).map(str::to_string))
                .collect();
            addresses.extend(external.iter().cloned());
            if addresses.is_empty() { "<pending>".into() } else { addresses.join(",") }
        }
        _ if external.is_empty() => "<none>".into(),
        _ => external.join(","),
    };
    let ports = list_or(spec["ports"].as_array(), "<none>", |port| {
        let protocol = port["protocol"].as_str().unwrap_or("TCP");
        match port["nodePort"].as_i64() {
            Some(node_port) => format!("{}:{node_port}/{protocol}", number(&port["port"])),
            None => format!("{}/{protocol}", number(&port["port"])),
        }
    });
    vec![name, json!(service_type), json!(cluster_ip), json!(external_ip), json!(ports), age, json!(format_labels(&spec["selector"]))]
}

/// Follows `formatEndpoints`: at most three `ip:port` pairs, then `+ N more...`.
fn format_endpoints(endpoints: &Value) -> String {
    let Some(subsets) = endpoints["subsets"].as_array().filter(|s| !s.is_empty()) else { return "<none>".into() };
    let mut pairs = Vec::new();
    let mut count = 0;
    for subset in subsets {
        let addresses: Vec<&str> = subset["addresses"].as_array().into_iter().flatten().filter_map(|a| a["ip"].as_str()).collect();
        match subset["ports"].as_array().filter(|p| !p.is_empty()) {
            None => {
                count += addresses.len();
                pairs.extend(addresses.iter().map(|ip| ip.to_string()));
            }
            Some(ports) => {
                for port in ports {
                    count += addresses.len();
                    pairs.extend(addresses.iter().map(|ip| format!("{ip}:{}", number(&port["port"]))));
                }
            }
        }
    }
    if count > 3 { format!("{} + {} more...", pairs[..3].join(","), count - 3) } else { pairs.join(",") }
}

fn node_cells(node: &Value, name: Value, age: Value) -> Vec<Value> {
    let status = &node["status"];
    let ready = status["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Ready");
    let mut state = match ready.and_then(|c| c["status"].as_str()) {
        Some("True") => "Ready".to_string(),
        Some("False") => "NotReady".to_string(),
        _ => "Unknown".to_string(),
    };
    if node["spec"]["unschedulable"] == true {
        state.push_str(",SchedulingDisabled");
    }
    let mut roles: Vec<String> = node["metadata"]["labels"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| match key.strip_prefix("node-role.kubernetes.io/") {
            Some(role) if !role.is_empty() => Some(role.to_string()),
            _ if key == "kubernetes.io/role" => value.as_str().map(str::to_string),
            _ => None,
        })
        .collect();
    roles.sort();
    let roles = if roles.is_empty() { "<none>".to_string() } else { roles.join(",") };
    let address = |kind: &str| {
        status["addresses"].as_array().into_iter().flatten().find(|a| a["type"] == kind).and_then(|a| a["address"].as_str()).unwrap_or("<none>").to_string()
    };
    let info = &status["nodeInfo"];
    let field = |value: &Value| json!(value.as_str().unwrap_or("<unknown>"));
    vec![
        name,
        json!(state),
        json!(roles),
        age,
        json!(info["kubeletVersion"].as_str().unwrap_or("")),
        json!(address("InternalIP")),
        json!(address("ExternalIP")),
        field(&info["osImage"]),
        field(&info["kernelVersion"]),
        field(&info["containerRuntimeVersion"]),
    ]
}

/// Follows `printEvent`: `LAST SEEN` reads `5m (x3 over 20m)` for repeated events.
fn event_cells(event: &Value, name: Value, now: i64) -> Vec<Value> {
    let first = event["firstTimestamp"].as_str().or(event["eventTime"].as_str());
    let first_seen = age_since(first, now);
    let mut last_seen = match event["lastTimestamp"].as_str() {
        Some(last) => age_since(Some(last), now),
        None => first_seen.clone(),
    };
    let mut count = event["count"].as_i64().unwrap_or(0);
    if event["series"].is_object() {
        last_seen = age_since(event["series"]["lastObservedTime"].as_str(), now);
        count = event["series"]["count"].as_i64().unwrap_or(0);
    } else if count == 0 {
        count = 1;
    }
    let interval = if count > 1 { format!("{last_seen} (x{count} over {first_seen})") } else { last_seen };

    let involved = &event["involvedObject"];
    let kind = involved["kind"].as_str().unwrap_or("").to_ascii_lowercase();
    let target = match involved["name"].as_str().filter(|n| !n.is_empty()) {
        Some(involved_name) => format!("{kind}/{involved_name}"),
        None => kind,
    };

    let source = event["source"]["component"].as_str().or(event["reportingComponent"].as_str()).unwrap_or("");
    let source = match event["source"]["host"].as_str() {
        Some(host) => format!("{source}, {host}"),
        None => source.to_string(),
    };

    vec![
        json!(interval),
        json!(event["type"]),
        json!(event["reason"]),
        json!(target),
        json!(involved["fieldPath"].as_str().unwrap_or("")),
        json!(source),
        json!(event["message"].as_str().unwrap_or("").trim()),
        json!(first_seen),
        json!(count),
        name,
    ]
}

/// Builds the wide cells of a workload: containers, images and selector of its pod template.
fn template_cells(workload: &Value) -> Vec<Value> {
    let containers = workload["spec"]["template"]["spec"]["containers"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = containers.iter().filter_map(|c| c["name"].as_str()).collect();
    let images: Vec<&str> = containers.iter().filter_map(|c| c["image"].as_str()).collect();
    vec![json!(names.join(",")), json!(images.join(",")), json!(format_selector(&workload["spec"]["selector"]))]
}

/// Formats a `LabelSelector` as `metav1.LabelSelectorAsSelector` prints it.
fn format_selector(selector: &Value) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(labels) = selector["matchLabels"].as_object() {
        parts.extend(labels.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))));
    }
    for expression in selector["matchExpressions"].as_array().into_iter().flatten() {
        let key = expression["key"].as_str().unwrap_or("");
        let values: Vec<&str> = expression["values"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        parts.push(match expression["operator"].as_str().unwrap_or("") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            _ => format!("!{key}"),
        });
    }
    parts.sort();
    if parts.is_empty() { "<none>".into() } else { parts.join(",") }
}

/// Formats a label map as `labels.FormatLabels` does: `a=b,c=d`, `<none>` when empty.
fn format_labels(labels: &Value) -> String {
    let pairs: Vec<String> = labels.as_object().into_iter().flatten().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect();
    if pairs.is_empty() { "<none>".into() } else { pairs.join(",") }
}

fn number(value: &Value) -> i64 {
    value.as_i64().unwrap_or(0)
}

fn list_or(items: Option<&Vec<Value>>, empty: &str, format: impl Fn(&Value) -> String) -> String {
    match items {
        Some(items) if !items.is_empty() => items.iter().map(format).collect::<Vec<_>>().join(","),
        _ => empty.to_string(),
    }
}

/// Joins at most three items, then `+ N more...`.
fn limited(items: &[String], empty: &str) -> String {
    match items.len() {
        0 => empty.to_string(),
        1..=3 => items.join(","),
        n => format!("{} + {} more...", items[..3].join(","), n - 3),
    }
}

/// Cells of a custom resource from its CRD's printer columns: a `date` column prints as an
/// age, a missing value as `null` (kubectl shows `<none>`).
fn custom_cells(resource: &ResourceType, object: &Value, now: i64) -> Vec<Value> {
    let mut cells = vec![json!(object["metadata"]["name"])];
    for column in &resource.printer_columns {
        let value = simple_json_path(object, &column.json_path);
        cells.push(match (column.column_type.as_str(), value) {
            (_, None) => Value::Null,
            ("date", Some(Value::String(text))) => json!(age_since(Some(text), now)),
            (_, Some(value)) => value.clone(),
        });
    }
    cells
}

/// Reads a simple JSONPath such as `.status.phase` or `.spec.ports[0].port`.
fn simple_json_path<'a>(object: &'a Value, path: &str) -> Option<&'a Value> {
    let mut value = object;
    for part in path.trim_start_matches('.').split('.').filter(|p| !p.is_empty()) {
        let (field, index) = match part.split_once('[') {
            Some((field, rest)) => (field, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        value = value.get(field)?;
        if let Some(index) = index {
            value = value.get(index)?;
        }
    }
    Some(value)
}
