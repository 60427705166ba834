//! The checks of one `VeritasEnvironment`, one function per cause of `switch-stuck`. Each
//! returns exactly one finding.

use std::collections::BTreeSet;

use ggcore_probe_sdk::FindingBuilder;
use ggcore_probe_sdk::bluegreen::{canonical, pod_state};
use ggcore_probe_sdk::prelude::*;

use super::{CONTROLLER, HEALTH_CHECK, LOG_LINES, MIN_READY, SERVICE_UPDATE, SYMPTOM, State, TIMEOUT, World};

/// Words that, next to "service", mark a controller event or condition as a failed update.
const FAILURE_WORDS: [&str; 6] = ["fail", "error", "forbidden", "conflict", "denied", "invalid"];

/// Container waiting reasons of a pod that is still starting normally.
const STARTING_REASONS: [&str; 2] = ["ContainerCreating", "PodInitializing"];

/// Runs every check of one `VeritasEnvironment`.
pub(crate) fn all(cx: &Context, state: &State, world: &World) -> Vec<FindingBuilder> {
    vec![
        health_check(state, world),
        timeout(state, world),
        min_ready(state, world),
        service_update(cx, state, world),
        controller(cx, state, world),
    ]
}

fn phase<'s>(state: &'s State<'_>) -> &'s str {
    match state.environment.phase() {
        "" => "without a phase",
        phase => phase,
    }
}

/// `health-check-failing`: the target's pods are not all ready.
fn health_check(state: &State, world: &World) -> FindingBuilder {
    if !state.switching() {
        return pass(SYMPTOM, HEALTH_CHECK).summary(format!("no switch in progress: VeritasEnvironment `{}` is {}", state.name, phase(state)));
    }
    let Some(target) = state.target else {
        return inconclusive(SYMPTOM, Some(HEALTH_CHECK))
            .summary(format!("spec.activeEnvironment of VeritasEnvironment `{}` is not blue or green", state.name))
            .evidence_lines(state.context_lines());
    };

    let namespace = &state.namespace;
    let label = world.membership.label();
    let pods = world.membership.pods(world.pods, target);
    let ready = pods.iter().filter(|p| p.is_ready()).count();
    if pods.is_empty() {
        return state
            .verdict(HEALTH_CHECK)
            .summary(format!("the switch of `{}` to {target} has waited {}: no {target} pod exists", state.name, state.waited()))
            .evidence_lines(state.context_lines())
            .evidence(format!("no GG-CORE pod outside the canary carries {label}={target}"))
            .object("VeritasEnvironment", &state.environment.metadata)
            .resolution(format!("Fix the target environment's health: scale up or repair the {target} Deployment, whose pods the switch waits for"))
            .next_command(format!("kubectl get deployments,replicasets -n {namespace} -l {label}={target}"));
    }
    if ready == pods.len() {
        return pass(SYMPTOM, HEALTH_CHECK).summary(format!("all {} {target} pods are ready", pods.len()));
    }

    let not_ready: Vec<&&Pod> = pods.iter().filter(|p| !p.is_ready()).collect();
    let mut finding = state
        .verdict(HEALTH_CHECK)
        .summary(format!(
            "the switch of `{}` to {target} has waited {}: {ready} of {} {target} pods are ready",
            state.name,
            state.waited(),
            pods.len()
        ))
        .evidence_lines(state.context_lines())
        .evidence_lines(not_ready.iter().map(|p| pod_state(p)))
        .object("VeritasEnvironment", &state.environment.metadata);
    for pod in &not_ready {
        finding = finding.object("Pod", &pod.metadata);
    }
    finding
        .resolution(format!(
            "Fix the {target} environment's health issues; the standby-unhealthy findings name the cause (image, resources, configuration, volumes, init containers)"
        ))
        .next_command(format!("kubectl get pods -n {namespace} -l {label}={target} -o wide"))
}

/// Returns the seconds from a pod's containers starting to the pod becoming Ready, for
/// pods that are Ready now.
fn startup(pod: &Pod) -> Option<i64> {
    let ready = condition(&pod.status.conditions, "Ready").filter(|c| c.is_true())?;
    let ready_at = ready.last_transition_time.as_deref().and_then(parse_time)?;
    let container_start = pod
        .status
        .container_statuses
        .iter()
        .filter_map(|s| s.state.running.as_ref()?.started_at.as_deref().and_then(parse_time))
        .max();
    let started = container_start.or_else(|| pod.status.start_time.as_deref().and_then(parse_time))?;
    (ready_at >= started).then_some(ready_at - started)
}

