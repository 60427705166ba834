//! `kubectl ggcore bluegreen diff`, and its agreement with the `bluegreen-drift` probe.

use super::support::*;

#[test]
fn diff_lists_differing_config_keys() {
    let output = run(kubectl_ggcore().args(["bluegreen", "diff", "--snapshot"]).arg(example_snapshot()));
    let text = String::from_utf8_lossy(&output.stdout);

    assert_eq!(output.status.code(), Some(4), "stdout:\n{text}\nstderr: {}", String::from_utf8_lossy(&output.stderr));
    let rows: Vec<Vec<&str>> = text.lines().filter(|l| l.starts_with("configmap-not-synced")).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(
        rows,
        [
            vec!["configmap-not-synced", "warning", "ConfigMap", "key", "`KV_CACHE_FRACTION`", "0.85", "0.95"],
            vec!["configmap-not-synced", "warning", "ConfigMap", "key", "`MAX_BATCH_SIZE`", "32", "64"],
        ],
        "{text}"
    );
    assert!(text.contains("env `GG_CORE_ENVIRONMENT`: blue `blue`, green `green` (the value is the environment's own name)"), "{text}");
}

#[test]
fn diff_json_matches_drift_finding() {
    let diff = run(ggcore().args(["bluegreen", "diff", "--snapshot"]).arg(example_snapshot()).args(["-o", "json"]));
    let diff: serde_json::Value = serde_json::from_slice(&diff.stdout).expect("JSON diff");
    let diagnosis = report(&run(ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()).args(["-o", "json"])));

    let subjects: Vec<&str> = diff["differences"].as_array().unwrap().iter().map(|d| d["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["ConfigMap key `KV_CACHE_FRACTION`", "ConfigMap key `MAX_BATCH_SIZE`"]);
    assert_eq!(diff["exit_code"], 4);
    let drift = findings(&diagnosis, "warn", "env-drift", "configmap-not-synced");
    assert_eq!(drift.len(), 1, "{diagnosis}");
    let evidence: Vec<&str> = drift[0]["evidence"].as_array().unwrap().iter().filter_map(|e| e.as_str()).collect();
    assert_eq!(
        evidence[..2],
        ["ConfigMap key `KV_CACHE_FRACTION`: blue `0.85`, green `0.95`", "ConfigMap key `MAX_BATCH_SIZE`: blue `32`, green `64`"]
    );
}

/// Blue and green whose Secrets differ, with credentials in a ConfigMap and an env var.
const SECRET_DRIFT: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: veritas-config-blue, namespace: veritas}
data: {DATABASE_URL: 'postgres://app:blue-pa55@db:5432/veritas', MAX_BATCH_SIZE: '32'}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: veritas-config-green, namespace: veritas}
data: {DATABASE_URL: 'postgres://app:green-pa55@db:5432/veritas', MAX_BATCH_SIZE: '32'}
---
apiVersion: v1
kind: Secret
metadata: {name: gg-core-db-blue, namespace: veritas}
stringData: {password: blue-hunter2}
---
apiVersion: v1
kind: Secret
metadata: {name: gg-core-db-green, namespace: veritas}
stringData: {password: green-hunter2}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: gg-core-blue, namespace: veritas}
spec:
  template:
    metadata: {labels: {app: GG-CORE, deployment: stable, environment: blue}}
    spec:
      containers:
      - name: gg-core
        image: gg-core:1
        envFrom: [{configMapRef: {name: veritas-config-blue}}]
        env:
        - {name: API_TOKEN, value: blue-t0ken}
        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: gg-core-db-blue, key: password}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: gg-core-green, namespace: veritas}
spec:
  template:
    metadata: {labels: {app: GG-CORE, deployment: stable, environment: green}}
    spec:
      containers:
      - name: gg-core
        image: gg-core:1
        envFrom: [{configMapRef: {name: veritas-config-green}}]
        env:
        - {name: API_TOKEN, value: green-t0ken}
        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: gg-core-db-green, key: password}}
"#;

#[test]
fn diff_shows_no_credential_values() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("objects.yaml"), SECRET_DRIFT).unwrap();

    for format in ["table", "json"] {
        let output = run(ggcore().args(["bluegreen", "diff", "--snapshot"]).arg(dir.path()).args(["-o", format]));
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(3), "{format}:\n{text}");
        assert!(text.contains("Secret key `password`"), "{format}:\n{text}");
        assert!(text.contains("postgres://app:<redacted>@db:5432/veritas"), "{format}:\n{text}");
        for value in ["blue-hunter2", "green-hunter2", "blue-pa55", "green-pa55", "blue-t0ken", "green-t0ken"] {
            assert!(!text.contains(value), "{format} output shows `{value}`:\n{text}");
        }
    }
}
