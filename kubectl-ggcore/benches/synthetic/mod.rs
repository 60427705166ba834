//! A generator of a large synthetic GG-CORE cluster, for the benchmarks: 5,000 pods, 1,000
//! Services with their Endpoints and EndpointSlices, 20,000 events, the GG-CORE custom
//! resources and monitoring objects, with faults sprinkled in (OOM-killed and image-pull pods,
//! a canary ServiceMonitor selecting the wrong label, stale endpoint IPs, ConfigMap drift).
//! Output is deterministic: the same sizes give the same files.

use std::path::Path;

use serde_json::{Value, json};

/// The size of the generated cluster.
pub struct Size {
    /// Pods in total, GG-CORE and others.
    pub pods: usize,
    /// Services in total.
    pub services: usize,
    /// Events in total.
    pub events: usize,
}

/// The size the benchmark uses.
pub const LARGE: Size = Size { pods: 5_000, services: 1_000, events: 20_000 };

/// Namespaces besides `veritas` that hold the other workloads.
const OTHER_NAMESPACES: usize = 19;

fn pod_ip(index: usize) -> String {
    format!("10.{}.{}.{}", 40 + index / 65_536, (index / 256) % 256, index % 256)
}

fn time(minutes_before: usize) -> String {
    ggcore_probe_sdk::units::format_time(ggcore_probe_sdk::units::parse_time("2026-12-04T10:30:00Z").unwrap() - 60 * minutes_before as i64)
}

fn list(items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "kind": "List", "items": items})
}

/// A pod; `fault` 0 is healthy, 1 OOM-killed in a crash loop, 2 image pull back-off.
fn pod(name: &str, namespace: &str, labels: Value, ip: &str, fault: u8, memory: &str) -> Value {
    let ready = fault == 0;
    let status = match fault {
        0 => json!({"name": "main", "ready": true, "restartCount": 0, "state": {"running": {"startedAt": time(600)}}, "lastState": {}}),
        1 => json!({"name": "main", "ready": false, "restartCount": 7, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137, "startedAt": time(8), "finishedAt": time(6), "message": "loading shard 5/6\n"}}}),
        _ => json!({"name": "main", "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}}}),
    };
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels, "creationTimestamp": time(700),
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{name}-rs"), "controller": true}]},
        "spec": {"containers": [{"name": "main", "image": "registry.example.internal/app:1.0",
                 "ports": [{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9090}],
                 "resources": {"requests": {"cpu": "1", "memory": memory}, "limits": {"memory": memory}},
                 "env": [{"name": "LOG_LEVEL", "value": "info"}]}],
                 "nodeName": format!("node-{}", ip.len() % 40)},
        "status": {"phase": if fault == 2 { "Pending" } else { "Running" }, "podIP": ip,
                   "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": if ready { "True" } else { "False" }, "lastTransitionTime": time(600)}],
                   "containerStatuses": [status]}
    })
}

fn service(name: &str, namespace: &str, labels: Value, selector: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace, "labels": labels},
           "spec": {"selector": selector, "ports": [{"name": "http", "port": 8080, "targetPort": "http"}, {"name": "metrics", "port": 9090, "targetPort": "metrics"}]}})
}

fn endpoints(name: &str, namespace: &str, ready: &[String], not_ready: &[String]) -> Value {
    let address = |ip: &String| json!({"ip": ip});
    json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": name, "namespace": namespace},
           "subsets": [{"addresses": ready.iter().map(address).collect::<Vec<_>>(), "notReadyAddresses": not_ready.iter().map(address).collect::<Vec<_>>(),
                        "ports": [{"name": "http", "port": 8080}, {"name": "metrics", "port": 9090}]}]})
}

fn slice(name: &str, namespace: &str, service: &str, ready: &[String], not_ready: &[String]) -> Value {
    let endpoint = |ip: &String, ready: bool| json!({"addresses": [ip], "conditions": {"ready": ready}});
    let endpoints: Vec<Value> = ready.iter().map(|ip| endpoint(ip, true)).chain(not_ready.iter().map(|ip| endpoint(ip, false))).collect();
    json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
           "metadata": {"name": name, "namespace": namespace, "labels": {"kubernetes.io/service-name": service}},
           "endpoints": endpoints, "ports": [{"name": "http", "port": 8080}, {"name": "metrics", "port": 9090}]})
}

