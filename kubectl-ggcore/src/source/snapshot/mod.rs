//! Snapshots: cluster state saved to files, read once at start-up into an in-memory store
//! that serves the probes' reads as a live cluster would.
//!
//! `files` reads the bytes (directory, file or `.tar.gz`), `layout` recognises how they are
//! arranged, `parse` turns them into objects. Files that are not Kubernetes objects are
//! skipped with a warning; files that do not parse are recorded as errors, and the run goes on
//! with the rest and is labelled partial.

mod files;
pub mod layout;
pub mod parse;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

use self::files::Entry;
use self::layout::{Layout, LogFile};
use self::parse::ParseError;
use super::error::ReadError;
use super::object::Object;
use super::recorded::{self, DnsRecord, HttpRecord, HttpTarget, Index, QueryRecord};

/// A loaded snapshot.
pub struct Snapshot {
    /// The path it was read from, for the report.
    pub origin: String,
    /// How its files are arranged.
    pub layout: Layout,
    /// The index of a collected snapshot; empty for other layouts.
    pub index: Index,
    /// When the state was observed: the index's time, else the newest timestamp in the objects.
    pub observed_at: Option<i64>,
    /// Files skipped, each with the reason.
    pub warnings: Vec<String>,
    /// Files that did not parse; their objects are missing from the run.
    pub errors: Vec<ParseError>,
    newest: Option<i64>,
    by_kind: HashMap<String, Vec<Arc<Object>>>,
    coverage: Option<BTreeSet<String>>,
    logs: Vec<(LogFile, String)>,
    secrets: BTreeMap<(String, String), Vec<(String, String)>>,
}

/// The fields whose timestamps tell when a snapshot was taken.
const TIME_FIELDS: [&str; 10] = [
    "creationTimestamp",
    "lastTimestamp",
    "firstTimestamp",
    "eventTime",
    "lastTransitionTime",
    "lastUpdateTime",
    "startedAt",
    "finishedAt",
    "startTime",
    "lastSwitchTime",
];

impl Snapshot {
    /// Loads a snapshot from a directory, a YAML or JSON file, or a `.tar.gz` archive.
    ///
    /// # Errors
    ///
    /// Fails when the path cannot be read, when a single-file snapshot does not parse, when a
    /// collected snapshot's index is broken, or when no Kubernetes object is found at all.
    pub fn load(path: &Path) -> Result<Snapshot> {
        let entries = files::read_entries(path)?;
        let layout = layout::detect(&entries);
        let origin = path.display().to_string();
        let mut snapshot = Snapshot {
            origin: origin.clone(),
            layout,
            index: Index::default(),
            observed_at: None,
            warnings: Vec::new(),
            errors: Vec::new(),
            newest: None,
            by_kind: HashMap::new(),
            coverage: None,
            logs: Vec::new(),
            secrets: BTreeMap::new(),
        };

        for entry in &entries {
            snapshot.read_entry(entry)?;
        }

        let objects: usize = snapshot.by_kind.values().map(Vec::len).sum();
        if objects == 0 && snapshot.secrets.is_empty() {
            if let [only] = snapshot.errors.as_slice() {
                bail!("{only}");
            }
            if snapshot.errors.is_empty() {
                bail!("no Kubernetes objects found in snapshot `{origin}`: expected YAML or JSON files of `kubectl get -o yaml` output");
            }
            bail!("no file of snapshot `{origin}` could be read; the first error: {}", snapshot.errors[0]);
        }

        snapshot.coverage = snapshot.coverage_of(&entries);
        snapshot.observed_at = snapshot
            .index
            .observed_at
            .as_deref()
            .and_then(ggcore_probe_sdk::units::parse_time)
            .or(snapshot.newest);
        Ok(snapshot)
    }

    fn read_entry(&mut self, entry: &Entry) -> Result<()> {
        let path = entry.path.as_str();
        if path == layout::INDEX_FILE {
            let index: Index = serde_json::from_slice(&entry.bytes).with_context(|| format!("reading the index `{path}` of a collected snapshot"))?;
            if index.format != recorded::FORMAT {
                bail!("snapshot index `{path}` has format `{}`; this plugin reads `{}`", index.format, recorded::FORMAT);
            }
            for secret in &index.secrets {
                self.secrets.insert((secret.namespace.clone(), secret.name.clone()), secret.digests.clone());
            }
            self.index = index;
            return Ok(());
        }
        if let Some(log) = layout::log_file(path, self.layout) {
            self.read_log(log, entry);
            return Ok(());
        }

        let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        match extension.as_str() {
            "yaml" | "yml" | "json" => self.read_objects(path, &entry.bytes, extension == "json"),
            _ if contains(&entry.bytes, DUMP_LOG_START) => self.read_dump_stream(entry),
            _ => self.warnings.push(format!("skipped `{path}`: not a YAML, JSON or log file")),
        }
        Ok(())
    }

