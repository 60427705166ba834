//! `rollback`: did a rollback fail, and was it the image or the state?
//!
//! Implements the guide's Quick Reference row "Rollback failed" (likely issue: "Image or state
//! issue") and error code E5002 ROLLBACK_FAILED, which the guide rates Critical.
//!
//! A canary rollback is a `VeritasCanary` in `RollingBack` or `Failed`; a blue-green rollback is
//! a switch back, seen on a `VeritasEnvironment`. A rollback failed when:
//! - a condition or event of the object names a rollback and a failure (`RollbackFailed`);
//! - E5002 or ROLLBACK_FAILED appears in an event, the controller's log or a container's
//!   termination message (the findings then carry error code E5002);
//! - for a canary, the stable pods are not ready after it: the canary is `Failed`, or it has
//!   been `RollingBack` for longer than the `rollback-timeout` setting (default 10m). Until
//!   then an unready stable pod makes a `warn`: the rollback is still in progress.
//!
//! The cause is `rollback-image-issue` when the pods rolled back to cannot pull their image, or
//! the failure's messages name the image; otherwise it is `rollback-state-issue`. A `Failed`
//! canary whose stable pods are ready was rolled back successfully and passes.

mod signals;

use ggcore_probe_sdk::FindingBuilder;
use ggcore_probe_sdk::bluegreen::{Membership, canonical, pod_state};
use ggcore_probe_sdk::image_pull::{self, PULL_REASONS};
use ggcore_probe_sdk::prelude::*;

use signals::Signals;

const SYMPTOM: &str = "rollback-failed";
const IMAGE: &str = "rollback-image-issue";
const STATE: &str = "rollback-state-issue";

/// The GG-CORE error code of a failed rollback.
const E5002: &str = "E5002";

/// The setting that bounds how long a canary may stay `RollingBack` with unready stable pods.
const TIMEOUT_SETTING: &str = "rollback-timeout";

/// The default of [`TIMEOUT_SETTING`], in seconds.
const DEFAULT_TIMEOUT: f64 = 600.0;

struct Rollback;

