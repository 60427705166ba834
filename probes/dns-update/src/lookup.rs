//! The lookup side of "DNS cache stale" (the guide's step 2, `nslookup GG-CORE`): resolve
//! `<service>.<namespace>.svc.cluster.local` through the run's resolver and compare the answer
//! with the Service's current addresses: its cluster IP, or for a headless Service the ready
//! endpoint addresses.

use std::collections::BTreeSet;

use ggcore_probe_sdk::prelude::*;

/// The cluster domain the Service's name is resolved in.
pub const CLUSTER_DOMAIN: &str = "svc.cluster.local";

/// The outcome of a lookup.
pub enum Lookup {
    /// No lookup was made, with the reason (no resolver, an ExternalName Service).
    Skipped(String),
    /// The lookup failed for a reason unrelated to the records (a timeout, a refused connection).
    Failed(String),
    /// The answer matches the Service.
    Matched(String),
    /// The answer is wrong or behind.
    Wrong {
        /// The summary.
        summary: String,
        /// Evidence lines.
        evidence: Vec<String>,
        /// True when the answer only lacks some ready pods (headless): degraded, not wrong.
        lagging: bool,
    },
}

/// Returns the name the Service resolves as inside the cluster.
pub fn service_name(service: &str, namespace: &str) -> String {
    format!("{service}.{namespace}.{CLUSTER_DOMAIN}")
}

/// Resolves the Service's name and compares the answer with the addresses it should have.
/// `old_environment` names the environment a completed switch moved away from, if any.
pub fn check(cx: &Context, service: &Service, ready_endpoints: &BTreeSet<String>, pods: &[Pod], old_environment: Option<&str>) -> Lookup {
    let name = service_name(&service.metadata.name, cx.namespace());
    if service.spec.type_.as_deref() == Some("ExternalName") {
        return Lookup::Skipped(format!("Service `{}` is an ExternalName Service; its name is a CNAME outside the cluster", service.metadata.name));
    }
    let answer = match cx.resolve(&name) {
        Ok(answer) => answer,
        Err(HostError::Unavailable(text)) if no_resolver(&text) => return Lookup::Skipped(format!("no lookup of `{name}` was made ({text})")),
        Err(HostError::NotFound(text)) => {
            return Lookup::Wrong {
                summary: format!("`{name}` does not resolve although Service `{}` exists", service.metadata.name),
                evidence: vec![format!("lookup of `{name}`: {text}")],
                lagging: false,
            };
        }
        Err(error) => return Lookup::Failed(format!("lookup of `{name}` failed: {}", error.message())),
    };

    let headless = service.spec.cluster_ip.as_deref().is_none_or(|ip| ip.is_empty() || ip == "None");
    let expected: BTreeSet<String> = if headless {
        ready_endpoints.clone()
    } else {
        service.spec.cluster_ip.iter().cloned().collect()
    };
    let what = if headless { format!("the {} ready endpoint addresses", expected.len()) } else { format!("the cluster IP {}", join(&expected)) };

    // Only the address families the Service has are compared: a dual-stack answer for a
    // single-stack view would otherwise show its other family as stale.
    let has_v6 = expected.iter().any(|a| a.contains(':'));
    let has_v4 = expected.iter().any(|a| !a.contains(':'));
    let answered: BTreeSet<String> = answer
        .addresses
        .iter()
        .filter(|a| if a.contains(':') { has_v6 || expected.is_empty() } else { has_v4 || expected.is_empty() })
        .cloned()
        .collect();
    let shown = format!("lookup of `{name}` answered {} (TTL {}s)", if answered.is_empty() { "no address".to_string() } else { join(&answered) }, answer.ttl);

    if answered.is_empty() {
        return Lookup::Wrong {
            summary: format!("`{name}` resolves to no address, but Service `{}` has {what}", service.metadata.name),
            evidence: vec![shown],
            lagging: false,
        };
    }
    let stale: Vec<&String> = answered.difference(&expected).collect();
    if !stale.is_empty() {
        let mut evidence = vec![shown.clone(), format!("Service `{}` has {what}", service.metadata.name)];
        for address in &stale {
            evidence.push(describe_address(address, pods, &cx.profile().environment_label, old_environment));
        }
        return Lookup::Wrong {
            summary: format!(
                "`{name}` resolves to {} instead of {what}; resolvers keep the old answer for up to its TTL of {}s",
                stale.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                answer.ttl
            ),
            evidence,
            lagging: false,
        };
    }
    let missing: Vec<&String> = expected.difference(&answered).collect();
    if !missing.is_empty() {
        let missing: Vec<String> = missing.iter().map(|a| describe_address(a, pods, &cx.profile().environment_label, None)).collect();
        return Lookup::Wrong {
            summary: format!("`{name}` lacks {} of {what}: DNS has not caught up with the endpoints", missing.len()),
            evidence: std::iter::once(shown).chain(missing).collect(),
            lagging: true,
        };
    }
    Lookup::Matched(format!("{shown}, which is {what}"))
}

/// Reports whether an `unavailable` error means the run has no resolver, rather than that the
/// configured server failed (refused, SERVFAIL), which leaves the check undecided.
// NOTE: the WIT has one `unavailable` case for both, so only the host's wording distinguishes them.
pub(crate) fn no_resolver(text: &str) -> bool {
    text.contains("no DNS server configured") || text.contains("no resolver")
}

/// Describes an address for evidence: the pod that has it and its environment, marked when
/// that is the old environment.
fn describe_address(address: &str, pods: &[Pod], label: &str, old_environment: Option<&str>) -> String {
    match pods.iter().find(|p| p.status.pod_ip.as_deref() == Some(address)) {
        Some(pod) => {
            let environment = pod.metadata.labels.get(label).map(String::as_str).unwrap_or("none");
            let is_old = old_environment == Some(environment);
            let note = if is_old { ", the environment the switch moved away from" } else { "" };
            format!("{address} is pod `{}` ({label}={environment}{note})", pod.metadata.name)
        }
        None => format!("{address} is no current pod or cluster IP of the Service (an address from before the last change?)"),
    }
}

fn join(addresses: &BTreeSet<String>) -> String {
    addresses.iter().map(String::as_str).collect::<Vec<_>>().join(", ")
}