    /// Parses a YAML or JSON file and keeps its objects; a parse error is recorded, the objects
    /// read before it are kept.
    fn read_objects(&mut self, path: &str, bytes: &[u8], json: bool) {
        let fallback = path
            .strip_prefix("cluster-resources/")
            .and_then(|rest| rest.split('/').next())
            .and_then(layout::support_bundle_kind);
        let (mut documents, mut skipped) = (0usize, 0usize);
        let mut objects = Vec::new();
        let mut secrets = Vec::new();
        let mut newest = self.newest;
        let mut sink = |value: Value| {
            documents += 1;
            newest_in(&value, &mut newest);
            match Object::from_value(value) {
                Some(object) if object.kind == "Secret" => secrets.push(object),
                Some(object) => objects.push(Arc::new(object)),
                None => skipped += 1,
            }
        };
        let result = if json { parse::read_json(path, bytes, fallback, &mut sink) } else { parse::read_yaml(path, bytes, fallback, &mut sink) };
        self.newest = newest;
        if let Err(error) = result {
            self.errors.push(error);
        }
        for secret in &secrets {
            self.add_secret(secret);
        }
        for object in objects {
            self.by_kind.entry(object.kind.clone()).or_default().push(object);
        }
        if skipped > 0 && skipped == documents {
            self.warnings.push(format!("skipped `{path}`: not a Kubernetes object (no `apiVersion`, `kind` and `metadata.name`)"));
        } else if skipped > 0 {
            self.warnings.push(format!("skipped {skipped} of {documents} documents in `{path}`: not Kubernetes objects"));
        }
    }

    /// Keeps only digests of a Secret's data: values never reach a probe or a report.
    fn add_secret(&mut self, secret: &Object) {
        let mut digests = Vec::new();
        let value = secret.value();
        if let Some(data) = value.get("data").and_then(Value::as_object) {
            for (key, value) in data {
                let decoded = base64::engine::general_purpose::STANDARD.decode(value.as_str().unwrap_or("")).unwrap_or_default();
                digests.push((key.clone(), hex::encode(Sha256::digest(&decoded))));
            }
        }
        if let Some(data) = value.get("stringData").and_then(Value::as_object) {
            for (key, value) in data {
                digests.push((key.clone(), hex::encode(Sha256::digest(value.as_str().unwrap_or("").as_bytes()))));
            }
        }
        digests.sort();
        let namespace = secret.namespace.clone().unwrap_or_default();
        self.secrets.insert((namespace, secret.name.clone()), digests);
    }

    fn read_log(&mut self, log: LogFile, entry: &Entry) {
        let text = String::from_utf8_lossy(&entry.bytes).into_owned();
        if log.container.is_none() && contains(&entry.bytes, DUMP_LOG_START) {
            self.logs.extend(split_dump_logs(&text));
        } else {
            self.logs.push((log, text));
        }
    }

    /// Reads the stdout form of `kubectl cluster-info dump`: JSON lists with log sections between them.
    fn read_dump_stream(&mut self, entry: &Entry) {
        let text = String::from_utf8_lossy(&entry.bytes);
        let mut json = String::new();
        let mut in_log = false;
        for line in text.lines() {
            if line.starts_with(DUMP_LOG_START) {
                in_log = true;
            } else if line.starts_with(DUMP_LOG_END) {
                in_log = false;
            } else if !in_log {
                json.push_str(line);
                json.push('\n');
            } else {
                continue;
            }
            // Log lines are collected by `split_dump_logs` below.
        }
        self.logs.extend(split_dump_logs(&text));
        self.read_objects(&entry.path, json.as_bytes(), true);
    }

    fn coverage_of(&self, entries: &[Entry]) -> Option<BTreeSet<String>> {
        let found = self.by_kind.keys().cloned();
        match self.layout {
            Layout::Plain => None,
            Layout::ClusterInfoDump => Some(layout::CLUSTER_INFO_KINDS.iter().map(|k| k.to_string()).chain(found).collect()),
            Layout::SupportBundle => Some(layout::support_bundle_kinds(entries).into_iter().chain(found).collect()),
            Layout::Collected => Some(self.index.kinds.iter().cloned().collect()),
        }
    }

    /// Returns the objects of a kind, in `group` or in any group for `None`.
    ///
    /// # Errors
    ///
    /// Returns [`ReadError::Unavailable`] when the snapshot's layout does not hold the kind.
    pub fn objects(&self, group: Option<&str>, kind: &str) -> Result<Vec<Arc<Object>>, ReadError> {
        if let Some(coverage) = &self.coverage {
            if !coverage.contains(kind) {
                return Err(ReadError::Unavailable(format!(
                    "kind `{kind}` is not in the snapshot (a {} holds only: {})",
                    layout_name(self.layout),
                    coverage.iter().cloned().collect::<Vec<_>>().join(", ")
                )));
            }
        }
        let all = self.by_kind.get(kind).map(Vec::as_slice).unwrap_or_default();
        Ok(match group {
            Some(group) => all.iter().filter(|o| o.group == group).cloned().collect(),
            None => {
                // A kind served in two groups would be ambiguous; take the first group seen.
                let first = all.first().map(|o| o.group.clone());
                all.iter().filter(|o| Some(&o.group) == first.as_ref()).cloned().collect()
            }
        })
    }

