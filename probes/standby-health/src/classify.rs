//! Classifies why a standby pod is not ready: one [`Problem`] per cause found on it, or one
//! without a cause when none of the symptom's causes explains it.

use ggcore_probe_sdk::bluegreen::pod_state;
use ggcore_probe_sdk::image_pull::{self, PULL_REASONS};
use ggcore_probe_sdk::prelude::*;

use super::{CLAIM, CONFIG, IMAGE_PULL, INIT, LOG_LINES, RESOURCES, capacity, storage};

/// Container waiting reasons that mean the container's configuration cannot be built: a
/// missing ConfigMap, Secret or key, or a spec the runtime rejects.
const CONFIG_REASONS: [&str; 2] = ["CreateContainerConfigError", "CreateContainerError"];

/// The maximum number of event lines quoted per pod and cause.
const MAX_EVENT_LINES: usize = 3;

/// One cause found on one object of the standby.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// The cause, or `None` when no cause of the symptom explains the state.
    pub cause: Option<&'static str>,
    /// The kind of the object: `Pod`, `Deployment` or `PersistentVolumeClaim`.
    pub kind: &'static str,
    /// The object's name.
    pub subject: String,
    /// The container concerned, for the next command.
    pub container: Option<String>,
    /// A few words for the summary, such as `image not found`.
    pub headline: Option<String>,
    /// The evidence lines.
    pub evidence: Vec<String>,
    /// A resolution made specific to what was found.
    pub resolution: Option<String>,
}

impl Problem {
    fn on_pod(cause: Option<&'static str>, pod: &Pod, evidence: Vec<String>) -> Problem {
        Problem { cause, kind: "Pod", subject: pod.metadata.name.clone(), container: None, headline: None, evidence, resolution: None }
    }
}

/// The cluster state the classification reads besides the pod.
pub(crate) struct Facts<'a> {
    /// The events of the namespace.
    pub events: &'a [Event],
    /// The Nodes, or why they could not be read.
    pub nodes: Result<Vec<Node>, String>,
    /// The StorageClasses, or why they could not be read.
    pub classes: Result<Vec<StorageClass>, String>,
}

impl<'a> Facts<'a> {
    /// Reads the Nodes and StorageClasses; a read that fails is kept as its reason.
    pub fn read(cx: &Context, events: &'a [Event]) -> Facts<'a> {
        let nodes = cx.list_in::<Node>(None, None).map_err(|e| e.message());
        let classes = cx.list_in::<StorageClass>(None, None).map_err(|e| e.message());
        Facts { events, nodes, classes }
    }

    /// Returns the events about an object, as `kubectl get events` lines.
    pub fn about(&self, kind: &str, name: &str, reasons: &[&str]) -> Vec<&'a Event> {
        self.events.iter().filter(|e| e.is_about(kind, name) && reasons.contains(&e.reason.as_deref().unwrap_or(""))).collect()
    }
}

/// Explains why a standby Deployment has no pods: a ReplicaSet that cannot create them.
pub(crate) fn missing_pods(deployments: &[&Deployment], events: &[Event]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for deployment in deployments {
        let name = &deployment.metadata.name;
        let prefix = format!("{name}-");
        let failures: Vec<&Event> = events
            .iter()
            .filter(|e| e.involved_object.kind.as_deref() == Some("ReplicaSet") && e.reason.as_deref() == Some("FailedCreate"))
            .filter(|e| e.involved_object.name.as_deref().is_some_and(|n| n.starts_with(&prefix)))
            .collect();
        let quota = failures.iter().any(|e| e.message.as_deref().is_some_and(|m| m.contains("exceeded quota")));
        let mut evidence = vec![format!("Deployment `{name}` wants {} pods, and none exists", deployment.spec.replicas.unwrap_or(1))];
        evidence.extend(failures.iter().take(MAX_EVENT_LINES).map(|e| format!("event on ReplicaSet `{}`: {}", e.involved_object.name.as_deref().unwrap_or(""), e.describe())));
        problems.push(Problem {
            cause: quota.then_some(RESOURCES),
            kind: "Deployment",
            subject: name.clone(),
            container: None,
            headline: quota.then(|| "ResourceQuota exceeded".to_string()),
            evidence,
            resolution: quota.then(|| "Raise the namespace's ResourceQuota or reduce the standby's replicas or requests".to_string()),
        });
    }
    problems
}

