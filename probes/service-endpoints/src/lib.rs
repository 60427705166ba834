//! `service-endpoints`: do the GG-CORE Services select the right pods, and do their Endpoints
//! and EndpointSlices list exactly the ready pods on every Service port?
//!
//! Implements "Canary Not Receiving Traffic" steps 3 and 4 (endpoints, pod labels against the
//! Service selector) and "DNS Not Updating" steps 1 and 4 (Endpoints and EndpointSlices). Ports
//! are resolved per pod as the endpoint controllers do: a named `targetPort` is looked up in
//! each pod's container ports, so pods may serve one Service port on different numbers.

use std::collections::{BTreeMap, BTreeSet};

use ggcore_probe_sdk::prelude::*;

mod compare;

use compare::{Expected, Listed};

const CANARY: &str = "canary-no-traffic";
const DNS: &str = "dns-stale";
const SELECTOR_MISMATCH: &str = "service-selector-mismatch";
const LABELS_WRONG: &str = "pod-labels-wrong";
const ENDPOINTS_STALE: &str = "endpoints-not-updated";
const SELECTOR_WRONG: &str = "service-selector-wrong";

/// The canary phases in which the canary Service should have endpoints.
const ACTIVE_PHASES: [&str; 4] = ["Progressing", "Paused", "Promoting", ""];

struct ServiceEndpoints;

impl Probe for ServiceEndpoints {
    fn describe() -> Descriptor {
        describe("service-endpoints")
            .title("GG-CORE Services select their pods and list them as endpoints")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Canary Not Receiving Traffic (steps 3-4); DNS Not Updating (steps 1 and 4)")
            .reads(&[Service::KIND, Pod::KIND, Endpoints::KIND, EndpointSlice::KIND, VeritasCanary::KIND])
            .reports(CANARY, &[SELECTOR_MISMATCH, LABELS_WRONG])
            .reports(DNS, &[ENDPOINTS_STALE, SELECTOR_WRONG])
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let namespace = cx.namespace().to_string();
        let app = Selector::parse(&cx.profile().app_selector).map_err(|e| HostError::Invalid(e.to_string()))?;
        let services: Vec<Service> = cx.list(None)?;
        let pods: Vec<Pod> = cx.list::<Pod>(None)?.into_iter().filter(is_live).collect();
        let endpoints: Vec<Endpoints> = cx.list(None)?;
        let slices: Vec<EndpointSlice> = cx.list(None)?;
        let canaries: Vec<VeritasCanary> = cx.list(None)?;
        let canary_active = canaries.iter().any(|c| ACTIVE_PHASES.contains(&c.phase()) && c.spec.traffic_weight.unwrap_or(0) > 0);

        let ours: Vec<&Service> = services.iter().filter(|s| cx.is_gg_core_service(s)).collect();
        if ours.is_empty() {
            cx.report(
                skip(DNS, Some(ENDPOINTS_STALE))
                    .summary(format!("no GG-CORE Service in namespace `{namespace}` (none named `{}` or labelled `{}`)", cx.profile().service, cx.profile().app_selector)),
            );
            return Ok(());
        }

        for service in ours {
            let Some(selector) = service.spec.selector.clone().filter(|s| !s.is_empty()) else {
                cx.report(
                    skip(DNS, Some(ENDPOINTS_STALE))
                        .summary(format!("Service `{}` has no selector; its endpoints are managed by hand", service.metadata.name))
                        .object("Service", &service.metadata),
                );
                continue;
            };
            let selected: Vec<&Pod> = pods.iter().filter(|p| selector.iter().all(|(k, v)| p.metadata.labels.get(k) == Some(v))).collect();
            let is_canary = service.metadata.name == cx.profile().canary_service;

            if selected.is_empty() {
                if is_canary {
                    report_empty_canary(cx, service, &selector, &pods, canary_active);
                } else {
                    report_empty_service(cx, service, &selector, &pods, &app);
                }
                continue;
            }
            let cause = if is_canary { (CANARY, SELECTOR_MISMATCH) } else { (DNS, SELECTOR_WRONG) };
            cx.report(
                pass(cause.0, cause.1)
                    .summary(format!("Service `{}` selects {} pods ({})", service.metadata.name, selected.len(), format_labels(&selector)))
                    .object("Service", &service.metadata),
            );
            if is_canary {
                cx.report(pass(CANARY, LABELS_WRONG).summary(format!("canary pods carry the labels Service `{}` selects", service.metadata.name)));
            }

            let expected = Expected::of(service, &selected);
            let listed_endpoints = endpoints.iter().find(|e| e.metadata.name == service.metadata.name).map(Listed::from_endpoints);
            let service_slices: Vec<&EndpointSlice> = slices.iter().filter(|s| s.service_name() == Some(&service.metadata.name)).collect();
            let listed_slices = (!service_slices.is_empty()).then(|| Listed::from_slices(&service_slices));
            compare::report(cx, service, &expected, listed_endpoints.as_ref(), listed_slices.as_ref(), &service_slices);
        }
        Ok(())
    }
}

/// Reports whether a pod still counts for endpoints: not finished, not being deleted.
fn is_live(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none() && !matches!(pod.phase(), "Succeeded" | "Failed")
}

/// Describes which selector requirements a pod's labels miss, for evidence.
fn unmet(selector: &Labels, labels: &Labels) -> Vec<String> {
    selector
        .iter()
        .filter(|(k, v)| labels.get(*k) != Some(*v))
        .map(|(k, v)| match labels.get(k) {
            Some(actual) => format!("{k}={v} (pod has {k}={actual})"),
            None => format!("{k}={v} (pod has no `{k}` label)"),
        })
        .collect()
}

