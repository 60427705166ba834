//! The NetworkPolicy, Prometheus RBAC and canary promotion probes, run by the built plugin on
//! the snapshots under `tests/fixtures/`, and on the handed cases to show they raise no false
//! alarm there.

use super::support::*;

/// The built-in probes these tests cover.
const PROBES: [&str; 3] = ["network-policy", "prometheus-rbac", "canary-promotion"];

/// Runs `diagnose -o json` on a folder and returns the report and the exit code.
fn diagnose(folder: &std::path::Path) -> (serde_json::Value, i32) {
    let output = run(ggcore().args(["diagnose", "--snapshot"]).arg(folder).args(["-o", "json"]));
    (report(&output), output.status.code().expect("diagnose exits with a code"))
}

fn fixture(name: &str) -> std::path::PathBuf {
    root().join("tests/fixtures").join(name)
}

/// Returns the one finding with this outcome, symptom and cause, failing when there is not
/// exactly one.
fn only<'a>(report: &'a serde_json::Value, outcome: &str, symptom: &str, cause: &str) -> &'a serde_json::Value {
    let found = findings(report, outcome, symptom, cause);
    assert_eq!(found.len(), 1, "expected one {outcome} finding for {symptom}/{cause}; findings: {:#}", report["findings"]);
    found[0]
}

fn evidence(finding: &serde_json::Value) -> String {
    let lines: Vec<&str> = finding["evidence"].as_array().expect("evidence").iter().filter_map(|l| l.as_str()).collect();
    lines.join("\n")
}

/// Returns the fail and warn findings of the probes these tests cover.
fn problems(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| PROBES.contains(&f["probe"].as_str().unwrap_or("")) && (f["outcome"] == "fail" || f["outcome"] == "warn"))
        .map(|f| format!("{} {}/{}: {}", f["outcome"], f["symptom"], f["cause"], f["summary"]))
        .collect()
}

#[test]
fn networkpolicy_blocking_canary_and_metrics() {
    let (report, code) = diagnose(&fixture("networkpolicy-blocking"));
    assert_eq!(code, 3);

    let canary = only(&report, "fail", "canary-no-traffic", "networkpolicy-blocking");
    assert_eq!(canary["probe"], "network-policy");
    let text = evidence(canary);
    assert!(text.contains("`veritas/default-deny-ingress` is a default-deny for ingress"), "{text}");
    assert!(text.contains("NetworkPolicy `veritas/allow-istio-gateway` would allow it, but its podSelector app=GG-CORE,deployment=stable"), "{text}");

    let metrics = only(&report, "fail", "no-metrics", "networkpolicy-blocking");
    assert!(evidence(metrics).contains("Prometheus pod `monitoring/prometheus-k8s-0` cannot reach"), "{}", evidence(metrics));
    assert!(metrics["resolution"].as_str().unwrap_or("").contains("kind: NetworkPolicy"), "{}", metrics["resolution"]);
}

#[test]
fn prometheus_rbac_missing_endpoints_list() {
    let (report, code) = diagnose(&fixture("prometheus-rbac-missing"));
    assert_eq!(code, 3);
    let finding = only(&report, "fail", "no-metrics", "rbac-issue");
    assert_eq!(finding["probe"], "prometheus-rbac");
    assert!(finding["summary"].as_str().unwrap_or("").contains("may not list, watch on endpoints in `veritas`"), "{}", finding["summary"]);
    assert!(finding["resolution"].as_str().unwrap_or("").contains("kind: RoleBinding"), "{}", finding["resolution"]);
    assert_eq!(symptom_status(&report, "no-metrics"), "critical");
}

#[test]
fn promotion_waits_for_approval_and_auto() {
    let (report, code) = diagnose(&fixture("promotion-approval-pending"));
    assert_eq!(code, 3);
    let auto = only(&report, "fail", "promotion-stuck", "auto-promotion-disabled");
    assert!(evidence(auto).contains("spec.promotion.auto is false"), "{}", evidence(auto));
    let approval = only(&report, "fail", "promotion-stuck", "manual-approval-required");
    assert!(evidence(approval).contains("annotation veritas.ggcore.io/approved is not set"), "{}", evidence(approval));
    only(&report, "pass", "promotion-stuck", "controller-unhealthy");
}

#[test]
fn promotion_paused_with_crashing_controller() {
    let (report, code) = diagnose(&fixture("promotion-paused-controller-down"));
    assert_eq!(code, 3);
    let paused = only(&report, "fail", "promotion-stuck", "paused-at-step");
    assert!(paused["summary"].as_str().unwrap_or("").contains("for 28m, past its 10m pause"), "{}", paused["summary"]);
    let controller = only(&report, "fail", "promotion-stuck", "controller-unhealthy");
    let text = evidence(controller);
    assert!(text.contains("container `manager` is waiting: CrashLoopBackOff"), "{text}");
    assert!(text.contains("previous log: E1204 10:28:09.871 1 canary_controller.go:212] reconcile VeritasCanary veritas/gg-core"), "{text}");
    only(&report, "pass", "promotion-stuck", "successlimit-not-met");
}

#[test]
fn promotion_success_count_behind_schedule() {
    let (report, code) = diagnose(&fixture("promotion-successlimit-behind"));
    assert_eq!(code, 4);
    let finding = only(&report, "warn", "promotion-stuck", "successlimit-not-met");
    assert!(finding["summary"].as_str().unwrap_or("").contains("only 2 of 5 successful analyses after 40m"), "{}", finding["summary"]);
    assert!(evidence(finding).contains("was Inconclusive: no canary requests"), "{}", evidence(finding));
}

#[test]
fn healthy_fixture_passes_every_cause() {
    let (report, code) = diagnose(&fixture("canary-checks-healthy"));
    assert_eq!(problems(&report), Vec::<String>::new());
    // The fixture contains no recorded responses of the pods' endpoints and no Prometheus, so
    // the probes that need them are inconclusive and the run is partial (exit code 5). The
    // probes under test decide from objects alone, so none of them may be inconclusive.
    assert_eq!(code, 5);
    let undecided: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| PROBES.contains(&f["probe"].as_str().unwrap_or("")) && f["outcome"] != "pass")
        .collect();
    assert!(undecided.is_empty(), "{undecided:#?}");
    for (symptom, cause) in [
        ("canary-no-traffic", "networkpolicy-blocking"),
        ("no-metrics", "networkpolicy-blocking"),
        ("no-metrics", "rbac-issue"),
        ("promotion-stuck", "auto-promotion-disabled"),
        ("promotion-stuck", "manual-approval-required"),
        ("promotion-stuck", "paused-at-step"),
        ("promotion-stuck", "successlimit-not-met"),
        ("promotion-stuck", "controller-unhealthy"),
    ] {
        only(&report, "pass", symptom, cause);
    }
}

#[test]
fn handed_cases_get_no_new_problem() {
    for case in ["01-servicemonitor-label-mismatch", "03-targetport-name-mismatch", "10-model-load-oomkilled-all-pods-down", "15-healthy-named-targetport-mixed-numbers"] {
        let (report, _) = diagnose(&root().join("tests/cases").join(case));
        assert_eq!(problems(&report), Vec::<String>::new(), "case {case}");
    }
}