/// Reports whether a pod that is not ready is still starting normally: scheduled, never
/// restarted, and waiting only to create its containers.
fn still_starting(pod: &Pod) -> bool {
    let scheduled = condition(&pod.status.conditions, "PodScheduled").is_some_and(|c| c.is_true());
    let statuses: Vec<&ContainerStatus> = pod.status.container_statuses.iter().chain(&pod.status.init_container_statuses).collect();
    let quiet = statuses.iter().all(|s| {
        let waiting_normally = s.state.waiting.as_ref().is_none_or(|w| STARTING_REASONS.contains(&w.reason.as_deref().unwrap_or("")));
        s.restart_count == 0 && waiting_normally && s.state.terminated.as_ref().is_none_or(|t| t.exit_code == 0)
    });
    !pod.is_ready() && scheduled && quiet
}

/// `timeout-too-short`: the switch's timeout is shorter than the pods need to become ready.
fn timeout(state: &State, world: &World) -> FindingBuilder {
    let Some(timeout) = state.timeout else {
        return pass(SYMPTOM, TIMEOUT)
            .summary(format!("VeritasEnvironment `{}` sets no spec.switch.healthCheck.timeout: a switch waits until the target is healthy", state.name));
    };

    // The typical start-up: the median, so that one pod whose readiness flapped long after it
    // started does not count as a slow start.
    let mut startups: Vec<(&str, i64)> = world
        .pods
        .iter()
        .filter(|p| world.membership.environment_of(&p.metadata.labels).is_some())
        .filter_map(|p| startup(p).map(|s| (p.metadata.name.as_str(), s)))
        .collect();
    startups.sort_by_key(|(_, s)| *s);
    let median = startups.get(startups.len().saturating_sub(1) / 2).map(|(_, s)| *s);
    let needed = median.map(|m| m + state.min_ready);
    let starting: Vec<&Pod> = match state.target {
        Some(target) if state.switching() => world.membership.pods(world.pods, target).into_iter().filter(|p| still_starting(p)).collect(),
        _ => Vec::new(),
    };
    let past_timeout = state.failed || state.elapsed.is_some_and(|e| e > timeout);
    let duration = |seconds: i64| format_duration(seconds as f64);

    let (summary, evidence): (String, Vec<String>) = if state.min_ready >= timeout {
        (
            format!("spec.minReadySeconds {} is not shorter than the {} switch timeout: no switch can complete in time", state.min_ready, duration(timeout)),
            Vec::new(),
        )
    } else if let (Some(median), Some(needed)) = (median, needed) && needed > timeout {
        (
            format!(
                "GG-CORE pods take about {} to become ready; with minReadySeconds {} a switch needs {}, longer than the {} timeout",
                duration(median),
                state.min_ready,
                duration(needed),
                duration(timeout)
            ),
            startups.iter().map(|(pod, s)| format!("pod `{pod}` became ready {} after its containers started", duration(*s))).collect(),
        )
    } else if past_timeout && !starting.is_empty() {
        (
            format!("the {} timeout has passed while {} target pods are still starting, without errors", duration(timeout), starting.len()),
            starting.iter().map(|p| pod_state(p)).collect(),
        )
    } else {
        let observed = median.map(|m| format!("the observed start-up of {}", duration(m))).unwrap_or_else(|| "start-up (no ready pod to time)".into());
        return pass(SYMPTOM, TIMEOUT).summary(format!(
            "the {} switch timeout covers {observed} plus minReadySeconds {}",
            duration(timeout),
            state.min_ready
        ));
    };

    let builder = if state.switching() { state.verdict(TIMEOUT) } else { warn(SYMPTOM, TIMEOUT) };
    let suggestion = needed.map(|n| n.max(state.min_ready) * 3 / 2).unwrap_or(timeout * 2).max(state.min_ready + 60);
    builder
        .summary(summary)
        .evidence_lines(state.context_lines())
        .evidence_lines(evidence)
        .object_field("VeritasEnvironment", &state.environment.metadata, Some("spec.switch.healthCheck.timeout"))
        .resolution(format!(
            "Increase spec.switch.healthCheck.timeout above the pods' start-up time plus minReadySeconds (for example {})",
            duration(suggestion)
        ))
        .next_command(format!("kubectl get veritasenvironment {} -n {} -o yaml", state.name, state.namespace))
}

