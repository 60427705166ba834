//! Compares the blue and the green environment: their ConfigMaps key by key, the Secrets their
//! pods reference (by digest only), and their pod templates: environment variables, model
//! mounts, model versions and images. The `bluegreen-drift` probe turns a [`Comparison`] into
//! findings and `kubectl ggcore bluegreen diff` prints it, so both show the same differences.
//!
//! # What is not drift
//!
//! Blue-green keeps two copies of one deployment that differ on purpose in a few places. A
//! difference is intentional, and kept out of the drift, when:
//! - it is the environment label itself, which is how the two are distinguished and is
//!   never compared;
//! - two names or values are equal once the environment's own name, as a whole word, is
//!   replaced by a placeholder (`veritas-config-blue` and `veritas-config-green`,
//!   `GG_CORE_ENVIRONMENT=blue` and `=green`), or they are the profile's two per-environment
//!   ConfigMaps: each environment reads its own copy, and the copies are compared instead;
//! - it is a container image: the standby carries the next release, which is the point of a
//!   blue-green deployment.
//!
//! Intentional differences are listed in [`Comparison::intentional`], so that they stay visible.
//!
//! # Severity
//!
//! A difference is [`Severity::Fail`] when the two environments would serve different models
//! or run with different credentials (model mounts, model versions, Secret keys and values,
//! Secret references), or when one environment's ConfigMap or Secret does not exist. It is
//! [`Severity::Warn`] when they run with different settings (ConfigMap values, environment
//! variables, containers): a switch changes behaviour, but both environments run.
//!
//! Values are shown through [`crate::redact`], so credentials in ConfigMaps and literal
//! environment variables never appear; Secrets are compared by the digests the host hands out.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::bluegreen::Workload;
use crate::redact;
use crate::views::{ConfigMap, Container, EnvVar, PodTemplate, Volume, VolumeMount};

/// The text shown for a value absent on one side.
pub const ABSENT: &str = "(absent)";

/// The maximum length of a value shown in full, in characters; longer values are cut and marked.
const MAX_VALUE_CHARS: usize = 80;

/// The placeholder the environment's own name is replaced by before comparing.
const ENVIRONMENT_PLACEHOLDER: &str = "<environment>";

/// The placeholder the profile's per-environment ConfigMap is replaced by before comparing.
const CONFIG_MAP_PLACEHOLDER: &str = "<environment ConfigMap>";

/// The causes of the `env-drift` symptom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum DriftCause {
    /// The per-environment ConfigMaps differ, or the templates read different ConfigMaps.
    #[serde(rename = "configmap-not-synced")]
    ConfigMapNotSynced,
    /// The model volumes or model versions differ.
    #[serde(rename = "model-mount-different")]
    ModelMountDifferent,
    /// The referenced Secrets differ in keys or values, or are referenced differently.
    #[serde(rename = "secrets-mismatch")]
    SecretsMismatch,
    /// The containers' environment variables, or the containers themselves, differ.
    #[serde(rename = "environment-variable-drift")]
    EnvironmentVariableDrift,
}

impl DriftCause {
    /// Every cause, in the order reports list them.
    pub const ALL: [DriftCause; 4] =
        [DriftCause::ConfigMapNotSynced, DriftCause::ModelMountDifferent, DriftCause::SecretsMismatch, DriftCause::EnvironmentVariableDrift];

    /// Returns the cause id of the report contract.
    pub fn id(self) -> &'static str {
        match self {
            DriftCause::ConfigMapNotSynced => "configmap-not-synced",
            DriftCause::ModelMountDifferent => "model-mount-different",
            DriftCause::SecretsMismatch => "secrets-mismatch",
            DriftCause::EnvironmentVariableDrift => "environment-variable-drift",
        }
    }
}

/// How much a difference matters; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The environments run with different settings.
    Warn,
    /// The environments serve different models, run with different credentials, or one lacks
    /// its ConfigMap or Secret.
    Fail,
}

/// An object a difference is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectName {
    /// The kind.
    pub kind: String,
    /// The name.
    pub name: String,
}

/// One difference between blue and green.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// The cause it is evidence of.
    pub cause: DriftCause,
    /// How much it matters.
    pub severity: Severity,
    /// The item that differs, such as ``ConfigMap key `MAX_BATCH_SIZE` ``.
    pub subject: String,
    /// Blue's value, redacted where it looks like a credential, or [`ABSENT`].
    pub blue: String,
    /// Green's value, shown the same way.
    pub green: String,
    /// The objects involved, blue's first.
    pub objects: Vec<ObjectName>,
}

impl Difference {
    /// Formats the difference as one evidence line.
    pub fn describe(&self) -> String {
        format!("{}: blue {}, green {}", self.subject, quoted(&self.blue), quoted(&self.green))
    }
}

/// A difference that blue-green makes on purpose.
#[derive(Debug, Clone, Serialize)]
pub struct Intentional {
    /// The item that differs.
    pub subject: String,
    /// Blue's value.
    pub blue: String,
    /// Green's value.
    pub green: String,
    /// The reason it is not drift.
    pub reason: String,
}

