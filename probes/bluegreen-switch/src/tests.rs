use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::Fixture;

use super::*;

/// Returns a VeritasEnvironment `gg-core` as YAML; `status` is indented for `status:`.
fn environment(active: &str, timeout: &str, min_ready: i64, status: &str) -> String {
    format!(
        r#"---
apiVersion: veritas.ggcore.io/v1alpha1
kind: VeritasEnvironment
metadata: {{name: gg-core, namespace: veritas, generation: 7}}
spec:
  activeEnvironment: {active}
  minReadySeconds: {min_ready}
  switch: {{healthCheck: {{timeout: {timeout}}}}}
status:
  observedGeneration: 7
{status}"#
    )
}

const STABLE: &str = "  phase: Stable\n  switchProgress: 100\n";
const SWITCHING: &str = "  phase: Switching\n  switchProgress: 0\n";

/// Returns a GG-CORE pod of `environment` as YAML. A ready pod became Ready at `since`; a pod
/// that is not ready has `container` as its container status (indented for the list).
fn pod(name: &str, environment: &str, since: &str, container: Option<&str>) -> String {
    let (ready, status) = match container {
        None => ("True", format!("    ready: true\n    restartCount: 0\n    state: {{running: {{startedAt: '{since}'}}}}\n")),
        Some(status) => ("False", status.to_string()),
    };
    format!(
        r#"---
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: veritas
  labels: {{app: GG-CORE, deployment: stable, environment: {environment}}}
spec:
  containers: [{{name: gg-core, image: 'registry.example.internal/veritas/gg-core:1.9.0'}}]
status:
  phase: Running
  startTime: '{since}'
  conditions:
  - {{type: PodScheduled, status: "True"}}
  - {{type: Ready, status: "{ready}", lastTransitionTime: '{since}'}}
  containerStatuses:
  - name: gg-core
{status}"#
    )
}

const PULL_BACK_OFF: &str = "    ready: false\n    restartCount: 0\n    state: {waiting: {reason: ImagePullBackOff, message: 'Back-off pulling image'}}\n";
const CREATING: &str = "    ready: false\n    restartCount: 0\n    state: {waiting: {reason: ContainerCreating}}\n";

fn service(environment: &str) -> String {
    format!(
        r#"---
apiVersion: v1
kind: Service
metadata: {{name: gg-core, namespace: veritas}}
spec:
  selector: {{app: GG-CORE, deployment: stable, environment: {environment}}}
"#
    )
}

/// Returns the controller pod as YAML, ready, or with `container` as its container status.
fn controller(container: Option<&str>) -> String {
    let (ready, status) = match container {
        None => ("True", "    ready: true\n    restartCount: 0\n    state: {running: {startedAt: '2026-11-24T10:30:00Z'}}\n"),
        Some(status) => ("False", status),
    };
    format!(
        r#"---
apiVersion: v1
kind: Pod
metadata:
  name: veritas-controller-q8w2n
  namespace: veritas
  labels: {{app: veritas-controller}}
spec:
  containers: [{{name: manager, image: veritas-controller:0.14.3}}]
status:
  phase: Running
  conditions: [{{type: Ready, status: "{ready}"}}]
  containerStatuses:
  - name: manager
{status}"#
    )
}

fn switch_started(time: &str) -> String {
    format!(
        r#"---
apiVersion: v1
kind: Event
metadata: {{name: gg-core.1, namespace: veritas}}
involvedObject: {{kind: VeritasEnvironment, name: gg-core, namespace: veritas}}
reason: SwitchStarted
message: Switch blue -> green started
type: Normal
lastTimestamp: '{time}'
"#
    )
}

fn blue_pods() -> String {
    pod("gg-core-blue-a", "blue", "2026-12-02T10:30:00Z", None) + &pod("gg-core-blue-b", "blue", "2026-12-02T10:30:00Z", None)
}

/// Builds a switch to green that started at 10:22, eight minutes before the fixture's `now`.
fn switching_to_green(timeout: &str, green: &[String], service_on: &str, controller_pod: &str) -> Fixture {
    let yaml = [environment("green", timeout, 30, SWITCHING), switch_started("2026-12-04T10:22:00Z"), blue_pods(), green.concat(), service(service_on), controller_pod.to_string()];
    Fixture::yaml(&yaml.concat())
}

fn stuck_green() -> Vec<String> {
    vec![pod("gg-core-green-a", "green", "2026-12-04T10:22:00Z", Some(PULL_BACK_OFF))]
}

