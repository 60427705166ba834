use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::Fixture;

use super::*;

/// Returns a VeritasCanary in `phase`; `conditions` is YAML indented for the list.
fn canary(phase: &str, conditions: &str) -> String {
    format!(
        "---\napiVersion: veritas.ggcore.io/v1alpha1\nkind: VeritasCanary\nmetadata: {{name: gg-core, namespace: veritas}}\nspec: {{trafficWeight: 0}}\nstatus:\n  phase: {phase}\n  conditions:\n{conditions}"
    )
}

const ROLLING_BACK_SINCE_10_25: &str = "  - {type: Progressing, status: \"True\", reason: RollingBack, lastTransitionTime: '2026-12-04T10:25:00Z'}\n";

const STABLE_ENVIRONMENT: &str = "---\napiVersion: veritas.ggcore.io/v1alpha1\nkind: VeritasEnvironment\nmetadata: {name: gg-core, namespace: veritas}\nspec: {activeEnvironment: blue}\nstatus: {phase: Stable}\n";

/// Returns a stable pod of blue; `container` is its container status, indented for the list.
fn stable_pod(name: &str, ready: bool, container: &str) -> String {
    let ready = if ready { "True" } else { "False" };
    format!(
        r#"---
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: veritas
  labels: {{app: GG-CORE, deployment: stable, environment: blue}}
spec:
  containers: [{{name: gg-core, image: 'registry.example.internal/veritas/gg-core:1.8.2'}}]
status:
  phase: Running
  conditions: [{{type: Ready, status: "{ready}"}}]
  containerStatuses:
  - name: gg-core
{container}"#
    )
}

const RUNNING: &str = "    ready: true\n    state: {running: {}}\n";
const PULL_BACK_OFF: &str = "    ready: false\n    state: {waiting: {reason: ImagePullBackOff, message: 'Back-off pulling image'}}\n";
const CRASH_LOOP: &str = "    ready: false\n    restartCount: 4\n    state: {waiting: {reason: CrashLoopBackOff}}\n    lastState: {terminated: {reason: Error, exitCode: 1}}\n";

const CONTROLLER: &str = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: veritas-controller-q8w2n, namespace: veritas, labels: {app: veritas-controller}}\nstatus:\n  phase: Running\n  conditions: [{type: Ready, status: \"True\"}]\n";

fn event(kind: &str, name: &str, reason: &str, message: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Event\nmetadata: {{name: {name}.{reason}, namespace: veritas}}\ninvolvedObject: {{kind: {kind}, name: {name}, namespace: veritas}}\nreason: {reason}\nmessage: '{message}'\ntype: Warning\nlastTimestamp: '2026-12-04T10:26:00Z'\n"
    )
}

fn fixture(parts: &[String]) -> Fixture {
    Fixture::yaml(&[STABLE_ENVIRONMENT.to_string(), CONTROLLER.to_string(), parts.concat()].concat())
}

#[test]
fn succeeded_canary_passes_both_causes() {
    let findings = fixture(&[canary("Succeeded", "    []\n"), stable_pod("gg-core-blue-a", true, RUNNING)]).run::<Rollback>();
    findings.assert_healthy();
    findings.assert_reported(Outcome::Pass, SYMPTOM, IMAGE);
    findings.assert_reported(Outcome::Pass, SYMPTOM, STATE);
}

#[test]
fn nothing_to_roll_back_skips() {
    let findings = Fixture::yaml(&stable_pod("gg-core-blue-a", true, RUNNING)).run::<Rollback>();
    findings.assert_reported(Outcome::Skip, SYMPTOM, IMAGE);
    findings.assert_reported(Outcome::Skip, SYMPTOM, STATE);
}

#[test]
fn unpullable_stable_image_fails_as_image_issue() {
    let not_found = "Failed to pull image \"registry.example.internal/veritas/gg-core:1.8.2\": rpc error: code = NotFound desc = not found";
    let parts = [
        canary("RollingBack", ROLLING_BACK_SINCE_10_25),
        stable_pod("gg-core-blue-a", false, PULL_BACK_OFF),
        event("Pod", "gg-core-blue-a", "Failed", not_found),
    ];
    let findings = fixture(&parts).run::<Rollback>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, IMAGE);
    assert!(
        finding.evidence.iter().any(|e| e.contains("cannot pull `registry.example.internal/veritas/gg-core:1.8.2`: ImagePullBackOff, not found")),
        "{:#?}",
        finding.evidence
    );
    findings.assert_not_reported(STATE);
}

