use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::Fixture;

use super::*;

const READY: &str = "    ready: true\n    restartCount: 0\n    state: {running: {startedAt: '2026-12-04T09:00:00Z'}}\n";

/// Builds a GG-CORE pod with one container `gg-core` and the given status (YAML, indented for
/// `containerStatuses`) and pod-level extra spec lines.
fn pod(name: &str, ready: bool, container_status: &str, extra_spec: &str) -> String {
    let ready = if ready { "True" } else { "False" };
    format!(
        r#"---
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: veritas
  labels: {{app: GG-CORE, environment: blue}}
spec:
{extra_spec}  containers:
  - name: gg-core
    image: registry.example.internal/veritas/gg-core:1.8.2
    resources: {{limits: {{memory: 48Gi}}}}
status:
  phase: Running
  conditions:
  - {{type: Ready, status: "{ready}"}}
  containerStatuses:
  - name: gg-core
{container_status}"#
    )
}

fn event(pod: &str, reason: &str, message: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Event\nmetadata: {{name: {pod}.{reason}, namespace: veritas}}\ninvolvedObject: {{kind: Pod, name: {pod}}}\ntype: Warning\nreason: {reason}\nmessage: \"{message}\"\n"
    )
}

/// Runs the probe on one ready pod whose current log is `log`.
fn with_log(log: &str) -> ggcore_probe_sdk::testing::Findings {
    Fixture::yaml(&pod("blue-a", true, READY, "")).log("veritas", "blue-a", "gg-core", false, log).run::<RuntimeErrors>()
}

#[test]
fn every_code_in_a_log_is_reported() {
    for code in &CODES {
        let line = format!("2026-12-04T10:03:17Z ERROR {} {} request=9f3c2a", code.code, code.name);
        let findings = with_log(&format!("INFO ready: serving on :8080\n{line}\n"));
        let reported = findings
            .0
            .iter()
            .find(|f| f.cause.as_deref() == Some(code.cause().as_str()) && matches!(f.outcome, Outcome::Fail | Outcome::Warn))
            .unwrap_or_else(|| panic!("{} not reported:\n{}", code.code, findings.dump()));
        assert_eq!(reported.error_code.as_deref(), Some(code.code));
        assert!(reported.evidence[0].contains("log of pod `blue-a` container `gg-core`"), "{:?}", reported.evidence);
    }
}

#[test]
fn clean_log_passes_every_code() {
    let findings = with_log("INFO runtime 1.8.2 starting\nINFO ready: serving on :8080\n");
    findings.assert_healthy();
    for code in &CODES {
        findings.assert_reported(Outcome::Pass, SYMPTOM, &code.cause());
    }
}

#[test]
fn error_code_on_serving_pod_warns() {
    let findings = with_log("ERROR E4001 INFERENCE_FAILED request=9f3c2a: kernel launch failed\n");
    findings.assert_reported(Outcome::Warn, SYMPTOM, "e4001");
}

#[test]
fn error_code_on_unready_pod_fails() {
    let unready = "    ready: false\n    restartCount: 0\n    state: {running: {startedAt: '2026-12-04T09:00:00Z'}}\n";
    let findings = Fixture::yaml(&pod("blue-a", false, unready, ""))
        .log("veritas", "blue-a", "gg-core", false, "ERROR E2002 MODEL_NOT_FOUND veritas-llm-70b\n")
        .run::<RuntimeErrors>();
    findings.assert_reported(Outcome::Fail, SYMPTOM, "e2002");
}

#[test]
fn critical_code_in_current_log_fails() {
    let findings = with_log("ERROR E1001 IPC_CONNECTION_FAILED /var/run/veritas/GG-CORE.sock: connection refused\n");
    findings.assert_reported(Outcome::Fail, SYMPTOM, "e1001");
}

#[test]
fn critical_code_of_recovered_instance_warns() {
    let restarted = "    ready: true\n    restartCount: 1\n    state: {running: {startedAt: '2026-12-04T09:00:00Z'}}\n    lastState: {terminated: {reason: Error, exitCode: 1}}\n";
    let findings = Fixture::yaml(&pod("blue-a", true, restarted, ""))
        .log("veritas", "blue-a", "gg-core", false, "INFO ready: serving on :8080\n")
        .log("veritas", "blue-a", "gg-core", true, "ERROR E1001 IPC_CONNECTION_FAILED\n")
        .run::<RuntimeErrors>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, "e1001");
    assert!(finding.summary.contains("history"), "{}", finding.summary);
    assert!(finding.evidence[0].starts_with("previous log of pod `blue-a`"), "{:?}", finding.evidence);
}

#[test]
fn code_name_alone_is_reported() {
    let findings = with_log("WARN TOKENIZER_ERROR: unknown byte sequence\n");
    findings.assert_reported(Outcome::Warn, SYMPTOM, "e4002");
}