    /// Returns the error a collected snapshot recorded for a list, so that the replay fails the
    /// way the live run did (a denied list stays denied, not empty).
    pub fn list_error(&self, kind: &str, namespace: Option<&str>) -> Option<ReadError> {
        self.index
            .unseen
            .iter()
            .find(|u| u.kind == kind && u.namespace.as_deref() == namespace)
            .map(|u| ReadError::from(u.error.clone()))
    }

    /// Returns the number of objects.
    pub fn object_count(&self) -> usize {
        self.by_kind.values().map(Vec::len).sum()
    }

    /// Returns a container log.
    ///
    /// # Errors
    ///
    /// Returns [`ReadError::NotFound`] when the snapshot holds no such log.
    pub fn log(&self, namespace: &str, pod: &str, container: Option<&str>, previous: bool) -> Result<String, ReadError> {
        let candidates: Vec<&(LogFile, String)> = self
            .logs
            .iter()
            .filter(|(log, _)| log.namespace == namespace && log.pod == pod && log.previous == previous)
            .collect();
        let wanted = container.map(str::to_string).or_else(|| self.first_container(namespace, pod));
        let found = match &wanted {
            Some(name) => candidates.iter().find(|(log, _)| log.container.as_deref().is_none_or(|c| c == name)),
            None => candidates.first(),
        };
        found.map(|(_, text)| text.clone()).ok_or_else(|| {
            let which = if previous { "previous log" } else { "log" };
            ReadError::NotFound(format!("the snapshot holds no {which} of pod `{namespace}/{pod}`{}", wanted.map(|c| format!(" container `{c}`")).unwrap_or_default()))
        })
    }

    fn first_container(&self, namespace: &str, pod: &str) -> Option<String> {
        let pods = self.by_kind.get("Pod")?;
        let object = pods.iter().find(|o| o.name == pod && o.namespace.as_deref() == Some(namespace))?;
        object.value().pointer("/spec/containers/0/name")?.as_str().map(str::to_string)
    }

    /// Returns the data digests of a Secret.
    ///
    /// # Errors
    ///
    /// Returns [`ReadError::NotFound`] when the snapshot holds no such Secret.
    pub fn secret_digests(&self, namespace: &str, name: &str) -> Result<Vec<(String, String)>, ReadError> {
        self.secrets
            .get(&(namespace.to_string(), name.to_string()))
            .cloned()
            .ok_or_else(|| ReadError::NotFound(format!("the snapshot holds no Secret `{namespace}/{name}`")))
    }

    /// Returns the recorded answer of a proxied GET.
    pub fn http(&self, target: &HttpTarget) -> Option<&HttpRecord> {
        self.index.http.iter().find(|r| &r.target == target)
    }

    /// Returns the recorded answer of a PromQL query.
    pub fn query(&self, promql: &str, range: Option<(u32, u32)>) -> Option<&QueryRecord> {
        self.index.queries.iter().find(|q| q.promql == promql && q.range == range)
    }

    /// Returns the recorded answer of a DNS lookup.
    pub fn dns(&self, name: &str) -> Option<&DnsRecord> {
        self.index.dns.iter().find(|d| d.name == name)
    }
}

const DUMP_LOG_START: &str = "==== START logs for container ";
const DUMP_LOG_END: &str = "==== END logs for container ";

/// Splits the log sections of `kubectl cluster-info dump` output:
/// `==== START logs for container C of pod NS/POD ====` ... `==== END logs ... ====`.
fn split_dump_logs(text: &str) -> Vec<(LogFile, String)> {
    let mut logs = Vec::new();
    let mut current: Option<(LogFile, String)> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix(DUMP_LOG_START) {
            let rest = rest.trim_end_matches(" ====").trim();
            if let Some((container, pod)) = rest.split_once(" of pod ") {
                if let Some((namespace, pod)) = pod.split_once('/') {
                    let log = LogFile { namespace: namespace.into(), pod: pod.into(), container: Some(container.into()), previous: false };
                    current = Some((log, String::new()));
                }
            }
        } else if line.starts_with(DUMP_LOG_END) {
            logs.extend(current.take());
        } else if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    logs
}

fn contains(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn newest_in(value: &Value, newest: &mut Option<i64>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if let (true, Some(text)) = (TIME_FIELDS.contains(&key.as_str()), child.as_str()) {
                    if let Some(time) = ggcore_probe_sdk::units::parse_time(text) {
                        *newest = Some(newest.map_or(time, |n: i64| n.max(time)));
                    }
                } else {
                    newest_in(child, newest);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| newest_in(item, newest)),
        _ => {}
    }
}

fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::Plain => "folder of YAML",
        Layout::ClusterInfoDump => "`kubectl cluster-info dump`",
        Layout::SupportBundle => "support bundle",
        Layout::Collected => "collected snapshot",
    }
}

#[cfg(test)]
mod tests;
