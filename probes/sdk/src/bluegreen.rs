//! Blue-green conventions shared by the blue-green probes and `kubectl ggcore bluegreen diff`:
//! which pods and workloads belong to an environment, and which environment serves and which
//! is the standby.
//!
//! An environment's members carry the profile's environment label (`environment=blue`) and
//! the app selector. Canary pods carry an environment label too (a canary runs beside the
//! environment it will replace), so members exclude whatever the canary selector matches.
//!
//! The standby is the environment that does not serve:
//! - while a switch is in progress (`Switching`, or a spec whose `activeEnvironment` the
//!   controller has not taken up yet), the target of the switch. The spec names it, but it
//!   serves nothing until the switch completes, and the switch waits for its health;
//! - when `Stable`, the environment that is not `spec.activeEnvironment`;
//! - otherwise (`Failed`, no phase), the environment the main Service does not select, else
//!   the one the status does not name as active, else the one the spec does not name.
//!
//! Without a `VeritasEnvironment`, the environment the main Service selects serves.

use crate::selector::{Labels, Selector, SelectorError};
use crate::views::{ContainerStatus, Deployment, Pod, PodTemplate, Service, VeritasEnvironment, condition};

/// The blue environment's name.
pub const BLUE: &str = "blue";
/// The green environment's name.
pub const GREEN: &str = "green";

/// Returns the other environment of `blue` or `green`.
pub fn other(environment: &str) -> Option<&'static str> {
    match environment {
        BLUE => Some(GREEN),
        GREEN => Some(BLUE),
        _ => None,
    }
}

/// Decides which pods and workloads belong to an environment.
#[derive(Debug, Clone)]
pub struct Membership {
    app: Selector,
    canary: Selector,
    label: String,
}

impl Membership {
    /// Creates the membership rules from the profile's app selector, canary selector and
    /// environment label key.
    ///
    /// # Errors
    ///
    /// Returns the error of a selector that does not parse.
    pub fn new(app_selector: &str, canary_selector: &str, environment_label: &str) -> Result<Membership, SelectorError> {
        Ok(Membership {
            app: Selector::parse(app_selector)?,
            canary: Selector::parse(canary_selector)?,
            label: environment_label.to_string(),
        })
    }

    /// Returns the environment label key.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Returns the environment that labels put an object in, if any; canary objects belong to none.
    pub fn environment_of<'a>(&self, labels: &'a Labels) -> Option<&'a str> {
        if !self.app.matches(labels) || (!self.canary.requirements.is_empty() && self.canary.matches(labels)) {
            return None;
        }
        labels.get(&self.label).map(String::as_str)
    }

    /// Reports whether labels put an object in `environment`.
    pub fn belongs(&self, labels: &Labels, environment: &str) -> bool {
        self.environment_of(labels) == Some(environment)
    }

    /// Returns the pods of `environment`.
    pub fn pods<'a>(&self, pods: &'a [Pod], environment: &str) -> Vec<&'a Pod> {
        pods.iter().filter(|p| self.belongs(&p.metadata.labels, environment)).collect()
    }

    /// Returns the Deployments whose pod template puts their pods in `environment`.
    pub fn deployments<'a>(&self, deployments: &'a [Deployment], environment: &str) -> Vec<&'a Deployment> {
        deployments.iter().filter(|d| self.belongs(&d.spec.template.metadata.labels, environment)).collect()
    }

    /// Returns the pod templates that make up `environment`: its Deployments' templates, or,
    /// when it has no Deployment, the spec of one pod per owner (pods made by hand or by
    /// another controller).
    pub fn workloads(&self, deployments: &[Deployment], pods: &[Pod], environment: &str) -> Vec<Workload> {
        let mut workloads: Vec<Workload> = self
            .deployments(deployments, environment)
            .into_iter()
            .map(|d| Workload { kind: "Deployment", name: d.metadata.name.clone(), template: d.spec.template.clone() })
            .collect();
        if !workloads.is_empty() {
            return workloads;
        }
        let mut owners = std::collections::BTreeSet::new();
        for pod in self.pods(pods, environment) {
            let owner = pod.metadata.owner_references.first().map(|o| o.name.clone()).unwrap_or_else(|| pod.metadata.name.clone());
            if owners.insert(owner) {
                let template = PodTemplate { metadata: pod.metadata.clone(), spec: pod.spec.clone() };
                workloads.push(Workload { kind: "Pod", name: pod.metadata.name.clone(), template });
            }
        }
        workloads
    }
}

