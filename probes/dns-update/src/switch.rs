//! The blue-green side of "Service selector wrong": after a switch has completed, the main
//! Service must select the active environment's pods, not the old environment's.
//!
//! While a switch is in progress the Service still selecting the old environment is the
//! correct, safe state (the controller moves the selector once the target is ready), so only a
//! completed switch is judged. A status behind its spec's generation is stale and not judged.

use ggcore_probe_sdk::prelude::*;

use super::{DNS, SELECTOR_WRONG};

/// The last switch, as a `VeritasEnvironment` records it.
pub struct Switch {
    /// `spec.activeEnvironment`: the environment that serves after the switch.
    pub active: String,
    /// The environment the switch moved away from.
    pub old: String,
    /// When the switch completed, in Unix seconds, when a time is known.
    pub completed_at: Option<i64>,
}

/// Returns the completed switch of a `VeritasEnvironment`, or why there is none to judge.
pub fn completed(environment: &VeritasEnvironment, events: &[Event]) -> Result<Switch, String> {
    let name = &environment.metadata.name;
    let Some(active) = environment.spec.active_environment.clone() else {
        return Err(format!("VeritasEnvironment `{name}` names no spec.activeEnvironment"));
    };
    if is_stale(environment.metadata.generation, environment.status.observed_generation) {
        return Err(format!(
            "the status of VeritasEnvironment `{name}` is stale (observedGeneration {} behind generation {}): the controller has not acted on activeEnvironment {active} yet",
            environment.status.observed_generation.unwrap_or(0),
            environment.metadata.generation.unwrap_or(0)
        ));
    }
    match environment.phase() {
        "Stable" => {}
        "Switching" => {
            return Err(format!(
                "VeritasEnvironment `{name}` is switching to {active}; the Service keeps the old environment until {active} is ready, which is correct"
            ));
        }
        "" => return Err(format!("VeritasEnvironment `{name}` has no status phase yet")),
        phase => return Err(format!("VeritasEnvironment `{name}` is {phase}; a switch that did not complete leaves the Service where it was")),
    }
    if let Some(serving) = environment.status.active_environment.as_deref().filter(|s| *s != active) {
        return Err(format!("VeritasEnvironment `{name}` is Stable with {serving} serving; the switch to {active} has not started"));
    }

    let old = match active.as_str() {
        "blue" => "green",
        "green" => "blue",
        other => return Err(format!("VeritasEnvironment `{name}` names activeEnvironment `{other}`, neither blue nor green")),
    };
    let completed_event = events
        .iter()
        .filter(|e| e.is_about("VeritasEnvironment", name) && e.reason.as_deref() == Some("SwitchCompleted"))
        .filter_map(|e| e.time().and_then(parse_time))
        .max();
    let completed_at = completed_event.or_else(|| environment.status.last_switch_time.as_deref().and_then(parse_time));
    Ok(Switch { active, old: old.to_string(), completed_at })
}

/// Judges the main Service's selector against the completed switch of each
/// `VeritasEnvironment`, and returns the switches that completed.
pub fn check(cx: &mut Context, service: Option<&Service>, environments: &[VeritasEnvironment], events: &[Event], pods: &[Pod]) -> Vec<Switch> {
    let label = cx.profile().environment_label.clone();
    let namespace = cx.namespace().to_string();
    if environments.is_empty() {
        cx.report(skip(DNS, Some(SELECTOR_WRONG)).summary(format!("no VeritasEnvironment in namespace `{namespace}`: no blue-green switch for the Service to follow")));
        return Vec::new();
    }
    let Some(service) = service else {
        cx.report(skip(DNS, Some(SELECTOR_WRONG)).summary(format!("no Service `{}` in namespace `{namespace}`", cx.profile().service)));
        return Vec::new();
    };
    let name = &service.metadata.name;
    let selector = service.spec.selector.clone().unwrap_or_default();

    let mut switches = Vec::new();
    for environment in environments {
        let switch = match completed(environment, events) {
            Ok(switch) => switch,
            Err(reason) => {
                cx.report(skip(DNS, Some(SELECTOR_WRONG)).summary(reason).object("VeritasEnvironment", &environment.metadata));
                continue;
            }
        };
        let env_name = &environment.metadata.name;
        let active = &switch.active;
        match selector.get(&label) {
            Some(value) if value == active => {
                cx.report(
                    pass(DNS, SELECTOR_WRONG)
                        .summary(format!("Service `{name}` selects {label}={value}, the active environment of VeritasEnvironment `{env_name}`"))
                        .object("Service", &service.metadata),
                );
            }
            Some(value) => {
                let mut finding = fail(DNS, SELECTOR_WRONG)
                    .summary(format!(
                        "VeritasEnvironment `{env_name}` completed the switch to {active}, but Service `{name}` still selects {label}={value}, so traffic still goes to the old environment"
                    ))
                    .evidence(format!("Service `{name}` selector: {}", format_labels(&selector)))
                    .evidence(format!(
                        "VeritasEnvironment `{env_name}`: spec.activeEnvironment {active}, status.phase Stable, switchProgress {}",
                        environment.status.switch_progress.as_ref().map(ToString::to_string).unwrap_or_else(|| "unset".into())
                    ))
                    .object_field("Service", &service.metadata, Some("spec.selector"))
                    .object("VeritasEnvironment", &environment.metadata)
                    .resolution(format!("Fix selector to match new pods: set the Service's `{label}` selector to {active} (kubectl patch svc {name} -n {namespace} -p '{{\"spec\":{{\"selector\":{{\"{label}\":\"{active}\"}}}}}}'), then find why the controller did not"))
                    .next_command(format!("kubectl get svc {name} -n {namespace} -o jsonpath='{{.spec.selector}}'"));
                if let Some(at) = switch.completed_at {
                    finding = finding.evidence(format!("the switch completed at {}", ggcore_probe_sdk::units::format_time(at)));
                }
                cx.report(finding);
            }
            None => report_unlabelled(cx, service, &selector, &switch, pods),
        }
        switches.push(switch);
    }
    switches
}

/// Judges a Service whose selector names no environment: it sends traffic to both
/// environments when ready pods of the old one match it.
fn report_unlabelled(cx: &mut Context, service: &Service, selector: &Labels, switch: &Switch, pods: &[Pod]) {
    let label = cx.profile().environment_label.clone();
    let name = &service.metadata.name;
    let old_selected: Vec<&Pod> = pods
        .iter()
        .filter(|p| !selector.is_empty() && selector.iter().all(|(k, v)| p.metadata.labels.get(k) == Some(v)))
        .filter(|p| p.metadata.labels.get(&label) == Some(&switch.old) && p.is_ready())
        .collect();
    if old_selected.is_empty() {
        cx.report(
            pass(DNS, SELECTOR_WRONG)
                .summary(format!("Service `{name}` selects no ready pod of the old environment {}", switch.old))
                .object("Service", &service.metadata),
        );
        return;
    }
    let names: Vec<&str> = old_selected.iter().map(|p| p.metadata.name.as_str()).collect();
    cx.report(
        warn(DNS, SELECTOR_WRONG)
            .summary(format!(
                "Service `{name}` has no `{label}` in its selector, so it still sends traffic to the old environment {} after the switch to {}: {}",
                switch.old,
                switch.active,
                names.join(", ")
            ))
            .evidence(format!("Service `{name}` selector: {}", format_labels(selector)))
            .object_field("Service", &service.metadata, Some("spec.selector"))
            .resolution(format!("Fix selector to match new pods: add {label}={} to the Service's selector", switch.active)),
    );
}
