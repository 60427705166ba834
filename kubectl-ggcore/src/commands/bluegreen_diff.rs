//! `kubectl ggcore bluegreen diff`: the differences between the blue and the green
//! environment, from the comparison the `bluegreen-drift` probe reports
//! (`ggcore_probe_sdk::compare`), so that the command and `diagnose` never disagree.
//!
//! It reads through the run's [`Reader`] like the probes do, and reads Secrets only as the
//! digests [`Reader::secret_digests`] returns. The comparison redacts values that look like
//! credentials. The exit code follows `diagnose`: 3 when a difference is critical, 4
//! when all are warnings, 5 when nothing differs but something could not be compared, 0
//! otherwise.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::anyhow;
use ggcore_probe_sdk::Kind;
use ggcore_probe_sdk::bluegreen::{self, BLUE, GREEN, Membership, Roles};
use ggcore_probe_sdk::compare::{self, Comparison, DriftCause, Inputs, SecretData, Severity, Side};
use ggcore_probe_sdk::views::{ConfigMap, Deployment, Pod, Resource, Service, VeritasEnvironment};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::session::Session;
use super::{CommandResult, failed, usage};
use crate::flags::args::{BluegreenDiffArgs, GlobalArgs, OutputFormat};
use crate::report::status::exit;
use crate::source::{KindQuery, ReadError, Reader};

/// The profile setting that names where the model is mounted, as the probe reads it.
const MODEL_PATH_SETTING: &str = "model-path";

/// The default model path of GG-CORE (`--model-dir=/models`).
const DEFAULT_MODEL_PATH: &str = "/models";

/// The JSON and YAML form of the command's output.
#[derive(Serialize)]
struct DiffReport<'a> {
    namespace: &'a str,
    active: Option<&'static str>,
    standby: Option<&'static str>,
    roles: &'a str,
    exit_code: i32,
    #[serde(flatten)]
    comparison: &'a Comparison,
}

/// Compares blue and green and prints the differences.
///
/// # Errors
///
/// Exit code 2 for bad flags or profile selectors, 1 when the state cannot be read.
pub async fn run(global: &GlobalArgs, args: &BluegreenDiffArgs) -> CommandResult {
    let session = Session::open(global, &args.source, false).await?;
    let profile = &session.profile;
    let reader = &session.reader;
    let namespace = profile.namespace.as_str();
    let membership = Membership::new(&profile.app_selector, &profile.canary_selector, &profile.environment_label)
        .map_err(|e| usage(anyhow!("the profile's selectors do not parse: {e}")))?;

    let deployments: Vec<Deployment> = list(reader, namespace, None).await?;
    let pods: Vec<Pod> = list(reader, namespace, Some(&profile.app_selector)).await?;
    let config_maps: Vec<ConfigMap> = list(reader, namespace, None).await?;
    let blue_workloads = membership.workloads(&deployments, &pods, BLUE);
    let green_workloads = membership.workloads(&deployments, &pods, GREEN);

    let names: BTreeSet<String> = compare::secret_names(&blue_workloads).into_iter().chain(compare::secret_names(&green_workloads)).collect();
    let mut secrets = BTreeMap::new();
    for name in names {
        let data = match reader.secret_digests(namespace, &name).await {
            Ok(digests) => SecretData::Digests(digests),
            Err(ReadError::NotFound(_)) => SecretData::Missing,
            Err(error) => SecretData::Unreadable(error.to_string()),
        };
        secrets.insert(name, data);
    }

    let model_path = profile.settings.iter().find(|(k, _)| k == MODEL_PATH_SETTING).map(|(_, v)| v.as_str()).unwrap_or(DEFAULT_MODEL_PATH);
    let comparison = compare::compare(&Inputs {
        blue: Side { environment: BLUE, config_map: &profile.blue_config_map, workloads: &blue_workloads },
        green: Side { environment: GREEN, config_map: &profile.green_config_map, workloads: &green_workloads },
        config_maps: &config_maps,
        secrets: &secrets,
        model_path,
    });

    // The roles only label the output, so an unreadable VeritasEnvironment or Service leaves
    // them unknown instead of failing the command.
    let environments: Vec<VeritasEnvironment> = list(reader, namespace, None).await.unwrap_or_default();
    let service: Option<Service> = get(reader, namespace, &profile.service).await;
    let roles = bluegreen::roles(environments.first(), service.as_ref(), &profile.environment_label);

    let exit_code = exit_code(&comparison);
    let report = DiffReport { namespace, active: roles.active, standby: roles.standby, roles: &roles.reason, exit_code, comparison: &comparison };
    let text = match args.output {
        OutputFormat::Json => serde_json::to_string_pretty(&report).map_err(failed)? + "\n",
        OutputFormat::Yaml => serde_yaml::to_string(&report).map_err(failed)?,
        OutputFormat::Table => render(&comparison, &roles, namespace, false),
        OutputFormat::Wide => render(&comparison, &roles, namespace, true),
    };
    print!("{text}");
    Ok(exit_code)
}