fn ready_green(since: &str) -> Vec<String> {
    vec![pod("gg-core-green-a", "green", since, None), pod("gg-core-green-b", "green", since, None)]
}

#[test]
fn stable_environment_passes_every_cause() {
    let yaml = [environment("blue", "10m", 30, STABLE), blue_pods(), service("blue"), controller(None)].concat();
    let findings = Fixture::yaml(&yaml).run::<SwitchProbe>();
    findings.assert_healthy();
    for cause in CAUSES {
        findings.assert_reported(Outcome::Pass, SYMPTOM, cause);
    }
}

#[test]
fn no_environment_skips_every_cause() {
    let findings = Fixture::yaml(&service("blue")).run::<SwitchProbe>();
    for cause in CAUSES {
        findings.assert_reported(Outcome::Skip, SYMPTOM, cause);
    }
}

#[test]
fn unready_target_within_timeout_warns() {
    let findings = switching_to_green("15m", &stuck_green(), "blue", &controller(None)).run::<SwitchProbe>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, HEALTH_CHECK);
    assert!(finding.summary.contains("8m of its 15m timeout"), "{}", finding.summary);
    assert!(finding.evidence.iter().any(|e| e.contains("waiting ImagePullBackOff")), "{:?}", finding.evidence);
    assert!(finding.evidence[0].contains("switch started 2026-12-04T10:22:00Z (event SwitchStarted)"), "{:?}", finding.evidence);
}

#[test]
fn unready_target_past_timeout_fails() {
    let findings = switching_to_green("5m", &stuck_green(), "blue", &controller(None)).run::<SwitchProbe>();
    findings.assert_reported(Outcome::Fail, SYMPTOM, HEALTH_CHECK);
}

#[test]
fn ready_target_passes_health_check() {
    let findings = switching_to_green("15m", &ready_green("2026-12-04T10:25:00Z"), "blue", &controller(None)).run::<SwitchProbe>();
    findings.assert_reported(Outcome::Pass, SYMPTOM, HEALTH_CHECK);
}

#[test]
fn service_on_old_environment_passes_while_target_unready() {
    let findings = switching_to_green("15m", &stuck_green(), "blue", &controller(None)).run::<SwitchProbe>();
    findings.assert_reported(Outcome::Pass, SYMPTOM, SERVICE_UPDATE);
}

#[test]
fn slow_start_past_short_timeout_fails() {
    let starting = vec![pod("gg-core-green-a", "green", "2026-12-04T10:22:00Z", Some(CREATING))];
    let findings = switching_to_green("5m", &starting, "blue", &controller(None)).run::<SwitchProbe>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, TIMEOUT);
    assert!(finding.summary.contains("still starting"), "{}", finding.summary);
}

#[test]
fn slow_start_up_warns_when_stable() {
    let slow = r#"---
apiVersion: v1
kind: Pod
metadata:
  name: gg-core-blue-slow
  namespace: veritas
  labels: {app: GG-CORE, deployment: stable, environment: blue}
status:
  phase: Running
  conditions:
  - {type: PodScheduled, status: "True"}
  - {type: Ready, status: "True", lastTransitionTime: '2026-12-02T10:42:00Z'}
  containerStatuses:
  - {name: gg-core, ready: true, state: {running: {startedAt: '2026-12-02T10:30:00Z'}}}
"#;
    let yaml = [environment("blue", "10m", 30, STABLE), slow.to_string(), service("blue"), controller(None)].concat();
    let findings = Fixture::yaml(&yaml).run::<SwitchProbe>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, TIMEOUT);
    assert!(finding.summary.contains("take about 12m"), "{}", finding.summary);
}

#[test]
fn timeout_longer_than_start_up_passes() {
    let starting = vec![pod("gg-core-green-a", "green", "2026-12-04T10:22:00Z", Some(CREATING))];
    let findings = switching_to_green("30m", &starting, "blue", &controller(None)).run::<SwitchProbe>();
    findings.assert_reported(Outcome::Pass, SYMPTOM, TIMEOUT);
}

#[test]
fn recently_ready_target_waits_for_min_ready() {
    let findings = switching_to_green("15m", &ready_green("2026-12-04T10:29:50Z"), "blue", &controller(None)).run::<SwitchProbe>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, MIN_READY);
    assert!(finding.summary.contains("ready for 10s of the 30s minReadySeconds"), "{}", finding.summary);
}

