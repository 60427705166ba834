//! The guide's own commands (`health`, `ready`, `live`, `deployment status`, `bluegreen
//! inspect`) on snapshots: a collected snapshot whose index records the pods' endpoint answers,
//! a plain folder without them, and the handed case of a blocked switch.

use std::path::Path;

use super::support::*;

const PODS: [&str; 2] = ["gg-core-blue-a", "gg-core-blue-b"];

/// Writes a collected snapshot of two ready blue pods whose index records the answers of
/// `/health`, `/ready` and `/live`; `answers` maps a pod and path to a status and body, and
/// every other pod and path answers 200.
fn write_collected(dir: &Path, answers: &[(&str, &str, u16, &str)]) {
    let mut objects = String::new();
    for (index, pod) in PODS.iter().enumerate() {
        objects.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {pod}, namespace: veritas, labels: {{app: GG-CORE, deployment: stable, environment: blue}}}}\nspec:\n  containers: [{{name: gg-core, image: 'registry.example.internal/veritas/gg-core:1.8.2'}}]\nstatus:\n  phase: Running\n  podIP: 10.42.1.{}\n  conditions: [{{type: Ready, status: 'True'}}, {{type: PodScheduled, status: 'True'}}]\n  containerStatuses: [{{name: gg-core, ready: true, restartCount: 0, state: {{running: {{startedAt: '2026-12-04T09:00:00Z'}}}}}}]\n",
            index + 1
        ));
    }
    std::fs::write(dir.join("objects.yaml"), objects).unwrap();

    let mut records = Vec::new();
    for pod in PODS {
        for path in ["/health", "/ready", "/live"] {
            let (status, body) = answers.iter().find(|(p, q, _, _)| *p == pod && *q == path).map(|(_, _, s, b)| (*s, *b)).unwrap_or((200, "ok"));
            records.push(serde_json::json!({
                "target": {"via": "pod", "namespace": "veritas", "pod": pod, "port": 8080, "path": path},
                "status": status,
                "body": body,
                "truncated": false
            }));
        }
    }
    let index = serde_json::json!({
        "format": "ggcore-snapshot/v1",
        "observedAt": "2026-12-04T10:30:00Z",
        "kinds": ["Pod", "Service", "Endpoints", "EndpointSlice", "Event"],
        "http": records
    });
    std::fs::write(dir.join("ggcore-snapshot.json"), serde_json::to_string_pretty(&index).unwrap()).unwrap();
}

/// Runs a command of the plugin on a collected snapshot with the given answers.
fn on_collected(command: &[&str], answers: &[(&str, &str, u16, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    write_collected(dir.path(), answers);
    run(ggcore().args(command).arg("--snapshot").arg(dir.path()))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn health_exits_0_when_every_pod_answers() {
    let output = on_collected(&["health"], &[]);
    assert_eq!(output.status.code(), Some(0), "stdout: {}\nstderr: {}", text(&output.stdout), text(&output.stderr));
    assert!(text(&output.stdout).starts_with("Health: healthy"), "{}", text(&output.stdout));
}

#[test]
fn health_exits_1_when_a_pod_fails() {
    let output = on_collected(&["health", "--verbose"], &[("gg-core-blue-b", "/health", 500, "model not loaded")]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("Health: critical (1 of 2 running GG-CORE pods fail /health: gg-core-blue-b)"), "{stdout}");
    assert!(stdout.contains("pod `gg-core-blue-b` GET :8080/health returned 500: \"model not loaded\""), "{stdout}");
}

#[test]
fn health_without_answers_exits_1_saying_why() {
    let output = run(ggcore().args(["health", "--snapshot"]).arg(root().join("tests/cases/15-healthy-named-targetport-mixed-numbers")));
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stdout).starts_with("Health: unknown"), "{}", text(&output.stdout));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("Health could not be checked:"), "{stderr}");
    assert!(stderr.contains("could not ask /health on"), "{stderr}");
}

#[test]
fn ready_exits_1_when_a_pod_answers_503() {
    let output = on_collected(&["ready"], &[("gg-core-blue-a", "/ready", 503, "runtime socket not connected")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stdout).starts_with("IPC: critical"), "{}", text(&output.stdout));
}

#[test]
fn ready_exits_0_when_every_pod_is_ready() {
    let output = on_collected(&["ready"], &[]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("IPC: healthy"), "{}", text(&output.stdout));
}

#[test]
fn live_exits_0_when_every_pod_is_live() {
    let output = on_collected(&["live", "--verbose"], &[]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("Live: healthy (all 2 running GG-CORE pods return 200 on /live)"), "{stdout}");
    assert!(stdout.contains("pod `gg-core-blue-a` GET :8080/live returned 200"), "{stdout}");
}