/// `minreadyseconds-not-met`: the target's pods are ready but not yet for `minReadySeconds`.
fn min_ready(state: &State, world: &World) -> FindingBuilder {
    if !state.switching() {
        return pass(SYMPTOM, MIN_READY).summary(format!("no switch in progress: VeritasEnvironment `{}` is {}", state.name, phase(state)));
    }
    if state.min_ready == 0 {
        return pass(SYMPTOM, MIN_READY).summary(format!("VeritasEnvironment `{}` sets no spec.minReadySeconds", state.name));
    }
    let Some(target) = state.target else {
        return skip(SYMPTOM, Some(MIN_READY)).summary("spec.activeEnvironment is not blue or green");
    };
    let pods = world.membership.pods(world.pods, target);
    if pods.is_empty() || pods.iter().any(|p| !p.is_ready()) {
        return skip(SYMPTOM, Some(MIN_READY))
            .summary(format!("{target} pods are not all ready yet, so minReadySeconds is not what holds the switch"));
    }
    let Some(now) = state.now else {
        return inconclusive(SYMPTOM, Some(MIN_READY)).summary("the run has no observation time to measure readiness against");
    };

    let ready_for: Vec<(&str, Option<i64>)> = pods.iter().map(|p| (p.metadata.name.as_str(), p.ready_for(now))).collect();
    let Some(shortest) = ready_for.iter().filter_map(|(_, r)| *r).min() else {
        return inconclusive(SYMPTOM, Some(MIN_READY)).summary(format!("the Ready conditions of the {target} pods carry no transition time"));
    };
    if shortest >= state.min_ready {
        return pass(SYMPTOM, MIN_READY).summary(format!(
            "every {target} pod has been ready for at least {}, longer than minReadySeconds {}",
            format_duration(shortest as f64),
            state.min_ready
        ));
    }
    state
        .verdict(MIN_READY)
        .summary(format!(
            "{target} pods have been ready for {} of the {}s minReadySeconds: the switch completes once they stay ready that long",
            format_duration(shortest as f64),
            state.min_ready
        ))
        .evidence_lines(state.context_lines())
        .evidence_lines(ready_for.iter().map(|(pod, r)| match r {
            Some(r) => format!("pod `{pod}` ready for {}", format_duration(*r as f64)),
            None => format!("pod `{pod}` ready since an unknown time"),
        }))
        .object_field("VeritasEnvironment", &state.environment.metadata, Some("spec.minReadySeconds"))
        .resolution("Wait for the pods to stay ready for minReadySeconds, or reduce spec.minReadySeconds")
        .next_command(format!("kubectl get pods -n {} -l {}={target} -w", state.namespace, world.membership.label()))
}

/// Returns the controller events and conditions of this `VeritasEnvironment` that report a
/// failed Service update.
fn service_failures(state: &State, events: &[Event]) -> Vec<String> {
    let matches = |text: &str| {
        let text = text.to_ascii_lowercase();
        text.contains("service") && FAILURE_WORDS.iter().any(|w| text.contains(w))
    };
    let mut lines: Vec<String> = events
        .iter()
        .filter(|e| e.is_about("VeritasEnvironment", &state.name))
        .filter(|e| matches(&format!("{} {}", e.reason.as_deref().unwrap_or(""), e.message.as_deref().unwrap_or(""))))
        .map(|e| format!("event {}", e.describe()))
        .collect();
    lines.extend(
        state
            .environment
            .status
            .conditions
            .iter()
            .filter(|c| !c.is_true() && matches(&format!("{} {}", c.reason.as_deref().unwrap_or(""), c.message.as_deref().unwrap_or(""))))
            .map(|c| format!("condition {}", c.describe())),
    );
    lines
}

/// Reads `switchProgress` as a number, whether written as `100`, `"100"` or `"100%"`.
fn progress(state: &State) -> Option<f64> {
    let value = state.environment.status.switch_progress.as_ref()?;
    value.as_f64().or_else(|| value.as_str().and_then(|s| s.trim_end_matches('%').trim().parse().ok()))
}

