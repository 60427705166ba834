//! `standby-health`: can the standby environment take over?
//!
//! Implements the guide's "Standby Environment Unhealthy". The standby is the environment that
//! does not serve, as `ggcore_probe_sdk::bluegreen::roles` decides. While a switch is in
//! progress it is the target, which serves nothing until the switch completes. When `Stable` it
//! is the environment that is not `spec.activeEnvironment`. After a failed switch it is the one
//! the main Service does not select.
//!
//! Each standby pod that is not ready is classified by every cause that explains it: resources
//! (unschedulable for lack of CPU, memory or extended resources such as GPUs, evicted, or a
//! ReplicaSet over its quota), the image pull (with the registry's response told apart: not
//! found, unauthorized, unreachable), configuration (a missing ConfigMap or Secret, or a missing
//! key), a claim that is not bound, or a failing init container. A pod that none of these
//! explains (a crash loop, an OOM kill, a failing readiness probe) makes an
//! `inconclusive` finding that names its state; `pods-down` reports those causes.
//!
//! Severity: `fail` when a switch to the standby is in progress, or a switch has failed, and no
//! standby pod is ready, because the deployment cannot move forward. Otherwise `warn`, because
//! the active environment still serves and the standby fails only the next switch.

mod capacity;
mod classify;
mod storage;

use ggcore_probe_sdk::backend::ListOptions;
use ggcore_probe_sdk::bluegreen::{self, Membership};
use ggcore_probe_sdk::prelude::*;

use classify::Problem;

const SYMPTOM: &str = "standby-unhealthy";
const RESOURCES: &str = "resource-exhaustion";
const IMAGE_PULL: &str = "image-pull-failure";
const CONFIG: &str = "config-error";
const CLAIM: &str = "pvc-not-bound";
const INIT: &str = "init-container-failing";

/// The causes in the order the report lists them.
const CAUSES: [&str; 5] = [RESOURCES, IMAGE_PULL, CONFIG, CLAIM, INIT];

/// The last lines of a failing init container's log quoted as evidence.
const LOG_LINES: u32 = 10;

struct StandbyHealth;

impl Probe for StandbyHealth {
    fn describe() -> Descriptor {
        describe("standby-health")
            .title("The standby environment can take over")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Blue-Green Deployment Issues: Standby Environment Unhealthy")
            .reads(&[
                VeritasEnvironment::KIND,
                Service::KIND,
                Pod::KIND,
                Deployment::KIND,
                Event::KIND,
                Node::KIND,
                PersistentVolumeClaim::KIND,
                StorageClass::KIND,
            ])
            .uses(Capability::Logs)
            .reports(SYMPTOM, &CAUSES)
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let profile = cx.profile().clone();
        let namespace = profile.namespace.clone();
        let membership = Membership::new(&profile.app_selector, &profile.canary_selector, &profile.environment_label)
            .map_err(|e| HostError::Invalid(format!("the profile's selectors do not parse: {e}")))?;

        let environments: Vec<VeritasEnvironment> = cx.list(None)?;
        let service: Option<Service> = cx.get(Some(&namespace), &profile.service)?;
        let roles = bluegreen::roles(environments.first(), service.as_ref(), &profile.environment_label);
        let Some(standby) = roles.standby else {
            for cause in CAUSES {
                cx.report(skip(SYMPTOM, Some(cause)).summary(format!("no standby environment to check: {}", roles.reason)));
            }
            return Ok(());
        };

        let pods: Vec<Pod> = cx.list(Some(&profile.app_selector))?;
        let standby_pods = membership.pods(&pods, standby);
        let options = ListOptions { namespace: Some(namespace.clone()), label_selector: None, field_selector: None };
        let events: Vec<Event> = cx.list_kind(Event::KIND, &options)?;
        let deployments: Vec<Deployment> = cx.list(None)?;
        let standby_deployments = membership.deployments(&deployments, standby);

        let mut problems = Vec::new();
        if standby_pods.is_empty() {
            let wanted: i64 = standby_deployments.iter().map(|d| d.spec.replicas.unwrap_or(1)).sum();
            if wanted == 0 {
                let why = if standby_deployments.is_empty() { "no pod and no Deployment" } else { "its Deployments are scaled to zero" };
                for cause in CAUSES {
                    cx.report(skip(SYMPTOM, Some(cause)).summary(format!("standby {standby} has {why}; {}", roles.reason)));
                }
                return Ok(());
            }
            problems.extend(classify::missing_pods(&standby_deployments, &events));
        }
        let facts = classify::Facts::read(cx, &events);
        for pod in &standby_pods {
            problems.extend(classify::pod(cx, pod, &facts));
        }

        // Pods that share a claim, or a Deployment's pods, report the same problem once.
        let mut seen = std::collections::BTreeSet::new();
        problems.retain(|p| seen.insert((p.kind, p.subject.clone(), p.cause, p.evidence.clone())));

        let environment = environments.first();
        let blocking = (roles.switching || environment.is_some_and(|e| e.phase() == "Failed")) && !standby_pods.iter().any(|p| p.is_ready());
        let report = Report { standby, roles: &roles, blocking, ready: standby_pods.iter().filter(|p| p.is_ready()).count(), total: standby_pods.len(), namespace: &namespace, label: &profile.environment_label };
        for cause in CAUSES {
            cx.report(report.finding(cause, &problems));
        }
        let unexplained: Vec<&Problem> = problems.iter().filter(|p| p.cause.is_none()).collect();
        if !unexplained.is_empty() {
            cx.report(report.unexplained(&unexplained));
        }
        Ok(())
    }
}