/// Writes the cluster into `dir` as one `List` JSON file per kind; returns the bytes written.
pub fn generate(dir: &Path, size: &Size) -> std::io::Result<u64> {
    std::fs::create_dir_all(dir)?;
    let gg_core_pods = size.pods / 5;
    let (mut pods, mut services, mut endpoint_lists, mut slices, mut events) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());

    // GG-CORE: blue serves, green stands by with some OOM kills and pull failures, a canary.
    let mut blue = Vec::new();
    let mut canary = Vec::new();
    for index in 0..gg_core_pods {
        let (environment, track) = match index % 10 {
            0 => ("blue", "canary"),
            1..=5 => ("blue", "stable"),
            _ => ("green", "stable"),
        };
        let fault = match (environment, index % 97) {
            ("green", 0..=3) => 1,
            ("green", 4) => 2,
            _ => 0,
        };
        let name = format!("gg-core-{environment}-{track}-{index:05}");
        let ip = pod_ip(index);
        let labels = json!({"app": "GG-CORE", "deployment": track, "environment": environment});
        pods.push(pod(&name, "veritas", labels, &ip, fault, if environment == "green" { "24Gi" } else { "48Gi" }));
        match (environment, track) {
            ("blue", "stable") => blue.push(ip),
            (_, "canary") => canary.push(ip),
            _ => {}
        }
        for event in 0..4 {
            events.push(json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": format!("{name}.{event}"), "namespace": "veritas"},
                "involvedObject": {"kind": "Pod", "name": name, "namespace": "veritas"}, "type": if fault > 0 { "Warning" } else { "Normal" },
                "reason": if fault == 1 { "BackOff" } else { "Pulled" }, "message": "synthetic event", "count": 1, "lastTimestamp": time(5 + event)}));
        }
    }
    // Three old pod IPs left in the Endpoints: a stale-endpoints fault.
    let mut listed = blue.clone();
    listed.extend((0..3).map(|i| format!("10.99.0.{i}")));
    services.push(service("gg-core", "veritas", json!({"app": "GG-CORE", "track": "stable"}), json!({"app": "GG-CORE", "deployment": "stable", "environment": "blue"})));
    endpoint_lists.push(endpoints("gg-core", "veritas", &listed, &[]));
    for (i, chunk) in blue.chunks(100).enumerate() {
        slices.push(slice(&format!("gg-core-{i:03}"), "veritas", "gg-core", chunk, &[]));
    }
    services.push(service("gg-core-canary", "veritas", json!({"app": "GG-CORE", "track": "canary"}), json!({"app": "GG-CORE", "deployment": "canary"})));
    endpoint_lists.push(endpoints("gg-core-canary", "veritas", &canary, &[]));
    slices.push(slice("gg-core-canary-000", "veritas", "gg-core-canary", &canary, &[]));

    // Other teams' workloads in other namespaces.
    let other_pods = size.pods - gg_core_pods;
    let other_services = size.services - 2;
    let pods_per_service = other_pods / other_services.max(1);
    for service_index in 0..other_services {
        let namespace = format!("team-{:02}", service_index % OTHER_NAMESPACES + 1);
        let app = format!("app-{service_index:04}");
        let mut ips = Vec::new();
        for replica in 0..pods_per_service {
            let index = gg_core_pods + service_index * pods_per_service + replica;
            let ip = pod_ip(index);
            pods.push(pod(&format!("{app}-{replica}"), &namespace, json!({"app": app}), &ip, 0, "1Gi"));
            ips.push(ip);
        }
        services.push(service(&app, &namespace, json!({"app": app}), json!({"app": app})));
        endpoint_lists.push(endpoints(&app, &namespace, &ips, &[]));
        slices.push(slice(&format!("{app}-000"), &namespace, &app, &ips, &[]));
    }
    while pods.len() < size.pods {
        let index = pods.len();
        pods.push(pod(&format!("batch-{index}"), "team-01", json!({"app": "batch"}), &pod_ip(index), 0, "1Gi"));
    }
    while events.len() < size.events {
        let index = events.len();
        let namespace = format!("team-{:02}", index % OTHER_NAMESPACES + 1);
        events.push(json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": format!("event-{index}"), "namespace": namespace},
            "involvedObject": {"kind": "Pod", "name": format!("app-{:04}-0", index % 997), "namespace": namespace}, "type": "Normal",
            "reason": "Scheduled", "message": "Successfully assigned a pod to a node", "count": 1, "lastTimestamp": time(index % 60)}));
    }

    let config = |environment: &str, batch: &str| {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("veritas-config-{environment}"), "namespace": "veritas"},
               "data": {"MODEL_ID": "veritas-llm-13b-instruct", "MAX_BATCH_SIZE": batch}})
    };
    let monitoring = vec![
        json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "metadata": {"name": "k8s", "namespace": "monitoring"},
               "spec": {"serviceMonitorSelector": {"matchLabels": {"release": "kube-prom"}}, "serviceMonitorNamespaceSelector": {}}}),
        json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "gg-core", "namespace": "veritas", "labels": {"release": "kube-prom"}},
               "spec": {"selector": {"matchLabels": {"app": "GG-CORE", "track": "stable"}}, "endpoints": [{"port": "metrics"}]}}),
        json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "gg-core-canary", "namespace": "veritas", "labels": {"release": "kube-prom"}},
               "spec": {"selector": {"matchLabels": {"app": "gg-core-canary"}}, "endpoints": [{"port": "metrics"}]}}),
    ];
    let custom = vec![
        json!({"apiVersion": "veritas.ggcore.io/v1alpha1", "kind": "VeritasCanary", "metadata": {"name": "gg-core", "namespace": "veritas", "generation": 2},
               "spec": {"trafficWeight": 10, "promotion": {"auto": true, "successLimit": 5}}, "status": {"phase": "Progressing", "observedGeneration": 2, "successCount": 2}}),
        json!({"apiVersion": "veritas.ggcore.io/v1alpha1", "kind": "VeritasEnvironment", "metadata": {"name": "gg-core", "namespace": "veritas", "generation": 3},
               "spec": {"activeEnvironment": "blue", "minReadySeconds": 30, "switch": {"healthCheck": {"timeout": "10m"}}},
               "status": {"phase": "Stable", "switchProgress": 100, "observedGeneration": 3}}),
    ];

    let mut bytes = 0;
    for (file, items) in [
        ("pods.json", pods),
        ("services.json", services),
        ("endpoints.json", endpoint_lists),
        ("endpointslices.json", slices),
        ("events.json", events),
        ("configmaps.json", vec![config("blue", "32"), config("green", "64")]),
        ("monitoring.json", monitoring),
        ("veritas.json", custom),
    ] {
        let text = serde_json::to_vec(&list(items))?;
        bytes += text.len() as u64;
        std::fs::write(dir.join(file), text)?;
    }
    Ok(bytes)
}
