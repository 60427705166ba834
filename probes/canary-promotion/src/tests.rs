use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::{Findings, Fixture};

use super::*;

/// A ready controller pod in `veritas`, as a ReplicaSet of Deployment `veritas-controller` runs it.
const CONTROLLER_POD: &str = r#"
---
apiVersion: v1
kind: Pod
metadata:
  name: veritas-controller-6d8b7c5f9d-q8w2n
  namespace: veritas
  labels: {app: veritas-controller}
  ownerReferences: [{kind: ReplicaSet, name: veritas-controller-6d8b7c5f9d, controller: true}]
spec:
  containers: [{name: manager}]
status:
  phase: Running
  conditions: [{type: Ready, status: 'True'}]
  containerStatuses:
  - {name: manager, ready: true, restartCount: 0, state: {running: {startedAt: '2026-11-24T10:30:00Z'}}}
"#;

/// The controller pod crash-looping, its last exit two minutes before `now`.
const CRASHING_CONTROLLER: &str = r#"
---
apiVersion: v1
kind: Pod
metadata:
  name: veritas-controller-6d8b7c5f9d-q8w2n
  namespace: veritas
  labels: {app: veritas-controller}
  ownerReferences: [{kind: ReplicaSet, name: veritas-controller-6d8b7c5f9d, controller: true}]
spec:
  containers: [{name: manager}]
status:
  phase: Running
  conditions: [{type: Ready, status: 'False'}]
  containerStatuses:
  - name: manager
    ready: false
    restartCount: 9
    state: {waiting: {reason: CrashLoopBackOff}}
    lastState: {terminated: {exitCode: 2, reason: Error, finishedAt: '2026-12-04T10:28:00Z'}}
"#;

/// Builds a VeritasCanary in `veritas` from its promotion settings, extra spec lines (indented
/// two spaces), annotations and status (indented two spaces).
fn canary(promotion: &str, spec: &str, annotations: &str, status: &str) -> String {
    format!(
        "---\napiVersion: veritas.ggcore.io/v1alpha1\nkind: VeritasCanary\nmetadata:\n  name: gg-core\n  namespace: veritas\n  generation: 4\n  annotations: {{{annotations}}}\nspec:\n  trafficWeight: 10\n  promotion: {{{promotion}}}\n{spec}status:\n  observedGeneration: 4\n{status}"
    )
}

/// Builds the status of a canary Progressing since 10:03 that passes analysis with `count`
/// successes.
fn passing(count: i64) -> String {
    format!(
        "  phase: Progressing\n  successCount: {count}\n  conditions:\n  - {{type: Progressing, status: 'True', reason: AnalysisRunning, lastTransitionTime: '2026-12-04T10:03:00Z'}}\n  - {{type: AnalysisHealthy, status: 'True', reason: ChecksPassing, lastTransitionTime: '2026-12-04T10:05:00Z'}}\n"
    )
}

/// The canary status of tests/cases/15-healthy-named-targetport-mixed-numbers, which gives the
/// count only in a condition message.
const HEALTHY_STATUS: &str = "  phase: Progressing\n  conditions:\n  - {type: Progressing, status: 'True', reason: AnalysisRunning, message: canary at 10% traffic; 2/5 successful checks, lastTransitionTime: '2026-12-04T10:03:00Z'}\n  - {type: AnalysisHealthy, status: 'True', reason: ChecksPassing, lastTransitionTime: '2026-12-04T10:05:00Z'}\n";

const STEPS: &str = "  steps:\n  - setWeight: 10\n  - pause: {duration: 10m}\n  - setWeight: 50\n  - pause: {}\n";

fn run(parts: &[&str]) -> Findings {
    Fixture::yaml(&parts.concat()).run::<CanaryPromotion>()
}

fn evidence(finding: &Finding) -> String {
    finding.evidence.join("\n")
}

#[test]
fn healthy_progressing_canary_passes_every_cause() {
    let findings = run(&[CONTROLLER_POD, &canary("auto: true, successLimit: 5", "", "", HEALTHY_STATUS)]);
    findings.assert_healthy();
    for cause in CAUSES {
        findings.assert_reported(Outcome::Pass, SYMPTOM, cause);
    }
    let count = findings.assert_reported(Outcome::Pass, SYMPTOM, SUCCESS_LIMIT);
    assert_eq!(count.summary, "VeritasCanary `gg-core` has 2 of 5 successful analyses so far; promotion waits for 3 more");
}

