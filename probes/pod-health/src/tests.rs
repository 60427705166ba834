use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::Fixture;

use super::*;

/// A GG-CORE pod in `veritas` with the given environment and container status (YAML, indented
/// for `containerStatuses`), Ready or not.
fn pod(name: &str, environment: &str, ready: bool, container_status: &str) -> String {
    let ready = if ready { "True" } else { "False" };
    format!(
        r#"---
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: veritas
  labels: {{app: GG-CORE, deployment: stable, environment: {environment}}}
spec:
  containers:
  - name: gg-core
    image: registry.example.internal/veritas/gg-core:1.8.2
    resources: {{limits: {{memory: 48Gi}}}}
status:
  phase: Running
  conditions:
  - {{type: PodScheduled, status: "True"}}
  - {{type: Ready, status: "{ready}"}}
  containerStatuses:
  - name: gg-core
{container_status}
"#
    )
}

const RUNNING: &str = "    ready: true\n    restartCount: 0\n    state: {running: {startedAt: '2026-12-04T09:00:00Z'}}\n";

const SERVICE_BLUE: &str = r#"---
apiVersion: v1
kind: Service
metadata: {name: gg-core, namespace: veritas}
spec:
  selector: {app: GG-CORE, environment: blue}
  ports: [{name: http, port: 8080, targetPort: http}]
"#;

fn fixture(parts: &[String]) -> Fixture {
    Fixture::yaml(&format!("{SERVICE_BLUE}{}", parts.concat()))
}

#[test]
fn healthy_pods_pass_every_cause() {
    let findings = fixture(&[pod("blue-a", "blue", true, RUNNING), pod("blue-b", "blue", true, RUNNING)]).run::<PodHealth>();
    findings.assert_healthy();
    for cause in CAUSES {
        findings.assert_reported(Outcome::Pass, SYMPTOM, cause);
    }
}

#[test]
fn no_pods_fails() {
    let findings = Fixture::yaml(SERVICE_BLUE).run::<PodHealth>();
    findings.assert_reported(Outcome::Fail, SYMPTOM, NO_PODS);
}

#[test]
fn crash_loop_on_every_serving_pod_fails() {
    let crash = "    ready: false\n    restartCount: 7\n    state: {waiting: {reason: CrashLoopBackOff}}\n    lastState: {terminated: {reason: Error, exitCode: 1}}\n";
    let findings = fixture(&[pod("blue-a", "blue", false, crash), pod("green-a", "green", true, RUNNING)]).run::<PodHealth>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, CRASH_LOOP);
    assert!(finding.evidence[0].contains("last exit code 1"), "{:?}", finding.evidence);
    findings.assert_not_reported(OOM_KILLED);
}

#[test]
fn crash_loop_on_standby_only_warns() {
    let crash = "    ready: false\n    restartCount: 3\n    state: {waiting: {reason: CrashLoopBackOff}}\n";
    let findings = fixture(&[pod("blue-a", "blue", true, RUNNING), pod("green-a", "green", false, crash)]).run::<PodHealth>();
    findings.assert_reported(Outcome::Warn, SYMPTOM, CRASH_LOOP);
}

#[test]
fn oom_kill_behind_crash_loop_is_current() {
    let oom = "    ready: false\n    restartCount: 6\n    state: {waiting: {reason: CrashLoopBackOff}}\n    lastState: {terminated: {reason: OOMKilled, exitCode: 137, startedAt: '2026-12-04T10:26:00Z', finishedAt: '2026-12-04T10:28:00Z', message: \"loading shard 9/14\"}}\n";
    let findings = fixture(&[pod("blue-a", "blue", false, oom)]).run::<PodHealth>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, OOM_KILLED);
    assert!(finding.evidence[0].contains("memory limit 48Gi"), "{:?}", finding.evidence);
    assert!(finding.evidence[0].contains("after running 2m"), "{:?}", finding.evidence);
    assert!(finding.evidence.iter().any(|e| e.contains("loading shard 9/14")), "{:?}", finding.evidence);
}

#[test]
fn stale_oom_on_recovered_pod_is_not_reported() {
    let recovered = "    ready: true\n    restartCount: 1\n    state: {running: {startedAt: '2026-12-01T00:00:00Z'}}\n    lastState: {terminated: {reason: OOMKilled, exitCode: 137}}\n";
    let findings = fixture(&[pod("blue-a", "blue", true, recovered)]).run::<PodHealth>();
    findings.assert_not_reported(OOM_KILLED);
    findings.assert_reported(Outcome::Pass, SYMPTOM, OOM_KILLED);
}

#[test]
fn image_pull_backoff_names_the_image() {
    let pull = "    ready: false\n    restartCount: 0\n    state: {waiting: {reason: ImagePullBackOff, message: 'Back-off pulling image'}}\n";
    let findings = fixture(&[pod("blue-a", "blue", false, pull)]).run::<PodHealth>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, IMAGE_PULL);
    assert!(finding.evidence[0].contains("gg-core:1.8.2"), "{:?}", finding.evidence);
}

#[test]
fn unschedulable_pod_quotes_scheduler_event() {
    let pending = r#"---
apiVersion: v1
kind: Pod
metadata: {name: blue-a, namespace: veritas, labels: {app: GG-CORE, environment: blue}}
status:
  phase: Pending
  conditions: [{type: PodScheduled, status: "False", reason: Unschedulable, message: "0/3 nodes are available"}]
---
apiVersion: v1
kind: Event
metadata: {name: e1, namespace: veritas}
involvedObject: {kind: Pod, name: blue-a}
type: Warning
reason: FailedScheduling
message: "0/3 nodes are available: 3 Insufficient nvidia.com/gpu."
"#;
    let findings = fixture(&[pending.to_string()]).run::<PodHealth>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, UNSCHEDULABLE);
    assert!(finding.evidence.iter().any(|e| e.contains("Insufficient nvidia.com/gpu")), "{:?}", finding.evidence);
}

#[test]
fn running_but_unready_pod_warns_while_others_serve() {
    let unready = "    ready: false\n    restartCount: 0\n    state: {running: {startedAt: '2026-12-04T09:00:00Z'}}\n";
    let findings = fixture(&[pod("blue-a", "blue", false, unready), pod("blue-b", "blue", true, RUNNING)]).run::<PodHealth>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, NOT_READY);
    assert!(finding.evidence[0].contains("readiness probe"), "{:?}", finding.evidence);
}
