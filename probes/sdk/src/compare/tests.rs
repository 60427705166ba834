use super::*;
use crate::bluegreen::Membership;
use crate::views::Deployment;

/// Builds a Deployment of `environment` with a `gg-core` container. The YAML in `extra` is
/// indented for the container (env, envFrom, volumeMounts), `volumes` for the pod spec and
/// `annotations` for the template metadata.
fn deployment(environment: &str, image: &str, extra: &str, volumes: &str, annotations: &str) -> Deployment {
    let yaml = format!(
        r#"
metadata: {{name: gg-core-{environment}, namespace: veritas}}
spec:
  template:
    metadata:
      labels: {{app: GG-CORE, deployment: stable, environment: {environment}}}
      annotations: {{{annotations}}}
    spec:
      containers:
      - name: gg-core
        image: {image}
        envFrom:
        - configMapRef: {{name: veritas-config-{environment}}}
{extra}
      volumes:
{volumes}
"#
    );
    serde_yaml::from_str(&yaml).unwrap()
}

fn config_map(name: &str, pairs: &[(&str, &str)]) -> ConfigMap {
    let mut config_map = ConfigMap::default();
    config_map.metadata.name = name.to_string();
    config_map.data = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    config_map
}

const SETTINGS: [(&str, &str); 3] = [("MAX_BATCH_SIZE", "32"), ("KV_CACHE_FRACTION", "0.85"), ("LOG_LEVEL", "info")];

/// An empty volume list, indented for `volumes:`.
const NO_VOLUMES: &str = "        []\n";

const MODEL_VOLUME: &str = "      - name: models\n        persistentVolumeClaim: {claimName: veritas-models}\n";
const MODEL_MOUNT: &str = "        volumeMounts:\n        - {name: models, mountPath: /models, readOnly: true}\n";

/// Runs the comparison over one Deployment a side and the given ConfigMaps and Secrets.
fn run(blue: Deployment, green: Deployment, config_maps: &[ConfigMap], secrets: &BTreeMap<String, SecretData>) -> Comparison {
    let membership = Membership::new("app=GG-CORE", "deployment=canary", "environment").unwrap();
    let deployments = [blue, green];
    let blue_workloads = membership.workloads(&deployments, &[], "blue");
    let green_workloads = membership.workloads(&deployments, &[], "green");
    compare(&Inputs {
        blue: Side { environment: "blue", config_map: "veritas-config-blue", workloads: &blue_workloads },
        green: Side { environment: "green", config_map: "veritas-config-green", workloads: &green_workloads },
        config_maps,
        secrets,
        model_path: "/models",
    })
}

fn same_config() -> Vec<ConfigMap> {
    vec![config_map("veritas-config-blue", &SETTINGS), config_map("veritas-config-green", &SETTINGS)]
}

fn twin(environment: &str) -> Deployment {
    let env = format!("        env:\n        - {{name: GG_CORE_ENVIRONMENT, value: {environment}}}\n{MODEL_MOUNT}");
    deployment(environment, "registry.example.internal/veritas/gg-core:1.8.2", &env, MODEL_VOLUME, "veritas.ggcore.io/model-version: r7")
}

#[test]
fn identical_twins_have_no_drift() {
    let comparison = run(twin("blue"), twin("green"), &same_config(), &BTreeMap::new());
    assert!(comparison.differences.is_empty(), "{:#?}", comparison.differences);
    assert_eq!(comparison.compared_of(DriftCause::ConfigMapNotSynced), ["ConfigMaps `veritas-config-blue` and `veritas-config-green`: 3 keys compared, 0 differ"]);
}

#[test]
fn own_environment_name_is_intentional() {
    let comparison = run(twin("blue"), twin("green"), &same_config(), &BTreeMap::new());
    let subjects: Vec<&str> = comparison.intentional.iter().map(|i| i.subject.as_str()).collect();
    assert_eq!(subjects, ["container `gg-core` env `GG_CORE_ENVIRONMENT`", "container `gg-core` envFrom"]);
}