#[test]
fn auto_disabled_fails_when_ready() {
    let findings = run(&[CONTROLLER_POD, &canary("auto: false, successLimit: 5", "", "", &passing(5))]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, AUTO);
    assert!(finding.summary.contains("passes analysis with 5 of 5 successful analyses but waits for a manual promotion"), "{}", finding.summary);
    assert!(evidence(finding).contains("spec.promotion.auto is false"), "{}", evidence(finding));
    findings.assert_not_reported(CONTROLLER);
}

#[test]
fn auto_unset_reads_false_and_warns_early() {
    let findings = run(&[CONTROLLER_POD, &canary("successLimit: 5", "", "", &passing(2))]);
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, AUTO);
    assert!(evidence(finding).contains("spec.promotion.auto is not set, and the CRD declares no default for it, so it reads as false"), "{}", evidence(finding));
}

#[test]
fn approval_missing_fails_when_ready() {
    let findings = run(&[CONTROLLER_POD, &canary("auto: true, successLimit: 5, requireApproval: true", "", "", &passing(5))]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, APPROVAL);
    assert!(evidence(finding).contains("annotation veritas.ggcore.io/approved is not set"), "{}", evidence(finding));
    assert!(finding.resolution.as_deref().unwrap_or("").contains("kubectl annotate veritascanary gg-core -n veritas veritas.ggcore.io/approved=true"), "{:?}", finding.resolution);
    findings.assert_reported(Outcome::Pass, SYMPTOM, AUTO);
}

#[test]
fn approval_given_passes() {
    let findings = run(&[CONTROLLER_POD, &canary("auto: true, successLimit: 5, requireApproval: true", "", "veritas.ggcore.io/approved: 'true'", &passing(5))]);
    findings.assert_reported(Outcome::Pass, SYMPTOM, APPROVAL);
    findings.assert_not_reported(APPROVAL);
}

#[test]
fn approval_annotation_other_value_fails() {
    let findings = run(&[CONTROLLER_POD, &canary("auto: true, successLimit: 5, requireApproval: true", "", "veritas.ggcore.io/approved: 'false'", &passing(5))]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, APPROVAL);
    assert!(evidence(finding).contains("annotation veritas.ggcore.io/approved is `false`, not `true`"), "{}", evidence(finding));
}

#[test]
fn approval_pending_before_limit_warns() {
    let findings = run(&[CONTROLLER_POD, &canary("auto: true, successLimit: 5, requireApproval: true", "", "", &passing(1))]);
    findings.assert_reported(Outcome::Warn, SYMPTOM, APPROVAL);
}

/// Builds a canary Paused at step 2 (pause 10m) since `since`.
fn paused_at_timed_step(since: &str) -> String {
    let status = format!(
        "  phase: Paused\n  currentStep: 1\n  successCount: 1\n  conditions:\n  - {{type: Paused, status: 'True', reason: StepPause, lastTransitionTime: '{since}'}}\n  - {{type: AnalysisHealthy, status: 'True', lastTransitionTime: '2026-12-04T10:00:00Z'}}\n"
    );
    canary("auto: true, successLimit: 5", STEPS, "", &status)
}

#[test]
fn pause_past_its_duration_fails() {
    let findings = run(&[CONTROLLER_POD, &paused_at_timed_step("2026-12-04T10:05:00Z")]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, PAUSED);
    assert_eq!(finding.summary, "VeritasCanary `gg-core` is paused at step 2 of 4 (pause 10m) for 25m, past its 10m pause: the controller has not resumed it");
    assert!(evidence(finding).contains("the pause started at condition Paused since 2026-12-04T10:05:00Z"), "{}", evidence(finding));
}

#[test]
fn paused_canary_count_is_not_behind() {
    let slow_and_paused = paused_at_timed_step("2026-12-04T10:05:00Z").replace("  promotion:", "  analysis: {interval: 1m}\n  promotion:");
    let findings = run(&[CONTROLLER_POD, &slow_and_paused]);
    let finding = findings.assert_reported(Outcome::Pass, SYMPTOM, SUCCESS_LIMIT);
    assert!(finding.summary.contains("1 of 5 successful analyses and is paused"), "{}", finding.summary);
}