/// A failed or stuck rollback, ready to become a finding.
struct Issue {
    cause: &'static str,
    /// True for a rollback still in progress: `warn` instead of `fail`.
    in_progress: bool,
    summary: String,
    evidence: Vec<String>,
    objects: Vec<(&'static str, String)>,
    /// True when the issue rests on E5002.
    coded: bool,
    resolution: String,
    next_command: String,
}

impl Probe for Rollback {
    fn describe() -> Descriptor {
        describe("rollback")
            .title("Rollbacks complete")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Quick Reference: Rollback failed; Error Code Reference: E5002 ROLLBACK_FAILED")
            .reads(&[VeritasCanary::KIND, VeritasEnvironment::KIND, Pod::KIND, Event::KIND])
            .uses(Capability::Logs)
            .reports(SYMPTOM, &[IMAGE, STATE])
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let profile = cx.profile().clone();
        let namespace = profile.namespace.clone();
        let canaries: Vec<VeritasCanary> = cx.list(None)?;
        let environments: Vec<VeritasEnvironment> = cx.list(None)?;
        let signals = Signals::read(cx)?;
        if canaries.is_empty() && environments.is_empty() && signals.codes.is_empty() {
            for cause in [IMAGE, STATE] {
                cx.report(skip(SYMPTOM, Some(cause)).summary(format!("no VeritasCanary or VeritasEnvironment in namespace `{namespace}`: nothing rolls back")));
            }
            return Ok(());
        }

        let pods: Vec<Pod> = cx.list(Some(&profile.app_selector))?;
        let stable_selector = Selector::parse(&profile.stable_selector).map_err(|e| HostError::Invalid(format!("the stable selector does not parse: {e}")))?;
        let canary_selector = Selector::parse(&profile.canary_selector).map_err(|e| HostError::Invalid(format!("the canary selector does not parse: {e}")))?;
        let stable: Vec<&Pod> = pods.iter().filter(|p| stable_selector.matches(&p.metadata.labels) && !canary_selector.matches(&p.metadata.labels)).collect();
        let membership = Membership::new(&profile.app_selector, &profile.canary_selector, &profile.environment_label)
            .map_err(|e| HostError::Invalid(format!("the profile's selectors do not parse: {e}")))?;
        let timeout = cx.setting(TIMEOUT_SETTING).and_then(parse_duration).unwrap_or(DEFAULT_TIMEOUT) as i64;

        let mut issues = Vec::new();
        let mut checked = Vec::new();
        let mut attributed = Vec::new();
        for canary in &canaries {
            let name = &canary.metadata.name;
            let failures = signals.failures("VeritasCanary", name, &canary.status.conditions);
            attributed.extend(failures.iter().cloned());
            checked.push(format!("VeritasCanary `{name}` is {}", phase(canary.phase())));
            if matches!(canary.phase(), "RollingBack" | "Failed") || !failures.is_empty() {
                issues.extend(canary_issue(cx, canary, &failures, &stable, &signals, timeout));
            }
        }
        for environment in &environments {
            let name = &environment.metadata.name;
            let failures = signals.failures("VeritasEnvironment", name, &environment.status.conditions);
            attributed.extend(failures.iter().cloned());
            checked.push(format!("VeritasEnvironment `{name}` is {}", phase(environment.phase())));
            if !failures.is_empty() {
                let target = environment.spec.active_environment.as_deref().and_then(canonical);
                let target_pods = target.map(|t| membership.pods(&pods, t)).unwrap_or_default();
                issues.push(environment_issue(environment, &failures, &target_pods, &signals));
            }
        }
        // E5002 lines of the controller's log and of termination messages name no object: with a
        // single failed rollback they belong to it, otherwise they make a finding of their own.
        let unattributed: Vec<String> = signals.codes.iter().filter(|c| !attributed.contains(c)).cloned().collect();
        match issues.as_mut_slice() {
            _ if unattributed.is_empty() => {}
            [only] => {
                only.evidence.extend(unattributed);
                only.coded = true;
            }
            _ => issues.push(code_issue(&unattributed, &namespace, &profile.controller_selector)),
        }

        for cause in [IMAGE, STATE] {
            let found: Vec<&Issue> = issues.iter().filter(|i| i.cause == cause).collect();
            if found.is_empty() {
                cx.report(pass(SYMPTOM, cause).summary(format!("no failed rollback: {}", checked.join("; "))));
            }
            for issue in found {
                cx.report(finding(issue, &namespace));
            }
        }
        Ok(())
    }
}

fn phase(phase: &str) -> &str {
    if phase.is_empty() { "without a phase" } else { phase }
}

/// Returns the pull failure of a pod, described for evidence, if its image cannot be pulled.
fn pull_failure(pod: &Pod, signals: &Signals) -> Option<(String, image_pull::PullFailure, String)> {
    let status = pod
        .status
        .container_statuses
        .iter()
        .chain(&pod.status.init_container_statuses)
        .find(|s| s.state.waiting.as_ref().and_then(|w| w.reason.as_deref()).is_some_and(|r| PULL_REASONS.contains(&r)))?;
    let reason = status.state.waiting.as_ref().and_then(|w| w.reason.as_deref()).unwrap_or("");
    let image = pod.container(&status.name).map(|c| c.image.clone()).or_else(|| status.image.clone()).unwrap_or_default();
    let messages = signals.pod_event_messages(&pod.metadata.name);
    let failure = image_pull::classify(reason, messages.iter().map(String::as_str).chain(status.state.waiting.as_ref().and_then(|w| w.message.as_deref())));
    let line = format!("pod `{}` cannot pull `{image}`: {reason}, {}", pod.metadata.name, failure.describe());
    Some((line, failure, image))
}

/// Reports whether a failure message is about the image.
fn names_image(line: &str) -> bool {
    let line = line.to_ascii_lowercase();
    ["image", "pull", "manifest"].iter().any(|w| line.contains(w))
}

fn canary_issue(cx: &Context, canary: &VeritasCanary, failures: &[String], stable: &[&Pod], signals: &Signals, timeout: i64) -> Option<Issue> {
    let name = &canary.metadata.name;
    let phase = canary.phase();
    let coded = failures.iter().any(|f| signals::has_code(f));
    let pulls: Vec<(String, image_pull::PullFailure, String)> = stable.iter().filter_map(|p| pull_failure(p, signals)).collect();
    let unready: Vec<&&Pod> = stable.iter().filter(|p| !p.is_ready()).collect();
    let started = signals.rollback_start("VeritasCanary", name, &canary.status.conditions);
    let elapsed = match (cx.now(), started) {
        (Some(now), Some(start)) => Some(now - start),
        _ => None,
    };
    let overdue = phase == "Failed" || elapsed.is_some_and(|e| e > timeout);
    let mut evidence = vec![format!(
        "VeritasCanary `{name}`: phase {}, spec.trafficWeight {}{}",
        self::phase(phase),
        canary.spec.traffic_weight.map(|w| w.to_string()).unwrap_or_else(|| "unset".into()),
        elapsed.map(|e| format!(", rolling back for {}", format_duration(e as f64))).unwrap_or_default()
    )];
    evidence.extend(failures.iter().cloned());
    let objects = vec![("VeritasCanary", name.clone())];
    let next_command = format!("kubectl describe veritascanary {name} -n {}", canary.metadata.namespace());

    if !pulls.is_empty() || failures.iter().any(|f| names_image(f)) {
        evidence.extend(pulls.iter().map(|(line, _, _)| line.clone()));
        let resolution = match pulls.first() {
            Some((_, failure, image)) => format!("Make the stable image pullable again: {}", failure.resolution(image)),
            None => "Make the previous image pullable, or pin the rollback to a known-good digest".to_string(),
        };
        return Some(Issue {
            cause: IMAGE,
            in_progress: false,
            summary: format!("the rollback of canary `{name}` cannot restore the stable image: {} stable pods cannot pull it", pulls.len()),
            evidence,
            objects,
            coded,
            resolution,
            next_command,
        });
    }

    let no_stable = stable.is_empty();
    if failures.is_empty() && !no_stable && unready.is_empty() {
        return None;
    }
    if no_stable {
        evidence.push("no stable pod exists: there is nothing to roll back to".to_string());
    }
    evidence.extend(unready.iter().map(|p| pod_state(p)));
    let in_progress = failures.is_empty() && !overdue;
    let summary = if !failures.is_empty() {
        format!("the rollback of canary `{name}` failed: {}", failures[0])
    } else if in_progress {
        format!("canary `{name}` is rolling back and {} of {} stable pods are not ready yet", unready.len(), stable.len())
    } else if no_stable {
        format!("canary `{name}` is {} with no stable pod to roll back to", self::phase(phase))
    } else {
        format!("canary `{name}` is {} and {} of {} stable pods are not ready: the rollback did not restore service", self::phase(phase), unready.len(), stable.len())
    };
    Some(Issue {
        cause: STATE,
        in_progress,
        summary,
        evidence,
        objects,
        coded,
        resolution: "Restore the previous revision's state (the stable Deployment, its replicas and the traffic weight), then retry the rollback; see the stable pods' and the controller's logs".to_string(),
        next_command,
    })
}

fn environment_issue(environment: &VeritasEnvironment, failures: &[String], target_pods: &[&Pod], signals: &Signals) -> Issue {
    let name = &environment.metadata.name;
    let target = environment.spec.active_environment.as_deref().unwrap_or("the previous environment");
    let coded = failures.iter().any(|f| signals::has_code(f));
    let pulls: Vec<(String, image_pull::PullFailure, String)> = target_pods.iter().filter_map(|p| pull_failure(p, signals)).collect();
    let mut evidence = vec![format!("VeritasEnvironment `{name}`: phase {}, switching back to {target}", phase(environment.phase()))];
    evidence.extend(failures.iter().cloned());
    let objects = vec![("VeritasEnvironment", name.clone())];
    let next_command = format!("kubectl describe veritasenvironment {name} -n {}", environment.metadata.namespace());
    if !pulls.is_empty() || failures.iter().any(|f| names_image(f)) {
        evidence.extend(pulls.iter().map(|(line, _, _)| line.clone()));
        let resolution = match pulls.first() {
            Some((_, failure, image)) => format!("Make the {target} image pullable again: {}", failure.resolution(image)),
            None => "Make the previous image pullable, or pin the rollback to a known-good digest".to_string(),
        };
        return Issue { cause: IMAGE, in_progress: false, summary: format!("the switch of `{name}` back to {target} failed on the image"), evidence, objects, coded, resolution, next_command };
    }
    evidence.extend(target_pods.iter().filter(|p| !p.is_ready()).map(|p| pod_state(p)));
    Issue {
        cause: STATE,
        in_progress: false,
        summary: format!("the switch of `{name}` back to {target} failed: {}", failures[0]),
        evidence,
        objects,
        coded,
        resolution: format!("Restore {target}'s state (its Deployment, ConfigMap and Service selector), then retry the switch back"),
        next_command,
    }
}

fn code_issue(lines: &[String], namespace: &str, controller_selector: &str) -> Issue {
    let cause = if lines.iter().any(|l| names_image(l)) { IMAGE } else { STATE };
    Issue {
        cause,
        in_progress: false,
        summary: format!("E5002 ROLLBACK_FAILED reported: {}", lines[0]),
        evidence: lines.to_vec(),
        objects: Vec::new(),
        coded: true,
        resolution: "Find the rollback the code belongs to (GG-CORE rollback --status), restore the previous revision's image and state, and retry it".to_string(),
        next_command: format!("kubectl logs -n {namespace} -l {controller_selector} --tail=200 | grep -E 'E5002|ROLLBACK_FAILED'"),
    }
}

fn finding(issue: &Issue, namespace: &str) -> FindingBuilder {
    let builder = if issue.in_progress { warn(SYMPTOM, issue.cause) } else { fail(SYMPTOM, issue.cause) };
    let mut finding = builder
        .summary(issue.summary.clone())
        .evidence_lines(issue.evidence.iter().cloned())
        .resolution(issue.resolution.clone())
        .next_command(issue.next_command.clone());
    for (kind, name) in &issue.objects {
        finding = finding.object_named(kind, Some(namespace), name);
    }
    if issue.coded {
        finding = finding.error_code(E5002);
    }
    finding
}

ggcore_probe_sdk::probe!(Rollback);

#[cfg(test)]
mod tests;