#[test]
fn config_map_values_differ_by_key() {
    let green = config_map("veritas-config-green", &[("MAX_BATCH_SIZE", "64"), ("KV_CACHE_FRACTION", "0.95"), ("LOG_LEVEL", "info")]);
    let comparison = run(twin("blue"), twin("green"), &[config_map("veritas-config-blue", &SETTINGS), green], &BTreeMap::new());
    let lines: Vec<String> = comparison.differences_of(DriftCause::ConfigMapNotSynced).iter().map(|d| d.describe()).collect();
    assert_eq!(lines, ["ConfigMap key `KV_CACHE_FRACTION`: blue `0.85`, green `0.95`", "ConfigMap key `MAX_BATCH_SIZE`: blue `32`, green `64`"]);
    assert_eq!(comparison.worst(DriftCause::ConfigMapNotSynced), Some(Severity::Warn));
}

#[test]
fn missing_green_config_map_fails() {
    let comparison = run(twin("blue"), twin("green"), &[config_map("veritas-config-blue", &SETTINGS)], &BTreeMap::new());
    assert_eq!(comparison.worst(DriftCause::ConfigMapNotSynced), Some(Severity::Fail));
}

#[test]
fn credential_config_values_are_redacted() {
    let blue = config_map("veritas-config-blue", &[("DB_PASSWORD", "hunter2"), ("CACHE_URL", "redis://app:s3cret@cache-blue:6379")]);
    let green = config_map("veritas-config-green", &[("DB_PASSWORD", "hunter3"), ("CACHE_URL", "redis://app:t0ps3cret@cache-blue:6380")]);
    let comparison = run(twin("blue"), twin("green"), &[blue, green], &BTreeMap::new());
    let text = format!("{:?}", comparison);
    for secret in ["hunter2", "hunter3", "s3cret", "t0ps3cret"] {
        assert!(!text.contains(secret), "`{secret}` leaked: {text}");
    }
    let lines: Vec<String> = comparison.differences_of(DriftCause::ConfigMapNotSynced).iter().map(|d| d.describe()).collect();
    assert_eq!(
        lines,
        [
            "ConfigMap key `CACHE_URL`: blue `redis://app:<redacted>@cache-blue:6379`, green `redis://app:<redacted>@cache-blue:6380`",
            "ConfigMap key `DB_PASSWORD`: blue `<redacted>`, green `<redacted>`",
        ]
    );
}

#[test]
fn image_difference_is_intentional() {
    let green = deployment("green", "registry.example.internal/veritas/gg-core:1.9.0", "", NO_VOLUMES, "");
    let blue = deployment("blue", "registry.example.internal/veritas/gg-core:1.8.2", "", NO_VOLUMES, "");
    let comparison = run(blue, green, &same_config(), &BTreeMap::new());
    assert!(comparison.differences.is_empty(), "{:#?}", comparison.differences);
    assert!(comparison.intentional.iter().any(|i| i.subject == "container `gg-core` image"), "{:#?}", comparison.intentional);
}

#[test]
fn literal_environment_variable_drift_warns() {
    let blue = deployment("blue", "gg-core:1", "        env:\n        - {name: REQUEST_TIMEOUT_MS, value: '30000'}\n", NO_VOLUMES, "");
    let green = deployment("green", "gg-core:1", "        env:\n        - {name: REQUEST_TIMEOUT_MS, value: '10000'}\n", NO_VOLUMES, "");
    let comparison = run(blue, green, &same_config(), &BTreeMap::new());
    let lines: Vec<String> = comparison.differences_of(DriftCause::EnvironmentVariableDrift).iter().map(|d| d.describe()).collect();
    assert_eq!(lines, ["container `gg-core` env `REQUEST_TIMEOUT_MS`: blue `30000`, green `10000`"]);
}

#[test]
fn secret_references_compare_by_value() {
    let blue = deployment("blue", "gg-core:1", "        env:\n        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db-blue, key: password}}}\n", NO_VOLUMES, "");
    let green = deployment("green", "gg-core:1", "        env:\n        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db-green, key: password}}}\n", NO_VOLUMES, "");
    let secrets: BTreeMap<String, SecretData> = [
        ("db-blue".to_string(), SecretData::Digests(vec![("password".into(), "aaaa".into()), ("user".into(), "cccc".into())])),
        ("db-green".to_string(), SecretData::Digests(vec![("password".into(), "bbbb".into()), ("user".into(), "cccc".into())])),
    ]
    .into();
    let comparison = run(blue, green, &same_config(), &secrets);
    assert!(comparison.differences_of(DriftCause::EnvironmentVariableDrift).is_empty(), "{:#?}", comparison.differences);
    let lines: Vec<String> = comparison.differences_of(DriftCause::SecretsMismatch).iter().map(|d| d.describe()).collect();
    assert_eq!(lines, ["Secret key `password`: blue `<redacted>`, green `<redacted> (another value)`"]);
    assert_eq!(comparison.worst(DriftCause::SecretsMismatch), Some(Severity::Fail));
}

