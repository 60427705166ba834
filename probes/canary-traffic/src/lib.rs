//! `canary-traffic`: does a canary in progress get traffic? Its `VeritasCanary` must set a
//! traffic weight above zero, and where Istio routes the traffic, the VirtualService must give
//! the canary that share and name only subsets a DestinationRule defines.
//!
//! Implements "Canary Not Receiving Traffic" steps 1, 2 and 5.

use ggcore_probe_sdk::prelude::*;

const SYMPTOM: &str = "canary-no-traffic";
const WEIGHT_ZERO: &str = "traffic-weight-zero";
const MESH: &str = "service-mesh-misconfigured";

/// Phases in which the canary should be receiving traffic.
const IN_PROGRESS: [&str; 3] = ["Progressing", "Paused", "Promoting"];

struct CanaryTraffic;

impl Probe for CanaryTraffic {
    fn describe() -> Descriptor {
        describe("canary-traffic")
            .title("A canary in progress gets its share of traffic")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Canary Not Receiving Traffic (steps 1, 2 and 5)")
            .reads(&[VeritasCanary::KIND, VirtualService::KIND, DestinationRule::KIND])
            .reports(SYMPTOM, &[WEIGHT_ZERO, MESH])
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let namespace = cx.namespace().to_string();
        let canaries: Vec<VeritasCanary> = cx.list(None)?;
        let active: Vec<&VeritasCanary> = canaries.iter().filter(|c| IN_PROGRESS.contains(&c.phase())).collect();

        if active.is_empty() {
            let summary = match canaries.first() {
                Some(canary) => format!("VeritasCanary `{}` is {}, not in progress: no canary traffic expected", canary.metadata.name, phase_name(canary)),
                None => format!("no VeritasCanary in namespace `{namespace}`"),
            };
            cx.report(skip(SYMPTOM, Some(WEIGHT_ZERO)).summary(summary.clone()));
            cx.report(skip(SYMPTOM, Some(MESH)).summary(summary));
            return Ok(());
        }

        let virtual_services: Vec<VirtualService> = cx.list(None)?;
        let destination_rules: Vec<DestinationRule> = cx.list(None)?;
        for canary in active {
            check_weight(cx, canary);
            check_mesh(cx, canary, &virtual_services, &destination_rules);
        }
        Ok(())
    }
}

fn phase_name(canary: &VeritasCanary) -> &str {
    if canary.phase().is_empty() { "without a phase" } else { canary.phase() }
}

fn check_weight(cx: &mut Context, canary: &VeritasCanary) {
    let name = &canary.metadata.name;
    let weight = canary.spec.traffic_weight.unwrap_or(0);
    if weight > 0 {
        cx.report(
            pass(SYMPTOM, WEIGHT_ZERO)
                .summary(format!("VeritasCanary `{name}` is {} with trafficWeight {weight}", canary.phase()))
                .object("VeritasCanary", &canary.metadata),
        );
        return;
    }
    let mut finding = fail(SYMPTOM, WEIGHT_ZERO)
        .summary(format!("VeritasCanary `{name}` is {} but spec.trafficWeight is {}", canary.phase(), canary.spec.traffic_weight.map_or("unset".to_string(), |w| w.to_string())))
        .object_field("VeritasCanary", &canary.metadata, Some("spec.trafficWeight"))
        .resolution("Set trafficWeight > 0 in VeritasCanary spec")
        .next_command(format!("kubectl get veritascanary {name} -n {} -o jsonpath='{{.spec.trafficWeight}}'", cx.namespace()));
    if let Some(step) = canary.spec.steps.iter().find_map(|s| s.set_weight.filter(|w| *w > 0)) {
        finding = finding.evidence(format!("the first step sets weight {step}, but the spec's weight is still 0"));
    }
    if is_stale(canary.metadata.generation, canary.status.observed_generation) {
        finding = finding.evidence(format!(
            "status is stale: observedGeneration {} is behind generation {}",
            canary.status.observed_generation.unwrap_or(0),
            canary.metadata.generation.unwrap_or(0)
        ));
    }
    cx.report(finding);
}

/// The share a route gives the canary: destinations on the canary Service, or on any host
/// with a subset named like the canary.
fn canary_share(route: &HttpRoute, stable: &str, canary: &str, namespace: &str) -> Option<i64> {
    let routes_ours = route.route.iter().any(|d| host_is_service(&d.destination.host, stable, namespace) || host_is_service(&d.destination.host, canary, namespace));
    if !routes_ours {
        return None;
    }
    let single = route.route.len() == 1;
    Some(
        route
            .route
            .iter()
            .filter(|d| host_is_service(&d.destination.host, canary, namespace) || d.destination.subset.as_deref().is_some_and(|s| s.contains("canary")))
            .map(|d| d.weight.unwrap_or(if single { 100 } else { 0 }))
            .sum(),
    )
}

