use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::Fixture;

use super::*;

/// What one environment's objects hold; the twin of blue and green is two equal `Env`s.
#[derive(Clone)]
struct Env {
    settings: Vec<(&'static str, &'static str)>,
    log_level: &'static str,
    claim: &'static str,
    db_password: &'static str,
    model_version: &'static str,
}

impl Default for Env {
    fn default() -> Env {
        Env {
            settings: vec![("MAX_BATCH_SIZE", "32"), ("KV_CACHE_FRACTION", "0.85")],
            log_level: "info",
            claim: "veritas-models",
            db_password: "aHVudGVyMg==",
            model_version: "veritas-llm-13b-instruct@r7",
        }
    }
}

/// Returns the ConfigMap, Secret and Deployment of one environment as YAML.
fn environment(name: &str, env: &Env) -> String {
    let data: String = env.settings.iter().map(|(k, v)| format!("  {k}: '{v}'\n")).collect();
    format!(
        r#"---
apiVersion: v1
kind: ConfigMap
metadata: {{name: veritas-config-{name}, namespace: veritas}}
data:
{data}---
apiVersion: v1
kind: Secret
metadata: {{name: gg-core-db-{name}, namespace: veritas}}
data: {{password: '{password}', user: YXBw}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: gg-core-{name}, namespace: veritas}}
spec:
  template:
    metadata:
      labels: {{app: GG-CORE, deployment: stable, environment: {name}}}
      annotations: {{veritas.ggcore.io/model-version: '{version}'}}
    spec:
      containers:
      - name: gg-core
        image: registry.example.internal/veritas/gg-core:1.8.2
        envFrom:
        - configMapRef: {{name: veritas-config-{name}}}
        env:
        - {{name: GG_CORE_ENVIRONMENT, value: {name}}}
        - {{name: LOG_LEVEL, value: {log_level}}}
        - name: DB_PASSWORD
          valueFrom: {{secretKeyRef: {{name: gg-core-db-{name}, key: password}}}}
        volumeMounts:
        - {{name: models, mountPath: /models, readOnly: true}}
      volumes:
      - name: models
        persistentVolumeClaim: {{claimName: {claim}}}
"#,
        password = env.db_password,
        version = env.model_version,
        log_level = env.log_level,
        claim = env.claim,
    )
}

const STABLE_GREEN: &str = r#"---
apiVersion: veritas.ggcore.io/v1alpha1
kind: VeritasEnvironment
metadata: {name: gg-core, namespace: veritas}
spec: {activeEnvironment: green}
status: {phase: Stable}
"#;

fn fixture(blue: &Env, green: &Env) -> Fixture {
    Fixture::yaml(&format!("{STABLE_GREEN}{}{}", environment("blue", blue), environment("green", green)))
}

#[test]
fn identical_environments_pass_every_cause() {
    let findings = fixture(&Env::default(), &Env::default()).run::<Drift>();
    findings.assert_healthy();
    for cause in DriftCause::ALL {
        findings.assert_reported(Outcome::Pass, SYMPTOM, cause.id());
    }
}

#[test]
fn config_map_values_differ_warns_with_values() {
    let green = Env { settings: vec![("MAX_BATCH_SIZE", "64"), ("KV_CACHE_FRACTION", "0.95")], ..Env::default() };
    let findings = fixture(&Env::default(), &green).run::<Drift>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, "configmap-not-synced");
    assert_eq!(
        finding.evidence[..2],
        ["ConfigMap key `KV_CACHE_FRACTION`: blue `0.85`, green `0.95`", "ConfigMap key `MAX_BATCH_SIZE`: blue `32`, green `64`"]
    );
    assert!(finding.summary.contains("(green serves)"), "{}", finding.summary);
    findings.assert_not_reported("environment-variable-drift");
}

#[test]
fn model_claim_difference_fails() {
    let green = Env { claim: "veritas-models-r8", ..Env::default() };
    let findings = fixture(&Env::default(), &green).run::<Drift>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, "model-mount-different");
    assert!(finding.evidence[0].contains("PVC veritas-models-r8"), "{:?}", finding.evidence);
}

#[test]
fn model_version_difference_fails() {
    let green = Env { model_version: "veritas-llm-13b-instruct@r8", ..Env::default() };
    let findings = fixture(&Env::default(), &green).run::<Drift>();
    findings.assert_reported(Outcome::Fail, SYMPTOM, "model-mount-different");
}

#[test]
fn secret_value_difference_fails_without_values() {
    let green = Env { db_password: "aHVudGVyMw==", ..Env::default() };
    let findings = fixture(&Env::default(), &green).run::<Drift>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, "secrets-mismatch");
    assert_eq!(finding.evidence[0], "Secret key `password`: blue `<redacted>`, green `<redacted> (another value)`");
    let text = findings.dump();
    assert!(!text.contains("aHVudGVy"), "a Secret value leaked:\n{text}");
    findings.assert_not_reported("environment-variable-drift");
}

#[test]
fn missing_secret_fails() {
    let yaml = format!("{STABLE_GREEN}{}{}", environment("blue", &Env::default()), environment("green", &Env::default()));
    let without_green_secret = yaml.replace("kind: Secret\nmetadata: {name: gg-core-db-green", "kind: Other\nmetadata: {name: gg-core-db-green");
    let findings = Fixture::yaml(&without_green_secret).run::<Drift>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, "secrets-mismatch");
    assert_eq!(finding.evidence[0], "Secret: blue `gg-core-db-blue exists`, green (`gg-core-db-green` does not exist)");
}

#[test]
fn environment_variable_difference_warns() {
    let green = Env { log_level: "debug", ..Env::default() };
    let findings = fixture(&Env::default(), &green).run::<Drift>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, "environment-variable-drift");
    assert_eq!(finding.evidence[0], "container `gg-core` env `LOG_LEVEL`: blue `info`, green `debug`");
}

#[test]
fn own_environment_name_is_not_drift() {
    let findings = fixture(&Env::default(), &Env::default()).run::<Drift>();
    let finding = findings.assert_reported(Outcome::Pass, SYMPTOM, "environment-variable-drift");
    assert!(
        finding.evidence.iter().any(|e| e.starts_with("intentional, not drift: container `gg-core` env `GG_CORE_ENVIRONMENT`")),
        "{:?}",
        finding.evidence
    );
}

#[test]
fn canary_deployment_is_not_compared() {
    let canary = r#"---
apiVersion: apps/v1
kind: Deployment
metadata: {name: gg-core-canary, namespace: veritas}
spec:
  template:
    metadata:
      labels: {app: GG-CORE, deployment: canary, environment: blue}
    spec:
      containers:
      - name: gg-core
        image: registry.example.internal/veritas/gg-core:1.9.0
        env: [{name: LOG_LEVEL, value: trace}]
"#;
    let yaml = format!("{STABLE_GREEN}{}{}{canary}", environment("blue", &Env::default()), environment("green", &Env::default()));
    Fixture::yaml(&yaml).run::<Drift>().assert_healthy();
}

#[test]
fn no_environments_skip() {
    let findings = Fixture::yaml("").run::<Drift>();
    for cause in DriftCause::ALL {
        findings.assert_reported(Outcome::Skip, SYMPTOM, cause.id());
    }
}