#[test]
fn unreadable_secret_is_unseen() {
    let blue = deployment("blue", "gg-core:1", "", "      - {name: tls, secret: {secretName: tls-blue}}\n", "");
    let green = deployment("green", "gg-core:1", "", "      - {name: tls, secret: {secretName: tls-green}}\n", "");
    let secrets: BTreeMap<String, SecretData> = [
        ("tls-blue".to_string(), SecretData::Unreadable("denied".into())),
        ("tls-green".to_string(), SecretData::Digests(vec![])),
    ]
    .into();
    let comparison = run(blue, green, &same_config(), &secrets);
    assert_eq!(comparison.unseen_of(DriftCause::SecretsMismatch), ["Secret `tls-blue`: denied"]);
    assert!(comparison.differences_of(DriftCause::SecretsMismatch).is_empty());
}

#[test]
fn model_claim_difference_fails() {
    let green_volume = "      - name: models\n        persistentVolumeClaim: {claimName: veritas-models-r8}\n";
    let blue = deployment("blue", "gg-core:1", MODEL_MOUNT, MODEL_VOLUME, "");
    let green = deployment("green", "gg-core:1", MODEL_MOUNT, green_volume, "");
    let comparison = run(blue, green, &same_config(), &BTreeMap::new());
    let lines: Vec<String> = comparison.differences_of(DriftCause::ModelMountDifferent).iter().map(|d| d.describe()).collect();
    assert_eq!(
        lines,
        ["container `gg-core` model mount `/models`: blue `PVC veritas-models, read-only`, green `PVC veritas-models-r8, read-only`"]
    );
}

#[test]
fn per_environment_model_claims_are_intentional() {
    let volume = |env: &str| format!("      - name: models\n        persistentVolumeClaim: {{claimName: models-{env}}}\n");
    let blue = deployment("blue", "gg-core:1", MODEL_MOUNT, &volume("blue"), "");
    let green = deployment("green", "gg-core:1", MODEL_MOUNT, &volume("green"), "");
    let comparison = run(blue, green, &same_config(), &BTreeMap::new());
    assert!(comparison.differences.is_empty(), "{:#?}", comparison.differences);
}

#[test]
fn model_version_annotation_difference_fails() {
    let blue = deployment("blue", "gg-core:1", "", NO_VOLUMES, "veritas.ggcore.io/model-version: r7");
    let green = deployment("green", "gg-core:1", "", NO_VOLUMES, "veritas.ggcore.io/model-version: r8");
    let comparison = run(blue, green, &same_config(), &BTreeMap::new());
    let lines: Vec<String> = comparison.differences_of(DriftCause::ModelMountDifferent).iter().map(|d| d.describe()).collect();
    assert_eq!(lines, ["model version annotation `veritas.ggcore.io/model-version`: blue `r7`, green `r8`"]);
}

#[test]
fn environment_word_is_replaced_whole() {
    assert_eq!(replace_word("veritas-config-blue", "blue", "<e>"), "veritas-config-<e>");
    assert_eq!(replace_word("blueprint-blue", "blue", "<e>"), "blueprint-<e>");
    assert_eq!(replace_word("BLUE", "blue", "<e>"), "<e>");
}

#[test]
fn shared_config_map_counts_as_compared() {
    let shared = |environment: &str| {
        let extra = "        - configMapRef: {name: veritas-shared}\n";
        deployment(environment, "gg-core:1", extra, NO_VOLUMES, "")
    };
    let comparison = run(shared("blue"), shared("green"), &[], &BTreeMap::new());
    assert_eq!(comparison.compared_of(DriftCause::ConfigMapNotSynced), ["ConfigMap `veritas-shared` is shared by both environments"]);
    assert_eq!(comparison.worst(DriftCause::ConfigMapNotSynced), None);
}
