use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::Fixture;

use super::*;

/// Returns the VeritasEnvironment with `active` as the spec's environment, in `phase`.
fn environment(active: &str, phase: &str) -> String {
    format!(
        "---\napiVersion: veritas.ggcore.io/v1alpha1\nkind: VeritasEnvironment\nmetadata: {{name: gg-core, namespace: veritas}}\nspec: {{activeEnvironment: {active}}}\nstatus: {{phase: {phase}}}\n"
    )
}

const SERVICE_BLUE: &str = "---\napiVersion: v1\nkind: Service\nmetadata: {name: gg-core, namespace: veritas}\nspec:\n  selector: {app: GG-CORE, environment: blue}\n";

/// Returns a GG-CORE pod as YAML. `spec` and `status` are indented for the pod's `spec:` and
/// `status:`; a pod with no `status` is ready.
fn pod(name: &str, environment: &str, spec: &str, status: Option<&str>) -> String {
    let status = status.unwrap_or(
        "  phase: Running\n  conditions:\n  - {type: PodScheduled, status: \"True\"}\n  - {type: Ready, status: \"True\"}\n  containerStatuses:\n  - {name: gg-core, ready: true, restartCount: 0, state: {running: {}}}\n",
    );
    format!(
        r#"---
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: veritas
  labels: {{app: GG-CORE, deployment: stable, environment: {environment}}}
spec:
  containers:
  - name: gg-core
    image: registry.example.internal/veritas/gg-core:1.9.0-rc1
    resources: {{requests: {{cpu: '8', memory: 48Gi, nvidia.com/gpu: '1'}}}}
{spec}status:
{status}"#
    )
}

/// Returns an event on a pod as YAML.
fn event(pod: &str, reason: &str, message: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Event\nmetadata: {{name: {pod}.{reason}, namespace: veritas}}\ninvolvedObject: {{kind: Pod, name: {pod}, namespace: veritas, fieldPath: 'spec.containers{{gg-core}}'}}\nreason: {reason}\nmessage: '{message}'\ntype: Warning\ncount: 6\n"
    )
}

fn blue_pod(name: &str, node: &str) -> String {
    pod(name, "blue", &format!("  nodeName: {node}\n"), None)
}

/// Builds a Stable environment with blue active and serving, and the given standby (green) objects.
fn stable_with(green: &[String]) -> Fixture {
    let yaml = [environment("blue", "Stable"), SERVICE_BLUE.to_string(), blue_pod("gg-core-blue-a", "gpu-a"), blue_pod("gg-core-blue-b", "gpu-b"), green.concat()];
    Fixture::yaml(&yaml.concat())
}

/// Builds a switch to green in progress, with the given green objects.
fn switching_with(green: &[String]) -> Fixture {
    let yaml = [environment("green", "Switching"), SERVICE_BLUE.to_string(), blue_pod("gg-core-blue-a", "gpu-a"), green.concat()];
    Fixture::yaml(&yaml.concat())
}

fn waiting(reason: &str, message: &str) -> String {
    format!(
        "  phase: Pending\n  conditions:\n  - {{type: PodScheduled, status: \"True\"}}\n  - {{type: Ready, status: \"False\"}}\n  containerStatuses:\n  - name: gg-core\n    ready: false\n    restartCount: 0\n    imageID: ''\n    state: {{waiting: {{reason: {reason}, message: '{message}'}}}}\n"
    )
}

const NOT_FOUND: &str = "Failed to pull image \"registry.example.internal/veritas/gg-core:1.9.0-rc1\": rpc error: code = NotFound desc = failed to resolve reference: registry.example.internal/veritas/gg-core:1.9.0-rc1: not found";

fn unschedulable(message: &str) -> String {
    format!("  phase: Pending\n  conditions:\n  - {{type: PodScheduled, status: \"False\", reason: Unschedulable, message: '{message}'}}\n")
}

const GPU_SHORTAGE: &str = "0/3 nodes are available: 2 Insufficient nvidia.com/gpu, 1 node(s) did not match Pod node affinity/selector.";

/// Two GPU nodes with one GPU each.
fn gpu_nodes() -> String {
    ["gpu-a", "gpu-b"]
        .iter()
        .map(|n| {
            format!(
                "---\napiVersion: v1\nkind: Node\nmetadata: {{name: {n}, labels: {{pool: gpu}}}}\nstatus:\n  allocatable: {{cpu: '32', memory: 128Gi, nvidia.com/gpu: '1'}}\n"
            )
        })
        .collect()
}

#[test]
fn ready_standby_passes_every_cause() {
    let green = [pod("gg-core-green-a", "green", "", None), pod("gg-core-green-b", "green", "", None)];
    let findings = stable_with(&green).run::<StandbyHealth>();
    findings.assert_healthy();
    for cause in CAUSES {
        findings.assert_reported(Outcome::Pass, SYMPTOM, cause);
    }
}