/// A pod template of an environment, with the object it comes from.
#[derive(Debug, Clone)]
pub struct Workload {
    /// `Deployment`, or `Pod` when the environment has no Deployment.
    pub kind: &'static str,
    /// The object's name.
    pub name: String,
    /// The template: labels, annotations and pod spec.
    pub template: PodTemplate,
}

/// The serving and the standby environment, with the reason for the choice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles {
    /// The environment that serves, when known.
    pub active: Option<&'static str>,
    /// The environment that does not serve, when known.
    pub standby: Option<&'static str>,
    /// True while a switch to the standby is in progress.
    pub switching: bool,
    /// The reason for the choice, for evidence lines.
    pub reason: String,
}

/// Reports whether a switch is in progress: the phase is `Switching`, or the spec names an
/// environment the status does not serve yet while the phase is `Stable`.
pub fn switch_in_progress(environment: &VeritasEnvironment) -> bool {
    let pending = match (&environment.spec.active_environment, &environment.status.active_environment) {
        (Some(wanted), Some(serving)) => wanted != serving && environment.phase() == "Stable",
        _ => false,
    };
    environment.phase() == "Switching" || pending
}

/// Decides the roles from the `VeritasEnvironment` (if any) and the main Service's selector.
pub fn roles(environment: Option<&VeritasEnvironment>, service: Option<&Service>, label: &str) -> Roles {
    let selected = service.and_then(|s| s.spec.selector.as_ref()).and_then(|s| s.get(label)).and_then(|e| canonical(e));
    let Some(environment) = environment else {
        return match selected {
            Some(active) => Roles {
                active: Some(active),
                standby: other(active),
                switching: false,
                reason: format!("no VeritasEnvironment; the main Service selects {label}={active}"),
            },
            None => Roles { reason: format!("no VeritasEnvironment, and the main Service selects no `{label}`"), ..Roles::default() },
        };
    };

    let name = &environment.metadata.name;
    let wanted = environment.spec.active_environment.as_deref().and_then(canonical);
    let reported = environment.status.active_environment.as_deref().and_then(canonical);
    if switch_in_progress(environment)
        && let Some(target) = wanted
    {
        return Roles {
            active: other(target),
            standby: Some(target),
            switching: true,
            reason: format!("VeritasEnvironment `{name}` is switching to {target}, which does not serve until the switch completes"),
        };
    }
    if environment.phase() == "Stable"
        && let Some(active) = wanted
    {
        return Roles {
            active: Some(active),
            standby: other(active),
            switching: false,
            reason: format!("VeritasEnvironment `{name}` is Stable with {active} active"),
        };
    }
    let (active, source) = match (selected, reported, wanted) {
        (Some(active), _, _) => (Some(active), format!("the main Service selects {label}={active}")),
        (None, Some(active), _) => (Some(active), format!("the status names {active} active")),
        (None, None, Some(active)) => (Some(active), format!("the spec names {active} active")),
        _ => (None, "neither the Service, the status nor the spec names an environment".to_string()),
    };
    let phase = if environment.phase().is_empty() { "no phase" } else { environment.phase() };
    Roles { active, standby: active.and_then(other), switching: false, reason: format!("VeritasEnvironment `{name}` has {phase}; {source}") }
}

/// The maximum length of a kubelet message quoted in a pod's state, in characters.
const MAX_MESSAGE_CHARS: usize = 200;

/// Describes a pod's state for evidence lines: ready, or the reasons it is not.
pub fn pod_state(pod: &Pod) -> String {
    let name = &pod.metadata.name;
    if pod.is_ready() {
        return format!("pod `{name}`: ready");
    }
    if let Some(scheduled) = condition(&pod.status.conditions, "PodScheduled").filter(|c| !c.is_true()) {
        return format!("pod `{name}`: not scheduled, {}", scheduled.describe());
    }

    let mut parts = Vec::new();
    for status in &pod.status.init_container_statuses {
        let done = status.state.terminated.as_ref().is_some_and(|t| t.exit_code == 0);
        if !done {
            parts.push(container_state("init container", status));
        }
    }
    for status in pod.status.container_statuses.iter().filter(|s| !s.ready) {
        parts.push(container_state("container", status));
    }
    if parts.is_empty() {
        return format!("pod `{name}`: phase {}, not ready", pod.phase());
    }
    format!("pod `{name}`: {}", parts.join("; "))
}