#[test]
fn e5002_condition_fails_as_state_issue_with_code() {
    let conditions = "  - {type: RolledBack, status: \"False\", reason: RollbackFailed, message: 'E5002 ROLLBACK_FAILED: ReplicaSet gg-core-stable-7d9 not found'}\n";
    let findings = fixture(&[canary("Failed", conditions), stable_pod("gg-core-blue-a", false, CRASH_LOOP)]).run::<Rollback>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, STATE);
    assert_eq!(finding.error_code.as_deref(), Some("E5002"));
    assert_eq!(
        finding.summary,
        "the rollback of canary `gg-core` failed: condition RolledBack=False (RollbackFailed: E5002 ROLLBACK_FAILED: ReplicaSet gg-core-stable-7d9 not found)"
    );
}

#[test]
fn failed_canary_with_ready_stable_passes() {
    let conditions = "  - {type: RolledBack, status: \"True\", reason: RollbackSucceeded, message: 'canary failed analysis; rolled back'}\n";
    let findings = fixture(&[canary("Failed", conditions), stable_pod("gg-core-blue-a", true, RUNNING)]).run::<Rollback>();
    findings.assert_healthy();
}

#[test]
fn rollback_in_progress_with_unready_stable_warns() {
    let findings = fixture(&[canary("RollingBack", ROLLING_BACK_SINCE_10_25), stable_pod("gg-core-blue-a", false, CRASH_LOOP)]).run::<Rollback>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, STATE);
    assert!(finding.summary.contains("is rolling back and 1 of 1 stable pods are not ready yet"), "{}", finding.summary);
}

#[test]
fn long_rollback_with_unready_stable_fails() {
    let fixture = fixture(&[canary("RollingBack", ROLLING_BACK_SINCE_10_25), stable_pod("gg-core-blue-a", false, CRASH_LOOP)]).setting("rollback-timeout", "2m");
    let finding = fixture.run::<Rollback>().assert_reported(Outcome::Fail, SYMPTOM, STATE).clone();
    assert!(finding.summary.contains("the rollback did not restore service"), "{}", finding.summary);
    assert_eq!(finding.error_code, None);
}

#[test]
fn controller_log_code_joins_the_failed_rollback() {
    let fixture = fixture(&[canary("Failed", "    []\n"), stable_pod("gg-core-blue-a", false, CRASH_LOOP)]).log(
        "veritas",
        "veritas-controller-q8w2n",
        "manager",
        false,
        "reconciling gg-core\nE5002 ROLLBACK_FAILED canary gg-core: stable revision 41 has no ReplicaSet\n",
    );
    let finding = fixture.run::<Rollback>().assert_reported(Outcome::Fail, SYMPTOM, STATE).clone();
    assert_eq!(finding.error_code.as_deref(), Some("E5002"));
    assert!(
        finding.evidence.iter().any(|e| e == "log of `veritas-controller-q8w2n`: E5002 ROLLBACK_FAILED canary gg-core: stable revision 41 has no ReplicaSet"),
        "{:#?}",
        finding.evidence
    );
}

#[test]
fn failed_switch_back_fails_as_state_issue() {
    let parts = [
        canary("Succeeded", "    []\n"),
        stable_pod("gg-core-blue-a", true, RUNNING),
        event("VeritasEnvironment", "gg-core", "RollbackFailed", "switch back to blue failed: E5002 ROLLBACK_FAILED: Service update rejected"),
    ];
    let findings = fixture(&parts).run::<Rollback>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, STATE);
    assert_eq!(finding.error_code.as_deref(), Some("E5002"));
    assert!(finding.summary.starts_with("the switch of `gg-core` back to blue failed"), "{}", finding.summary);
}

#[test]
fn stray_code_in_controller_log_fails() {
    let fixture = fixture(&[canary("Succeeded", "    []\n"), stable_pod("gg-core-blue-a", true, RUNNING)]).log(
        "veritas",
        "veritas-controller-q8w2n",
        "manager",
        false,
        "E5002 ROLLBACK_FAILED bluegreen gg-core: cannot restore previous environment\n",
    );
    let finding = fixture.run::<Rollback>().assert_reported(Outcome::Fail, SYMPTOM, STATE).clone();
    assert_eq!(finding.error_code.as_deref(), Some("E5002"));
}