#[test]
fn rollback_code_is_not_reported_here() {
    let findings = with_log("ERROR E5002 ROLLBACK_FAILED\n");
    findings.assert_healthy();
    assert!(findings.0.iter().all(|f| f.cause.as_deref() != Some("e5002")), "{}", findings.dump());
}

#[test]
fn code_in_event_about_custom_resource_fails() {
    let event = "---\napiVersion: v1\nkind: Event\nmetadata: {name: e1, namespace: veritas}\ninvolvedObject: {kind: VeritasCanary, name: gg-core}\ntype: Warning\nreason: DeploymentFailed\nmessage: \"E5001 DEPLOYMENT_FAILED: canary ReplicaSet did not become available\"\n";
    let findings = Fixture::yaml(&format!("{}{event}", pod("blue-a", true, READY, ""))).log("veritas", "blue-a", "gg-core", false, "").run::<RuntimeErrors>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, "e5001");
    assert!(finding.evidence[0].starts_with("event on VeritasCanary `gg-core`"), "{:?}", finding.evidence);
    assert_eq!(finding.objects[0].kind, "VeritasCanary");
}

#[test]
fn code_in_termination_message_is_reported() {
    let crashed = "    ready: false\n    restartCount: 3\n    state: {waiting: {reason: CrashLoopBackOff}}\n    lastState: {terminated: {reason: Error, exitCode: 1, message: \"FATAL E2003 MODEL_VERSION_MISMATCH: model format v3, runtime reads v2\"}}\n";
    let findings = Fixture::yaml(&pod("blue-a", false, crashed, "")).log("veritas", "blue-a", "gg-core", false, "").run::<RuntimeErrors>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, "e2003");
    assert!(finding.evidence[0].starts_with("termination message of pod `blue-a`"), "{:?}", finding.evidence);
}

const OOM_WHILE_LOADING: &str = "    ready: false\n    restartCount: 6\n    state: {waiting: {reason: CrashLoopBackOff}}\n    lastState: {terminated: {reason: OOMKilled, exitCode: 137, message: \"INFO loading model veritas-llm-34b-instruct@r2 (fp16, 14 shards)\\nINFO loaded shard 8/14 (resident 44.1 GiB)\\nINFO loading shard 9/14\\n\"}}\n";

#[test]
fn oom_kill_while_loading_is_model_load_failure() {
    let findings = Fixture::yaml(&pod("blue-a", false, OOM_WHILE_LOADING, "")).run::<RuntimeErrors>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, "e2001");
    assert_eq!(finding.error_code.as_deref(), Some("E2001"));
    assert!(finding.evidence[0].contains("memory limit 48Gi"), "{:?}", finding.evidence);
    assert!(finding.evidence[0].contains("loading shard 9/14"), "{:?}", finding.evidence);
    findings.assert_not_reported("e3003");
    findings.assert_not_reported("e3001");
}

#[test]
fn oom_kill_after_load_is_resource_limit() {
    let oom = "    ready: false\n    restartCount: 2\n    state: {waiting: {reason: CrashLoopBackOff}}\n    lastState: {terminated: {reason: OOMKilled, exitCode: 137, message: \"INFO model m@r7 loaded (6 shards)\\nINFO ready: serving on :8080\\n\"}}\n";
    let findings = Fixture::yaml(&pod("blue-a", false, oom, "")).run::<RuntimeErrors>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, "e3003");
    assert!(finding.evidence[0].contains("no sign of model loading"), "{:?}", finding.evidence);
    findings.assert_not_reported("e2001");
}

#[test]
fn oom_load_seen_in_previous_log() {
    let oom = "    ready: false\n    restartCount: 4\n    state: {waiting: {reason: CrashLoopBackOff}}\n    lastState: {terminated: {reason: OOMKilled, exitCode: 137}}\n";
    let findings = Fixture::yaml(&pod("green-a", false, oom, ""))
        .log("veritas", "green-a", "gg-core", true, "INFO loading model veritas-llm-13b-instruct@r7\nINFO loading shard 5/6\n")
        .run::<RuntimeErrors>();
    findings.assert_reported(Outcome::Fail, SYMPTOM, "e2001");
}

#[test]
fn old_oom_on_ready_pod_is_not_reported() {
    let recovered = "    ready: true\n    restartCount: 1\n    state: {running: {startedAt: '2026-12-01T00:00:00Z'}}\n    lastState: {terminated: {reason: OOMKilled, exitCode: 137, message: \"INFO loading shard 9/14\"}}\n";
    let findings = Fixture::yaml(&pod("blue-a", true, recovered, "")).log("veritas", "blue-a", "gg-core", false, "").run::<RuntimeErrors>();
    findings.assert_not_reported("e2001");
    findings.assert_not_reported("e3003");
}

