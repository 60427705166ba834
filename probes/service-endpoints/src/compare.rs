//! Compares what a Service's endpoints should be, from its selected pods, with what its
//! Endpoints object and EndpointSlices list.

use std::collections::{BTreeMap, BTreeSet};

use ggcore_probe_sdk::prelude::*;

use super::{DNS, ENDPOINTS_STALE};

/// A Service port as endpoints name it, with the resolved pod port number.
type PortKey = (String, i64);

/// The endpoints a Service should have.
pub struct Expected {
    /// Ready pod IPs per port.
    ready: BTreeMap<PortKey, BTreeSet<String>>,
    /// Pod IPs per port of pods that are not ready.
    not_ready: BTreeMap<PortKey, BTreeSet<String>>,
    /// Per Service port: the selected ready pods on which its target port does not resolve.
    unresolved: BTreeMap<String, Vec<(String, String)>>,
    /// Per Service port: how many ready pods resolve it.
    resolved_ready: BTreeMap<String, usize>,
    /// Ready selected pods with an IP.
    ready_pods: usize,
    /// Pod names by IP, for evidence.
    pods_by_ip: BTreeMap<String, (String, bool)>,
}

impl Expected {
    /// Computes the endpoints of `service` over its selected pods.
    pub fn of(service: &Service, pods: &[&Pod]) -> Expected {
        let mut expected = Expected {
            ready: BTreeMap::new(),
            not_ready: BTreeMap::new(),
            unresolved: BTreeMap::new(),
            resolved_ready: BTreeMap::new(),
            ready_pods: 0,
            pods_by_ip: BTreeMap::new(),
        };
        for pod in pods {
            let Some(ip) = pod.status.pod_ip.clone().filter(|ip| !ip.is_empty()) else { continue };
            let ready = pod.is_ready();
            expected.pods_by_ip.insert(ip.clone(), (pod.metadata.name.clone(), ready));
            if ready {
                expected.ready_pods += 1;
            }
            for port in &service.spec.ports {
                match port.resolve(pod) {
                    Some(number) => {
                        let key = (port.name().to_string(), number);
                        let set = if ready { &mut expected.ready } else { &mut expected.not_ready };
                        set.entry(key).or_default().insert(ip.clone());
                        if ready {
                            *expected.resolved_ready.entry(port.name().to_string()).or_default() += 1;
                        }
                    }
                    None if ready => {
                        let declared: Vec<String> = pod
                            .spec
                            .containers
                            .iter()
                            .flat_map(|c| &c.ports)
                            .map(|p| format!("{}:{}", p.name.as_deref().unwrap_or("(unnamed)"), p.container_port))
                            .collect();
                        expected.unresolved.entry(port.name().to_string()).or_default().push((pod.metadata.name.clone(), declared.join(", ")));
                    }
                    None => {}
                }
            }
        }
        expected
    }
}

/// The endpoints an Endpoints object or a Service's EndpointSlices list.
pub struct Listed {
    ready: BTreeMap<PortKey, BTreeSet<String>>,
    /// True when the Endpoints object was cut at 1000 addresses; it is not compared then.
    truncated: bool,
}

impl Listed {
    /// Reads an Endpoints object.
    pub fn from_endpoints(endpoints: &Endpoints) -> Listed {
        let mut ready: BTreeMap<PortKey, BTreeSet<String>> = BTreeMap::new();
        for subset in &endpoints.subsets {
            for port in &subset.ports {
                let key = (port.name.clone().unwrap_or_default(), port.port.unwrap_or(0));
                let set = ready.entry(key).or_default();
                set.extend(subset.addresses.iter().map(|a| a.ip.clone()));
            }
        }
        let truncated = endpoints.metadata.annotations.contains_key("endpoints.kubernetes.io/over-capacity");
        Listed { ready, truncated }
    }

    /// Reads the EndpointSlices of one Service.
    pub fn from_slices(slices: &[&EndpointSlice]) -> Listed {
        let mut ready: BTreeMap<PortKey, BTreeSet<String>> = BTreeMap::new();
        for slice in slices {
            let addresses: Vec<&String> = slice
                .endpoints
                .iter()
                .filter(|e| e.conditions.ready != Some(false))
                .flat_map(|e| &e.addresses)
                .collect();
            for port in &slice.ports {
                let key = (port.name.clone().unwrap_or_default(), port.port.unwrap_or(0));
                ready.entry(key).or_default().extend(addresses.iter().map(|a| a.to_string()));
            }
        }
        Listed { ready, truncated: false }
    }
}

/// One disagreement between expected and listed endpoints.
struct Gap {
    /// The Service port's name.
    port: String,
    line: String,
    /// True when the Service port has no ready endpoint at all although pods are ready.
    outage: bool,
}