#[test]
fn pause_within_its_duration_warns() {
    let findings = run(&[CONTROLLER_POD, &paused_at_timed_step("2026-12-04T10:26:00Z")]);
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, PAUSED);
    assert_eq!(finding.summary, "VeritasCanary `gg-core` is paused at step 2 of 4 (pause 10m) for 4m of 10m; it resumes in about 6m");
}

#[test]
fn pause_without_duration_fails() {
    let status = "  phase: Paused\n  currentStep: 3\n  successCount: 3\n  conditions:\n  - {type: Paused, status: 'True', lastTransitionTime: '2026-12-04T09:30:00Z'}\n";
    let findings = run(&[CONTROLLER_POD, &canary("auto: true, successLimit: 5", STEPS, "", status)]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, PAUSED);
    assert_eq!(finding.summary, "VeritasCanary `gg-core` is paused at step 4 of 4 (pause until resumed) for 1h until resumed: the pause has no duration");
}

#[test]
fn pause_step_while_progressing_uses_event_time() {
    let status = "  phase: Progressing\n  currentStep: 1\n  successCount: 1\n  conditions:\n  - {type: AnalysisHealthy, status: 'True'}\n";
    let event = "---\napiVersion: v1\nkind: Event\nmetadata: {name: gg-core.1, namespace: veritas}\ninvolvedObject: {kind: VeritasCanary, name: gg-core, namespace: veritas}\nreason: StepPaused\nmessage: pausing 10m at step 2\ntype: Normal\nlastTimestamp: '2026-12-04T10:00:00Z'\n";
    let findings = run(&[CONTROLLER_POD, &canary("auto: true, successLimit: 5", STEPS, "", status), event]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, PAUSED);
    assert!(finding.summary.contains("for 30m, past its 10m pause"), "{}", finding.summary);
    assert!(evidence(finding).contains("event Normal StepPaused: pausing 10m at step 2"), "{}", evidence(finding));
}

#[test]
fn manual_pause_on_weight_step_fails() {
    let status = "  phase: Paused\n  currentStep: 0\n  successCount: 1\n  conditions:\n  - {type: Paused, status: 'True', lastTransitionTime: '2026-12-04T10:10:00Z'}\n";
    let findings = run(&[CONTROLLER_POD, &canary("auto: true, successLimit: 5", STEPS, "", status)]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, PAUSED);
    assert!(evidence(finding).contains("phase is Paused, but at step 1 of 4 (setWeight 10) is not a pause step"), "{}", evidence(finding));
}

/// Builds a canary Progressing since `since`, passing, analysed every minute, with a history
/// of analyses that mostly returned no data.
fn slow_canary(since: &str) -> String {
    let status = format!(
        "  phase: Progressing\n  successCount: 2\n  conditions:\n  - {{type: Progressing, status: 'True', lastTransitionTime: '{since}'}}\n  - {{type: AnalysisHealthy, status: 'True'}}\n  analysisHistory:\n  - {{time: '2026-12-04T10:01:00Z', result: Inconclusive, weight: 10, message: no canary requests}}\n  - {{time: '2026-12-04T10:29:00Z', result: Successful, weight: 10}}\n"
    );
    canary("auto: true, successLimit: 5", "  analysis: {interval: 1m}\n", "", &status)
}

#[test]
fn success_count_far_behind_schedule_warns() {
    let findings = run(&[CONTROLLER_POD, &slow_canary("2026-12-04T10:00:00Z")]);
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, SUCCESS_LIMIT);
    assert_eq!(finding.summary, "VeritasCanary `gg-core` has only 2 of 5 successful analyses after 30m, where 5 at interval 1m take about 5m");
    assert!(evidence(finding).contains("analysis (at 2026-12-04T10:01:00Z) was Inconclusive: no canary requests"), "{}", evidence(finding));
}

#[test]
fn success_count_on_schedule_passes() {
    let findings = run(&[CONTROLLER_POD, &slow_canary("2026-12-04T10:27:00Z")]);
    let finding = findings.assert_reported(Outcome::Pass, SYMPTOM, SUCCESS_LIMIT);
    assert_eq!(finding.summary, "VeritasCanary `gg-core` has 2 of 5 successful analyses so far; promotion waits for 3 more (about 3m at interval 1m)");
}

#[test]
fn failing_analysis_skips_success_limit() {
    let status = "  phase: Progressing\n  successCount: 0\n  conditions:\n  - {type: AnalysisHealthy, status: 'False', reason: NoTraffic}\n";
    let findings = run(&[CONTROLLER_POD, &canary("auto: true, successLimit: 5", "", "", status)]);
    findings.assert_reported(Outcome::Skip, SYMPTOM, SUCCESS_LIMIT);
    findings.assert_healthy();
}

