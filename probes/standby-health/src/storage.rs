//! The PersistentVolumeClaims that keep a pending standby pod from starting, with the reason
//! each is not bound. A claim may not exist, or it may name no class while the cluster has no
//! default class. Its class may not exist, or the class's provisioner has not bound it.

use ggcore_probe_sdk::prelude::*;

use super::CLAIM;
use super::classify::{Facts, Problem};

/// The reasons of the claim events that explain why it is not bound.
const CLAIM_EVENT_REASONS: [&str; 4] = ["ProvisioningFailed", "FailedBinding", "ExternalProvisioning", "WaitForFirstConsumer"];

/// Returns a problem for every claim of a pending pod that is not bound.
pub(crate) fn claims(cx: &Context, pod: &Pod, facts: &Facts) -> Vec<Problem> {
    if pod.phase() != "Pending" {
        return Vec::new();
    }
    let namespace = pod.metadata.namespace();
    let mut problems = Vec::new();
    for volume in &pod.spec.volumes {
        let Some(source) = &volume.persistent_volume_claim else { continue };
        let name = &source.claim_name;
        let used_by = format!("pod `{}` volume `{}` uses PVC `{name}`", pod.metadata.name, volume.name);
        let problem = |evidence: Vec<String>, headline: String, resolution: String| Problem {
            cause: Some(CLAIM),
            kind: "PersistentVolumeClaim",
            subject: name.clone(),
            container: None,
            headline: Some(headline),
            evidence,
            resolution: Some(resolution),
        };
        match cx.get::<PersistentVolumeClaim>(Some(namespace), name) {
            Err(error) => problems.push(Problem {
                cause: None,
                kind: "PersistentVolumeClaim",
                subject: name.clone(),
                container: None,
                headline: None,
                evidence: vec![used_by, format!("PVC `{name}` could not be read: {}", error.message())],
                resolution: None,
            }),
            Ok(None) => problems.push(problem(
                vec![used_by, format!("PVC `{name}` does not exist")],
                format!("PVC `{name}` does not exist"),
                format!("Create PVC `{name}`, or fix the claim name in the pod template"),
            )),
            Ok(Some(claim)) if claim.phase() == "Bound" => {}
            Ok(Some(claim)) => {
                let (reason, resolution) = diagnose(&claim, facts);
                let mut evidence = vec![used_by, format!("PVC `{name}` is {}: {reason}", claim.phase())];
                evidence.extend(facts.about("PersistentVolumeClaim", name, &CLAIM_EVENT_REASONS).iter().take(3).map(|e| format!("event on PVC `{name}`: {}", e.describe())));
                problems.push(problem(evidence, format!("PVC `{name}` {}", claim.phase()), resolution));
            }
        }
    }
    problems
}

/// Says why a claim is not bound, and what to do about it.
fn diagnose(claim: &PersistentVolumeClaim, facts: &Facts) -> (String, String) {
    let classes = &facts.classes;
    match claim.spec.storage_class_name.as_deref() {
        None => match classes {
            Ok(list) => match list.iter().find(|c| c.is_default()) {
                Some(default) => (
                    format!("it names no storageClassName, and the default StorageClass `{}` has not provisioned a volume", default.metadata.name),
                    format!("Check the provisioner `{}` and the claim's events", default.provisioner.as_deref().unwrap_or("unknown")),
                ),
                None => (
                    "it names no storageClassName and the cluster has no default StorageClass, so nothing provisions a volume".to_string(),
                    "Set storageClassName on the claim, or mark a StorageClass as the default (storageclass.kubernetes.io/is-default-class: \"true\")".to_string(),
                ),
            },
            Err(reason) => (format!("it names no storageClassName; StorageClasses could not be read ({reason})"), "Check storage class and PVC status".to_string()),
        },
        Some("") => (
            "storageClassName is \"\", so it binds only to a pre-created PersistentVolume without a class, and none matches".to_string(),
            "Create a PersistentVolume that matches the claim, or set a StorageClass that provisions one".to_string(),
        ),
        Some(class) => match classes {
            Ok(list) if !list.iter().any(|c| c.metadata.name == class) => (
                format!("StorageClass `{class}` does not exist"),
                format!("Create StorageClass `{class}`, or change the claim's storageClassName to an existing class"),
            ),
            Ok(_) => (
                format!("StorageClass `{class}` exists, but its provisioner has not bound the claim"),
                "Check the provisioner's logs and the claim's events".to_string(),
            ),
            Err(reason) => (format!("StorageClass `{class}`: StorageClasses could not be read ({reason})"), "Check storage class and PVC status".to_string()),
        },
    }
}