impl Intentional {
    /// Formats the difference as one evidence line.
    pub fn describe(&self) -> String {
        format!("{}: blue {}, green {} ({})", self.subject, quoted(&self.blue), quoted(&self.green), self.reason)
    }
}

/// The result of comparing the two environments.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Comparison {
    /// The differences that are drift.
    pub differences: Vec<Difference>,
    /// The differences blue-green makes on purpose.
    pub intentional: Vec<Intentional>,
    /// The items compared, one line per pair of objects, by cause.
    pub compared: BTreeMap<DriftCause, Vec<String>>,
    /// The items that could not be compared, with the reason, by cause.
    pub unseen: BTreeMap<DriftCause, Vec<String>>,
    /// The reasons a cause does not apply (nothing to compare), by cause.
    pub not_applicable: BTreeMap<DriftCause, Vec<String>>,
}

impl Comparison {
    /// Returns the differences that are evidence of `cause`.
    pub fn differences_of(&self, cause: DriftCause) -> Vec<&Difference> {
        self.differences.iter().filter(|d| d.cause == cause).collect()
    }

    /// Returns the worst severity among the differences of `cause`, `None` when there are none.
    pub fn worst(&self, cause: DriftCause) -> Option<Severity> {
        self.differences_of(cause).iter().map(|d| d.severity).max()
    }

    /// Returns what was compared for `cause`.
    pub fn compared_of(&self, cause: DriftCause) -> &[String] {
        self.compared.get(&cause).map(Vec::as_slice).unwrap_or_default()
    }

    /// Returns what could not be compared for `cause`.
    pub fn unseen_of(&self, cause: DriftCause) -> &[String] {
        self.unseen.get(&cause).map(Vec::as_slice).unwrap_or_default()
    }

    /// Returns why `cause` does not apply.
    pub fn not_applicable_of(&self, cause: DriftCause) -> &[String] {
        self.not_applicable.get(&cause).map(Vec::as_slice).unwrap_or_default()
    }

    fn differ(&mut self, cause: DriftCause, severity: Severity, subject: String, blue: String, green: String, objects: Vec<ObjectName>) {
        self.differences.push(Difference { cause, severity, subject, blue, green, objects });
    }

    fn intend(&mut self, subject: String, blue: String, green: String, reason: &str) {
        self.intentional.push(Intentional { subject, blue, green, reason: reason.to_string() });
    }

    fn note_compared(&mut self, cause: DriftCause, line: String) {
        self.compared.entry(cause).or_default().push(line);
    }

    fn note_unseen(&mut self, cause: DriftCause, line: String) {
        self.unseen.entry(cause).or_default().push(line);
    }

    fn note_not_applicable(&mut self, cause: DriftCause, line: String) {
        self.not_applicable.entry(cause).or_default().push(line);
    }
}

/// One environment's part of the comparison.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// `blue` or `green`.
    pub environment: &'a str,
    /// The environment's ConfigMap in the profile (`veritas-config-blue`).
    pub config_map: &'a str,
    /// The environment's pod templates, from [`crate::bluegreen::Membership::workloads`].
    pub workloads: &'a [Workload],
}

/// The host's result for one Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretData {
    /// `(key, sha256)` pairs of its data.
    Digests(Vec<(String, String)>),
    /// The Secret does not exist.
    Missing,
    /// It could not be read; the reason.
    Unreadable(String),
}

/// Everything the comparison reads.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The blue environment.
    pub blue: Side<'a>,
    /// The green environment.
    pub green: Side<'a>,
    /// The ConfigMaps of the namespace.
    pub config_maps: &'a [ConfigMap],
    /// The host's result for every Secret that [`secret_names`] returns, by name.
    pub secrets: &'a BTreeMap<String, SecretData>,
    /// The model's mount path (`/models`); mounts at or below it are model mounts.
    pub model_path: &'a str,
}

/// Compares blue and green.
pub fn compare(inputs: &Inputs) -> Comparison {
    let blue = Normalizer { environment: inputs.blue.environment, config_map: inputs.blue.config_map };
    let green = Normalizer { environment: inputs.green.environment, config_map: inputs.green.config_map };
    let mut out = Comparison::default();
    compare_config_maps(inputs, &blue, &green, &mut out);
    compare_secrets(inputs, &blue, &green, &mut out);
    compare_workloads(inputs, &blue, &green, &mut out);
    out
}

/// Returns the names of the Secrets the workloads reference: `envFrom`, `env` `valueFrom`,
/// Secret volumes and image pull secrets.
pub fn secret_names(workloads: &[Workload]) -> BTreeSet<String> {
    workloads.iter().flat_map(|w| references(&w.template).secrets).collect()
}

/// Replaces the environment's own name, and the profile's per-environment ConfigMap, by
/// placeholders, so that names and values made per environment compare equal.
struct Normalizer<'a> {
    environment: &'a str,
    config_map: &'a str,
}