#[test]
fn long_ready_target_meets_min_ready() {
    let findings = switching_to_green("15m", &ready_green("2026-12-04T10:25:00Z"), "green", &controller(None)).run::<SwitchProbe>();
    findings.assert_reported(Outcome::Pass, SYMPTOM, MIN_READY);
}

#[test]
fn completed_switch_with_old_selector_fails() {
    let yaml = [environment("green", "10m", 30, STABLE), blue_pods(), ready_green("2026-12-04T10:00:00Z").concat(), service("blue"), controller(None)].concat();
    let findings = Fixture::yaml(&yaml).run::<SwitchProbe>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, SERVICE_UPDATE);
    assert_eq!(finding.summary, "VeritasEnvironment `gg-core` is Stable with green active, but Service `gg-core` selects environment=blue");
    assert!(finding.next_command.as_deref().unwrap().contains(r#"{"spec":{"selector":{"environment":"green"}}}"#), "{:?}", finding.next_command);
}

#[test]
fn selector_on_both_environments_fails() {
    let both = "---\napiVersion: v1\nkind: Service\nmetadata: {name: gg-core, namespace: veritas}\nspec:\n  selector: {app: GG-CORE}\n";
    let yaml = [environment("blue", "10m", 30, STABLE), blue_pods(), ready_green("2026-12-04T10:00:00Z").concat(), both.to_string(), controller(None)].concat();
    let finding = Fixture::yaml(&yaml).run::<SwitchProbe>().assert_reported(Outcome::Fail, SYMPTOM, SERVICE_UPDATE).clone();
    assert!(finding.summary.contains("both environments receive traffic"), "{}", finding.summary);
}

#[test]
fn ready_target_past_timeout_with_old_selector_fails() {
    let findings = switching_to_green("5m", &ready_green("2026-12-04T10:23:00Z"), "blue", &controller(None)).run::<SwitchProbe>();
    findings.assert_reported(Outcome::Fail, SYMPTOM, SERVICE_UPDATE);
}

#[test]
fn crash_looping_controller_fails_with_log() {
    let crash = "    ready: false\n    restartCount: 4\n    state: {waiting: {reason: CrashLoopBackOff}}\n    lastState: {terminated: {reason: Error, exitCode: 1, finishedAt: '2026-12-04T10:25:00Z'}}\n";
    let fixture = switching_to_green("15m", &stuck_green(), "blue", &controller(Some(crash))).log(
        "veritas",
        "veritas-controller-q8w2n",
        "manager",
        true,
        "starting manager\nswitch gg-core: updating service\npanic: runtime error: invalid memory address\n",
    );
    let finding = fixture.run::<SwitchProbe>().assert_reported(Outcome::Fail, SYMPTOM, CONTROLLER).clone();
    assert!(
        finding.evidence.iter().any(|e| e == "previous log of `veritas-controller-q8w2n`: panic: runtime error: invalid memory address"),
        "{:?}",
        finding.evidence
    );
}

#[test]
fn controller_restart_during_switch_warns() {
    let restarted = "    ready: true\n    restartCount: 1\n    state: {running: {startedAt: '2026-12-04T10:26:00Z'}}\n    lastState: {terminated: {reason: OOMKilled, exitCode: 137, finishedAt: '2026-12-04T10:25:00Z'}}\n";
    let controller_pod = controller(Some(restarted)).replace("status: \"False\"", "status: \"True\"");
    let findings = switching_to_green("15m", &stuck_green(), "blue", &controller_pod).run::<SwitchProbe>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, CONTROLLER);
    assert!(finding.evidence[0].contains("restarted during the switch: exit code 137 (OOMKilled)"), "{:?}", finding.evidence);
}

#[test]
fn stale_status_is_inconclusive() {
    let stale = environment("green", "10m", 30, STABLE).replace("generation: 7}", "generation: 8}");
    let yaml = [stale, blue_pods(), service("blue"), controller(None)].concat();
    let findings = Fixture::yaml(&yaml).run::<SwitchProbe>();
    let stale_findings: Vec<_> = findings.0.iter().filter(|f| f.outcome == Outcome::Inconclusive && f.cause.is_none()).collect();
    assert_eq!(stale_findings.len(), 1, "{}", findings.dump());
    assert!(stale_findings[0].summary.contains("observedGeneration 7 is behind metadata.generation 8"), "{}", stale_findings[0].summary);
    // The spec requests green, which the controller never started: not a failed Service update.
    findings.assert_not_reported(SERVICE_UPDATE);
    findings.assert_reported(Outcome::Warn, SYMPTOM, HEALTH_CHECK);
}
