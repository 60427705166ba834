//! Codes read from a pod's state rather than from what the runtime wrote: termination
//! messages, OOM kills, SIGSYS kills, seccomp profiles that cannot be loaded and pod sandboxes
//! that cannot be created.

use ggcore_probe_sdk::prelude::*;

use super::codes::{self, by_code};
use super::{Hit, Log, Source, pod_object, quote};

/// The signal seccomp kills a process with when it makes a forbidden system call (SIGSYS).
const SIGSYS: i64 = 31;

/// Phrases of kubelet and container runtime messages saying a seccomp profile cannot be used.
const PROFILE_FAILURES: [&str; 7] = ["cannot load", "failed to load", "unable to load", "could not load", "no such file", "not found", "cannot be loaded"];

/// Finds codes in termination messages, and reads OOM and SIGSYS kills as codes.
pub(crate) fn termination_hits<'a>(pod: &'a Pod, logs: &[Log]) -> Vec<Hit<'a>> {
    let name = &pod.metadata.name;
    let mut hits = Vec::new();
    for status in pod.status.container_statuses.iter().chain(&pod.status.init_container_statuses) {
        let container = &status.name;
        for (terminated, source) in [(&status.state.terminated, Source::CurrentState), (&status.last_state.terminated, Source::LastState)] {
            let Some(terminated) = terminated else { continue };
            let message = terminated.message.as_deref().unwrap_or("");
            for line in message.lines() {
                for code in codes::codes_in(line) {
                    let what = format!("termination message of pod `{name}` container `{container}`");
                    hits.push(Hit { code, pod: Some(pod), object: pod_object(pod), source, line: format!("{what}: {}", quote(line)) });
                }
            }

            let killed_by_seccomp = terminated.signal == Some(SIGSYS) || terminated.exit_code == 128 + SIGSYS;
            if killed_by_seccomp {
                let line = format!(
                    "pod `{name}` container `{container}`: killed by SIGSYS (exit code {}), the signal seccomp sends on a forbidden system call",
                    terminated.exit_code
                );
                hits.push(Hit { code: by_code("E3002").expect("E3002 is a code"), pod: Some(pod), object: pod_object(pod), source, line });
            }
        }
        if let Some(hit) = oom_hit(pod, status, logs) {
            hits.push(hit);
        }
    }
    hits
}

/// Reads a current OOM kill as E2001 when the container was loading its model (its termination
/// message or previous log ends in loading), and as E3003 otherwise. An OOM kill in the last
/// state of a container that runs and is ready again is history and is not read.
fn oom_hit<'a>(pod: &'a Pod, status: &ContainerStatus, logs: &[Log]) -> Option<Hit<'a>> {
    let is_oom = |t: &Option<StateTerminated>| t.as_ref().is_some_and(|t| t.reason.as_deref() == Some("OOMKilled"));
    let (terminated, source) = if is_oom(&status.state.terminated) {
        (status.state.terminated.as_ref()?, Source::CurrentState)
    } else if is_oom(&status.last_state.terminated) && !(status.ready && status.state.running.is_some()) {
        (status.last_state.terminated.as_ref()?, Source::LastState)
    } else {
        return None;
    };

    let name = &pod.metadata.name;
    let container = &status.name;
    let limit = pod
        .container(container)
        .and_then(Container::memory_limit)
        .map(format_bytes)
        .unwrap_or_else(|| "no memory limit".to_string());
    let message = terminated.message.as_deref().unwrap_or("");
    let loading = codes::loading_line(message).or_else(|| Log::previous_of(logs, container).and_then(codes::loading_line));

    let (code, what) = match loading {
        Some(line) => ("E2001", format!("while loading the model (last output: {})", quote(line))),
        None => ("E3003", "with no sign of model loading in its last output".to_string()),
    };
    let line = format!(
        "pod `{name}` container `{container}`: OOMKilled (exit code {}) {what}; memory limit {limit}; {} restarts",
        terminated.exit_code, status.restart_count
    );
    Some(Hit { code: by_code(code).expect("E2001 and E3003 are codes"), pod: Some(pod), object: pod_object(pod), source, line })
}

/// Reads sandbox failures of one pod as E3001: events or waiting messages saying its Localhost
/// seccomp profile cannot be loaded, and `FailedCreatePodSandBox` events. `events` are the
/// events about this pod.
pub(crate) fn sandbox_hits<'a>(pod: &'a Pod, events: &[&Event]) -> Vec<Hit<'a>> {
    let name = &pod.metadata.name;
    let e3001 = by_code("E3001").expect("E3001 is a code");
    let mut hits = Vec::new();
    let profiles = localhost_profiles(pod);

    for event in events {
        let message = event.message.as_deref().unwrap_or("");
        let sandbox = event.reason.as_deref() == Some("FailedCreatePodSandBox");
        if sandbox || (!profiles.is_empty() && is_profile_failure(message)) {
            let mut line = format!("event on pod `{name}`: {}", quote(&event.describe()));
            if !profiles.is_empty() && !sandbox {
                line.push_str(&format!(" (seccomp profile Localhost {})", profiles.join(", ")));
            }
            hits.push(Hit { code: e3001, pod: Some(pod), object: pod_object(pod), source: Source::Event, line });
        }
    }

    if !profiles.is_empty() {
        for status in pod.status.container_statuses.iter().chain(&pod.status.init_container_statuses) {
            let Some(waiting) = &status.state.waiting else { continue };
            let message = waiting.message.as_deref().unwrap_or("");
            if is_profile_failure(message) {
                let line = format!(
                    "pod `{name}` container `{}`: waiting {} ({}); seccomp profile Localhost {}",
                    status.name,
                    waiting.reason.as_deref().unwrap_or(""),
                    quote(message),
                    profiles.join(", ")
                );
                hits.push(Hit { code: e3001, pod: Some(pod), object: pod_object(pod), source: Source::CurrentState, line });
            }
        }
    }
    hits
}

fn is_profile_failure(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("seccomp") && PROFILE_FAILURES.iter().any(|phrase| lower.contains(phrase))
}

/// Returns the `localhostProfile` paths of a pod whose pod or container security context sets
/// a seccomp profile of type Localhost.
fn localhost_profiles(pod: &Pod) -> Vec<String> {
    let contexts = std::iter::once(pod.spec.security_context.as_ref())
        .chain(pod.spec.containers.iter().chain(&pod.spec.init_containers).map(|c| c.security_context.as_ref()))
        .flatten();
    let mut profiles: Vec<String> = contexts
        .filter_map(|context| context.get("seccompProfile"))
        .filter(|profile| profile.get("type").and_then(|t| t.as_str()) == Some("Localhost"))
        .map(|profile| profile.get("localhostProfile").and_then(|p| p.as_str()).unwrap_or("(no path)").to_string())
        .collect();
    profiles.sort();
    profiles.dedup();
    profiles
}
