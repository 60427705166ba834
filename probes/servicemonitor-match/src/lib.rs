//! `servicemonitor-match`: is every GG-CORE Service with a metrics port scraped? That needs a
//! ServiceMonitor whose selector matches the Service's labels and whose namespace selector
//! covers its namespace, an endpoint `port` that names a Service port resolving on the pods,
//! and a Prometheus resource whose selectors load that ServiceMonitor.
//!
//! Implements "Metrics Not Reporting" steps 2 and 5. Selector semantics follow
//! prometheus-operator: a ServiceMonitor without `namespaceSelector` looks in its own
//! namespace; a Prometheus `serviceMonitorSelector` that is null loads nothing and `{}` loads
//! everything; a null `serviceMonitorNamespaceSelector` means the Prometheus's own namespace.

use ggcore_probe_sdk::prelude::*;

mod prometheus;

use prometheus::{Loaded, loaded_by};

const SYMPTOM: &str = "no-metrics";
const MISSING: &str = "servicemonitor-missing";
const SELECTOR: &str = "label-selector-wrong";
const PORT: &str = "port-mismatch";

struct ServiceMonitorMatch;

impl Probe for ServiceMonitorMatch {
    fn describe() -> Descriptor {
        describe("servicemonitor-match")
            .title("Every GG-CORE Service with a metrics port is scraped by a ServiceMonitor Prometheus loads")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Metrics Not Reporting (steps 2 and 5)")
            .reads(&[Service::KIND, Pod::KIND, ServiceMonitor::KIND, Prometheus::KIND, Namespace::KIND])
            .reports(SYMPTOM, &[MISSING, SELECTOR, PORT])
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let namespace = cx.namespace().to_string();
        let services: Vec<Service> = cx.list::<Service>(None)?.into_iter().filter(|s| cx.is_gg_core_service(s)).collect();
        // The ServiceMonitors beside the Services must be readable; those in other namespaces
        // (a central monitoring namespace) are read when RBAC allows it.
        let local: Vec<ServiceMonitor> = cx.list(None)?;
        let (monitors, elsewhere_unread) = match cx.list_in::<ServiceMonitor>(None, None) {
            Ok(all) => (all, None),
            Err(error) => (local, Some(error.message())),
        };
        let prometheuses: Vec<Prometheus> = cx.list_in(None, None)?;

        if monitors.is_empty() && prometheuses.is_empty() {
            for cause in [MISSING, SELECTOR, PORT] {
                cx.report(skip(SYMPTOM, Some(cause)).summary("no ServiceMonitor and no Prometheus resource: prometheus-operator is not in use here"));
            }
            return Ok(());
        }
        let pods: Vec<Pod> = cx.list(None)?;
        // Namespace labels only matter for label-based namespace selectors; read them lazily.
        let namespaces: Option<Vec<Namespace>> = if prometheuses.iter().any(prometheus::needs_namespace_labels) {
            match cx.list_in::<Namespace>(None, None) {
                Ok(list) => Some(list),
                Err(error) => {
                    cx.warn(format!("cannot read namespace labels: {}", error.message()));
                    None
                }
            }
        } else {
            Some(Vec::new())
        };

        let metrics_port = cx.profile().metrics_port;
        let scraped: Vec<&Service> = services.iter().filter(|s| has_metrics_port(s, metrics_port)).collect();
        if scraped.is_empty() {
            cx.report(skip(SYMPTOM, Some(MISSING)).summary(format!("no GG-CORE Service in `{namespace}` exposes a metrics port")));
            return Ok(());
        }

        for service in scraped {
            let selecting: Vec<&ServiceMonitor> = monitors.iter().filter(|m| selects(m, service)).collect();
            if selecting.is_empty() {
                if let Some(reason) = &elsewhere_unread {
                    cx.report(
                        inconclusive(SYMPTOM, Some(MISSING))
                            .summary(format!(
                                "no ServiceMonitor in `{namespace}` selects Service `{}`, and those of other namespaces could not be read",
                                service.metadata.name
                            ))
                            .evidence(reason.clone())
                            .object("Service", &service.metadata),
                    );
                    continue;
                }
                report_unselected(cx, service, &monitors, &services);
                continue;
            }
            cx.report(
                pass(SYMPTOM, MISSING)
                    .summary(format!("Service `{}` is selected by ServiceMonitor {}", service.metadata.name, names(&selecting)))
                    .object("Service", &service.metadata),
            );
            check_loaded(cx, service, &selecting, &prometheuses, namespaces.as_deref());
            check_ports(cx, service, &selecting, &pods);
        }
        Ok(())
    }
}

/// Reports whether a Service exposes the profile's metrics port, by name `metrics` or number.
fn has_metrics_port(service: &Service, metrics_port: u16) -> bool {
    service.spec.ports.iter().any(|p| {
        p.name() == "metrics" || p.port == i64::from(metrics_port) || p.target().as_number() == Some(i64::from(metrics_port))
    })
}

