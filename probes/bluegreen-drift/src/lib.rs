//! `bluegreen-drift`: do the blue and the green environment run with the same configuration?
//!
//! Implements the guide's "State Not Syncing". The comparison lives in
//! `ggcore_probe_sdk::compare`, shared with `kubectl ggcore bluegreen diff`. Its documentation
//! lists the intentional differences (the environment label, names and values that carry the
//! environment's own name, the profile's per-environment ConfigMaps, images). It also gives the
//! severity of each difference: `fail` for models, credentials and missing objects, `warn` for
//! settings. This probe reads what the comparison needs, asks the host for
//! the digests of the Secrets the pod templates reference (never their values), and reports one
//! finding per cause: `fail` or `warn` with one evidence line per difference, `pass` with what
//! was compared, `inconclusive` when a Secret could not be read, `skip` when there is nothing
//! to compare.

use std::collections::{BTreeMap, BTreeSet};

use ggcore_probe_sdk::bluegreen::{self, BLUE, GREEN, Membership};
use ggcore_probe_sdk::compare::{self, Comparison, DriftCause, Inputs, SecretData, Severity, Side};
use ggcore_probe_sdk::FindingBuilder;
use ggcore_probe_sdk::prelude::*;

const SYMPTOM: &str = "env-drift";

/// The setting that names where the model is mounted in the GG-CORE container.
const MODEL_PATH_SETTING: &str = "model-path";

/// The default model path of GG-CORE (`--model-dir=/models`).
const DEFAULT_MODEL_PATH: &str = "/models";

struct Drift;

impl Probe for Drift {
    fn describe() -> Descriptor {
        let causes: Vec<&str> = DriftCause::ALL.iter().map(|c| c.id()).collect();
        describe("bluegreen-drift")
            .title("Blue and green run with the same configuration")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Blue-Green Deployment Issues: State Not Syncing")
            .reads(&[ConfigMap::KIND, Deployment::KIND, Pod::KIND, Service::KIND, VeritasEnvironment::KIND])
            .uses(Capability::SecretDigests)
            .reports(SYMPTOM, &causes)
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let profile = cx.profile().clone();
        let namespace = profile.namespace.clone();
        let membership = Membership::new(&profile.app_selector, &profile.canary_selector, &profile.environment_label)
            .map_err(|e| HostError::Invalid(format!("the profile's selectors do not parse: {e}")))?;

        let deployments: Vec<Deployment> = cx.list(None)?;
        let pods: Vec<Pod> = cx.list(Some(&profile.app_selector))?;
        let config_maps: Vec<ConfigMap> = cx.list(None)?;
        let blue_workloads = membership.workloads(&deployments, &pods, BLUE);
        let green_workloads = membership.workloads(&deployments, &pods, GREEN);
        let has_config_map = |name: &str| config_maps.iter().any(|c| c.metadata.name == name);
        if blue_workloads.is_empty() && green_workloads.is_empty() && !has_config_map(&profile.blue_config_map) && !has_config_map(&profile.green_config_map) {
            for cause in DriftCause::ALL {
                cx.report(skip(SYMPTOM, Some(cause.id())).summary(format!("no blue or green environment in namespace `{namespace}`")));
            }
            return Ok(());
        }

        let names: BTreeSet<String> = compare::secret_names(&blue_workloads).into_iter().chain(compare::secret_names(&green_workloads)).collect();
        let secrets: BTreeMap<String, SecretData> = names.into_iter().map(|name| {
            let data = match cx.secret_digests(&namespace, &name) {
                Ok(digests) => SecretData::Digests(digests),
                Err(HostError::NotFound(_)) => SecretData::Missing,
                Err(error) => SecretData::Unreadable(error.message()),
            };
            (name, data)
        }).collect();

        let model_path = cx.setting(MODEL_PATH_SETTING).unwrap_or(DEFAULT_MODEL_PATH).to_string();
        let comparison = compare::compare(&Inputs {
            blue: Side { environment: BLUE, config_map: &profile.blue_config_map, workloads: &blue_workloads },
            green: Side { environment: GREEN, config_map: &profile.green_config_map, workloads: &green_workloads },
            config_maps: &config_maps,
            secrets: &secrets,
            model_path: &model_path,
        });

        let environments: Vec<VeritasEnvironment> = cx.list(None)?;
        let service: Option<Service> = cx.get(Some(&namespace), &profile.service)?;
        let roles = bluegreen::roles(environments.first(), service.as_ref(), &profile.environment_label);
        for cause in DriftCause::ALL {
            let finding = finding(&comparison, cause, &roles, &namespace);
            cx.report(finding);
        }
        Ok(())
    }
}