impl Normalizer<'_> {
    fn normalize(&self, text: &str) -> String {
        if text == self.config_map {
            return CONFIG_MAP_PLACEHOLDER.to_string();
        }
        replace_word(text, self.environment, ENVIRONMENT_PLACEHOLDER)
    }
}

/// Replaces every whole-word, case-insensitive occurrence of `word` in `text`; words are runs
/// of alphanumeric characters, so `blue` matches in `veritas-config-blue` but not in `blueprint`.
fn replace_word(text: &str, word: &str, placeholder: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if !token.is_empty() {
            out.push_str(if token.eq_ignore_ascii_case(word) { placeholder } else { token });
            token.clear();
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

/// Formats a count with the singular or plural noun.
fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

fn quoted(value: &str) -> String {
    if value.starts_with('(') { value.to_string() } else { format!("`{value}`") }
}

fn object(kind: &str, name: &str) -> ObjectName {
    ObjectName { kind: kind.to_string(), name: name.to_string() }
}

/// Cuts a value to [`MAX_VALUE_CHARS`] characters.
fn cut(value: &str) -> String {
    if value.chars().count() <= MAX_VALUE_CHARS {
        return value.to_string();
    }
    let kept: String = value.chars().take(MAX_VALUE_CHARS).collect();
    format!("{kept}... ({} characters)", value.chars().count())
}

// ---- ConfigMaps ------------------------------------------------------------------------------

/// The objects a pod template references, by kind.
#[derive(Default)]
struct References {
    config_maps: BTreeSet<String>,
    secrets: BTreeSet<String>,
}

fn references(template: &PodTemplate) -> References {
    let mut refs = References::default();
    for container in template.spec.containers.iter().chain(&template.spec.init_containers) {
        for source in &container.env_from {
            if let Some(r) = &source.config_map_ref {
                refs.config_maps.insert(r.name.clone());
            }
            if let Some(r) = &source.secret_ref {
                refs.secrets.insert(r.name.clone());
            }
        }
        for var in &container.env {
            let Some(from) = &var.value_from else { continue };
            if let Some(name) = from.pointer("/configMapKeyRef/name").and_then(|n| n.as_str()) {
                refs.config_maps.insert(name.to_string());
            }
            if let Some(name) = from.pointer("/secretKeyRef/name").and_then(|n| n.as_str()) {
                refs.secrets.insert(name.to_string());
            }
        }
    }
    for volume in &template.spec.volumes {
        if let Some(source) = &volume.config_map {
            refs.config_maps.insert(source.name.clone());
        }
        if let Some(source) = &volume.secret {
            refs.secrets.insert(source.secret_name.clone());
        }
    }
    refs.secrets.extend(template.spec.image_pull_secrets.iter().map(|s| s.name.clone()));
    refs
}

/// Pairs blue's and green's names that are equal once normalised and differ as written: the
/// per-environment copies of one object.
fn pair_names(blue: &BTreeSet<String>, green: &BTreeSet<String>, blue_n: &Normalizer, green_n: &Normalizer) -> Vec<(String, String)> {
    let green_by_normal: BTreeMap<String, &String> = green.iter().map(|g| (green_n.normalize(g), g)).collect();
    blue.iter()
        .filter_map(|b| green_by_normal.get(&blue_n.normalize(b)).map(|g| (b.clone(), (*g).clone())))
        .collect()
}

fn compare_config_maps(inputs: &Inputs, blue_n: &Normalizer, green_n: &Normalizer, out: &mut Comparison) {
    let cause = DriftCause::ConfigMapNotSynced;
    let blue_refs: BTreeSet<String> = inputs.blue.workloads.iter().flat_map(|w| references(&w.template).config_maps).collect();
    let green_refs: BTreeSet<String> = inputs.green.workloads.iter().flat_map(|w| references(&w.template).config_maps).collect();
    let mut pairs = vec![(inputs.blue.config_map.to_string(), inputs.green.config_map.to_string())];
    for pair in pair_names(&blue_refs, &green_refs, blue_n, green_n) {
        if pair.0 != pair.1 && !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }

    for shared in blue_refs.intersection(&green_refs) {
        out.note_compared(cause, format!("ConfigMap `{shared}` is shared by both environments"));
    }

    let find = |name: &str| inputs.config_maps.iter().find(|c| c.metadata.name == name);
    for (blue_name, green_name) in pairs {
        let objects = vec![object("ConfigMap", &blue_name), object("ConfigMap", &green_name)];
        match (find(&blue_name), find(&green_name)) {
            (None, None) => out.note_not_applicable(cause, format!("neither ConfigMap `{blue_name}` nor `{green_name}` exists")),
            (Some(_), None) => out.differ(cause, Severity::Fail, "ConfigMap".into(), format!("{blue_name} exists"), format!("(`{green_name}` does not exist)"), objects),
            (None, Some(_)) => out.differ(cause, Severity::Fail, "ConfigMap".into(), format!("(`{blue_name}` does not exist)"), format!("{green_name} exists"), objects),
            (Some(blue), Some(green)) => compare_config_map_data(blue, green, objects, out),
        }
    }
}

fn compare_config_map_data(blue: &ConfigMap, green: &ConfigMap, objects: Vec<ObjectName>, out: &mut Comparison) {
    let cause = DriftCause::ConfigMapNotSynced;
    let keys: BTreeSet<&String> = blue.data.keys().chain(green.data.keys()).chain(blue.binary_data.keys()).chain(green.binary_data.keys()).collect();
    let mut differing = 0;
    for key in &keys {
        let (blue_value, green_value) = match (blue.data.get(*key), green.data.get(*key)) {
            (None, None) => (blue.binary_data.get(*key), green.binary_data.get(*key)),
            pair => pair,
        };
        if blue_value == green_value {
            continue;
        }
        differing += 1;
        let binary = !blue.data.contains_key(*key) && !green.data.contains_key(*key);
        let (blue_shown, green_shown) = if binary {
            (binary_summary(blue_value), binary_summary(green_value))
        } else {
            show_pair(key, blue_value.map(String::as_str), green_value.map(String::as_str))
        };
        out.differ(cause, Severity::Warn, format!("ConfigMap key `{key}`"), blue_shown, green_shown, objects.clone());
    }
    out.note_compared(
        cause,
        format!(
            "ConfigMaps `{}` and `{}`: {} compared, {differing} differ",
            blue.metadata.name,
            green.metadata.name,
            count(keys.len(), "key", "keys")
        ),
    );
}

fn binary_summary(value: Option<&String>) -> String {
    match value {
        Some(value) => format!("binary data, {} base64 characters", value.len()),
        None => ABSENT.to_string(),
    }
}

/// Shows two values of one key, redacted. For multi-line values (configuration files), shows
/// the first line that differs, with its number.
fn show_pair(key: &str, blue: Option<&str>, green: Option<&str>) -> (String, String) {
    let multi_line = blue.is_some_and(|v| v.contains('\n')) || green.is_some_and(|v| v.contains('\n'));
    if !multi_line || redact::is_credential_key(key) {
        let show = |value: Option<&str>| value.map(|v| cut(&redact::display_value(key, v))).unwrap_or_else(|| ABSENT.to_string());
        return (show(blue), show(green));
    }
    let blue_lines: Vec<&str> = blue.unwrap_or("").lines().collect();
    let green_lines: Vec<&str> = green.unwrap_or("").lines().collect();
    let first = (0..blue_lines.len().max(green_lines.len())).find(|&i| blue_lines.get(i) != green_lines.get(i)).unwrap_or(0);
    let show = |value: Option<&str>, lines: &[&str]| match (value, lines.get(first)) {
        (None, _) => ABSENT.to_string(),
        (Some(_), Some(line)) => format!("line {}: {}", first + 1, cut(&redact::display_line(line))),
        (Some(_), None) => format!("{} lines, no line {}", lines.len(), first + 1),
    };
    (show(blue, &blue_lines), show(green, &green_lines))
}

// ---- Secrets ---------------------------------------------------------------------------------

fn compare_secrets(inputs: &Inputs, blue_n: &Normalizer, green_n: &Normalizer, out: &mut Comparison) {
    let cause = DriftCause::SecretsMismatch;
    let blue_refs = secret_names(inputs.blue.workloads);
    let green_refs = secret_names(inputs.green.workloads);
    if blue_refs.is_empty() && green_refs.is_empty() {
        out.note_not_applicable(cause, "neither environment's pods reference a Secret".to_string());
        return;
    }

    for (blue_name, green_name) in pair_names(&blue_refs, &green_refs, blue_n, green_n) {
        if blue_name == green_name {
            out.note_compared(cause, format!("Secret `{blue_name}` is shared by both environments"));
            continue;
        }
        let objects = vec![object("Secret", &blue_name), object("Secret", &green_name)];
        let unread = SecretData::Unreadable("not read".to_string());
        let blue_data = inputs.secrets.get(&blue_name).unwrap_or(&unread);
        let green_data = inputs.secrets.get(&green_name).unwrap_or(&unread);
        match (blue_data, green_data) {
            (SecretData::Unreadable(reason), _) => out.note_unseen(cause, format!("Secret `{blue_name}`: {reason}")),
            (_, SecretData::Unreadable(reason)) => out.note_unseen(cause, format!("Secret `{green_name}`: {reason}")),
            (SecretData::Missing, SecretData::Missing) => {
                out.differ(cause, Severity::Fail, "Secret".into(), format!("(`{blue_name}` does not exist)"), format!("(`{green_name}` does not exist)"), objects)
            }
            (SecretData::Missing, _) => out.differ(cause, Severity::Fail, "Secret".into(), format!("(`{blue_name}` does not exist)"), format!("{green_name} exists"), objects),
            (_, SecretData::Missing) => out.differ(cause, Severity::Fail, "Secret".into(), format!("{blue_name} exists"), format!("(`{green_name}` does not exist)"), objects),
            (SecretData::Digests(blue), SecretData::Digests(green)) => {
                compare_digests(&blue_name, &green_name, blue, green, objects, out);
            }
        }
    }
}

fn compare_digests(blue_name: &str, green_name: &str, blue: &[(String, String)], green: &[(String, String)], objects: Vec<ObjectName>, out: &mut Comparison) {
    let cause = DriftCause::SecretsMismatch;
    let blue: BTreeMap<&str, &str> = blue.iter().map(|(k, d)| (k.as_str(), d.as_str())).collect();
    let green: BTreeMap<&str, &str> = green.iter().map(|(k, d)| (k.as_str(), d.as_str())).collect();
    let keys: BTreeSet<&str> = blue.keys().chain(green.keys()).copied().collect();
    let mut differing = 0;
    for key in &keys {
        let shown = match (blue.get(key), green.get(key)) {
            (Some(b), Some(g)) if b == g => continue,
            (Some(_), Some(_)) => (redact::REDACTED.to_string(), format!("{} (another value)", redact::REDACTED)),
            (Some(_), None) => (redact::REDACTED.to_string(), ABSENT.to_string()),
            (None, Some(_)) => (ABSENT.to_string(), redact::REDACTED.to_string()),
            (None, None) => continue,
        };
        differing += 1;
        out.differ(cause, Severity::Fail, format!("Secret key `{key}`"), shown.0, shown.1, objects.clone());
    }
    out.note_compared(cause, format!("Secrets `{blue_name}` and `{green_name}`: {} compared by digest, {differing} differ", count(keys.len(), "key", "keys")));
}

// ---- Pod templates ---------------------------------------------------------------------------

fn compare_workloads(inputs: &Inputs, blue_n: &Normalizer, green_n: &Normalizer, out: &mut Comparison) {
    let template_causes = [DriftCause::EnvironmentVariableDrift, DriftCause::ModelMountDifferent];
    let (blue, green) = (inputs.blue.workloads, inputs.green.workloads);
    if blue.is_empty() || green.is_empty() {
        let missing: Vec<&str> = [(blue, "blue"), (green, "green")].iter().filter(|(w, _)| w.is_empty()).map(|(_, e)| *e).collect();
        for cause in template_causes {
            out.note_not_applicable(cause, format!("no Deployment or pod of {} to compare", missing.join(" or ")));
        }
        return;
    }

    // One workload a side pairs whatever the names; more pair by their normalised names.
    let pairs: Vec<(&Workload, &Workload)> = if blue.len() == 1 && green.len() == 1 {
        vec![(&blue[0], &green[0])]
    } else {
        let green_by_normal: BTreeMap<String, &Workload> = green.iter().map(|w| (green_n.normalize(&w.name), w)).collect();
        let blue_by_normal: BTreeMap<String, &Workload> = blue.iter().map(|w| (blue_n.normalize(&w.name), w)).collect();
        for (normal, workload) in &blue_by_normal {
            if !green_by_normal.contains_key(normal) {
                let objects = vec![object(workload.kind, &workload.name)];
                out.differ(DriftCause::EnvironmentVariableDrift, Severity::Warn, format!("{} `{}`", workload.kind, workload.name), "present".into(), ABSENT.into(), objects);
            }
        }
        for (normal, workload) in &green_by_normal {
            if !blue_by_normal.contains_key(normal) {
                let objects = vec![object(workload.kind, &workload.name)];
                out.differ(DriftCause::EnvironmentVariableDrift, Severity::Warn, format!("{} `{}`", workload.kind, workload.name), ABSENT.into(), "present".into(), objects);
            }
        }
        blue_by_normal.iter().filter_map(|(normal, b)| green_by_normal.get(normal).map(|g| (*b, *g))).collect()
    };

    for (blue_workload, green_workload) in pairs {
        let pair = TemplatePair {
            objects: vec![object(blue_workload.kind, &blue_workload.name), object(green_workload.kind, &green_workload.name)],
            names: format!("{} `{}` and `{}`", blue_workload.kind, blue_workload.name, green_workload.name),
            blue: &blue_workload.template,
            green: &green_workload.template,
            blue_n,
            green_n,
            model_path: inputs.model_path.trim_end_matches('/'),
        };
        pair.compare(out);
    }
}

/// Two pod templates that should be the same apart from intentional differences.
struct TemplatePair<'a> {
    objects: Vec<ObjectName>,
    names: String,
    blue: &'a PodTemplate,
    green: &'a PodTemplate,
    blue_n: &'a Normalizer<'a>,
    green_n: &'a Normalizer<'a>,
    model_path: &'a str,
}

impl TemplatePair<'_> {
    fn compare(&self, out: &mut Comparison) {
        let mut counts = Counts::default();
        self.compare_model_versions(out, &mut counts);
        self.compare_containers(out, &mut counts);
        self.compare_volumes(out);
        self.compare_pull_secrets(out);
        out.note_compared(
            DriftCause::EnvironmentVariableDrift,
            format!(
                "{}: {} and {} compared",
                self.names,
                count(counts.containers, "container", "containers"),
                count(counts.variables, "environment variable", "environment variables")
            ),
        );
        if counts.model_items == 0 {
            out.note_not_applicable(
                DriftCause::ModelMountDifferent,
                format!("{}: no volume mounted at `{}` and no model version label or annotation", self.names, self.model_path),
            );
        } else {
            out.note_compared(
                DriftCause::ModelMountDifferent,
                format!("{}: {} compared", self.names, count(counts.model_items, "model mount or version", "model mounts and versions")),
            );
        }
    }

    fn differ(&self, out: &mut Comparison, cause: DriftCause, severity: Severity, subject: String, blue: String, green: String) {
        out.differ(cause, severity, subject, blue, green, self.objects.clone());
    }

    fn compare_model_versions(&self, out: &mut Comparison, counts: &mut Counts) {
        let versions = |template: &PodTemplate| -> BTreeMap<String, String> {
            let labels = template.metadata.labels.iter().map(|(k, v)| (format!("label `{k}`"), k, v));
            let annotations = template.metadata.annotations.iter().map(|(k, v)| (format!("annotation `{k}`"), k, v));
            labels
                .chain(annotations)
                .filter(|(_, key, _)| key.to_ascii_lowercase().contains("model-version"))
                .map(|(subject, _, value)| (subject, value.clone()))
                .collect()
        };
        let blue = versions(self.blue);
        let green = versions(self.green);
        let subjects: BTreeSet<&String> = blue.keys().chain(green.keys()).collect();
        for subject in subjects {
            counts.model_items += 1;
            let (b, g) = (blue.get(subject), green.get(subject));
            if b == g {
                continue;
            }
            let show = |v: Option<&String>| v.cloned().unwrap_or_else(|| ABSENT.to_string());
            self.differ(out, DriftCause::ModelMountDifferent, Severity::Fail, format!("model version {subject}"), show(b), show(g));
        }
    }

    fn compare_containers(&self, out: &mut Comparison, counts: &mut Counts) {
        let lists = [("container", &self.blue.spec.containers, &self.green.spec.containers), ("init container", &self.blue.spec.init_containers, &self.green.spec.init_containers)];
        for (what, blue, green) in lists {
            let names: BTreeSet<&String> = blue.iter().chain(green.iter()).map(|c| &c.name).collect();
            for name in names {
                let subject = format!("{what} `{name}`");
                match (blue.iter().find(|c| &c.name == name), green.iter().find(|c| &c.name == name)) {
                    (Some(b), Some(g)) => {
                        counts.containers += 1;
                        self.compare_container(&subject, b, g, out, counts);
                    }
                    (Some(_), None) => self.differ(out, DriftCause::EnvironmentVariableDrift, Severity::Warn, subject, "present".into(), ABSENT.into()),
                    (None, Some(_)) => self.differ(out, DriftCause::EnvironmentVariableDrift, Severity::Warn, subject, ABSENT.into(), "present".into()),
                    (None, None) => {}
                }
            }
        }
    }

    fn compare_container(&self, subject: &str, blue: &Container, green: &Container, out: &mut Comparison, counts: &mut Counts) {
        if blue.image != green.image {
            out.intend(format!("{subject} image"), blue.image.clone(), green.image.clone(), "the standby carries the next release");
        }
        self.compare_env(subject, &blue.env, &green.env, out, counts);
        self.compare_env_from(subject, blue, green, out);
        self.compare_model_mounts(subject, blue, green, out, counts);
    }

    fn compare_env(&self, subject: &str, blue: &[EnvVar], green: &[EnvVar], out: &mut Comparison, counts: &mut Counts) {
        let blue: BTreeMap<&str, &EnvVar> = blue.iter().map(|v| (v.name.as_str(), v)).collect();
        let green: BTreeMap<&str, &EnvVar> = green.iter().map(|v| (v.name.as_str(), v)).collect();
        let names: BTreeSet<&str> = blue.keys().chain(green.keys()).copied().collect();
        for name in names {
            counts.variables += 1;
            let what = format!("{subject} env `{name}`");
            let (b, g) = (blue.get(name), green.get(name));
            let shown = |v: Option<&&EnvVar>| v.map(|v| show_env(v)).unwrap_or_else(|| "(unset)".to_string());
            let (Some(b), Some(g)) = (b, g) else {
                self.differ(out, DriftCause::EnvironmentVariableDrift, Severity::Warn, what, shown(b), shown(g));
                continue;
            };
            let raw_equal = b.value == g.value && b.value_from == g.value_from;
            if raw_equal {
                continue;
            }
            if env_key(b, self.blue_n) == env_key(g, self.green_n) {
                let reason = if b.value.is_some() { "the value is the environment's own name" } else { "each environment reads its own copy" };
                out.intend(what, show_env(b), show_env(g), reason);
                continue;
            }
            self.differ(out, DriftCause::EnvironmentVariableDrift, Severity::Warn, what, show_env(b), show_env(g));
        }
    }

    fn compare_env_from(&self, subject: &str, blue: &Container, green: &Container, out: &mut Comparison) {
        let sources = |container: &Container, normalizer: &Normalizer| -> BTreeMap<String, (String, DriftCause)> {
            let mut sources = BTreeMap::new();
            for source in &container.env_from {
                let prefix = source.prefix.as_deref().map(|p| format!(" with prefix `{p}`")).unwrap_or_default();
                if let Some(r) = &source.config_map_ref {
                    let key = format!("configMapRef {}{prefix}", normalizer.normalize(&r.name));
                    sources.insert(key, (format!("configMapRef {}{prefix}", r.name), DriftCause::ConfigMapNotSynced));
                }
                if let Some(r) = &source.secret_ref {
                    let key = format!("secretRef {}{prefix}", normalizer.normalize(&r.name));
                    sources.insert(key, (format!("secretRef {}{prefix}", r.name), DriftCause::SecretsMismatch));
                }
            }
            sources
        };
        let blue = sources(blue, self.blue_n);
        let green = sources(green, self.green_n);
        let keys: BTreeSet<&String> = blue.keys().chain(green.keys()).collect();
        for key in keys {
            let what = format!("{subject} envFrom");
            match (blue.get(key), green.get(key)) {
                (Some((b, _)), Some((g, _))) if b != g => out.intend(what, b.clone(), g.clone(), "each environment reads its own copy"),
                (Some(_), Some(_)) => {}
                (Some((b, cause)), None) => self.differ(out, *cause, severity_of(*cause), what, b.clone(), ABSENT.into()),
                (None, Some((g, cause))) => self.differ(out, *cause, severity_of(*cause), what, ABSENT.into(), g.clone()),
                (None, None) => {}
            }
        }
    }

    fn compare_model_mounts(&self, subject: &str, blue: &Container, green: &Container, out: &mut Comparison, counts: &mut Counts) {
        let mounts = |container: &Container, template: &PodTemplate, normalizer: &Normalizer| -> BTreeMap<String, (String, String)> {
            container
                .volume_mounts
                .iter()
                .filter(|m| is_model_path(&m.mount_path, self.model_path))
                .map(|m| {
                    let volume = template.spec.volumes.iter().find(|v| v.name == m.name);
                    let shown = describe_mount(m, volume, &|name: &str| name.to_string());
                    let normal = describe_mount(m, volume, &|name: &str| normalizer.normalize(name));
                    (m.mount_path.clone(), (shown, normal))
                })
                .collect()
        };
        let blue = mounts(blue, self.blue, self.blue_n);
        let green = mounts(green, self.green, self.green_n);
        let paths: BTreeSet<&String> = blue.keys().chain(green.keys()).collect();
        for path in paths {
            counts.model_items += 1;
            let what = format!("{subject} model mount `{path}`");
            match (blue.get(path), green.get(path)) {
                (Some((b, b_normal)), Some((g, g_normal))) if b_normal == g_normal => {
                    if b != g {
                        out.intend(what, b.clone(), g.clone(), "each environment mounts its own copy");
                    }
                }
                (b, g) => {
                    let show = |v: Option<&(String, String)>| v.map(|(shown, _)| shown.clone()).unwrap_or_else(|| ABSENT.to_string());
                    self.differ(out, DriftCause::ModelMountDifferent, Severity::Fail, what, show(b), show(g));
                }
            }
        }
    }

    /// Compares the ConfigMap and Secret volumes by volume name; the data inside is compared
    /// with the ConfigMaps and Secrets themselves.
    fn compare_volumes(&self, out: &mut Comparison) {
        let sources = |template: &PodTemplate, normalizer: &Normalizer| -> BTreeMap<String, (String, String, DriftCause)> {
            template
                .spec
                .volumes
                .iter()
                .filter_map(|v| {
                    let (kind, name, cause) = match (&v.config_map, &v.secret) {
                        (Some(c), _) => ("ConfigMap", c.name.as_str(), DriftCause::ConfigMapNotSynced),
                        (_, Some(s)) => ("Secret", s.secret_name.as_str(), DriftCause::SecretsMismatch),
                        _ => return None,
                    };
                    Some((normalizer.normalize(&v.name), (format!("{kind} {name}"), format!("{kind} {}", normalizer.normalize(name)), cause)))
                })
                .collect()
        };
        let blue = sources(self.blue, self.blue_n);
        let green = sources(self.green, self.green_n);
        let volumes: BTreeSet<&String> = blue.keys().chain(green.keys()).collect();
        for volume in volumes {
            let what = format!("volume `{volume}`");
            match (blue.get(volume), green.get(volume)) {
                (Some((b, b_normal, _)), Some((g, g_normal, _))) if b_normal == g_normal => {
                    if b != g {
                        out.intend(what, b.clone(), g.clone(), "each environment mounts its own copy");
                    }
                }
                (Some((b, _, cause)), Some((g, _, _))) => self.differ(out, *cause, severity_of(*cause), what, b.clone(), g.clone()),
                (Some((b, _, cause)), None) => self.differ(out, *cause, severity_of(*cause), what, b.clone(), ABSENT.into()),
                (None, Some((g, _, cause))) => self.differ(out, *cause, severity_of(*cause), what, ABSENT.into(), g.clone()),
                (None, None) => {}
            }
        }
    }

    fn compare_pull_secrets(&self, out: &mut Comparison) {
        let names = |template: &PodTemplate, normalizer: &Normalizer| -> BTreeMap<String, String> {
            template.spec.image_pull_secrets.iter().map(|s| (normalizer.normalize(&s.name), s.name.clone())).collect()
        };
        let blue = names(self.blue, self.blue_n);
        let green = names(self.green, self.green_n);
        if blue.keys().eq(green.keys()) {
            return;
        }
        let join = |names: &BTreeMap<String, String>| {
            if names.is_empty() { "(none)".to_string() } else { names.values().cloned().collect::<Vec<_>>().join(", ") }
        };
        self.differ(out, DriftCause::SecretsMismatch, Severity::Fail, "image pull secrets".into(), join(&blue), join(&green));
    }
}

