use ggcore_probe_sdk::prelude::Outcome;
use ggcore_probe_sdk::testing::Fixture;

use super::*;

fn canary(phase: &str, weight: i64) -> String {
    format!(
        "---\napiVersion: veritas.ggcore.io/v1alpha1\nkind: VeritasCanary\nmetadata: {{name: gg-core, namespace: veritas, generation: 3}}\nspec: {{trafficWeight: {weight}}}\nstatus: {{phase: {phase}, observedGeneration: 3}}\n"
    )
}

fn virtual_service(stable_weight: i64, canary_destination: &str, canary_weight: i64) -> String {
    format!(
        "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: gg-core, namespace: veritas}}\nspec:\n  hosts: [inference.example.internal]\n  http:\n  - name: primary\n    route:\n    - destination: {{host: gg-core.veritas.svc.cluster.local}}\n      weight: {stable_weight}\n    - destination: {canary_destination}\n      weight: {canary_weight}\n"
    )
}

const CANARY_SERVICE: &str = "{host: gg-core-canary.veritas.svc.cluster.local}";

#[test]
fn progressing_canary_with_matching_split_passes() {
    let findings = Fixture::yaml(&[canary("Progressing", 10), virtual_service(90, CANARY_SERVICE, 10)].concat()).run::<CanaryTraffic>();
    findings.assert_healthy();
    findings.assert_reported(Outcome::Pass, SYMPTOM, WEIGHT_ZERO);
    findings.assert_reported(Outcome::Pass, SYMPTOM, MESH);
}

#[test]
fn progressing_canary_with_zero_weight_fails() {
    let findings = Fixture::yaml(&canary("Progressing", 0)).run::<CanaryTraffic>();
    findings.assert_reported(Outcome::Fail, SYMPTOM, WEIGHT_ZERO);
}

#[test]
fn finished_canary_with_zero_weight_is_not_checked() {
    let findings = Fixture::yaml(&canary("Succeeded", 0)).run::<CanaryTraffic>();
    findings.assert_healthy();
    findings.assert_reported(Outcome::Skip, SYMPTOM, WEIGHT_ZERO);
}

#[test]
fn virtual_service_sending_everything_to_stable_fails() {
    let findings = Fixture::yaml(&[canary("Progressing", 10), virtual_service(100, CANARY_SERVICE, 0)].concat()).run::<CanaryTraffic>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, MESH);
    assert!(finding.summary.contains("sends no traffic to the canary"), "{}", finding.summary);
}

#[test]
fn split_different_from_the_canary_weight_warns() {
    let findings = Fixture::yaml(&[canary("Progressing", 20), virtual_service(90, CANARY_SERVICE, 10)].concat()).run::<CanaryTraffic>();
    findings.assert_reported(Outcome::Warn, SYMPTOM, MESH);
}

#[test]
fn undefined_subset_fails() {
    let subset = "{host: gg-core.veritas.svc.cluster.local, subset: canary}";
    let findings = Fixture::yaml(&[canary("Progressing", 10), virtual_service(90, subset, 10)].concat()).run::<CanaryTraffic>();
    let finding = findings.assert_reported(Outcome::Fail, SYMPTOM, MESH);
    assert!(finding.evidence.iter().any(|e| e.contains("subset `canary`")), "{:?}", finding.evidence);
}

#[test]
fn subset_defined_by_a_destination_rule_passes() {
    let subset = "{host: gg-core.veritas.svc.cluster.local, subset: canary}";
    let rule = "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: gg-core, namespace: veritas}\nspec:\n  host: gg-core\n  subsets: [{name: canary, labels: {deployment: canary}}]\n";
    let findings = Fixture::yaml(&[canary("Progressing", 10), virtual_service(90, subset, 10), rule.to_string()].concat()).run::<CanaryTraffic>();
    findings.assert_healthy();
}