/// Builds the finding of one cause from the comparison.
fn finding(comparison: &Comparison, cause: DriftCause, roles: &bluegreen::Roles, namespace: &str) -> FindingBuilder {
    let differences = comparison.differences_of(cause);
    let intentional: Vec<String> = match cause {
        DriftCause::EnvironmentVariableDrift => comparison.intentional.iter().map(|i| format!("intentional, not drift: {}", i.describe())).collect(),
        _ => Vec::new(),
    };

    if !differences.is_empty() {
        let builder = match comparison.worst(cause) {
            Some(Severity::Fail) => fail(SYMPTOM, cause.id()),
            _ => warn(SYMPTOM, cause.id()),
        };
        let subjects: Vec<&str> = differences.iter().map(|d| d.subject.as_str()).collect();
        let serving = roles.active.map(|a| format!(" ({a} serves)")).unwrap_or_default();
        let mut finding = builder
            .summary(format!("blue and green differ in {} {}{serving}: {}", differences.len(), noun(cause, differences.len()), subjects.join(", ")))
            .evidence_lines(differences.iter().map(|d| d.describe()))
            .evidence(format!("roles: {}", roles.reason))
            .evidence_lines(intentional)
            .resolution(resolution(cause))
            .next_command(format!("kubectl ggcore bluegreen diff -n {namespace}"));
        let mut seen = BTreeSet::new();
        for object in differences.iter().flat_map(|d| &d.objects) {
            if seen.insert((object.kind.clone(), object.name.clone())) {
                finding = finding.object_named(&object.kind, Some(namespace), &object.name);
            }
        }
        return finding;
    }

    let unseen = comparison.unseen_of(cause);
    if !unseen.is_empty() {
        return inconclusive(SYMPTOM, Some(cause.id()))
            .summary(format!("could not compare everything for {}: {}", cause.id(), unseen.join("; ")))
            .evidence_lines(unseen.iter().cloned())
            .evidence_lines(comparison.compared_of(cause).iter().cloned())
            .next_command(format!("kubectl ggcore bluegreen diff -n {namespace}"));
    }

    let compared = comparison.compared_of(cause);
    if compared.is_empty() {
        let reasons = comparison.not_applicable_of(cause);
        return skip(SYMPTOM, Some(cause.id()))
            .summary(format!("nothing to compare for {}: {}", cause.id(), reasons.join("; ")))
            .evidence_lines(reasons.iter().cloned());
    }
    pass(SYMPTOM, cause.id())
        .summary(format!("blue and green agree: {}", compared.join("; ")))
        .evidence_lines(compared.iter().cloned())
        .evidence_lines(intentional)
}

/// Names what a cause's differences are, in the plural when there are several.
fn noun(cause: DriftCause, count: usize) -> &'static str {
    match (cause, count) {
        (DriftCause::ConfigMapNotSynced, 1) => "ConfigMap item",
        (DriftCause::ConfigMapNotSynced, _) => "ConfigMap items",
        (DriftCause::ModelMountDifferent, 1) => "model mount or version",
        (DriftCause::ModelMountDifferent, _) => "model mounts or versions",
        (DriftCause::SecretsMismatch, 1) => "Secret item",
        (DriftCause::SecretsMismatch, _) => "Secret items",
        (DriftCause::EnvironmentVariableDrift, 1) => "pod template item",
        (DriftCause::EnvironmentVariableDrift, _) => "pod template items",
    }
}

/// Returns the guide's resolution of a cause, made specific.
fn resolution(cause: DriftCause) -> &'static str {
    match cause {
        DriftCause::ConfigMapNotSynced => {
            "Apply the same ConfigMap to both environments (generate both from one source, with per-environment overlays only for intentional differences), then restart the pods of the environment you changed: values from envFrom are read at start-up"
        }
        DriftCause::ModelMountDifferent => {
            "Verify the PVC mounts are identical: mount the same model volume and model version in both environments' pod templates"
        }
        DriftCause::SecretsMismatch => "Sync the Secrets between the environments: give both the same keys and values, then restart the pods that read them",
        DriftCause::EnvironmentVariableDrift => "Update the deployment manifests so that both environments' pod templates set the same containers and environment variables",
    }
}

ggcore_probe_sdk::probe!(Drift);

#[cfg(test)]
mod tests;
