//! `dns-update`: after a blue-green switch, do the Service, cluster DNS and the name's answer
//! follow the new environment?
//!
//! Implements "DNS Not Updating" steps 2 and 3 and the blue-green side of its causes (the
//! Endpoints and EndpointSlices, steps 1 and 4, are the `service-endpoints` probe's):
//! - `service-selector-wrong`: a completed switch whose main Service still selects the old
//!   environment ([`switch`]);
//! - `dns-cache-stale`: CoreDNS pods not ready or logging errors ([`coredns`]), and, with a
//!   resolver, a lookup of the Service's name that answers other addresses than the Service
//!   has now ([`lookup`]);
//! - `external-dns-lag` and `client-side-caching` cannot be seen from the cluster. They are
//!   named as the remaining suspects (`inconclusive`) only when traffic still reaches the old
//!   environment ([`traffic`]) and every observable cause checks out. Otherwise they add
//!   nothing to the report.

use std::collections::BTreeSet;

use ggcore_probe_sdk::prelude::*;

mod coredns;
mod lookup;
mod switch;
mod traffic;

use lookup::Lookup;

const DNS: &str = "dns-stale";
const CACHE_STALE: &str = "dns-cache-stale";
const SELECTOR_WRONG: &str = "service-selector-wrong";
const EXTERNAL_LAG: &str = "external-dns-lag";
const CLIENT_CACHING: &str = "client-side-caching";

/// The annotation ExternalDNS reads to publish a Service under a public name.
const EXTERNAL_DNS_ANNOTATION: &str = "external-dns.alpha.kubernetes.io/hostname";

struct DnsUpdate;

impl Probe for DnsUpdate {
    fn describe() -> Descriptor {
        describe("dns-update")
            .title("Service selector, CoreDNS and the Service's DNS answer follow a blue-green switch")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Blue-Green Deployment Issues: DNS Not Updating (steps 2 and 3)")
            .reads(&[Service::KIND, Pod::KIND, Endpoints::KIND, EndpointSlice::KIND, VeritasEnvironment::KIND, Event::KIND])
            .uses(Capability::Logs)
            .uses(Capability::Dns)
            .reports(DNS, &[CACHE_STALE, SELECTOR_WRONG, EXTERNAL_LAG, CLIENT_CACHING])
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let namespace = cx.namespace().to_string();
        let label = cx.profile().environment_label.clone();
        let service: Option<Service> = cx.get(Some(&namespace), &cx.profile().service.clone())?;
        let pods: Vec<Pod> = cx.list(Some(&cx.profile().app_selector.clone()))?;
        let environments: Vec<VeritasEnvironment> = cx.list(None)?;
        let events: Vec<Event> = cx.list(None)?;

        let switches = switch::check(cx, service.as_ref(), &environments, &events, &pods);
        let selector_wrong = cx.findings().iter().any(|f| f.cause.as_deref() == Some(SELECTOR_WRONG) && matches!(f.outcome, Outcome::Fail | Outcome::Warn));

        let Some(service) = service else {
            let summary = format!("no Service `{}` in namespace `{namespace}` to resolve", cx.profile().service);
            for cause in [CACHE_STALE, EXTERNAL_LAG, CLIENT_CACHING] {
                cx.report(skip(DNS, Some(cause)).summary(summary.clone()));
            }
            return Ok(());
        };
        let endpoints: Vec<Endpoints> = cx.list(None)?;
        let slices: Vec<EndpointSlice> = cx.list(None)?;
        let ready = traffic::ready_endpoints(&service, &endpoints, &slices);

        let old = switches.first().map(|s| s.old.as_str());
        let coredns = coredns::check(cx, &format!("{}.{namespace}.", service.metadata.name));
        let lookup = lookup::check(cx, &service, &ready, &pods, old);

        let mut endpoint_signs = Vec::new();
        let mut request_signs = Vec::new();
        for switch in &switches {
            endpoint_signs.extend(traffic::old_endpoints(switch, &service, &ready, &pods, &label));
            request_signs.extend(traffic::old_requests(cx, switch, &pods, &label));
        }
        let signs: Vec<String> = endpoint_signs.iter().chain(&request_signs).cloned().collect();

        let cache_stale = report_cache(cx, &service, &coredns, &lookup, !signs.is_empty());
        let explained = if selector_wrong {
            Some("the Service's selector names the old environment")
        } else if !endpoint_signs.is_empty() {
            Some("the old environment's pods are still endpoints of the Service (see endpoints-not-updated)")
        } else if cache_stale {
            Some("DNS answers or CoreDNS are stale (see dns-cache-stale)")
        } else {
            None
        };
        report_unobservable(cx, &service, &signs, explained, &lookup);
        Ok(())
    }
}