/// `service-update-failed`: the main Service does not select the environment it should.
fn service_update(cx: &Context, state: &State, world: &World) -> FindingBuilder {
    let service_name = &cx.profile().service;
    let Some(service) = world.service else {
        return inconclusive(SYMPTOM, Some(SERVICE_UPDATE)).summary(format!("Service `{service_name}` not found: cannot check which environment it selects"));
    };
    let Some(selector) = service.spec.selector.as_ref().filter(|s| !s.is_empty()) else {
        return inconclusive(SYMPTOM, Some(SERVICE_UPDATE))
            .summary(format!("Service `{service_name}` has no selector: its endpoints are managed by hand, so no selector flips on a switch"));
    };

    let label = world.membership.label();
    let selected_text = selector.get(label).cloned();
    let selected = selected_text.as_deref().and_then(canonical);
    let selector_line = format!("Service `{service_name}` selector {}", format_labels(selector));
    let serving: BTreeSet<&str> = world
        .pods
        .iter()
        .filter(|p| selector.iter().all(|(k, v)| p.metadata.labels.get(k) == Some(v)))
        .filter_map(|p| world.membership.environment_of(&p.metadata.labels))
        .collect();
    let failures = service_failures(state, world.events);
    let namespace = &state.namespace;
    let patch = |target: &str| format!("kubectl patch service {service_name} -n {namespace} -p '{{\"spec\":{{\"selector\":{{\"{label}\":\"{target}\"}}}}}}'");
    let present = |builder: FindingBuilder, summary: String| {
        builder
            .summary(summary)
            .evidence(selector_line.clone())
            .evidence_lines(state.context_lines())
            .evidence_lines(failures.iter().cloned())
            .object_field("Service", &service.metadata, Some("spec.selector"))
            .object("VeritasEnvironment", &state.environment.metadata)
    };

    if serving.len() > 1 {
        let target = state.target.unwrap_or("the active environment");
        return present(fail(SYMPTOM, SERVICE_UPDATE), format!("Service `{service_name}` selects pods of both blue and green: both environments receive traffic"))
            .resolution(format!("Update the Service selector by hand so that it names one environment (`{label}: {target}`), then check the controller's state"))
            .next_command(patch(target));
    }
    let Some(target) = state.target else {
        return inconclusive(SYMPTOM, Some(SERVICE_UPDATE)).summary(format!("spec.activeEnvironment of `{}` is not blue or green", state.name));
    };
    let shown = selected_text.as_deref().map(|s| format!("{label}={s}")).unwrap_or_else(|| format!("no `{label}`"));

    if !state.switching() {
        if selected == Some(target) {
            return pass(SYMPTOM, SERVICE_UPDATE).summary(format!("Service `{service_name}` selects {label}={target}, the active environment"));
        }
        return present(
            fail(SYMPTOM, SERVICE_UPDATE),
            format!("VeritasEnvironment `{}` is {} with {target} active, but Service `{service_name}` selects {shown}", state.name, phase(state)),
        )
        .resolution(format!("Manually update the Service selector to `{label}: {target}`, then check the controller's state"))
        .next_command(patch(target));
    }

    if !failures.is_empty() {
        return present(state.verdict(SERVICE_UPDATE), format!("the controller reports a failed update of Service `{service_name}` during the switch to {target}"))
            .resolution(format!("Manually update the Service selector to `{label}: {target}` once {target} is healthy, and fix what rejected the update (RBAC, admission, conflicts)"))
            .next_command(patch(target));
    }
    if state.failed {
        return pass(SYMPTOM, SERVICE_UPDATE).summary(format!("the switch failed and Service `{service_name}` selects {shown}; no Service update failure is reported"));
    }
    if selected == Some(target) {
        return pass(SYMPTOM, SERVICE_UPDATE).summary(format!("Service `{service_name}` already selects the target {target}; the switch is finishing"));
    }

    let pods = world.membership.pods(world.pods, target);
    let ready_long_enough = match state.now {
        Some(now) => !pods.is_empty() && pods.iter().all(|p| p.ready_for(now).is_some_and(|r| r >= state.min_ready)),
        None => false,
    };
    let due = progress(state).is_some_and(|p| p >= 100.0) || state.overdue();
    if ready_long_enough && due {
        return present(
            state.verdict(SERVICE_UPDATE),
            format!("{target} has been ready for longer than minReadySeconds, but Service `{service_name}` still selects {shown}"),
        )
        .evidence_lines(pods.iter().map(|p| pod_state(p)))
        .resolution(format!("Manually update the Service selector to `{label}: {target}`, then check the controller's state"))
        .next_command(patch(target));
    }
    pass(SYMPTOM, SERVICE_UPDATE).summary(format!(
        "Service `{service_name}` still selects {shown}, as it should until {target} is ready for minReadySeconds"
    ))
}

