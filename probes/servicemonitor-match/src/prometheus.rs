//! Whether a Prometheus resource loads a ServiceMonitor, as prometheus-operator decides it.

use ggcore_probe_sdk::prelude::*;

/// The answer, with the reason for evidence.
pub enum Loaded {
    /// It loads it.
    Yes,
    /// It does not; the text says which selector leaves it out.
    No(String),
    /// Cannot tell: the namespace labels the selector needs were not readable.
    Unknown(String),
}

/// Reports whether a Prometheus needs namespace labels to judge its namespace selector.
pub fn needs_namespace_labels(prometheus: &Prometheus) -> bool {
    prometheus.spec.service_monitor_namespace_selector.as_ref().is_some_and(|s| !s.is_empty())
}

/// Decides whether `prometheus` loads `monitor`.
pub fn loaded_by(prometheus: &Prometheus, monitor: &ServiceMonitor, namespaces: Option<&[Namespace]>) -> Loaded {
    let instance = format!("Prometheus `{}/{}`", prometheus.metadata.namespace(), prometheus.metadata.name);
    let monitor_name = format!("`{}/{}`", monitor.metadata.namespace(), monitor.metadata.name);

    match &prometheus.spec.service_monitor_selector {
        None => return Loaded::No(format!("{instance} has no serviceMonitorSelector, so it loads no ServiceMonitor")),
        Some(selector) if !selector.matches(&monitor.metadata.labels) => {
            let unmet: Vec<String> = selector.unmet(&monitor.metadata.labels).iter().map(ToString::to_string).collect();
            return Loaded::No(format!(
                "{instance} serviceMonitorSelector {selector} does not match ServiceMonitor {monitor_name} labels {} (misses {})",
                format_labels(&monitor.metadata.labels),
                unmet.join(", ")
            ));
        }
        Some(_) => {}
    }

    let monitor_namespace = monitor.metadata.namespace();
    match &prometheus.spec.service_monitor_namespace_selector {
        None if monitor_namespace != prometheus.metadata.namespace() => Loaded::No(format!(
            "{instance} has no serviceMonitorNamespaceSelector, so it loads ServiceMonitors only from `{}`, not `{monitor_namespace}`",
            prometheus.metadata.namespace()
        )),
        None => Loaded::Yes,
        Some(selector) if selector.is_empty() => Loaded::Yes,
        Some(selector) => {
            let Some(namespaces) = namespaces else {
                return Loaded::Unknown(format!("{instance} selects namespaces by label ({selector}) and the Namespace objects are not readable"));
            };
            match namespaces.iter().find(|n| n.metadata.name == monitor_namespace) {
                Some(namespace) if selector.matches(&namespace.metadata.labels) => Loaded::Yes,
                Some(namespace) => Loaded::No(format!(
                    "{instance} serviceMonitorNamespaceSelector {selector} does not match namespace `{monitor_namespace}` labels {}",
                    format_labels(&namespace.metadata.labels)
                )),
                None => Loaded::Unknown(format!("namespace `{monitor_namespace}` is not among the Namespace objects read")),
            }
        }
    }
}