/// Reports `dns-cache-stale` from the CoreDNS check and the lookup; returns whether a problem
/// was found. `symptom_shows` makes a check that could not be made inconclusive instead of
/// skipped.
fn report_cache(cx: &mut Context, service: &Service, coredns: &coredns::CoreDns, lookup: &Lookup, symptom_shows: bool) -> bool {
    let namespace = cx.namespace().to_string();
    let name = lookup::service_name(&service.metadata.name, &namespace);
    let mut found = false;

    if let Lookup::Wrong { summary, evidence, lagging, .. } = lookup {
        found = true;
        let builder = if *lagging { warn(DNS, CACHE_STALE) } else { fail(DNS, CACHE_STALE) };
        cx.report(
            builder
                .summary(summary.clone())
                .evidence_lines(evidence.iter().cloned())
                .object("Service", &service.metadata)
                .resolution("Wait TTL or restart CoreDNS (kubectl rollout restart deployment coredns -n kube-system); if the answer stays wrong, check the resolver in between")
                .next_command(format!("kubectl run -it --rm debug --image=busybox -n {namespace} -- nslookup {name}")),
        );
    }

    if !coredns.failures.is_empty() || !coredns.warnings.is_empty() {
        found = true;
        let builder = if coredns.failures.is_empty() { warn(DNS, CACHE_STALE) } else { fail(DNS, CACHE_STALE) };
        let first = coredns.failures.first().or(coredns.warnings.first()).cloned().unwrap_or_default();
        cx.report(
            builder
                .summary(format!("CoreDNS is not healthy: {first}"))
                .evidence_lines(coredns.failures.iter().chain(&coredns.warnings).cloned())
                .resolution("Wait TTL or restart CoreDNS (kubectl rollout restart deployment coredns -n kube-system), and fix what its log reports")
                .next_command(format!("kubectl logs -l {} -n {} --tail=20", coredns::SELECTOR, coredns::NAMESPACE)),
        );
    }
    if found {
        return true;
    }

    let coredns_part = if coredns.checked() {
        let mut text = format!("{} CoreDNS pods ready, no errors in the last lines of {} logs", coredns.pods, coredns.logs_read);
        if !coredns.unread.is_empty() {
            text.push_str(&format!(" ({} logs not readable)", coredns.unread.len()));
        }
        Some(text)
    } else {
        None
    };
    let coredns_unseen = match &coredns.unlisted {
        Some(reason) => format!("CoreDNS pods could not be listed ({reason})"),
        None => format!("no CoreDNS pod ({}) in namespace `{}` in this state", coredns::SELECTOR, coredns::NAMESPACE),
    };

    let finding = match (lookup, &coredns_part) {
        (Lookup::Matched(text), Some(part)) => pass(DNS, CACHE_STALE).summary(format!("{text}; {part}")),
        (Lookup::Matched(text), None) => pass(DNS, CACHE_STALE).summary(text.clone()).evidence(coredns_unseen),
        (Lookup::Failed(text), _) => inconclusive(DNS, Some(CACHE_STALE))
            .summary(format!("could not check the DNS answer of `{name}`: {text}"))
            .evidence_lines(coredns_part.clone()),
        (Lookup::Skipped(reason), part) if symptom_shows => inconclusive(DNS, Some(CACHE_STALE))
            .summary(format!("traffic still reaches the old environment, but the DNS answer of `{name}` could not be checked: {reason}"))
            .evidence(part.clone().unwrap_or(coredns_unseen))
            .next_command(format!("kubectl run -it --rm debug --image=busybox -n {namespace} -- nslookup {name}")),
        (Lookup::Skipped(reason), Some(part)) => pass(DNS, CACHE_STALE).summary(format!("{part}; the answer itself was not checked: {reason}")),
        (Lookup::Skipped(reason), None) => skip(DNS, Some(CACHE_STALE)).summary(format!("DNS not checked: {coredns_unseen}, and {reason}")),
        (Lookup::Wrong { .. }, _) => unreachable!("a wrong answer is reported above"),
    };
    cx.report(finding.object("Service", &service.metadata));
    for line in &coredns.unread {
        cx.debug(line);
    }
    false
}

/// Reports the causes the cluster cannot show. They are suspects only when traffic still
/// reaches the old environment and no observable cause explains it.
fn report_unobservable(cx: &mut Context, service: &Service, signs: &[String], explained: Option<&str>, lookup: &Lookup) {
    let causes = [
        (EXTERNAL_LAG, "external DNS providers are outside the cluster", "Wait for propagation or flush"),
        (CLIENT_CACHING, "client caches live in the client applications", "Restart client applications"),
    ];
    if signs.is_empty() {
        for (cause, _, _) in causes {
            cx.report(skip(DNS, Some(cause)).summary("no sign of traffic still reaching the old environment, so this cause, which the cluster cannot show, is not suspected"));
        }
        return;
    }
    if let Some(reason) = explained {
        for (cause, _, _) in causes {
            cx.report(skip(DNS, Some(cause)).summary(format!("traffic still reaches the old environment because {reason}")));
        }
        return;
    }

    let checked = match lookup {
        Lookup::Matched(text) => format!("the Service selects the active environment, its endpoints hold no old pod, and {text}"),
        _ => "the Service selects the active environment and its endpoints hold no old pod".to_string(),
    };
    let external: BTreeSet<&str> = service.metadata.annotations.get(EXTERNAL_DNS_ANNOTATION).map(String::as_str).into_iter().collect();
    for (cause, why, resolution) in causes {
        let mut finding = inconclusive(DNS, Some(cause))
            .summary(format!(
                "traffic still reaches the old environment although {checked}: {} remains a suspect, which cannot be checked from the cluster ({why})",
                if cause == EXTERNAL_LAG { "external DNS lag" } else { "client-side caching" }
            ))
            .evidence_lines(signs.iter().cloned())
            .object("Service", &service.metadata)
            .resolution(resolution);
        if cause == EXTERNAL_LAG {
            for host in &external {
                finding = finding.evidence(format!("Service `{}` is published outside the cluster as `{host}` ({EXTERNAL_DNS_ANNOTATION})", service.metadata.name));
            }
        }
        cx.report(finding);
    }
}

ggcore_probe_sdk::probe!(DnsUpdate);

#[cfg(test)]
mod tests;
