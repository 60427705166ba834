//! The plugin through kubectl's plugin mechanism, on the example snapshot.

use super::support::*;

#[test]
fn kubectl_finds_the_plugin_and_diagnoses_the_example() {
    let output = run(kubectl_ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()).args(["-o", "json"]));
    let report = report(&output);

    assert_eq!(output.status.code(), Some(3), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(report["exitCode"], 3);
    assert_eq!(symptom_status(&report, "canary-no-traffic"), "critical");
    assert_eq!(symptom_status(&report, "no-metrics"), "critical");
    assert_eq!(symptom_status(&report, "pods-down"), "degraded");
    assert_eq!(findings(&report, "fail", "canary-no-traffic", "service-mesh-misconfigured").len(), 1);
    assert_eq!(findings(&report, "fail", "no-metrics", "port-mismatch").len(), 1);
    assert_eq!(findings(&report, "warn", "pods-down", "oom-killed").len(), 1);
}

#[test]
fn report_carries_the_contract_fields() {
    let output = run(ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()).args(["-o", "json"]));
    let report = report(&output);

    let symptoms = report["symptoms"].as_array().unwrap();
    assert_eq!(symptoms.len(), 12);
    for symptom in symptoms {
        assert!(symptom["id"].is_string());
        assert!(["healthy", "degraded", "critical", "unknown"].contains(&symptom["status"].as_str().unwrap()), "{symptom}");
    }
    for finding in report["findings"].as_array().unwrap() {
        assert!(finding["probe"].is_string(), "{finding}");
        assert!(finding["symptom"].is_string(), "{finding}");
        assert!(finding.get("cause").is_some(), "{finding}");
        assert!(["pass", "warn", "fail", "inconclusive", "skip"].contains(&finding["outcome"].as_str().unwrap()), "{finding}");
    }
    for probe in report["probes"].as_array().unwrap() {
        assert!(probe["id"].is_string());
        assert_eq!(probe["status"], "ok", "{probe}");
    }
}

#[test]
fn yaml_output_parses_to_the_same_symptoms() {
    let json = report(&run(ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()).args(["-o", "json"])));
    let output = run(ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()).args(["-o", "yaml"]));
    let yaml: serde_json::Value = serde_yaml::from_slice(&output.stdout).expect("YAML report");
    assert_eq!(yaml["symptoms"], json["symptoms"]);
}

#[test]
fn table_output_names_the_faults_without_colour_off_a_terminal() {
    let output = run(ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Canary not receiving traffic (canary-no-traffic)"), "{text}");
    assert!(text.contains("Result: critical (exit code 3"), "{text}");
    assert!(!text.contains('\u{1b}'), "colour escape in output that is not a terminal");
}

#[test]
fn colour_always_colours_the_table() {
    let output = run(ggcore().args(["--color", "always", "diagnose", "--snapshot"]).arg(example_snapshot()).env_remove("NO_COLOR"));
    assert!(String::from_utf8_lossy(&output.stdout).contains('\u{1b}'));
}

#[test]
fn missing_snapshot_is_a_tool_failure() {
    let output = run(ggcore().args(["diagnose", "--snapshot", "/nonexistent/snapshot"]));
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot read snapshot `/nonexistent/snapshot`"), "{stderr}");
}

#[test]
fn bad_flag_is_a_usage_error() {
    let output = run(ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()).args(["--probe-memory", "lots"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid value `lots` for `--probe-memory`"));
}

#[test]
fn second_run_compiles_no_probe() {
    let cache = tempfile::tempdir().unwrap();
    let diagnose = |cache: &std::path::Path| {
        run(ggcore().args(["-v=4", "diagnose", "--snapshot"]).arg(example_snapshot()).args(["-o", "json"]).env("GGCORE_CACHE_DIR", cache))
    };
    let first = diagnose(cache.path());
    let first_log = String::from_utf8_lossy(&first.stderr);
    assert!(first_log.contains("compiled probe (not in cache)"), "{first_log}");

    let second = diagnose(cache.path());
    let second_log = String::from_utf8_lossy(&second.stderr);
    assert!(!second_log.contains("not in cache"), "{second_log}");
    let report = report(&second);
    let probes = report["probes"].as_array().unwrap();
    assert!(!probes.is_empty());
    assert_eq!(second_log.matches("loaded compiled probe from cache").count(), probes.len(), "{second_log}");
    assert!(probes.iter().all(|p| p["stats"]["cacheHit"] == true));
}

#[test]
fn probes_list_names_symptoms_and_causes() {
    let output = run(ggcore().args(["probes", "list", "-o", "json"]));
    assert!(output.status.success());
    let listing: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let pod_health = listing.as_array().unwrap().iter().find(|p| p["id"] == "pod-health").expect("pod-health listed");
    assert_eq!(pod_health["symptoms"], serde_json::json!(["pods-down"]));
    assert!(pod_health["causes"].as_array().unwrap().iter().any(|c| c["cause"] == "oom-killed"));
}

#[test]
fn all_namespaces_diagnoses_each_gg_core_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let healthy = std::fs::read_to_string(root().join("tests/cases/15-healthy-named-targetport-mixed-numbers/objects.yaml")).unwrap();
    std::fs::write(dir.path().join("second.yaml"), healthy.replace("namespace: veritas", "namespace: veritas-b")).unwrap();
    for file in ["pods.yaml", "services.yaml", "veritas.yaml", "config.yaml", "monitoring.yaml", "mesh.yaml", "workloads.yaml"] {
        std::fs::copy(example_snapshot().join(file), dir.path().join(file)).unwrap();
    }

    let output = run(ggcore().args(["-A", "diagnose", "--snapshot"]).arg(dir.path()).args(["-o", "json"]));
    let list: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON list");
    assert_eq!(list["kind"], "DiagnosisList");
    let namespaces: Vec<&str> = list["items"].as_array().unwrap().iter().map(|r| r["namespace"].as_str().unwrap()).collect();
    assert_eq!(namespaces, ["veritas", "veritas-b"]);
    assert_eq!(list["items"][0]["exitCode"], 3);
    assert_eq!(output.status.code(), Some(3), "the worst namespace decides the exit code");
}

#[test]
fn first_commands_follow_profile() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.yaml");
    std::fs::write(&profile, "appSelector: app=gg\nservice: gg\nmetricsPort: 9100\n").unwrap();
    let output = run(ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()).args(["-n", "other", "--profile"]).arg(&profile).args(["-o", "json"]));
    let report = report(&output);
    let first = |id: &str| report["symptoms"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap()["firstCommand"].as_str().unwrap().to_string();
    assert_eq!(first("pods-down"), "kubectl get pods -n other -l app=gg -o wide");
    assert_eq!(first("dns-stale"), "kubectl get endpoints gg -n other");
    assert_eq!(first("no-metrics"), "kubectl get --raw /api/v1/namespaces/other/pods/<pod>:9100/proxy/metrics");
    assert_eq!(first("switch-stuck"), "kubectl ggcore bluegreen inspect -n other");
}