fn gaps(expected: &Expected, listed: &Listed, what: &str) -> Vec<Gap> {
    let mut gaps = Vec::new();
    let keys: BTreeSet<&PortKey> = expected.ready.keys().chain(listed.ready.keys()).collect();
    for key in keys {
        let (port, number) = key;
        let want = expected.ready.get(key).cloned().unwrap_or_default();
        let have = listed.ready.get(key).cloned().unwrap_or_default();
        let missing: Vec<&String> = want.difference(&have).collect();
        let extra: Vec<&String> = have.difference(&want).collect();
        let port_has_endpoints = listed.ready.iter().any(|((p, _), ips)| p == port && !ips.is_empty());

        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(|ip| name_of(expected, ip)).collect();
            gaps.push(Gap {
                port: port.clone(),
                line: format!("{what} lacks ready pods {} on port `{}` ({number})", names.join(", "), display_port(port)),
                outage: !port_has_endpoints,
            });
        }
        for ip in extra {
            let line = match expected.pods_by_ip.get(ip) {
                Some((name, false)) => format!("{what} lists pod `{name}` ({ip}) as ready on port `{}` ({number}), but it is not ready", display_port(port)),
                Some((name, true)) => format!("{what} lists pod `{name}` ({ip}) on port `{}` as {number}, which is not the port it resolves to", display_port(port)),
                None => format!("{what} lists {ip} on port `{}` ({number}), which is no pod the Service selects now (an old pod?)", display_port(port)),
            };
            gaps.push(Gap { port: port.clone(), line, outage: false });
        }
    }
    gaps
}

fn name_of(expected: &Expected, ip: &str) -> String {
    expected.pods_by_ip.get(ip).map(|(name, _)| format!("`{name}` ({ip})")).unwrap_or_else(|| ip.to_string())
}

fn display_port(name: &str) -> &str {
    if name.is_empty() { "(unnamed)" } else { name }
}

/// Reports unresolved target ports and endpoint disagreements of one Service.
pub fn report(cx: &mut Context, service: &Service, expected: &Expected, endpoints: Option<&Listed>, slices: Option<&Listed>, slice_objects: &[&EndpointSlice]) {
    let name = &service.metadata.name;
    let namespace = cx.namespace().to_string();
    let mut problems = false;

    for port in &service.spec.ports {
        let Some(pods) = expected.unresolved.get(port.name()) else { continue };
        problems = true;
        let resolved = expected.resolved_ready.get(port.name()).copied().unwrap_or(0);
        let builder = if resolved == 0 { fail(DNS, ENDPOINTS_STALE) } else { warn(DNS, ENDPOINTS_STALE) };
        let mut finding = builder
            .summary(format!(
                "Service `{name}` port `{}` ({}) has {} endpoints: its targetPort `{}` names no container port of {} of the {} ready pods it selects",
                display_port(port.name()),
                port.port,
                if resolved == 0 { "no" } else { "too few" },
                port.target(),
                pods.len(),
                expected.ready_pods
            ))
            .object_field("Service", &service.metadata, Some(&format!("spec.ports[{}].targetPort", display_port(port.name()))))
            .resolution(format!(
                "A named targetPort is looked up in each pod's container ports: rename the container port back to `{}`, or set the Service's targetPort to the name or number the pods declare",
                port.target()
            ))
            .next_command(format!("kubectl get endpointslices -n {namespace} -l kubernetes.io/service-name={name} -o wide"));
        for (pod, declared) in pods {
            finding = finding.evidence(format!("pod `{pod}` declares container ports {declared}"));
        }
        cx.report(finding);
    }

    for (what, listed) in [(format!("Endpoints `{name}`"), endpoints), ("its EndpointSlices".to_string(), slices)] {
        match listed {
            None if what.starts_with("Endpoints") && expected.ready_pods > 0 => {
                problems = true;
                cx.report(
                    fail(DNS, ENDPOINTS_STALE)
                        .summary(format!("Service `{name}` selects {} ready pods but has no Endpoints object", expected.ready_pods))
                        .object("Service", &service.metadata)
                        .next_command(format!("kubectl get endpoints {name} -n {namespace}")),
                );
            }
            None => {}
            Some(listed) if listed.truncated => {}
            Some(listed) => {
                let found = gaps(expected, listed, &what);
                // Ports whose target does not resolve were reported above; the missing
                // endpoints on them are the same fault.
                let found: Vec<Gap> = found.into_iter().filter(|g| !expected.unresolved.contains_key(&g.port)).collect();
                if found.is_empty() {
                    continue;
                }
                problems = true;
                let outage = found.iter().any(|g| g.outage);
                let builder = if outage { fail(DNS, ENDPOINTS_STALE) } else { warn(DNS, ENDPOINTS_STALE) };
                let mut finding = builder
                    .summary(format!("{what} of Service `{name}` do not match the ready pods it selects"))
                    .evidence_lines(found.iter().map(|g| g.line.clone()))
                    .object("Service", &service.metadata)
                    .resolution("Verify pod readiness gates, and that the endpoint controllers run; the Endpoints should list exactly the ready selected pods")
                    .next_command(format!("kubectl get endpoints {name} -n {namespace} -o yaml"));
                for slice in slice_objects.iter().filter(|_| what.starts_with("its")) {
                    finding = finding.object("EndpointSlice", &slice.metadata);
                }
                cx.report(finding);
            }
        }
    }

    if !problems {
        let ports: Vec<String> = service.spec.ports.iter().map(|p| display_port(p.name()).to_string()).collect();
        cx.report(
            pass(DNS, ENDPOINTS_STALE)
                .summary(format!(
                    "Endpoints of Service `{name}` match its {} ready pods on ports {}",
                    expected.ready_pods,
                    ports.join(", ")
                ))
                .object("Service", &service.metadata),
        );
    }
}