fn check_mesh(cx: &mut Context, canary: &VeritasCanary, virtual_services: &[VirtualService], rules: &[DestinationRule]) {
    let namespace = cx.namespace().to_string();
    let stable = cx.profile().service.clone();
    let canary_service = cx.profile().canary_service.clone();
    let weight = canary.spec.traffic_weight.unwrap_or(0);

    let routing: Vec<(&VirtualService, Vec<(&HttpRoute, i64)>)> = virtual_services
        .iter()
        .map(|vs| (vs, vs.spec.http.iter().filter_map(|r| canary_share(r, &stable, &canary_service, &namespace).map(|share| (r, share))).collect::<Vec<_>>()))
        .filter(|(_, routes)| !routes.is_empty())
        .collect();
    if routing.is_empty() {
        cx.report(skip(SYMPTOM, Some(MESH)).summary(format!("no VirtualService routes to `{stable}` or `{canary_service}`: no service mesh split to check")));
        return;
    }

    let mut problems: Vec<(bool, String, &VirtualService)> = Vec::new();
    for (vs, routes) in &routing {
        let vs_name = &vs.metadata.name;
        let best = routes.iter().map(|(_, share)| *share).max().unwrap_or(0);
        if best == 0 && weight > 0 {
            problems.push((true, format!("VirtualService `{vs_name}` sends no traffic to the canary, though VeritasCanary `{}` sets trafficWeight {weight}", canary.metadata.name), vs));
        } else if best != weight && weight > 0 {
            problems.push((false, format!("VirtualService `{vs_name}` gives the canary {best}%, but VeritasCanary `{}` sets trafficWeight {weight}", canary.metadata.name), vs));
        }
        for (route, _) in routes {
            let total: i64 = route.route.iter().map(|d| d.weight.unwrap_or(0)).sum();
            if route.route.len() > 1 && total != 100 {
                problems.push((false, format!("VirtualService `{vs_name}` route `{}` weights add up to {total}, not 100", route.name.as_deref().unwrap_or("(unnamed)")), vs));
            }
            for destination in &route.route {
                let Some(subset) = &destination.destination.subset else { continue };
                let defined = rules.iter().any(|rule| {
                    let rule_namespace = rule.metadata.namespace();
                    same_host(&rule.spec.host, &destination.destination.host, rule_namespace) && rule.spec.subsets.iter().any(|s| &s.name == subset)
                });
                if !defined {
                    problems.push((
                        true,
                        format!("VirtualService `{vs_name}` routes to subset `{subset}` of `{}`, which no DestinationRule defines (Istio answers 503)", destination.destination.host),
                        vs,
                    ));
                }
            }
        }
    }

    if problems.is_empty() {
        let names: Vec<&str> = routing.iter().map(|(vs, _)| vs.metadata.name.as_str()).collect();
        cx.report(pass(SYMPTOM, MESH).summary(format!("VirtualService {} gives the canary its {weight}% share", names.join(", "))));
        return;
    }
    let broken = problems.iter().any(|(hard, _, _)| *hard);
    let builder = if broken { fail(SYMPTOM, MESH) } else { warn(SYMPTOM, MESH) };
    let mut finding = builder
        .summary(problems[0].1.clone())
        .evidence_lines(problems.iter().map(|(_, line, _)| line.clone()))
        .resolution("Update VirtualService traffic split: give the canary destination the VeritasCanary's weight and define every subset in a DestinationRule")
        .next_command(format!("kubectl get virtualservice {} -n {namespace} -o yaml", problems[0].2.metadata.name));
    for (_, _, vs) in &problems {
        finding = finding.object_field("VirtualService", &vs.metadata, Some("spec.http[].route"));
    }
    cx.report(finding);
}

/// Reports whether two mesh hosts name the same Service, reading short names in `namespace`.
fn same_host(a: &str, b: &str, namespace: &str) -> bool {
    let short = |host: &str| host.split('.').next().unwrap_or("").to_string();
    short(a) == short(b) && host_is_service(a, &short(a), namespace) && host_is_service(b, &short(b), namespace)
}

ggcore_probe_sdk::probe!(CanaryTraffic);

#[cfg(test)]
mod tests;
