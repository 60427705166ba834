//! The report as `-o json` and `-o yaml` write it. The contract fields are
//! `symptoms[].id/status`, `findings[].probe/symptom/cause/outcome` and `probes[].id/status`;
//! the rest is there to be read by people and tools, with camelCase names as in Kubernetes.

use serde::Serialize;

use super::status::{Outcome, Status};
use crate::host::loader::Origin;
use crate::host::runner::{Failure, RunStats};
use crate::host::state::LogLine;

/// A diagnosis.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// `ggcore.io/v1alpha1`.
    pub api_version: &'static str,
    /// `Diagnosis`.
    pub kind: &'static str,
    /// The plugin that wrote it.
    pub tool: Tool,
    /// What was diagnosed.
    pub source: SourceInfo,
    /// The namespace GG-CORE runs in.
    pub namespace: String,
    /// The worst symptom status.
    pub status: Status,
    /// The exit code of `diagnose`.
    pub exit_code: i32,
    /// True when something could not be read or a probe failed: the report covers less than
    /// the cluster.
    pub partial: bool,
    /// The symptom map, in the guide's order.
    pub symptoms: Vec<SymptomReport>,
    /// The Health Status Matrix.
    pub health: Vec<HealthRow>,
    /// Every finding of every probe.
    pub findings: Vec<FindingReport>,
    /// Every probe that was run.
    pub probes: Vec<ProbeReport>,
    /// What could not be read, with the reason.
    pub unseen: Vec<Unseen>,
    /// Kinds the probes asked for and found no object of; in a live run, with the namespace
    /// listed (`Pod in \`kube-system\``) when the list was not cluster-wide.
    pub empty_kinds: Vec<String>,
    /// Files skipped and other notices.
    pub warnings: Vec<String>,
    /// Input that could not be read, such as snapshot files that do not parse.
    pub errors: Vec<String>,
}

/// The plugin's versions.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    /// The plugin's version.
    pub version: &'static str,
    /// The WIT versions it serves.
    pub wit_versions: Vec<String>,
    /// The wasmtime version.
    pub wasmtime: &'static str,
}

/// What was diagnosed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceInfo {
    /// `snapshot` or `live`.
    pub mode: &'static str,
    /// The snapshot path, or the context and server.
    pub location: String,
    /// The snapshot's layout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
    /// When the state was observed (RFC 3339).
    pub observed_at: String,
}

/// One symptom of the map.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SymptomReport {
    /// The contract id.
    pub id: &'static str,
    /// The guide's name for it.
    pub title: &'static str,
    /// The status.
    pub status: Status,
    /// The worst cause found, for a degraded or critical symptom.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub likely_issue: Option<LikelyIssue>,
    /// The guide's first command, with the run's namespace and the profile's names.
    pub first_command: String,
    /// How many findings of each outcome fed it.
    pub outcomes: OutcomeCounts,
}

/// The cause behind a symptom.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LikelyIssue {
    /// The cause id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// The guide's name for the cause, or its likely issue.
    pub title: String,
    /// The finding's summary.
    pub summary: String,
    /// The probe that found it.
    pub probe: String,
}

/// Counts of findings per outcome.
#[derive(Debug, Default, Serialize)]
pub struct OutcomeCounts {
    /// `fail` findings.
    pub fail: usize,
    /// `warn` findings.
    pub warn: usize,
    /// `inconclusive` findings.
    pub inconclusive: usize,
    /// `pass` findings.
    pub pass: usize,
    /// `skip` findings.
    pub skip: usize,
}

/// A row of the Health Status Matrix.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthRow {
    /// `Pods`, `Health`, `Metrics` or `IPC`.
    pub check: &'static str,
    /// The status.
    pub status: Status,
    /// What decided it.
    pub detail: String,
}

/// A finding, with the probe that reported it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingReport {
    /// The probe's id.
    pub probe: String,
    /// The symptom id.
    pub symptom: String,
    /// The cause id.
    pub cause: Option<String>,
    /// The outcome.
    pub outcome: Outcome,
    /// The one-line summary.
    pub summary: String,
    /// Evidence lines.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// The objects involved.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ObjectRef>,
    /// What to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    /// The GG-CORE error code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The command that prints the error code's reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The next command to run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_command: Option<String>,
    /// The bundle the probe came from, for probes from bundles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<BundleRef>,
}

/// An object a finding is about.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    /// The kind.
    pub kind: String,
    /// The namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// The field pointed at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The bundle a probe came from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleRef {
    /// The bundle's name.
    pub name: String,
    /// The bundle's version.
    pub version: String,
    /// The signing key's id; `None` for an unsigned bundle.
    pub key_id: Option<String>,
}

/// A probe that was run.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeReport {
    /// The probe's id.
    pub id: String,
    /// `ok`, or `error` when it failed; its symptoms then carry an `inconclusive` finding.
    pub status: &'static str,
    /// The title.
    pub title: String,
    /// The probe's version.
    pub version: String,
    /// Where it came from.
    pub origin: Origin,
    /// True for a probe that no trusted key signed (`--probe` or an unsigned bundle).
    pub unsigned: bool,
    /// The WIT version it was built for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wit_version: Option<String>,
    /// The component's SHA-256.
    pub sha256: String,
    /// How it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// The symptoms it feeds.
    pub symptoms: Vec<String>,
    /// How many findings it returned.
    pub findings: usize,
    /// Costs.
    pub stats: RunStats,
    /// What it logged.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<LogLine>,
    /// Bytes of log dropped past the cap.
    #[serde(skip_serializing_if = "is_zero")]
    pub log_dropped_bytes: usize,
}

fn is_zero(value: &usize) -> bool {
    *value == 0
}

/// Something that could not be read.
#[derive(Debug, Serialize)]
pub struct Unseen {
    /// What.
    pub what: String,
    /// Why.
    pub reason: String,
}