/// Counts of what one template pair compared.
#[derive(Default)]
struct Counts {
    containers: usize,
    variables: usize,
    model_items: usize,
}

fn severity_of(cause: DriftCause) -> Severity {
    match cause {
        DriftCause::ConfigMapNotSynced | DriftCause::EnvironmentVariableDrift => Severity::Warn,
        DriftCause::ModelMountDifferent | DriftCause::SecretsMismatch => Severity::Fail,
    }
}

fn is_model_path(mount_path: &str, model_path: &str) -> bool {
    let mount_path = mount_path.trim_end_matches('/');
    !model_path.is_empty() && (mount_path == model_path || mount_path.starts_with(&format!("{model_path}/")))
}

/// Describes where a mount's data comes from, naming objects through `name`.
fn describe_mount(mount: &VolumeMount, volume: Option<&Volume>, name: &dyn Fn(&str) -> String) -> String {
    let mut text = match volume {
        None => format!("volume `{}` (not defined)", mount.name),
        Some(v) => match (&v.persistent_volume_claim, &v.config_map, &v.secret) {
            (Some(claim), _, _) => format!("PVC {}", name(&claim.claim_name)),
            (_, Some(c), _) => format!("ConfigMap {}", name(&c.name)),
            (_, _, Some(s)) => format!("Secret {}", name(&s.secret_name)),
            _ => match v.other.iter().next() {
                Some((source, spec)) => format!("{source} {}", name(&spec.to_string())),
                None => "a volume of unknown type".to_string(),
            },
        },
    };
    if let Some(sub_path) = &mount.sub_path {
        text.push_str(&format!(", subPath {}", name(sub_path)));
    }
    if mount.read_only == Some(true) || volume.and_then(|v| v.persistent_volume_claim.as_ref()).and_then(|c| c.read_only) == Some(true) {
        text.push_str(", read-only");
    }
    text
}