fn report_empty_canary(cx: &mut Context, service: &Service, selector: &Labels, pods: &[Pod], canary_active: bool) {
    let name = &service.metadata.name;
    let canary_selector = Selector::parse(&cx.profile().canary_selector).unwrap_or_default();
    let canary_pods: Vec<&Pod> = pods.iter().filter(|p| canary_selector.matches(&p.metadata.labels)).collect();
    let lookalikes: Vec<&Pod> = pods
        .iter()
        .filter(|p| !canary_selector.matches(&p.metadata.labels))
        .filter(|p| p.metadata.name.contains("canary") || p.metadata.owner_references.iter().any(|o| o.name.contains("canary")))
        .collect();

    if !canary_active && canary_pods.is_empty() && lookalikes.is_empty() {
        let summary = format!("no canary is in progress, so Service `{name}` rightly has no pods");
        cx.report(skip(CANARY, Some(SELECTOR_MISMATCH)).summary(summary.clone()).object("Service", &service.metadata));
        cx.report(skip(CANARY, Some(LABELS_WRONG)).summary(summary));
        return;
    }

    let severity = if canary_active { fail } else { warn };
    if !canary_pods.is_empty() {
        let mut finding = severity(CANARY, SELECTOR_MISMATCH)
            .summary(format!(
                "Service `{name}` selects {} but none of the {} canary pods ({}) carries those labels",
                format_labels(selector),
                canary_pods.len(),
                cx.profile().canary_selector
            ))
            .object_field("Service", &service.metadata, Some("spec.selector"))
            .resolution("Update the Service selector or the pod labels so that the canary Service selects the canary pods")
            .next_command(format!("kubectl get pods -n {} -l {} --show-labels", cx.namespace(), cx.profile().canary_selector));
        for pod in &canary_pods {
            finding = finding
                .evidence(format!("pod `{}` labels {} misses {}", pod.metadata.name, format_labels(&pod.metadata.labels), unmet(selector, &pod.metadata.labels).join(", ")))
                .object("Pod", &pod.metadata);
        }
        cx.report(finding);
        cx.report(pass(CANARY, LABELS_WRONG).summary(format!("{} pods carry the canary label {}", canary_pods.len(), cx.profile().canary_selector)));
    } else if !lookalikes.is_empty() {
        let mut finding = severity(CANARY, LABELS_WRONG)
            .summary(format!(
                "{} pods look like the canary but lack the label {}, so Service `{name}` selects none of them",
                lookalikes.len(),
                cx.profile().canary_selector
            ))
            .resolution("Verify pods have deployment=canary label: fix the canary Deployment's pod template labels")
            .next_command(format!("kubectl get pods -n {} --show-labels", cx.namespace()));
        for pod in &lookalikes {
            finding = finding
                .evidence(format!("pod `{}` labels {} misses {}", pod.metadata.name, format_labels(&pod.metadata.labels), unmet(selector, &pod.metadata.labels).join(", ")))
                .object("Pod", &pod.metadata);
        }
        cx.report(finding);
    } else {
        cx.report(
            severity(CANARY, SELECTOR_MISMATCH)
                .summary(format!(
                    "the canary is in progress but Service `{name}` selects no pod, and no pod carries {}",
                    cx.profile().canary_selector
                ))
                .evidence(format!("Service `{name}` selector: {}", format_labels(selector)))
                .object_field("Service", &service.metadata, Some("spec.selector"))
                .next_command(format!("kubectl get deployments,pods -n {} --show-labels", cx.namespace())),
        );
    }
}

fn report_empty_service(cx: &mut Context, service: &Service, selector: &Labels, pods: &[Pod], app: &Selector) {
    let name = &service.metadata.name;
    let app_pods: Vec<&Pod> = pods.iter().filter(|p| app.matches(&p.metadata.labels)).collect();
    if app_pods.is_empty() {
        cx.report(
            skip(DNS, Some(SELECTOR_WRONG))
                .summary(format!("Service `{name}` selects no pod, and there is no GG-CORE pod to select"))
                .object("Service", &service.metadata),
        );
        return;
    }

    // The pods that miss the fewest requirements show what the selector was meant to match.
    let mut by_distance: BTreeMap<usize, Vec<&Pod>> = BTreeMap::new();
    for pod in &app_pods {
        by_distance.entry(unmet(selector, &pod.metadata.labels).len()).or_default().push(pod);
    }
    let closest = by_distance.into_iter().next().map(|(_, pods)| pods).unwrap_or_default();
    let values: BTreeSet<String> = closest.iter().map(|p| format_labels(&p.metadata.labels)).collect();
    let mut finding = fail(DNS, SELECTOR_WRONG)
        .summary(format!("Service `{name}` selects {}, which matches none of the {} GG-CORE pods", format_labels(selector), app_pods.len()))
        .object_field("Service", &service.metadata, Some("spec.selector"))
        .resolution("Fix selector to match new pods")
        .next_command(format!("kubectl get svc {name} -n {} -o jsonpath='{{.spec.selector}}'", cx.namespace()));
    for pod in closest.iter().take(5) {
        finding = finding.evidence(format!("pod `{}` misses {}", pod.metadata.name, unmet(selector, &pod.metadata.labels).join(", ")));
    }
    finding = finding.evidence(format!("closest pod labels: {}", values.into_iter().collect::<Vec<_>>().join("; ")));
    cx.report(finding);
}

ggcore_probe_sdk::probe!(ServiceEndpoints);

#[cfg(test)]
mod tests;