#[test]
fn live_exits_1_when_a_pod_is_not_live() {
    let output = on_collected(&["live"], &[("gg-core-blue-b", "/live", 500, "deadlocked")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stdout).starts_with("Live: critical (1 of 2"), "{}", text(&output.stdout));
}

#[test]
fn live_without_answers_exits_1_saying_why() {
    let output = run(ggcore().args(["live", "--snapshot"]).arg(root().join("tests/cases/15-healthy-named-targetport-mixed-numbers")));
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("the snapshot holds no answer from pod veritas/"), "{}", text(&output.stderr));
}

const SWITCH_BLOCKED: &str = "tests/cases/07-standby-image-tag-not-found";

#[test]
fn deployment_status_json_shows_environments_and_pods() {
    let output = run(ggcore().args(["deployment", "status", "--json", "--snapshot"]).arg(root().join(SWITCH_BLOCKED)));
    let overview: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&output.stdout)));

    assert_eq!(overview["environments"][0]["active"], "green");
    assert_eq!(overview["environments"][0]["standby"], "blue");
    assert_eq!(overview["environments"][0]["phase"], "Switching");
    assert_eq!(overview["pods"]["blue"]["ready"], 2);
    assert_eq!(overview["pods"]["green"]["ready"], 0);
    assert_eq!(overview["pods"]["green"]["total"], 2);
    assert_eq!(overview["canaries"][0]["phase"], "Succeeded");
    assert_eq!(Some(overview["exitCode"].as_i64().unwrap() as i32), output.status.code());
}

#[test]
fn deployment_status_names_troubled_symptoms() {
    let output = run(ggcore().args(["deployment", "status", "--snapshot"]).arg(root().join(SWITCH_BLOCKED)));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("Blue-green: VeritasEnvironment gg-core: active green, standby blue, phase Switching"), "{stdout}");
    assert!(stdout.contains("green        0/2"), "{stdout}");
    assert!(stdout.contains("pods-down"), "{stdout}");
}

#[test]
fn bluegreen_inspect_shows_switch_selector_and_target() {
    let output = run(ggcore().args(["bluegreen", "inspect", "--snapshot"]).arg(root().join(SWITCH_BLOCKED)));
    assert_eq!(output.status.code(), Some(0), "stderr: {}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("  Phase:                Switching"), "{stdout}");
    assert!(stdout.contains("selects environment=blue; it moves to green when the switch completes"), "{stdout}");
    assert!(stdout.contains("Target pods (environment=green): 0/2 ready"), "{stdout}");
    assert!(stdout.contains("not ready, ImagePullBackOff"), "{stdout}");
}

#[test]
fn bluegreen_inspect_skips_canary_pods() {
    // The example's canary pod carries environment=blue, like the two blue pods.
    let output = run(ggcore().args(["bluegreen", "inspect", "--snapshot"]).arg(example_snapshot()));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("Target pods (environment=blue): 2/2 ready"), "{stdout}");
    assert!(!stdout.contains("gg-core-canary"), "{stdout}");
}

#[test]
fn bluegreen_inspect_without_environment_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pods.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: gg-core-blue-a, namespace: veritas, labels: {app: GG-CORE}}\n").unwrap();
    let output = run(ggcore().args(["bluegreen", "inspect", "--snapshot"]).arg(dir.path()));
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("no VeritasEnvironment"), "{}", text(&output.stderr));
}

#[test]
fn deployment_status_names_kinds_it_cannot_read() {
    let output = on_collected(&["deployment", "status"], &[]);
    let stdout = text(&output.stdout);
    assert!(stdout.contains("Not readable: VeritasEnvironments: unavailable: kind `VeritasEnvironment` is not in the snapshot"), "{stdout}");
    assert!(stdout.contains("blue         2/2"), "{stdout}");
}

#[test]
fn explain_prints_code_and_symptom() {
    let code = run(ggcore().args(["explain", "E3001"]));
    assert_eq!(code.status.code(), Some(0));
    let text = String::from_utf8_lossy(&code.stdout);
    assert!(text.starts_with("E3001: SANDBOX_INIT_FAILED"), "{text}");
    assert!(text.contains("Reported as: runtime-unhealthy / e3001"), "{text}");
    assert!(text.contains("kubectl logs <pod> -c sandbox-init"), "{text}");
    assert!(text.contains("Verify seccomp profile is available"), "{text}");

    let symptom = run(ggcore().args(["explain", "promotion-stuck"]));
    assert_eq!(symptom.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&symptom.stdout).contains("successlimit-not-met"));

    let unknown = run(ggcore().args(["explain", "E9999"]));
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("`E9999` is not an error code"));
}
