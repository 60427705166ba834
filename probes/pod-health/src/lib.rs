//! `pod-health`: are the GG-CORE pods running and ready, and if not, why.
//!
//! Implements the guide's Quick Reference row "All pods down" and the Pods row of the Health
//! Status Matrix. Each pod is classified by its *current* state: a container that is running
//! and ready now is healthy even when its `lastState` records an old OOM kill. A cause is a
//! `fail` when no pod behind the main Service is ready (an outage), and a `warn` when other
//! pods still serve, as with a broken standby environment or canary.

use ggcore_probe_sdk::prelude::*;

const SYMPTOM: &str = "pods-down";
const NO_PODS: &str = "no-pods";
const CRASH_LOOP: &str = "crash-loop";
const OOM_KILLED: &str = "oom-killed";
const IMAGE_PULL: &str = "image-pull-failure";
const UNSCHEDULABLE: &str = "unschedulable";
const NOT_READY: &str = "pods-not-ready";

/// The causes in the order the report lists them: the most specific first.
const CAUSES: [&str; 6] = [NO_PODS, OOM_KILLED, CRASH_LOOP, IMAGE_PULL, UNSCHEDULABLE, NOT_READY];

/// The container waiting reasons that mean the image could not be pulled.
const PULL_REASONS: [&str; 5] = ["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable"];

struct PodHealth;

/// One cause found on one pod, with the lines that prove it.
struct Problem<'a> {
    pod: &'a Pod,
    cause: &'static str,
    evidence: Vec<String>,
}

impl Probe for PodHealth {
    fn describe() -> Descriptor {
        describe("pod-health")
            .title("GG-CORE pods are running and ready")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Quick Diagnostics: Health Status Matrix (Pods); Quick Reference: All pods down")
            .reads(&[Pod::KIND, Event::KIND, Service::KIND])
            .reports(SYMPTOM, &CAUSES)
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let namespace = cx.namespace().to_string();
        let app_selector = cx.profile().app_selector.clone();
        let pods: Vec<Pod> = cx.list(Some(&app_selector))?;

        if pods.is_empty() {
            cx.report(
                fail(SYMPTOM, NO_PODS)
                    .summary(format!("no pod matches `{app_selector}` in namespace `{namespace}`"))
                    .evidence(format!("kubectl get pods -n {namespace} -l {app_selector} returns nothing"))
                    .resolution("Check that the GG-CORE Deployments exist and are scaled above zero, and that their pod labels carry the app label")
                    .next_command(format!("kubectl get deployments,replicasets -n {namespace}")),
            );
            for cause in &CAUSES[1..] {
                cx.report(skip(SYMPTOM, Some(cause)).summary("no GG-CORE pod to check"));
            }
            return Ok(());
        }

        let events: Vec<Event> = cx.list_kind(
            Event::KIND,
            &ggcore_probe_sdk::backend::ListOptions {
                namespace: Some(namespace.clone()),
                label_selector: None,
                field_selector: Some("involvedObject.kind=Pod".into()),
            },
        )?;
        let service: Option<Service> = cx.get(Some(&namespace), &cx.profile().service.clone())?;
        let serving = serving_pods(&pods, service.as_ref());
        let outage = !serving.is_empty() && serving.iter().all(|p| !p.is_ready());

        let mut events_by_pod: std::collections::HashMap<&str, Vec<&Event>> = std::collections::HashMap::new();
        for event in &events {
            if let Some(name) = event.involved_object.name.as_deref() {
                events_by_pod.entry(name).or_default().push(event);
            }
        }
        let problems: Vec<Problem> = pods
            .iter()
            .flat_map(|pod| classify(pod, events_by_pod.get(pod.metadata.name.as_str()).map(Vec::as_slice).unwrap_or_default()))
            .collect();
        cx.report(pass(SYMPTOM, NO_PODS).summary(format!("{} GG-CORE pods found", pods.len())));
        for cause in &CAUSES[1..] {
            report_cause(cx, cause, &problems, &pods, &serving, outage);
        }
        Ok(())
    }
}