fn container_state(what: &str, status: &ContainerStatus) -> String {
    let name = &status.name;
    let restarts = if status.restart_count > 0 { format!(", {} restarts", status.restart_count) } else { String::new() };
    let state = &status.state;
    let text = match (&state.waiting, &state.running, &state.terminated) {
        (Some(waiting), _, _) => {
            let message = waiting.message.as_deref().filter(|m| !m.is_empty()).map(|m| format!(" ({})", cut(m.trim()))).unwrap_or_default();
            format!("waiting {}{message}", waiting.reason.as_deref().unwrap_or("with no reason"))
        }
        (_, Some(_), _) => "running but not ready".to_string(),
        (_, _, Some(terminated)) => {
            format!("terminated {} (exit code {})", terminated.reason.as_deref().unwrap_or("with no reason"), terminated.exit_code)
        }
        _ => "in no known state".to_string(),
    };
    let last = status
        .last_state
        .terminated
        .as_ref()
        .map(|t| format!(", last exit code {} ({})", t.exit_code, t.reason.as_deref().unwrap_or("no reason")))
        .unwrap_or_default();
    format!("{what} `{name}` {text}{restarts}{last}")
}

fn cut(message: &str) -> String {
    if message.chars().count() <= MAX_MESSAGE_CHARS {
        return message.to_string();
    }
    let kept: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    format!("{kept}...")
}

/// Returns `blue` or `green` as a static name, `None` for any other text.
pub fn canonical(environment: &str) -> Option<&'static str> {
    match environment {
        BLUE => Some(BLUE),
        GREEN => Some(GREEN),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environment(json: &str) -> VeritasEnvironment {
        serde_json::from_str(json).unwrap()
    }

    fn service(environment: &str) -> Service {
        serde_json::from_str(&format!(r#"{{"spec":{{"selector":{{"app":"GG-CORE","environment":"{environment}"}}}}}}"#)).unwrap()
    }

    #[test]
    fn stable_standby_is_the_inactive_environment() {
        let env = environment(r#"{"spec":{"activeEnvironment":"green"},"status":{"phase":"Stable"}}"#);
        let roles = roles(Some(&env), Some(&service("green")), "environment");
        assert_eq!(roles.active, Some(GREEN));
        assert_eq!(roles.standby, Some(BLUE));
        assert!(!roles.switching);
    }

    #[test]
    fn switching_standby_is_the_target() {
        let env = environment(r#"{"spec":{"activeEnvironment":"green"},"status":{"phase":"Switching"}}"#);
        let roles = roles(Some(&env), Some(&service("blue")), "environment");
        assert_eq!(roles.standby, Some(GREEN));
        assert_eq!(roles.active, Some(BLUE));
        assert!(roles.switching);
    }

    #[test]
    fn failed_switch_uses_service_selector() {
        let env = environment(r#"{"spec":{"activeEnvironment":"green"},"status":{"phase":"Failed"}}"#);
        let roles = roles(Some(&env), Some(&service("blue")), "environment");
        assert_eq!(roles.active, Some(BLUE));
        assert_eq!(roles.standby, Some(GREEN));
    }

    #[test]
    fn pod_state_names_waiting_reason() {
        let pod: Pod = serde_json::from_str(
            r#"{"metadata":{"name":"g"},"status":{"conditions":[{"type":"PodScheduled","status":"True"}],"containerStatuses":[{"name":"gg-core","state":{"waiting":{"reason":"ImagePullBackOff","message":"Back-off pulling image"}}}]}}"#,
        )
        .unwrap();
        assert_eq!(pod_state(&pod), "pod `g`: container `gg-core` waiting ImagePullBackOff (Back-off pulling image)");
    }

    #[test]
    fn canary_pods_belong_to_no_environment() {
        let membership = Membership::new("app=GG-CORE", "deployment=canary", "environment").unwrap();
        let canary: Labels = [("app", "GG-CORE"), ("deployment", "canary"), ("environment", "blue")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let stable: Labels = [("app", "GG-CORE"), ("deployment", "stable"), ("environment", "blue")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(membership.environment_of(&canary), None);
        assert_eq!(membership.environment_of(&stable), Some(BLUE));
    }
}
