//! The handed failure cases under `tests/cases/`, each checked against its `expected.json`.

use super::support::*;

/// Runs `diagnose` on a case folder and checks every rule of its `expected.json`.
fn check_case(name: &str) {
    let folder = root().join("tests/cases").join(name);
    let expected: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(folder.join("expected.json")).unwrap()).unwrap();
    let output = run(kubectl_ggcore().args(["diagnose", "--snapshot"]).arg(&folder).args(["-o", "json"]));
    let report = report(&output);
    let code = output.status.code().unwrap();
    let problem_findings: Vec<&serde_json::Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["outcome"] == "fail" || f["outcome"] == "warn").collect();
    let dump = || {
        let lines: Vec<String> = problem_findings.iter().map(|f| format!("{} {}/{}: {}", f["outcome"], f["symptom"], f["cause"], f["summary"])).collect();
        lines.join("\n")
    };

    let codes: Vec<i64> = expected["exit_codes"].as_array().unwrap().iter().map(|c| c.as_i64().unwrap()).collect();
    assert!(codes.contains(&i64::from(code)), "{name}: exit code {code}, expected one of {codes:?}; findings:\n{}", dump());

    for entry in expected["present"].as_array().unwrap() {
        let satisfied = entry["any"].as_array().unwrap().iter().any(|alternative| {
            let symptom = alternative.get("symptom").and_then(|s| s.as_str());
            match alternative.get("cause").and_then(|c| c.as_str()) {
                Some(cause) => problem_findings.iter().any(|f| f["cause"] == cause && symptom.is_none_or(|s| f["symptom"] == s)),
                None => matches!(symptom_status(&report, symptom.unwrap()), "degraded" | "critical"),
            }
        });
        assert!(satisfied, "{name}: nothing satisfies {entry}; findings:\n{}", dump());
    }
    for symptom in expected["absent_symptoms"].as_array().unwrap() {
        let status = symptom_status(&report, symptom.as_str().unwrap());
        assert!(!matches!(status, "degraded" | "critical"), "{name}: symptom {symptom} is {status}; findings:\n{}", dump());
    }
    for symptom in expected["not_critical"].as_array().unwrap() {
        assert_ne!(symptom_status(&report, symptom.as_str().unwrap()), "critical", "{name}: {symptom} is critical; findings:\n{}", dump());
    }
    for cause in expected["absent_causes"].as_array().unwrap() {
        assert!(!problem_findings.iter().any(|f| &f["cause"] == cause), "{name}: cause {cause} reported; findings:\n{}", dump());
    }
}

#[test]
fn case_01_servicemonitor_label_mismatch() {
    check_case("01-servicemonitor-label-mismatch");
}

#[test]
fn case_03_targetport_name_mismatch() {
    check_case("03-targetport-name-mismatch");
}

#[test]
fn case_07_standby_image_tag_not_found() {
    check_case("07-standby-image-tag-not-found");
}

#[test]
fn case_10_model_load_oomkilled_all_pods_down() {
    check_case("10-model-load-oomkilled-all-pods-down");
}

#[test]
fn case_13_config_drift_blue_green() {
    check_case("13-config-drift-blue-green");
}

#[test]
fn case_15_healthy_named_targetport_mixed_numbers() {
    check_case("15-healthy-named-targetport-mixed-numbers");
}
