//! Helpers of the guide's own commands (`deployment status`, `bluegreen inspect`, `health`,
//! `live`, `ready`): running the built-in probes on a session into a report, reading typed
//! objects through the session's reader, and grouping pods by environment.

use std::collections::BTreeMap;

use anyhow::anyhow;
use ggcore_probe_sdk::selector::Selector;
use ggcore_probe_sdk::views::{Kind, Pod, Resource};
use serde::Serialize;

use super::session::{self, Session};
use super::{CommandError, failed};
use crate::flags::args::{GlobalArgs, SourceArgs};
use crate::host::limits::Limits;
use crate::host::{builtin, runner};
use crate::report::{self, Report, Status};
use crate::source::{KindQuery, ReadError};

/// Opens the session and runs every built-in probe on it with the default limits.
///
/// # Errors
///
/// Exit code 1 when the state cannot be read or the engine cannot start, 2 for bad flags.
pub async fn diagnose(global: &GlobalArgs, source: &SourceArgs) -> Result<(Session, Report), CommandError> {
    let session = Session::open(global, source, false).await?;
    let engine = session::engine()?;
    let runs = runner::run_all(engine, builtin::sources(), session.reader.clone(), session.profile.clone(), Limits::default()).await;
    let report = report::build(&runs, session.run_info());
    Ok((session, report))
}

/// Lists the objects of `T`'s kind in the profile's namespace.
///
/// # Errors
///
/// Returns the read error; an object that does not fit the view is `invalid`.
pub async fn list<T: Resource>(session: &Session, labels: Option<&str>) -> Result<Vec<T>, ReadError> {
    list_in(session, T::KIND, Some(&session.profile.namespace), labels).await
}

/// Lists the objects of a kind in a namespace (all for `None`).
///
/// # Errors
///
/// As [`list`].
pub async fn list_in<T: serde::de::DeserializeOwned>(session: &Session, kind: Kind, namespace: Option<&str>, labels: Option<&str>) -> Result<Vec<T>, ReadError> {
    let query = KindQuery { group: kind.group.map(str::to_string), kind: kind.kind.to_string() };
    let json = session.reader.list(&query, namespace, labels, None).await?;
    serde_json::from_str(&json).map_err(|e| ReadError::Invalid(format!("a {} does not parse: {e}", kind.kind)))
}

/// Turns a read error into a tool failure that names what was read.
pub fn read_failed(what: &str, error: ReadError) -> CommandError {
    failed(anyhow!("cannot read {what}: {error}"))
}

/// The GG-CORE pods of one group: an environment, the canary, or pods with no environment.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodGroup {
    /// Pods that are Ready.
    pub ready: usize,
    /// All pods of the group.
    pub total: usize,
    /// The pods, each with its state in a few words.
    pub pods: Vec<PodLine>,
}

/// One pod in a few words.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodLine {
    /// The name.
    pub name: String,
    /// True when Ready.
    pub ready: bool,
    /// The phase, or the reason a container waits or ended (`CrashLoopBackOff`).
    pub state: String,
    /// The sum of container restarts.
    pub restarts: i64,
}

/// Returns a pod's state in one word: the first container waiting or terminated reason, else
/// the phase.
pub fn pod_state(pod: &Pod) -> String {
    let reason = pod.status.container_statuses.iter().chain(&pod.status.init_container_statuses).find_map(|s| {
        s.state
            .waiting
            .as_ref()
            .and_then(|w| w.reason.clone())
            .or_else(|| s.state.terminated.as_ref().and_then(|t| t.reason.clone()))
    });
    reason.unwrap_or_else(|| pod.phase().to_string())
}

/// Groups pods by environment label value; pods matching the canary selector are `canary`,
/// pods without the label `none`.
pub fn group_pods(pods: &[Pod], environment_label: &str, canary_selector: &str) -> BTreeMap<String, PodGroup> {
    let canary = Selector::parse(canary_selector).unwrap_or_default();
    let mut groups: BTreeMap<String, PodGroup> = BTreeMap::new();
    for pod in pods {
        let key = if !canary.requirements.is_empty() && canary.matches(&pod.metadata.labels) {
            "canary".to_string()
        } else {
            pod.metadata.labels.get(environment_label).cloned().unwrap_or_else(|| "none".to_string())
        };
        let group = groups.entry(key).or_default();
        group.total += 1;
        if pod.is_ready() {
            group.ready += 1;
        }
        group.pods.push(PodLine { name: pod.metadata.name.clone(), ready: pod.is_ready(), state: pod_state(pod), restarts: pod.restarts() });
    }
    groups
}

/// Returns the reasons a check is unknown: the summaries of the inconclusive
/// findings of a cause, or that no probe checked it.
pub fn unknown_reasons(report: &Report, cause: &str) -> Vec<String> {
    let reasons: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.cause.as_deref() == Some(cause) && f.outcome == report::Outcome::Inconclusive)
        .map(|f| f.summary.clone())
        .collect();
    if reasons.is_empty() { vec![format!("no probe could check `{cause}`")] } else { reasons }
}

/// Returns the exit code of `health` and `ready`: 0 for a healthy row, 1 otherwise.
pub fn row_exit_code(status: Status) -> i32 {
    if status == Status::Healthy { 0 } else { 1 }
}