/// Returns the exit code: the worst difference, else whether everything could be compared.
fn exit_code(comparison: &Comparison) -> i32 {
    match comparison.differences.iter().map(|d| d.severity).max() {
        Some(Severity::Fail) => exit::CRITICAL,
        Some(Severity::Warn) => exit::DEGRADED,
        None if !comparison.unseen.is_empty() => exit::INCONCLUSIVE,
        None => exit::HEALTHY,
    }
}

/// Lists the objects of `T`'s kind in `namespace` through the shared read path.
async fn list<T: Resource + DeserializeOwned>(reader: &Reader, namespace: &str, labels: Option<&str>) -> Result<Vec<T>, super::CommandError> {
    let kind = query(T::KIND);
    let json = reader
        .list(&kind, Some(namespace), labels, None)
        .await
        .map_err(|e| failed(anyhow!("cannot list {kind} in namespace `{namespace}`: {e}")))?;
    serde_json::from_str(&json).map_err(|e| failed(anyhow!("a {kind} in namespace `{namespace}` does not parse: {e}")))
}

/// Gets one object; `None` when it is missing or unreadable.
async fn get<T: Resource + DeserializeOwned>(reader: &Reader, namespace: &str, name: &str) -> Option<T> {
    let json = reader.get(&query(T::KIND), Some(namespace), name).await.ok()?;
    serde_json::from_str(&json).ok()
}

fn query(kind: Kind) -> KindQuery {
    KindQuery { group: kind.group.map(str::to_string), kind: kind.kind.to_string() }
}

/// Renders the comparison as text: the differences as a table, then the intentional
/// differences, what could not be compared and what had nothing to compare; `wide` adds what
/// was compared.
fn render(comparison: &Comparison, roles: &Roles, namespace: &str, wide: bool) -> String {
    let mut out = String::new();
    let serving = match (roles.active, roles.standby) {
        (Some(active), Some(standby)) => format!("{active} serves, {standby} is the standby"),
        _ => "which environment serves is unknown".to_string(),
    };
    let _ = writeln!(out, "Blue-green differences in namespace `{namespace}`: {serving} ({}).\n", roles.reason);

    if comparison.differences.is_empty() {
        let scope = if comparison.not_applicable.is_empty() && comparison.unseen.is_empty() { "" } else { " in what could be compared (see below)" };
        let _ = writeln!(out, "No drift between blue and green{scope}.");
    } else {
        let header = ["CAUSE", "SEVERITY", "WHAT", "BLUE", "GREEN"];
        let rows: Vec<[String; 5]> = comparison
            .differences
            .iter()
            .map(|d| {
                let severity = match d.severity {
                    Severity::Fail => "critical",
                    Severity::Warn => "warning",
                };
                [d.cause.id().to_string(), severity.to_string(), d.subject.clone(), d.blue.clone(), d.green.clone()]
            })
            .collect();
        let widths: Vec<usize> = (0..header.len())
            .map(|i| rows.iter().map(|r| r[i].chars().count()).chain([header[i].len()]).max().unwrap_or(0))
            .collect();
        let line = |cells: &[&str]| {
            let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
            padded.join("  ").trim_end().to_string()
        };
        let _ = writeln!(out, "{}", line(&header));
        for row in &rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            let _ = writeln!(out, "{}", line(&cells));
        }
    }

    if !comparison.intentional.is_empty() {
        let _ = writeln!(out, "\nIntentional differences (not drift):");
        for intentional in &comparison.intentional {
            let _ = writeln!(out, "  {}", intentional.describe());
        }
    }
    write_by_cause(&mut out, "Could not compare", &comparison.unseen);
    // Shown always, so that "no drift" never hides a missing ConfigMap or Secret.
    write_by_cause(&mut out, "Nothing to compare", &comparison.not_applicable);
    if wide {
        write_by_cause(&mut out, "Compared", &comparison.compared);
    }
    out
}

fn write_by_cause(out: &mut String, title: &str, lines: &BTreeMap<DriftCause, Vec<String>>) {
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}:");
    for (cause, lines) in lines {
        for line in lines {
            let _ = writeln!(out, "  {}: {line}", cause.id());
        }
    }
}