#[test]
fn missing_controller_fails() {
    let findings = run(&[&canary("auto: true, successLimit: 5", "", "", HEALTHY_STATUS)]);
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, CONTROLLER);
    assert_eq!(finding.summary, "no pod matches `app=veritas-controller` in any namespace: nothing reconciles VeritasCanary `gg-core`");
}

#[test]
fn crash_looping_controller_fails_with_log_lines() {
    let fixture = Fixture::yaml(&[CRASHING_CONTROLLER, &canary("auto: true, successLimit: 5", "", "", HEALTHY_STATUS)].concat())
        .log("veritas", "veritas-controller-6d8b7c5f9d-q8w2n", "manager", true, "starting manager\nlevel=error msg=\"failed to get informer\" error=\"veritascanaries is forbidden\"\npanic: runtime error\n")
        .log("veritas", "veritas-controller-6d8b7c5f9d-q8w2n", "manager", false, "starting manager\n");
    let findings = fixture.run::<CanaryPromotion>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, CONTROLLER);
    assert_eq!(finding.summary, "no controller pod (`app=veritas-controller`) is ready, 0 of 1, crash-looping: VeritasCanary `gg-core` cannot progress");
    let text = evidence(finding);
    assert!(text.contains("container `manager` is waiting: CrashLoopBackOff"), "{text}");
    assert!(text.contains("controller pod `veritas/veritas-controller-6d8b7c5f9d-q8w2n` previous log: panic: runtime error"), "{text}");
    assert!(finding.resolution.as_deref().unwrap_or("").contains("kubectl rollout restart deployment/veritas-controller -n veritas"), "{:?}", finding.resolution);
}

#[test]
fn controller_logging_errors_about_canary_warns() {
    let fixture = Fixture::yaml(&[CONTROLLER_POD, &canary("auto: true, successLimit: 5", "", "", HEALTHY_STATUS)].concat()).log(
        "veritas",
        "veritas-controller-6d8b7c5f9d-q8w2n",
        "manager",
        false,
        "E1204 10:29:01.123 1 controller.go:88] reconcile VeritasCanary veritas/gg-core: update status: conflict\n",
    );
    let finding = fixture.run::<CanaryPromotion>();
    let warned = finding.assert_reported(Outcome::Warn, SYMPTOM, CONTROLLER);
    assert!(warned.summary.contains("logs errors about VeritasCanary `gg-core`"), "{}", warned.summary);
}

#[test]
fn ready_canary_not_promoted_blames_controller() {
    let findings = run(&[CONTROLLER_POD, &canary("auto: true, successLimit: 5", "", "", &passing(5))]);
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, CONTROLLER);
    assert!(finding.summary.contains("nothing holds it, but the controller has not started the promotion"), "{}", finding.summary);
    findings.assert_reported(Outcome::Pass, SYMPTOM, SUCCESS_LIMIT);
}

#[test]
fn stale_status_makes_status_causes_inconclusive() {
    let stale = paused_at_timed_step("2026-12-04T10:05:00Z").replace("generation: 4", "generation: 5");
    let findings = run(&[CONTROLLER_POD, &stale]);
    let paused = findings.assert_reported(Outcome::Inconclusive, SYMPTOM, PAUSED);
    assert!(evidence(paused).contains("status is stale: observedGeneration 4 is behind generation 5"), "{}", evidence(paused));
    findings.assert_reported(Outcome::Inconclusive, SYMPTOM, SUCCESS_LIMIT);
    findings.assert_not_reported(PAUSED);
}

#[test]
fn finished_canary_skips_every_cause() {
    let status = "  phase: Succeeded\n";
    let findings = run(&[CONTROLLER_POD, &canary("auto: false", "", "", status)]);
    findings.assert_healthy();
    for cause in CAUSES {
        findings.assert_reported(Outcome::Skip, SYMPTOM, cause);
    }
}

#[test]
fn no_canary_skips_every_cause() {
    let findings = run(&[CONTROLLER_POD]);
    for cause in CAUSES {
        let finding = findings.assert_reported(Outcome::Skip, SYMPTOM, cause);
        assert_eq!(finding.summary, "no VeritasCanary in namespace `veritas`");
    }
}