/// `controller-crashed`: the controller's pods are missing, not ready, or restarted during
/// the switch.
fn controller(cx: &Context, state: &State, world: &World) -> FindingBuilder {
    let selector = &cx.profile().controller_selector;
    let next = format!("kubectl logs -n {} -l {selector} --tail=50 | grep -i switch", state.namespace);
    let resolution = "Restart the controller (check its Deployment and the reason it exits), then check the VeritasEnvironment's state and retry the switch";
    if world.controller.is_empty() {
        let builder = if state.switching() { state.verdict(CONTROLLER) } else { warn(SYMPTOM, CONTROLLER) };
        let what = if state.switching() { "nothing drives the switch" } else { "the next switch will not start" };
        return builder
            .summary(format!("no controller pod matches `{selector}` in any namespace: {what}"))
            .evidence_lines(state.context_lines())
            .resolution(resolution)
            .next_command(format!("kubectl get deployments -A -l {selector}"));
    }

    let start = state.started.as_ref().map(|(t, _)| *t);
    let mut down = Vec::new();
    let mut restarted = Vec::new();
    let mut logs = Vec::new();
    for pod in world.controller {
        let crashing = pod.status.container_statuses.iter().any(|s| s.state.waiting.as_ref().is_some_and(|w| w.reason.as_deref() == Some("CrashLoopBackOff")));
        let restart_during: Vec<String> = pod
            .status
            .container_statuses
            .iter()
            .filter_map(|s| {
                let terminated = s.last_state.terminated.as_ref()?;
                let finished = terminated.finished_at.as_deref().and_then(parse_time)?;
                (start.is_some_and(|start| finished >= start) && state.switching()).then(|| {
                    format!(
                        "pod `{}` container `{}` restarted during the switch: exit code {} ({}) at {}",
                        pod.metadata.name,
                        s.name,
                        terminated.exit_code,
                        terminated.reason.as_deref().unwrap_or("no reason"),
                        terminated.finished_at.as_deref().unwrap_or("")
                    )
                })
            })
            .collect();
        if crashing || !pod.is_ready() {
            down.push(pod);
        }
        restarted.extend(restart_during);
        if crashing || pod.restarts() > 0 {
            logs.extend(previous_log(cx, pod));
        }
    }

    let names: Vec<&str> = world.controller.iter().map(|p| p.metadata.name.as_str()).collect();
    if !down.is_empty() {
        let builder = if state.switching() { fail(SYMPTOM, CONTROLLER) } else { warn(SYMPTOM, CONTROLLER) };
        let what = if state.switching() { "the switch has no controller to finish it" } else { "the next switch will not complete" };
        let mut finding = builder
            .summary(format!("{} of {} controller pods are not ready: {what}", down.len(), names.len()))
            .evidence_lines(down.iter().map(|p| pod_state(p)))
            .evidence_lines(restarted.iter().cloned())
            .evidence_lines(logs)
            .evidence_lines(state.context_lines());
        for pod in &down {
            finding = finding.object("Pod", &pod.metadata);
        }
        return finding.resolution(resolution).next_command(next);
    }
    if !restarted.is_empty() {
        let builder = if state.failed { fail(SYMPTOM, CONTROLLER) } else { warn(SYMPTOM, CONTROLLER) };
        return builder
            .summary(format!("the controller restarted during the switch of `{}`; it runs again, but may have lost the switch's state", state.name))
            .evidence_lines(restarted)
            .evidence_lines(logs)
            .evidence_lines(state.context_lines())
            .resolution(resolution)
            .next_command(next);
    }
    let since = if state.switching() && start.is_some() { ", with no restart since the switch started" } else { "" };
    pass(SYMPTOM, CONTROLLER).summary(format!("controller pods ready: {}{since}", names.join(", ")))
}

/// Returns the last lines of a controller pod's previous log as evidence lines.
fn previous_log(cx: &Context, pod: &Pod) -> Vec<String> {
    let name = &pod.metadata.name;
    match cx.logs(pod.metadata.namespace(), name, None, Some(LOG_LINES), true) {
        Ok(text) => text.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("previous log of `{name}`: {}", l.trim_end())).collect(),
        Err(HostError::NotFound(_)) => Vec::new(),
        Err(error) => vec![format!("previous log of `{name}` unavailable: {}", error.message())],
    }
}