/// Classifies one standby pod; a ready pod has no problem.
pub(crate) fn pod(cx: &Context, pod: &Pod, facts: &Facts) -> Vec<Problem> {
    if pod.is_ready() {
        return Vec::new();
    }
    let mut problems = Vec::new();
    if pod.status.reason.as_deref() == Some("Evicted") {
        let message = pod.status.message.as_deref().unwrap_or("no message");
        let mut problem = Problem::on_pod(Some(RESOURCES), pod, vec![format!("pod `{}` was evicted: {message}", pod.metadata.name)]);
        problem.headline = Some("evicted".into());
        return vec![problem];
    }

    problems.extend(storage::claims(cx, pod, facts));
    if let Some(scheduled) = condition(&pod.status.conditions, "PodScheduled").filter(|c| !c.is_true()) {
        problems.extend(unschedulable(cx, pod, scheduled, facts, !problems.is_empty()));
        return problems;
    }

    let init_names: Vec<&str> = pod.spec.init_containers.iter().map(|c| c.name.as_str()).collect();
    for status in pod.status.init_container_statuses.iter().chain(&pod.status.container_statuses) {
        let is_init = init_names.contains(&status.name.as_str());
        let reason = status.state.waiting.as_ref().and_then(|w| w.reason.as_deref()).unwrap_or("");
        if PULL_REASONS.contains(&reason) {
            problems.push(image_pull(pod, status, reason, facts));
        } else if CONFIG_REASONS.contains(&reason) {
            problems.push(config(pod, status, reason));
        } else if is_init && init_failing(status) {
            problems.push(init_container(cx, pod, status));
        }
    }
    problems.extend(mount_failures(pod, facts));

    if problems.is_empty() {
        problems.push(Problem::on_pod(None, pod, vec![pod_state(pod)]));
    }
    problems
}

fn unschedulable(cx: &Context, pod: &Pod, scheduled: &Condition, facts: &Facts, claim_found: bool) -> Vec<Problem> {
    let name = &pod.metadata.name;
    let events = facts.about("Pod", name, &["FailedScheduling"]);
    let mut messages: Vec<&str> = events.iter().filter_map(|e| e.message.as_deref()).collect();
    messages.extend(scheduled.message.as_deref());
    let shortages: Vec<ggcore_probe_sdk::scheduling::Shortage> = {
        let mut all = Vec::new();
        for message in &messages {
            for shortage in ggcore_probe_sdk::scheduling::shortages(message) {
                if !all.iter().any(|s: &ggcore_probe_sdk::scheduling::Shortage| s.resource == shortage.resource) {
                    all.push(shortage);
                }
            }
        }
        all
    };
    let mut evidence = vec![format!("pod `{name}`: not scheduled, {}", scheduled.describe())];
    evidence.extend(events.iter().take(MAX_EVENT_LINES).map(|e| format!("event on pod `{name}`: {}", e.describe())));

    if !shortages.is_empty() {
        evidence.extend(capacity::evidence(cx, pod, &shortages, facts));
        let resources: Vec<&str> = shortages.iter().map(|s| s.resource.as_str()).collect();
        let mut problem = Problem::on_pod(Some(RESOURCES), pod, evidence);
        problem.headline = Some(format!("insufficient {}", resources.join(", ")));
        return vec![problem];
    }
    let about_claims = messages.iter().any(|m| m.to_ascii_lowercase().contains("persistentvolumeclaim"));
    if about_claims || claim_found {
        if claim_found {
            return Vec::new();
        }
        let mut problem = Problem::on_pod(Some(CLAIM), pod, evidence);
        problem.headline = Some("unbound PersistentVolumeClaim".into());
        return vec![problem];
    }
    vec![Problem::on_pod(None, pod, evidence)]
}

fn image_pull(pod: &Pod, status: &ContainerStatus, reason: &str, facts: &Facts) -> Problem {
    let name = &pod.metadata.name;
    let container = &status.name;
    let image = pod
        .spec
        .containers
        .iter()
        .chain(&pod.spec.init_containers)
        .find(|c| &c.name == container)
        .map(|c| c.image.clone())
        .or_else(|| status.image.clone())
        .unwrap_or_default();
    let waiting_message = status.state.waiting.as_ref().and_then(|w| w.message.as_deref());
    let pull_events: Vec<&Event> = facts
        .about("Pod", name, &["Failed", "ErrImagePull", "ImagePullBackOff", "BackOff"])
        .into_iter()
        .filter(|e| e.involved_object.field_path.as_deref().is_none_or(|f| f.contains(container.as_str())))
        .collect();
    let messages = pull_events.iter().filter_map(|e| e.message.as_deref()).chain(waiting_message);
    let failure = image_pull::classify(reason, messages);

    let mut evidence = vec![format!("pod `{name}` container `{container}`: waiting {reason} for image `{image}`, imageID empty: never pulled")];
    evidence.push(format!("registry response: {}", failure.describe()));
    let mut quoted = 0;
    for event in &pull_events {
        let message = event.message.as_deref().unwrap_or("");
        if message.starts_with("Failed to pull") && quoted < MAX_EVENT_LINES {
            evidence.push(format!("event on pod `{name}`: {}", event.describe()));
            quoted += 1;
        }
    }
    if quoted == 0 {
        evidence.extend(waiting_message.map(|m| format!("waiting message: {m}")));
    }
    Problem {
        cause: Some(IMAGE_PULL),
        kind: "Pod",
        subject: name.clone(),
        container: Some(container.clone()),
        headline: Some(format!("image pull failure ({})", failure.describe())),
        evidence,
        resolution: Some(failure.resolution(&image)),
    }
}

