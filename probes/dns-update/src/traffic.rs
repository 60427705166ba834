//! The signs of the symptom itself, "traffic still going to the old environment", after a
//! completed switch: the old environment's pods still listed as ready endpoints of the main
//! Service, and the old environment's pods still logging requests after the switch completed.

use std::collections::BTreeSet;

use ggcore_probe_sdk::prelude::*;

use super::switch::Switch;

/// The last log lines read from each pod of the old environment.
const TAIL_LINES: u32 = 200;

/// How long after a switch old-environment pods may still serve requests without it counting
/// as a sign, by default: resolvers and clients keep answers for their TTL, and CoreDNS's
/// default TTL is 5 seconds. The setting `dns.switch-grace` (a duration) overrides it.
const DEFAULT_GRACE_SECONDS: f64 = 60.0;

/// Paths that kubelet probes and Prometheus ask every pod for, whatever the Service selects.
const PROBE_PATHS: [&str; 5] = ["/health", "/ready", "/live", "/metrics", "/healthz"];

/// Returns the ready endpoint addresses of a Service: its Endpoints object's ready addresses
/// and its EndpointSlices' endpoints that are not marked not ready.
pub fn ready_endpoints(service: &Service, endpoints: &[Endpoints], slices: &[EndpointSlice]) -> BTreeSet<String> {
    let name = &service.metadata.name;
    let mut addresses = BTreeSet::new();
    for object in endpoints.iter().filter(|e| &e.metadata.name == name) {
        addresses.extend(object.subsets.iter().flat_map(|s| &s.addresses).map(|a| a.ip.clone()));
    }
    for slice in slices.iter().filter(|s| s.service_name() == Some(name.as_str())) {
        let ready = slice.endpoints.iter().filter(|e| e.conditions.ready != Some(false));
        addresses.extend(ready.flat_map(|e| &e.addresses).cloned());
    }
    addresses
}

/// Returns a line per old-environment pod that is still a ready endpoint of the Service.
pub fn old_endpoints(switch: &Switch, service: &Service, ready: &BTreeSet<String>, pods: &[Pod], label: &str) -> Vec<String> {
    pods.iter()
        .filter(|p| p.metadata.labels.get(label) == Some(&switch.old))
        .filter(|p| p.status.pod_ip.as_ref().is_some_and(|ip| ready.contains(ip)))
        .map(|p| {
            format!(
                "pod `{}` ({label}={}, the old environment) is still a ready endpoint of Service `{}`",
                p.metadata.name, switch.old, service.metadata.name
            )
        })
        .collect()
}

/// Returns a line per old-environment pod whose log shows requests served after the switch
/// completed and its grace period passed. Without a known completion time it returns nothing.
pub fn old_requests(cx: &Context, switch: &Switch, pods: &[Pod], label: &str) -> Vec<String> {
    let Some(completed_at) = switch.completed_at else { return Vec::new() };
    let grace = cx.setting("dns.switch-grace").and_then(parse_duration).unwrap_or(DEFAULT_GRACE_SECONDS);
    let after = completed_at + grace as i64;

    let mut signs = Vec::new();
    let old_pods: Vec<&Pod> = pods.iter().filter(|p| p.metadata.labels.get(label) == Some(&switch.old) && p.phase() == "Running").collect();
    // Each log is a request: a large old environment has only a sample of its pods read.
    let sample = ggcore_probe_sdk::sample::sample_pods(&old_pods, cx.max_pods());
    for pod in sample.pods {
        let Ok(text) = cx.logs(pod.metadata.namespace(), &pod.metadata.name, None, Some(TAIL_LINES), false) else { continue };
        let requests: Vec<&str> = text.lines().filter(|line| is_request(line) && line_time(line).is_some_and(|t| t > after)).collect();
        if let Some(last) = requests.last() {
            signs.push(format!(
                "pod `{}` ({label}={}, the old environment) logged {} requests more than {} after the switch to {} completed at {}; the last: {}",
                pod.metadata.name,
                switch.old,
                requests.len(),
                format_duration(grace),
                switch.active,
                ggcore_probe_sdk::units::format_time(completed_at),
                last.trim()
            ));
        }
    }
    signs
}

/// Reports whether a log line records a served request: a GG-CORE `request=` field or an
/// access-log request line, not a health or metrics probe.
fn is_request(line: &str) -> bool {
    let request = line.contains("request=") || line.contains("request_id=") || line.contains("\"GET /") || line.contains("\"POST /");
    request && !PROBE_PATHS.iter().any(|path| line.contains(path))
}

/// Returns the time a log line starts with, as GG-CORE writes it (`2026-12-04T10:03:17Z ...`).
fn line_time(line: &str) -> Option<i64> {
    line.split_whitespace().next().and_then(parse_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines_are_told_from_probes() {
        assert!(is_request("2026-12-04T10:20:00Z INFO request=9f3c2a completed in 812ms"));
        assert!(is_request("10.42.0.1 - - \"POST /v1/completions HTTP/1.1\" 200"));
        assert!(!is_request("10.42.0.1 - - \"GET /health HTTP/1.1\" 200"));
        assert!(!is_request("2026-12-04T10:20:00Z INFO model loaded"));
    }

    #[test]
    fn line_time_reads_the_leading_timestamp() {
        assert_eq!(line_time("2026-12-04T10:20:00Z INFO x"), parse_time("2026-12-04T10:20:00Z"));
        assert_eq!(line_time("INFO x"), None);
    }
}