#[test]
fn no_roles_skip_every_cause() {
    let findings = Fixture::yaml(&pod("gg-core-green-a", "green", "", None)).run::<StandbyHealth>();
    for cause in CAUSES {
        findings.assert_reported(Outcome::Skip, SYMPTOM, cause);
    }
}

#[test]
fn scaled_down_standby_skips() {
    let deployment = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: gg-core-green, namespace: veritas}\nspec:\n  replicas: 0\n  template:\n    metadata:\n      labels: {app: GG-CORE, deployment: stable, environment: green}\n";
    let findings = stable_with(&[deployment.to_string()]).run::<StandbyHealth>();
    let finding = findings.assert_reported(Outcome::Skip, SYMPTOM, RESOURCES);
    assert!(finding.summary.contains("scaled to zero"), "{}", finding.summary);
}

#[test]
fn gpu_shortage_shows_node_numbers() {
    let green = [
        pod("gg-core-green-a", "green", "  nodeSelector: {pool: gpu}\n", Some(&unschedulable(GPU_SHORTAGE))),
        event("gg-core-green-a", "FailedScheduling", GPU_SHORTAGE),
        gpu_nodes(),
    ];
    let findings = stable_with(&green).run::<StandbyHealth>();
    let finding = findings.assert_reported(Outcome::Warn, SYMPTOM, RESOURCES);
    assert!(finding.summary.contains("insufficient nvidia.com/gpu"), "{}", finding.summary);
    let expected = [
        "pod `gg-core-green-a` requests cpu 8, memory 48Gi, nvidia.com/gpu 1",
        "scheduler: 2 nodes have insufficient nvidia.com/gpu",
        "nvidia.com/gpu: the pod requests 1; the most free on the 2 nodes matching its nodeSelector is 0",
        "node `gpu-a`: nvidia.com/gpu allocatable 1, requested by its pods 1, free 0",
    ];
    for line in expected {
        assert!(finding.evidence.iter().any(|e| e == line), "missing `{line}` in {:#?}", finding.evidence);
    }
}

#[test]
fn gpu_shortage_without_nodes_uses_message() {
    let green = [pod("gg-core-green-a", "green", "", Some(&unschedulable(GPU_SHORTAGE))), event("gg-core-green-a", "FailedScheduling", GPU_SHORTAGE)];
    let finding = stable_with(&green).run::<StandbyHealth>().assert_reported(Outcome::Warn, SYMPTOM, RESOURCES).clone();
    assert!(finding.evidence.iter().any(|e| e == "scheduler: 2 nodes have insufficient nvidia.com/gpu"), "{:#?}", finding.evidence);
    assert!(finding.evidence.iter().any(|e| e.starts_with("no Node is visible")), "{:#?}", finding.evidence);
}

#[test]
fn missing_tag_during_switch_fails_as_not_found() {
    let green = [
        pod("gg-core-green-a", "green", "", Some(&waiting("ImagePullBackOff", "Back-off pulling image"))),
        event("gg-core-green-a", "Failed", NOT_FOUND),
        event("gg-core-green-a", "Failed", "Error: ErrImagePull"),
    ];
    let findings = switching_with(&green).run::<StandbyHealth>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, IMAGE_PULL);
    assert!(finding.evidence.iter().any(|e| e == "registry response: not found: the tag or repository does not exist in the registry"), "{:#?}", finding.evidence);
    let text = format!("{} {:?} {:?}", finding.summary, finding.evidence, finding.resolution).to_lowercase();
    assert!(!text.contains("unauthorized"), "{text}");
    assert!(!text.contains("pull secret"), "{text}");
}

#[test]
fn unauthorized_pull_names_pull_secret() {
    let message = "Failed to pull image \"registry.example.internal/veritas/gg-core:1.9.0-rc1\": failed to authorize: 401 Unauthorized";
    let green = [pod("gg-core-green-a", "green", "", Some(&waiting("ErrImagePull", "pull failed"))), event("gg-core-green-a", "Failed", message)];
    let finding = stable_with(&green).run::<StandbyHealth>().assert_reported(Outcome::Warn, SYMPTOM, IMAGE_PULL).clone();
    assert!(finding.evidence.iter().any(|e| e == "registry response: unauthorized: the registry rejected the pull credentials"), "{:#?}", finding.evidence);
    assert!(finding.resolution.as_deref().unwrap().contains("imagePullSecrets"), "{:?}", finding.resolution);
}

#[test]
fn missing_config_key_is_config_error() {
    let message = "couldn''t find key MAX_BATCH_SIZE in ConfigMap veritas/veritas-config-green";
    let green = [pod("gg-core-green-a", "green", "", Some(&waiting("CreateContainerConfigError", message)))];
    let finding = stable_with(&green).run::<StandbyHealth>().assert_reported(Outcome::Warn, SYMPTOM, CONFIG).clone();
    assert_eq!(
        finding.evidence[1],
        "pod `gg-core-green-a` container `gg-core`: waiting CreateContainerConfigError: couldn't find key MAX_BATCH_SIZE in ConfigMap veritas/veritas-config-green"
    );
}