/// The facts every finding of the run shares.
struct Report<'a> {
    standby: &'static str,
    roles: &'a bluegreen::Roles,
    /// A switch to the standby is in progress or failed, and no standby pod is ready.
    blocking: bool,
    ready: usize,
    total: usize,
    namespace: &'a str,
    label: &'a str,
}

impl Report<'_> {
    fn finding(&self, cause: &'static str, problems: &[Problem]) -> ggcore_probe_sdk::FindingBuilder {
        let standby = self.standby;
        let found: Vec<&Problem> = problems.iter().filter(|p| p.cause == Some(cause)).collect();
        if found.is_empty() {
            return pass(SYMPTOM, cause).summary(format!("no pod of the standby {standby} shows {cause} ({} of {} ready)", self.ready, self.total));
        }

        let mut subjects: Vec<&str> = found.iter().map(|p| p.subject.as_str()).collect();
        subjects.dedup();
        let builder = if self.blocking { fail(SYMPTOM, cause) } else { warn(SYMPTOM, cause) };
        let consequence = if self.blocking { "the switch cannot complete" } else { "the next switch would fail" };
        let headline = found.iter().find_map(|p| p.headline.clone()).unwrap_or_else(|| cause.to_string());
        let mut finding = builder
            .summary(format!("standby {standby}: {headline} on {} ({} of {} pods ready; {consequence})", subjects.join(", "), self.ready, self.total))
            .evidence(format!("standby: {}", self.roles.reason));
        for problem in &found {
            finding = finding.evidence_lines(problem.evidence.iter().cloned()).object_named(problem.kind, Some(self.namespace), &problem.subject);
        }
        let resolution = found.iter().find_map(|p| p.resolution.clone()).unwrap_or_else(|| default_resolution(cause).to_string());
        let first = found[0];
        let next = match (cause, first.kind) {
            (INIT, "Pod") => format!("kubectl logs {} -n {} -c {} --previous", first.subject, self.namespace, first.container.as_deref().unwrap_or("")),
            (CLAIM, _) => format!("kubectl describe pvc -n {}", self.namespace),
            (RESOURCES, _) => "kubectl describe nodes | grep -A5 \"Allocated resources\"".to_string(),
            (_, "Pod") => format!("kubectl describe pod {} -n {}", first.subject, self.namespace),
            _ => format!("kubectl describe pods -n {} -l {}={standby}", self.namespace, self.label),
        };
        finding.resolution(resolution).next_command(next)
    }

    fn unexplained(&self, problems: &[&Problem]) -> ggcore_probe_sdk::FindingBuilder {
        let standby = self.standby;
        let mut finding = inconclusive(SYMPTOM, None)
            .summary(format!(
                "{} standby {standby} pods are not ready for a reason outside this check's causes (see pods-down for crash loops and OOM kills)",
                problems.len()
            ))
            .evidence(format!("standby: {}", self.roles.reason));
        for problem in problems {
            finding = finding.evidence_lines(problem.evidence.iter().cloned()).object_named(problem.kind, Some(self.namespace), &problem.subject);
        }
        finding.next_command(format!("kubectl logs -n {} -l {}={standby} --tail=50", self.namespace, self.label))
    }
}

fn default_resolution(cause: &str) -> &'static str {
    match cause {
        RESOURCES => "Scale nodes or reduce standby replicas or requests",
        IMAGE_PULL => "Verify registry access, check image tag",
        CONFIG => "Fix configuration in standby env: create the missing ConfigMap or Secret, or the missing key",
        CLAIM => "Check storage class and PVC status",
        _ => "Check init logs, fix prerequisites",
    }
}

ggcore_probe_sdk::probe!(StandbyHealth);

#[cfg(test)]
mod tests;
