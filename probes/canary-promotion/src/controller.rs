//! The health of the veritas-controller: the state of its pods and the error lines of its
//! recent log, as evidence lines for the `controller-unhealthy` cause.

use ggcore_probe_sdk::prelude::*;

/// How long after a container's last termination a restart still counts as recent, in
/// seconds. A judgement: long enough to cover a crash behind a stuck promotion of the last
/// analyses, short enough that a restart last week does not keep the controller suspect.
pub const RECENT_RESTART_SECONDS: i64 = 3600;

/// The words that mark a log line as an error, compared in lower case. They cover plain text,
/// logfmt (`level=error`) and JSON (`"level":"error"`) logs.
const ERROR_WORDS: [&str; 5] = ["error", "panic", "fatal", "failed", "crash"];

/// The state of one controller pod.
#[derive(Debug, Clone)]
pub struct PodState {
    /// The pod's `Ready` condition is true.
    pub ready: bool,
    /// A container waits in `CrashLoopBackOff`.
    pub crash_looping: bool,
    /// A container terminated within [`RECENT_RESTART_SECONDS`] of `now`.
    pub restarted_recently: bool,
    /// The restarts of all containers.
    pub restarts: i64,
    /// Evidence lines on the pod and each container that is not running and ready.
    pub lines: Vec<String>,
}

/// Assesses a controller pod at `now` (Unix seconds, when known).
pub fn assess(pod: &Pod, now: Option<i64>) -> PodState {
    let name = format!("{}/{}", pod.metadata.namespace(), pod.metadata.name);
    let ready = pod.is_ready();
    let mut crash_looping = false;
    let mut restarted_recently = false;
    let mut lines = vec![format!(
        "controller pod `{name}`: phase {}, {}, {} restarts",
        pod.phase(),
        if ready { "ready" } else { "not ready" },
        pod.restarts()
    )];

    for status in &pod.status.container_statuses {
        let container = &status.name;
        if let Some(waiting) = &status.state.waiting {
            let reason = waiting.reason.as_deref().unwrap_or("");
            crash_looping |= reason == "CrashLoopBackOff";
            let message = waiting.message.as_deref().map(|m| format!(": {}", m.trim())).unwrap_or_default();
            lines.push(format!("  container `{container}` is waiting: {reason}{message}"));
        } else if !status.ready {
            lines.push(format!("  container `{container}` is running but not ready"));
        }
        if let Some(last) = &status.last_state.terminated {
            let finished = last.finished_at.as_deref();
            let recent = match (now, finished.and_then(parse_time)) {
                (Some(now), Some(time)) => now - time <= RECENT_RESTART_SECONDS,
                _ => false,
            };
            restarted_recently |= recent;
            if recent || !status.ready {
                let when = finished.map(|t| format!(" at {t}")).unwrap_or_default();
                lines.push(format!(
                    "  container `{container}` last terminated{when} with exit code {} ({})",
                    last.exit_code,
                    last.reason.as_deref().unwrap_or("no reason")
                ));
            }
        }
    }
    PodState { ready, crash_looping, restarted_recently, restarts: pod.restarts(), lines }
}

/// Returns the last `limit` lines of a log that look like errors.
pub fn error_lines(log: &str, limit: usize) -> Vec<String> {
    let errors: Vec<&str> = log.lines().map(str::trim).filter(|line| is_error(line)).collect();
    errors[errors.len().saturating_sub(limit)..].iter().map(|l| l.to_string()).collect()
}

fn is_error(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    if ERROR_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    // klog marks errors with `E` and the date: `E1204 10:29:01.123 ...`.
    let bytes = line.as_bytes();
    bytes.len() > 5 && bytes[0] == b'E' && bytes[1..5].iter().all(u8::is_ascii_digit)
}

/// Returns the name of the Deployment that owns a pod through its ReplicaSet: the ReplicaSet's
/// name without its pod-template hash.
pub fn deployment_of(pod: &Pod) -> Option<String> {
    let owner = pod.metadata.owner_references.iter().find(|o| o.kind == "ReplicaSet")?;
    owner.name.rsplit_once('-').map(|(deployment, _)| deployment.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(yaml: &str) -> Pod {
        serde_yaml::from_str(yaml).unwrap()
    }

    const CRASHING: &str = r#"
metadata: {name: veritas-controller-6d8b7c5f9d-q8w2n, namespace: veritas, ownerReferences: [{kind: ReplicaSet, name: veritas-controller-6d8b7c5f9d}]}
status:
  phase: Running
  conditions: [{type: Ready, status: 'False'}]
  containerStatuses:
  - name: manager
    ready: false
    restartCount: 7
    state: {waiting: {reason: CrashLoopBackOff, message: back-off 5m0s restarting failed container}}
    lastState: {terminated: {exitCode: 1, reason: Error, finishedAt: '2026-12-04T10:28:00Z'}}
"#;

    #[test]
    fn crash_looping_pod_is_described() {
        let state = assess(&pod(CRASHING), parse_time("2026-12-04T10:30:00Z"));
        assert!(!state.ready);
        assert!(state.crash_looping);
        assert!(state.restarted_recently);
        assert_eq!(state.restarts, 7);
        assert_eq!(state.lines[0], "controller pod `veritas/veritas-controller-6d8b7c5f9d-q8w2n`: phase Running, not ready, 7 restarts");
        assert_eq!(state.lines[1], "  container `manager` is waiting: CrashLoopBackOff: back-off 5m0s restarting failed container");
        assert_eq!(state.lines[2], "  container `manager` last terminated at 2026-12-04T10:28:00Z with exit code 1 (Error)");
    }

    #[test]
    fn old_restart_is_not_recent() {
        let state = assess(&pod(CRASHING), parse_time("2026-12-05T10:30:00Z"));
        assert!(!state.restarted_recently);
    }

    #[test]
    fn error_lines_keep_the_last_ones() {
        let log = "info: starting\nlevel=error msg=\"reconcile failed\" canary=gg-core\nok\nE1204 10:29:01.123 1 controller.go:88] update status: conflict\n{\"level\":\"error\",\"msg\":\"x\"}\n";
        assert_eq!(error_lines(log, 2), vec!["E1204 10:29:01.123 1 controller.go:88] update status: conflict", "{\"level\":\"error\",\"msg\":\"x\"}"]);
        assert_eq!(error_lines(log, 5).len(), 3);
        assert!(error_lines("all good\nEvery step fine", 5).is_empty());
    }

    #[test]
    fn deployment_named_from_replica_set() {
        assert_eq!(deployment_of(&pod(CRASHING)).as_deref(), Some("veritas-controller"));
    }
}