/// Returns a pending pod whose `models` volume is the claim `models-green`, and that claim,
/// Pending, with `class` (YAML for `storageClassName`, or nothing).
fn pending_claim(class: &str) -> Vec<String> {
    let message = "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.";
    let claim = format!(
        "---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: models-green, namespace: veritas}}\nspec: {{accessModes: [ReadWriteOnce]{class}}}\nstatus: {{phase: Pending}}\n"
    );
    vec![
        pod("gg-core-green-a", "green", "  volumes:\n  - {name: models, persistentVolumeClaim: {claimName: models-green}}\n", Some(&unschedulable(message))),
        claim,
    ]
}

#[test]
fn claim_without_default_class_is_not_bound() {
    let finding = stable_with(&pending_claim("")).run::<StandbyHealth>().assert_reported(Outcome::Warn, SYMPTOM, CLAIM).clone();
    assert!(
        finding.evidence.iter().any(|e| e == "PVC `models-green` is Pending: it names no storageClassName and the cluster has no default StorageClass, so nothing provisions a volume"),
        "{:#?}",
        finding.evidence
    );
}

#[test]
fn claim_with_missing_class_is_not_bound() {
    let finding = stable_with(&pending_claim(", storageClassName: fast-ssd")).run::<StandbyHealth>().assert_reported(Outcome::Warn, SYMPTOM, CLAIM).clone();
    assert!(finding.evidence.iter().any(|e| e.ends_with("StorageClass `fast-ssd` does not exist")), "{:#?}", finding.evidence);
}

#[test]
fn bound_claim_passes() {
    let mut green = pending_claim("");
    green[0] = pod("gg-core-green-a", "green", "  volumes:\n  - {name: models, persistentVolumeClaim: {claimName: models-green}}\n", None);
    green[1] = green[1].replace("phase: Pending", "phase: Bound");
    stable_with(&green).run::<StandbyHealth>().assert_reported(Outcome::Pass, SYMPTOM, CLAIM);
}

#[test]
fn crashing_init_container_quotes_its_log() {
    let spec = "  initContainers:\n  - {name: fetch-model, image: 'registry.example.internal/veritas/fetch:1'}\n";
    let status = "  phase: Pending\n  conditions:\n  - {type: PodScheduled, status: \"True\"}\n  - {type: Initialized, status: \"False\"}\n  - {type: Ready, status: \"False\"}\n  initContainerStatuses:\n  - name: fetch-model\n    ready: false\n    restartCount: 3\n    state: {waiting: {reason: CrashLoopBackOff}}\n    lastState: {terminated: {reason: Error, exitCode: 1}}\n  containerStatuses:\n  - {name: gg-core, ready: false, restartCount: 0, state: {waiting: {reason: PodInitializing}}}\n";
    let fixture = stable_with(&[pod("gg-core-green-a", "green", spec, Some(status))]).log(
        "veritas",
        "gg-core-green-a",
        "fetch-model",
        true,
        "fetching veritas-llm-13b-instruct@r7\nerror: GET https://models.example.internal/r7: 403 Forbidden\n",
    );
    let finding = fixture.run::<StandbyHealth>().assert_reported(Outcome::Warn, SYMPTOM, INIT).clone();
    assert_eq!(finding.evidence[1], "pod `gg-core-green-a` init container `fetch-model` failing: exit code 1 (Error), 3 restarts");
    assert!(
        finding.evidence.iter().any(|e| e == "log of init container `fetch-model`: error: GET https://models.example.internal/r7: 403 Forbidden"),
        "{:#?}",
        finding.evidence
    );
}

#[test]
fn oom_crash_loop_is_inconclusive() {
    let status = "  phase: Running\n  conditions:\n  - {type: PodScheduled, status: \"True\"}\n  - {type: Ready, status: \"False\"}\n  containerStatuses:\n  - name: gg-core\n    ready: false\n    restartCount: 9\n    state: {waiting: {reason: CrashLoopBackOff}}\n    lastState: {terminated: {reason: OOMKilled, exitCode: 137}}\n";
    let findings = stable_with(&[pod("gg-core-green-a", "green", "", Some(status))]).run::<StandbyHealth>();
    findings.assert_healthy();
    let unexplained: Vec<_> = findings.0.iter().filter(|f| f.outcome == Outcome::Inconclusive && f.cause.is_none()).collect();
    assert_eq!(unexplained.len(), 1, "{}", findings.dump());
    assert!(unexplained[0].evidence.iter().any(|e| e.contains("last exit code 137 (OOMKilled)")), "{:#?}", unexplained[0].evidence);
}