/// Reports whether a ServiceMonitor selects a Service: labels and namespace.
fn selects(monitor: &ServiceMonitor, service: &Service) -> bool {
    NamespaceSelector::covers(monitor.spec.namespace_selector.as_ref(), monitor.metadata.namespace(), service.metadata.namespace())
        && monitor.spec.selector.matches(&service.metadata.labels)
}

fn names(monitors: &[&ServiceMonitor]) -> String {
    monitors.iter().map(|m| format!("`{}/{}`", m.metadata.namespace(), m.metadata.name)).collect::<Vec<_>>().join(", ")
}

/// No ServiceMonitor selects the Service: a monitor meant for it with a wrong selector, or none.
fn report_unselected(cx: &mut Context, service: &Service, monitors: &[ServiceMonitor], services: &[Service]) {
    let name = &service.metadata.name;
    let namespace = service.metadata.namespace().to_string();

    // A monitor is taken as meant for this Service when it carries its name, when its labels
    // match but its namespace selector leaves the Service out, or when it selects no Service
    // at all in the namespaces it covers.
    let same_name = monitors.iter().find(|m| &m.metadata.name == name);
    let wrong_namespace = monitors.iter().find(|m| m.spec.selector.matches(&service.metadata.labels));
    let orphan = monitors.iter().find(|m| {
        NamespaceSelector::covers(m.spec.namespace_selector.as_ref(), m.metadata.namespace(), &namespace)
            && !services.iter().any(|s| selects(m, s))
    });

    let next = format!("kubectl get servicemonitors -A -o yaml | less; kubectl get svc {name} -n {namespace} --show-labels");
    let meant = same_name.or(wrong_namespace).or(orphan);
    let Some(monitor) = meant else {
        cx.report(
            fail(SYMPTOM, MISSING)
                .summary(format!("no ServiceMonitor selects Service `{name}` (labels {}), so Prometheus has no target for it", format_labels(&service.metadata.labels)))
                .object("Service", &service.metadata)
                .resolution(format!("Create a ServiceMonitor whose selector matches the labels of Service `{name}` and whose endpoint port names its metrics port"))
                .next_command(next),
        );
        cx.report(skip(SYMPTOM, Some(SELECTOR)).summary(format!("no ServiceMonitor for Service `{name}` to check")));
        return;
    };

    let monitor_name = format!("{}/{}", monitor.metadata.namespace(), monitor.metadata.name);
    let mut finding = fail(SYMPTOM, SELECTOR)
        .object_field("ServiceMonitor", &monitor.metadata, Some("spec.selector"))
        .object("Service", &service.metadata)
        .resolution(format!(
            "Fix namespaceSelector or matchLabels of ServiceMonitor `{monitor_name}` so that it selects labels Service `{name}` carries ({})",
            format_labels(&service.metadata.labels)
        ))
        .next_command(format!("kubectl get servicemonitor {} -n {} -o yaml", monitor.metadata.name, monitor.metadata.namespace()));

    if monitor.spec.selector.matches(&service.metadata.labels) {
        let covered = match &monitor.spec.namespace_selector {
            Some(s) if !s.match_names.is_empty() => format!("namespaceSelector.matchNames {:?}", s.match_names),
            _ => format!("no namespaceSelector, so only its own namespace `{}`", monitor.metadata.namespace()),
        };
        finding = finding
            .summary(format!("ServiceMonitor `{monitor_name}` matches the labels of Service `{name}` but its namespace selector leaves out `{namespace}`"))
            .evidence(format!("ServiceMonitor `{monitor_name}` covers {covered}"));
    } else {
        let unmet: Vec<String> = monitor.spec.selector.unmet(&service.metadata.labels).iter().map(ToString::to_string).collect();
        finding = finding
            .summary(format!(
                "ServiceMonitor `{monitor_name}` selects {} but Service `{name}` is labelled {}, so Prometheus has no target for it",
                monitor.spec.selector,
                format_labels(&service.metadata.labels)
            ))
            .evidence(format!("ServiceMonitor `{monitor_name}` spec.selector: {}", monitor.spec.selector))
            .evidence(format!("Service `{namespace}/{name}` metadata.labels: {}", format_labels(&service.metadata.labels)))
            .evidence(format!("requirements the Service does not meet: {}", unmet.join(", ")));
        let matched: Vec<&str> = services.iter().filter(|s| selects(monitor, s)).map(|s| s.metadata.name.as_str()).collect();
        finding = finding.evidence(if matched.is_empty() {
            format!("ServiceMonitor `{monitor_name}` selects no Service at all")
        } else {
            format!("ServiceMonitor `{monitor_name}` selects only: {}", matched.join(", "))
        });
    }
    cx.report(finding);
    cx.report(pass(SYMPTOM, MISSING).summary(format!("ServiceMonitor `{monitor_name}` exists for Service `{name}`")));
}