/// Returns the pods the main Service selects, or all GG-CORE pods when it selects none.
fn serving_pods<'a>(pods: &'a [Pod], service: Option<&Service>) -> Vec<&'a Pod> {
    let selected: Vec<&Pod> = match service.and_then(|s| s.spec.selector.as_ref()) {
        Some(selector) if !selector.is_empty() => {
            pods.iter().filter(|p| selector.iter().all(|(k, v)| p.metadata.labels.get(k) == Some(v))).collect()
        }
        _ => Vec::new(),
    };
    if selected.is_empty() { pods.iter().collect() } else { selected }
}

/// Finds the causes that keep one pod from serving, judged by its current state; `events` are
/// the events about this pod.
fn classify<'a>(pod: &'a Pod, events: &[&Event]) -> Vec<Problem<'a>> {
    let mut problems = Vec::new();
    let name = &pod.metadata.name;
    let pod_events: Vec<String> = events
        .iter()
        .filter(|e| e.is_about("Pod", name) && e.type_.as_deref() == Some("Warning"))
        .map(|e| format!("event on pod `{name}`: {}", e.describe()))
        .collect();

    let scheduled = condition(&pod.status.conditions, "PodScheduled");
    if let Some(c) = scheduled.filter(|c| !c.is_true()) {
        let mut evidence = vec![format!("pod `{name}`: {} in phase {}", c.describe(), pod.phase())];
        evidence.extend(pod_events.iter().filter(|e| e.contains("FailedScheduling")).cloned());
        problems.push(Problem { pod, cause: UNSCHEDULABLE, evidence });
        return problems;
    }

    for status in pod.status.container_statuses.iter().chain(&pod.status.init_container_statuses) {
        let container = &status.name;
        let waiting = status.state.waiting.as_ref().and_then(|w| w.reason.as_deref()).unwrap_or("");
        let last_terminated = status.last_state.terminated.as_ref();
        let current_terminated = status.state.terminated.as_ref();

        if PULL_REASONS.contains(&waiting) {
            let image = pod.container(container).map(|c| c.image.as_str()).unwrap_or("?");
            let mut evidence = vec![format!(
                "pod `{name}` container `{container}`: waiting {waiting} for image `{image}`{}",
                message_suffix(status.state.waiting.as_ref().and_then(|w| w.message.as_deref()))
            )];
            evidence.extend(pod_events.iter().filter(|e| e.contains("Failed") || e.contains("BackOff")).cloned());
            problems.push(Problem { pod, cause: IMAGE_PULL, evidence });
            continue;
        }

        let oom_now = current_terminated.is_some_and(|t| t.reason.as_deref() == Some("OOMKilled"))
            || (waiting == "CrashLoopBackOff" && last_terminated.is_some_and(|t| t.reason.as_deref() == Some("OOMKilled")));
        if oom_now {
            let terminated = current_terminated.filter(|t| t.reason.as_deref() == Some("OOMKilled")).or(last_terminated);
            problems.push(Problem { pod, cause: OOM_KILLED, evidence: oom_evidence(pod, status, terminated) });
        }

        if waiting == "CrashLoopBackOff" {
            let mut evidence = vec![format!(
                "pod `{name}` container `{container}`: CrashLoopBackOff, {} restarts{}",
                status.restart_count,
                last_terminated
                    .map(|t| format!(", last exit code {} ({})", t.exit_code, t.reason.as_deref().unwrap_or("no reason")))
                    .unwrap_or_default()
            )];
            evidence.extend(pod_events.iter().filter(|e| e.contains("BackOff")).take(2).cloned());
            problems.push(Problem { pod, cause: CRASH_LOOP, evidence });
            continue;
        }
        if oom_now {
            continue;
        }

        let is_init = pod.spec.init_containers.iter().any(|c| &c.name == container);
        if !status.ready && !is_init && pod.phase() != "Succeeded" {
            let state = match (&status.state.waiting, &status.state.running, current_terminated) {
                (Some(w), _, _) => format!("waiting {}{}", w.reason.as_deref().unwrap_or(""), message_suffix(w.message.as_deref())),
                (_, Some(_), _) => "running but failing its readiness probe".to_string(),
                (_, _, Some(t)) => format!("terminated {} (exit code {})", t.reason.as_deref().unwrap_or(""), t.exit_code),
                _ => "in no known state".to_string(),
            };
            let mut evidence = vec![format!("pod `{name}` container `{container}`: not ready, {state}")];
            evidence.extend(pod_events.iter().filter(|e| e.contains("Unhealthy") || e.contains("Failed")).take(3).cloned());
            problems.push(Problem { pod, cause: NOT_READY, evidence });
        }
    }

    if pod.status.container_statuses.is_empty() && !pod.is_ready() && problems.is_empty() {
        problems.push(Problem {
            pod,
            cause: NOT_READY,
            evidence: vec![format!("pod `{name}`: phase {} with no container status yet", pod.phase())],
        });
    }
    problems
}