/// Shows an environment variable's value: the literal redacted where it looks like a
/// credential, or the reference it reads.
fn show_env(var: &EnvVar) -> String {
    match (&var.value, &var.value_from) {
        (Some(value), _) => cut(&redact::display_value(&var.name, value)),
        (None, Some(from)) => describe_value_from(from, &|name: &str| name.to_string()),
        (None, None) => String::new(),
    }
}

/// Returns what an environment variable compares by: the normalised literal or reference.
fn env_key(var: &EnvVar, normalizer: &Normalizer) -> String {
    match (&var.value, &var.value_from) {
        (Some(value), _) => format!("value {}", normalizer.normalize(value)),
        (None, Some(from)) => describe_value_from(from, &|name: &str| normalizer.normalize(name)),
        (None, None) => String::new(),
    }
}

/// Describes a `valueFrom` reference, naming ConfigMaps and Secrets through `name`.
fn describe_value_from(from: &serde_json::Value, name: &dyn Fn(&str) -> String) -> String {
    let text = |pointer: &str| from.pointer(pointer).and_then(|v| v.as_str()).unwrap_or("");
    if from.get("configMapKeyRef").is_some() {
        format!("from ConfigMap {} key {}", name(text("/configMapKeyRef/name")), text("/configMapKeyRef/key"))
    } else if from.get("secretKeyRef").is_some() {
        format!("from Secret {} key {}", name(text("/secretKeyRef/name")), text("/secretKeyRef/key"))
    } else if from.get("fieldRef").is_some() {
        format!("from field {}", text("/fieldRef/fieldPath"))
    } else if from.get("resourceFieldRef").is_some() {
        format!("from resource {}", text("/resourceFieldRef/resource"))
    } else {
        format!("from {from}")
    }
}

#[cfg(test)]
mod tests;