/// Checks that some Prometheus resource loads one of the ServiceMonitors that select the Service.
fn check_loaded(cx: &mut Context, service: &Service, selecting: &[&ServiceMonitor], prometheuses: &[Prometheus], namespaces: Option<&[Namespace]>) {
    let name = &service.metadata.name;
    if prometheuses.is_empty() {
        cx.report(skip(SYMPTOM, Some(SELECTOR)).summary("no Prometheus resource found, so which ServiceMonitors are loaded cannot be told"));
        return;
    }
    let mut undecided = Vec::new();
    let mut refusals = Vec::new();
    for monitor in selecting {
        for instance in prometheuses {
            match loaded_by(instance, monitor, namespaces) {
                Loaded::Yes => {
                    cx.report(
                        pass(SYMPTOM, SELECTOR)
                            .summary(format!(
                                "ServiceMonitor `{}/{}` selects Service `{name}` and Prometheus `{}/{}` loads it",
                                monitor.metadata.namespace(),
                                monitor.metadata.name,
                                instance.metadata.namespace(),
                                instance.metadata.name
                            ))
                            .object("ServiceMonitor", &monitor.metadata),
                    );
                    return;
                }
                Loaded::No(reason) => refusals.push(reason),
                Loaded::Unknown(reason) => undecided.push(reason),
            }
        }
    }
    if !undecided.is_empty() {
        cx.report(
            inconclusive(SYMPTOM, Some(SELECTOR))
                .summary(format!("cannot tell whether a Prometheus loads the ServiceMonitors of Service `{name}`"))
                .evidence_lines(undecided),
        );
        return;
    }
    let mut finding = fail(SYMPTOM, SELECTOR)
        .summary(format!("no Prometheus resource loads the ServiceMonitors that select Service `{name}` ({})", names(selecting)))
        .evidence_lines(refusals)
        .resolution("Label the ServiceMonitor so the Prometheus resource's serviceMonitorSelector matches it, or widen serviceMonitorNamespaceSelector to its namespace");
    for monitor in selecting {
        finding = finding.object("ServiceMonitor", &monitor.metadata);
    }
    cx.report(finding);
}

/// Checks that each endpoint `port` names a Service port that resolves on the Service's pods.
fn check_ports(cx: &mut Context, service: &Service, selecting: &[&ServiceMonitor], pods: &[Pod]) {
    let name = &service.metadata.name;
    let selector = service.spec.selector.clone().unwrap_or_default();
    let backing: Vec<&Pod> = pods.iter().filter(|p| !selector.is_empty() && selector.iter().all(|(k, v)| p.metadata.labels.get(k) == Some(v))).collect();
    let mut problems = Vec::new();

    for monitor in selecting {
        for endpoint in &monitor.spec.endpoints {
            let monitor_name = format!("{}/{}", monitor.metadata.namespace(), monitor.metadata.name);
            let Some(port_name) = endpoint.port.as_deref() else {
                if endpoint.target_port.is_none() {
                    problems.push(format!("ServiceMonitor `{monitor_name}` has an endpoint with neither `port` nor `targetPort`"));
                }
                continue;
            };
            let Some(port) = service.spec.ports.iter().find(|p| p.name() == port_name) else {
                let available: Vec<&str> = service.spec.ports.iter().map(|p| p.name()).collect();
                problems.push(format!(
                    "ServiceMonitor `{monitor_name}` scrapes port `{port_name}`, but Service `{name}` has only ports {}",
                    available.join(", ")
                ));
                continue;
            };
            let unresolved: Vec<&str> = backing.iter().filter(|p| port.resolve(p).is_none()).map(|p| p.metadata.name.as_str()).collect();
            if !unresolved.is_empty() {
                problems.push(format!(
                    "Service `{name}` port `{port_name}` (targetPort `{}`) names no container port of pods {}",
                    port.target(),
                    unresolved.join(", ")
                ));
            }
        }
    }

    if problems.is_empty() {
        cx.report(pass(SYMPTOM, PORT).summary(format!("the ServiceMonitor ports of Service `{name}` name its ports and resolve on its pods")));
        return;
    }
    let mut finding = fail(SYMPTOM, PORT)
        .summary(format!("the ServiceMonitor of Service `{name}` scrapes a port that does not lead to the pods' metrics port"))
        .evidence_lines(problems)
        .object("Service", &service.metadata)
        .resolution("Verify port in ServiceMonitor matches pod: `endpoints[].port` must name a Service port whose targetPort is the pods' metrics port");
    for monitor in selecting {
        finding = finding.object_field("ServiceMonitor", &monitor.metadata, Some("spec.endpoints[].port"));
    }
    cx.report(finding);
}

ggcore_probe_sdk::probe!(ServiceMonitorMatch);

#[cfg(test)]
mod tests;