const LOCALHOST_SECCOMP: &str = "  securityContext:\n    seccompProfile: {type: Localhost, localhostProfile: profiles/gg-core.json}\n";
const CREATE_ERROR: &str = "    ready: false\n    restartCount: 0\n    state: {waiting: {reason: CreateContainerError, message: 'failed to create containerd container: cannot load seccomp profile \"/var/lib/kubelet/seccomp/profiles/gg-core.json\": open /var/lib/kubelet/seccomp/profiles/gg-core.json: no such file or directory'}}\n";

#[test]
fn missing_localhost_seccomp_profile_is_sandbox_init_failure() {
    let events = event("blue-a", "Failed", "Error: failed to create containerd container: cannot load seccomp profile profiles/gg-core.json: no such file or directory");
    let findings = Fixture::yaml(&format!("{}{events}", pod("blue-a", false, CREATE_ERROR, LOCALHOST_SECCOMP))).run::<RuntimeErrors>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, "e3001");
    assert!(finding.evidence.iter().any(|e| e.contains("seccomp profile Localhost profiles/gg-core.json")), "{:?}", finding.evidence);
    assert_eq!(finding.error_code.as_deref(), Some("E3001"));
}

#[test]
fn seccomp_message_without_localhost_profile_is_ignored() {
    let events = event("blue-a", "Failed", "cannot load seccomp profile: not found");
    let findings = Fixture::yaml(&format!("{}{events}", pod("blue-a", false, CREATE_ERROR, ""))).run::<RuntimeErrors>();
    findings.assert_not_reported("e3001");
}

#[test]
fn failed_pod_sandbox_is_sandbox_init_failure() {
    let pending = "    ready: false\n    restartCount: 0\n    state: {waiting: {reason: ContainerCreating}}\n";
    let events = event("blue-a", "FailedCreatePodSandBox", "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to create containerd task");
    let findings = Fixture::yaml(&format!("{}{events}", pod("blue-a", false, pending, ""))).run::<RuntimeErrors>();
    findings.assert_reported(Outcome::Fail, SYMPTOM, "e3001");
}

#[test]
fn ordinary_pod_events_are_not_sandbox_failures() {
    let events = event("blue-a", "BackOff", "Back-off restarting failed container gg-core");
    let findings = Fixture::yaml(&format!("{}{events}", pod("blue-a", false, OOM_WHILE_LOADING, LOCALHOST_SECCOMP))).run::<RuntimeErrors>();
    findings.assert_not_reported("e3001");
    findings.assert_reported(Outcome::Fail, SYMPTOM, "e2001");
}

#[test]
fn sigsys_kill_is_sandbox_violation() {
    let killed = "    ready: false\n    restartCount: 2\n    state: {waiting: {reason: CrashLoopBackOff}}\n    lastState: {terminated: {reason: Error, exitCode: 159, signal: 31}}\n";
    let findings = Fixture::yaml(&pod("blue-a", false, killed, "")).run::<RuntimeErrors>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, "e3002");
    assert!(finding.evidence[0].contains("SIGSYS"), "{:?}", finding.evidence);
}

#[test]
fn ordinary_crash_is_no_sandbox_violation() {
    let crashed = "    ready: false\n    restartCount: 2\n    state: {waiting: {reason: CrashLoopBackOff}}\n    lastState: {terminated: {reason: Error, exitCode: 1}}\n";
    let findings = Fixture::yaml(&pod("blue-a", false, crashed, "")).run::<RuntimeErrors>();
    findings.assert_not_reported("e3002");
}

#[test]
fn unreadable_log_is_inconclusive() {
    let findings = Fixture::yaml(&pod("blue-a", true, READY, "")).run::<RuntimeErrors>();
    let finding = findings.0.iter().find(|f| f.outcome == Outcome::Inconclusive).unwrap_or_else(|| panic!("no inconclusive finding:\n{}", findings.dump()));
    assert!(finding.evidence[0].starts_with("log of pod `blue-a` container `gg-core`"), "{:?}", finding.evidence);
}

#[test]
fn controller_logs_are_read_too() {
    let controller = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: veritas-controller-a, namespace: veritas, labels: {app: veritas-controller}}\nstatus:\n  phase: Running\n  conditions: [{type: Ready, status: 'True'}]\n  containerStatuses:\n  - name: manager\n    ready: true\n    restartCount: 0\n    state: {running: {}}\n";
    let findings = Fixture::yaml(controller)
        .log("veritas", "veritas-controller-a", "manager", false, "ERROR E5001 DEPLOYMENT_FAILED gg-core-green: progress deadline exceeded\n")
        .run::<RuntimeErrors>();
    findings.assert_reported(Outcome::Warn, SYMPTOM, "e5001");
}