fn message_suffix(message: Option<&str>) -> String {
    message.filter(|m| !m.is_empty()).map(|m| format!(" ({})", m.trim())).unwrap_or_default()
}

/// Describes an OOM kill with the container's memory limit and the last lines it wrote.
fn oom_evidence(pod: &Pod, status: &ContainerStatus, terminated: Option<&StateTerminated>) -> Vec<String> {
    let name = &pod.metadata.name;
    let container = &status.name;
    let limit = pod
        .container(container)
        .and_then(Container::memory_limit)
        .map(format_bytes)
        .unwrap_or_else(|| "no limit".to_string());
    let mut evidence = Vec::new();
    if let Some(t) = terminated {
        let ran = match (t.started_at.as_deref().and_then(parse_time), t.finished_at.as_deref().and_then(parse_time)) {
            (Some(start), Some(end)) => format!(" after running {}", format_duration((end - start) as f64)),
            _ => String::new(),
        };
        evidence.push(format!(
            "pod `{name}` container `{container}`: OOMKilled, exit code {}{ran}; memory limit {limit}; {} restarts",
            t.exit_code, status.restart_count
        ));
        let lines: Vec<&str> = t.message.as_deref().unwrap_or("").lines().filter(|l| !l.trim().is_empty()).collect();
        for line in &lines[lines.len().saturating_sub(3)..] {
            evidence.push(format!("  last output: {line}"));
        }
    }
    evidence
}

fn resolution(cause: &str) -> &'static str {
    match cause {
        OOM_KILLED => "Raise the container's memory request and limit above what the model needs at load time, or load a smaller model; nodes are not the limit when the kill is the container's cgroup",
        CRASH_LOOP => "Read the previous container's log (kubectl logs --previous) and fix what makes it exit: configuration, model path or resources",
        IMAGE_PULL => "Verify registry access and the image tag: a NotFound answer means the tag does not exist, an unauthorized answer means the pull secret is wrong",
        UNSCHEDULABLE => "Free or add capacity on nodes that match the pod's node selector, tolerations and affinity, or lower its requests",
        _ => "Check the readiness probe and the container's log; the pod runs but does not report ready",
    }
}

fn report_cause(cx: &mut Context, cause: &'static str, problems: &[Problem], pods: &[Pod], serving: &[&Pod], outage: bool) {
    let namespace = cx.namespace().to_string();
    let affected: Vec<&Problem> = problems.iter().filter(|p| p.cause == cause).collect();
    if affected.is_empty() {
        cx.report(pass(SYMPTOM, cause).summary(format!("no GG-CORE pod shows {cause}")));
        return;
    }

    let mut names: Vec<&str> = affected.iter().map(|p| p.pod.metadata.name.as_str()).collect();
    names.dedup();
    let hits_serving = affected.iter().any(|p| serving.iter().any(|s| s.metadata.name == p.pod.metadata.name));
    let ready = pods.iter().filter(|p| p.is_ready()).count();
    let builder = if outage && hits_serving { fail(SYMPTOM, cause) } else { warn(SYMPTOM, cause) };
    let scope = if outage { "no pod behind the Service is ready".to_string() } else { format!("{ready} of {} GG-CORE pods still ready", pods.len()) };

    let mut finding = builder
        .summary(format!("{} of {} GG-CORE pods show {cause}: {} ({scope})", names.len(), pods.len(), names.join(", ")))
        .resolution(resolution(cause));
    for problem in &affected {
        finding = finding.evidence_lines(problem.evidence.iter().cloned()).object("Pod", &problem.pod.metadata);
    }
    let first = names[0];
    let next = match cause {
        OOM_KILLED | CRASH_LOOP => format!("kubectl logs {first} -n {namespace} --previous --tail=50"),
        _ => format!("kubectl describe pod {first} -n {namespace}"),
    };
    cx.report(finding.next_command(next));
}

ggcore_probe_sdk::probe!(PodHealth);

#[cfg(test)]
mod tests;