fn config(pod: &Pod, status: &ContainerStatus, reason: &str) -> Problem {
    let name = &pod.metadata.name;
    let message = status.state.waiting.as_ref().and_then(|w| w.message.as_deref()).unwrap_or("no message");
    let mut problem = Problem::on_pod(Some(CONFIG), pod, vec![format!("pod `{name}` container `{}`: waiting {reason}: {message}", status.name)]);
    problem.container = Some(status.name.clone());
    problem.headline = Some(format!("{reason} ({message})"));
    problem.resolution = Some(format!(
        "Fix configuration in the standby environment: {message}; create the missing ConfigMap, Secret or key, or correct the reference in the pod template"
    ));
    problem
}

/// Finds `FailedMount` events that name a missing ConfigMap or Secret.
fn mount_failures(pod: &Pod, facts: &Facts) -> Vec<Problem> {
    let name = &pod.metadata.name;
    let failures: Vec<String> = facts
        .about("Pod", name, &["FailedMount"])
        .into_iter()
        .filter(|e| {
            let message = e.message.as_deref().unwrap_or("").to_ascii_lowercase();
            message.contains("not found") && (message.contains("configmap") || message.contains("secret"))
        })
        .take(MAX_EVENT_LINES)
        .map(|e| format!("event on pod `{name}`: {}", e.describe()))
        .collect();
    if failures.is_empty() {
        return Vec::new();
    }
    let mut problem = Problem::on_pod(Some(CONFIG), pod, failures);
    problem.headline = Some("a volume's ConfigMap or Secret does not exist".into());
    vec![problem]
}

/// Reports whether an init container keeps the pod from starting: crash looping, or exited
/// with an error.
fn init_failing(status: &ContainerStatus) -> bool {
    let crash_loop = status.state.waiting.as_ref().is_some_and(|w| w.reason.as_deref() == Some("CrashLoopBackOff"));
    let failed_now = status.state.terminated.as_ref().is_some_and(|t| t.exit_code != 0);
    let failed_before = status.restart_count > 0 && status.state.terminated.as_ref().is_none_or(|t| t.exit_code != 0);
    crash_loop || failed_now || failed_before
}

fn init_container(cx: &Context, pod: &Pod, status: &ContainerStatus) -> Problem {
    let name = &pod.metadata.name;
    let container = &status.name;
    let terminated = status.state.terminated.as_ref().or(status.last_state.terminated.as_ref());
    let exit = terminated
        .map(|t| format!("exit code {} ({})", t.exit_code, t.reason.as_deref().unwrap_or("no reason")))
        .unwrap_or_else(|| "no exit recorded".into());
    let mut evidence = vec![format!("pod `{name}` init container `{container}` failing: {exit}, {} restarts", status.restart_count)];
    if let Some(message) = terminated.and_then(|t| t.message.as_deref()).filter(|m| !m.trim().is_empty()) {
        evidence.push(format!("termination message: {}", message.trim()));
    }

    // The log of the run that failed: the previous instance while the next one waits to restart.
    let previous = status.state.terminated.is_none();
    match cx.logs(pod.metadata.namespace(), name, Some(container), Some(LOG_LINES), previous) {
        Ok(text) => evidence.extend(text.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("log of init container `{container}`: {}", l.trim_end()))),
        Err(HostError::NotFound(_)) => {}
        Err(error) => evidence.push(format!("log of init container `{container}` unavailable: {}", error.message())),
    }
    let mut problem = Problem::on_pod(Some(INIT), pod, evidence);
    problem.container = Some(container.clone());
    problem.headline = Some(format!("init container `{container}` failing"));
    problem
}
