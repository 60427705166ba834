//! The record of a run's reads, kept by the [`super::Reader`] for `collect` and written out as a
//! snapshot that `diagnose --snapshot` replays with the same verdicts. It holds the objects of
//! every kind listed, the logs, the responses of proxied endpoints, queries and lookups, the
//! lists that failed and why, and Secret digests (never values).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use super::object::Object;
use super::recorded::{self, DnsRecord, HttpRecord, HttpTarget, Index, QueryRecord, SecretDigests, Unseen};
use super::{HttpAnswer, KindQuery, ReadError};

/// Everything read, keyed so that repeated reads are kept once.
#[derive(Default)]
pub struct Recording {
    /// Objects by kind, then by namespace and name.
    objects: BTreeMap<String, BTreeMap<(String, String), Arc<Object>>>,
    unseen: Vec<Unseen>,
    logs: BTreeMap<(String, String, Option<String>, bool), String>,
    http: Vec<HttpRecord>,
    secrets: BTreeMap<(String, String), Vec<(String, String)>>,
    /// Prometheus answers.
    pub queries: Vec<QueryRecord>,
    /// DNS answers.
    pub dns: Vec<DnsRecord>,
}

impl Recording {
    /// Keeps the objects of a listed kind.
    pub fn add_objects(&mut self, kind: &KindQuery, objects: &[Arc<Object>]) {
        let entry = self.objects.entry(kind.kind.clone()).or_default();
        for object in objects {
            entry.insert((object.namespace.clone().unwrap_or_default(), object.name.clone()), object.clone());
        }
    }

    /// Keeps a list that failed, so the replay fails the same way.
    pub fn add_unseen_kind(&mut self, kind: &KindQuery, namespace: Option<&str>, error: &ReadError) {
        let unseen = Unseen { kind: kind.kind.clone(), namespace: namespace.map(str::to_string), error: error.to_recorded() };
        if !self.unseen.iter().any(|u| u.kind == unseen.kind && u.namespace == unseen.namespace) {
            self.unseen.push(unseen);
        }
    }

    /// Keeps a log; of several reads of one log, the longest.
    pub fn add_log(&mut self, namespace: &str, pod: &str, container: Option<&str>, previous: bool, text: &str) {
        let key = (namespace.to_string(), pod.to_string(), container.map(str::to_string), previous);
        let entry = self.logs.entry(key).or_default();
        if text.len() > entry.len() {
            *entry = text.to_string();
        }
    }

    /// Keeps the response of a proxied GET.
    pub fn add_http(&mut self, target: &HttpTarget, result: &Result<HttpAnswer, ReadError>) {
        if self.http.iter().any(|r| &r.target == target) {
            return;
        }
        let record = match result {
            Ok(answer) => HttpRecord { target: target.clone(), status: Some(answer.status), body: Some(answer.body.clone()), truncated: answer.truncated, error: None },
            Err(error) => HttpRecord { target: target.clone(), status: None, body: None, truncated: false, error: Some(error.to_recorded()) },
        };
        self.http.push(record);
    }

    /// Keeps a Secret's digests.
    pub fn add_secret(&mut self, namespace: &str, name: &str, digests: &[(String, String)]) {
        self.secrets.insert((namespace.to_string(), name.to_string()), digests.to_vec());
    }

    /// Returns the number of objects kept.
    pub fn object_count(&self) -> usize {
        self.objects.values().map(BTreeMap::len).sum()
    }

    /// Returns the number of log files the snapshot gets.
    pub fn log_count(&self) -> usize {
        self.log_files().len()
    }

    /// Returns the log files by path. A log read without a container name is the log of the
    /// pod's first container, so it shares a file with the reads that name that container, and
    /// the longest text is kept.
    fn log_files(&self) -> BTreeMap<String, &str> {
        let mut files: BTreeMap<String, &str> = BTreeMap::new();
        for ((namespace, pod, container, previous), text) in &self.logs {
            let container = container.clone().or_else(|| self.first_container(namespace, pod)).unwrap_or_else(|| "main".into());
            let suffix = if *previous { ".previous.log" } else { ".log" };
            let entry = files.entry(format!("logs/{namespace}/{pod}/{container}{suffix}")).or_default();
            if text.len() > entry.len() {
                *entry = text;
            }
        }
        files
    }

    /// Builds the files of the snapshot: relative path and content.
    pub fn files(&self, observed_at: &str, origin: &str) -> Result<Vec<(String, Vec<u8>)>> {
        let mut files = Vec::new();
        for (kind, objects) in &self.objects {
            let group = objects.values().next().map(|o| o.group.clone()).unwrap_or_default();
            let items: Vec<&str> = objects.values().map(|o| o.json()).collect();
            let list = format!("{{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[\n{}\n]}}\n", items.join(",\n"));
            let name = if group.is_empty() { format!("objects/{kind}.json") } else { format!("objects/{kind}.{group}.json") };
            files.push((name, list.into_bytes()));
        }
        for (path, text) in self.log_files() {
            files.push((path, text.as_bytes().to_vec()));
        }

        let index = Index {
            format: recorded::FORMAT.to_string(),
            observed_at: Some(observed_at.to_string()),
            origin: Some(origin.to_string()),
            // A kind listed without error is in the snapshot, even with no objects.
            kinds: self.objects.keys().cloned().collect(),
            unseen: self.unseen.clone(),
            secrets: self.secrets.iter().map(|((namespace, name), digests)| SecretDigests { namespace: namespace.clone(), name: name.clone(), digests: digests.clone() }).collect(),
            http: self.http.clone(),
            queries: self.queries.clone(),
            dns: self.dns.clone(),
        };
        files.push((super::snapshot::layout::INDEX_FILE.to_string(), serde_json::to_vec_pretty(&index)?));
        Ok(files)
    }

    fn first_container(&self, namespace: &str, pod: &str) -> Option<String> {
        let object = self.objects.get("Pod")?.get(&(namespace.to_string(), pod.to_string()))?;
        object.value().pointer("/spec/containers/0/name")?.as_str().map(str::to_string)
    }

    /// Writes the snapshot to a directory, or to a `.tar.gz` when the path ends so.
    ///
    /// # Errors
    ///
    /// Fails when a file cannot be written; a partly written directory is removed.
    pub fn write(&self, path: &Path, observed_at: &str, origin: &str) -> Result<()> {
        let files = self.files(observed_at, origin)?;
        let name = path.to_string_lossy();
        if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            write_archive(path, &files)
        } else {
            write_directory(path, &files)
        }
    }
}

fn write_directory(path: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    if path.exists() && std::fs::read_dir(path)?.next().is_some() {
        anyhow::bail!("`{}` exists and is not empty; choose a new directory so that no data is overwritten", path.display());
    }
    // Write beside the target and rename, so that a failure leaves no half-written snapshot.
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let temporary = tempfile::Builder::new().prefix(".ggcore-collect-").tempdir_in(parent).context("creating a temporary directory")?;
    for (relative, bytes) in files {
        let target = temporary.path().join(relative);
        std::fs::create_dir_all(target.parent().expect("files have a parent"))?;
        std::fs::write(&target, bytes).with_context(|| format!("writing `{}`", target.display()))?;
    }
    if path.exists() {
        std::fs::remove_dir(path)?;
    }
    std::fs::rename(temporary.keep(), path).with_context(|| format!("moving the snapshot to `{}`", path.display()))?;
    Ok(())
}

fn write_archive(path: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    if path.exists() {
        anyhow::bail!("`{}` exists; choose a new file name so that no data is overwritten", path.display());
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let temporary = tempfile::NamedTempFile::new_in(parent).context("creating a temporary file")?;
    {
        let encoder = flate2::write::GzEncoder::new(temporary.as_file(), flate2::Compression::default());
        let mut archive = tar::Builder::new(encoder);
        for (relative, bytes) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_cksum();
            archive.append_data(&mut header, relative, bytes.as_slice())?;
        }
        archive.into_inner()?.finish()?.flush()?;
    }
    temporary.persist(path).with_context(|| format!("writing `{}`", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_without_container_shares_file() {
        let pod = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "gg-core-0", "namespace": "veritas"},
            "spec": {"containers": [{"name": "gg-core"}, {"name": "sidecar"}]}
        });
        let mut recording = Recording::default();
        let kind = KindQuery { group: Some(String::new()), kind: "Pod".into() };
        recording.add_objects(&kind, &[Arc::new(Object::from_value(pod).unwrap())]);
        recording.add_log("veritas", "gg-core-0", None, false, "last line\n");
        recording.add_log("veritas", "gg-core-0", Some("gg-core"), false, "earlier line\nlast line\n");
        recording.add_log("veritas", "gg-core-0", Some("sidecar"), false, "proxy up\n");

        assert_eq!(recording.log_count(), 2);
        let files = recording.files("2026-12-04T10:30:00Z", "test").unwrap();
        let logs: Vec<(&str, &[u8])> = files.iter().filter(|(p, _)| p.starts_with("logs/")).map(|(p, b)| (p.as_str(), b.as_slice())).collect();
        assert_eq!(
            logs,
            vec![
                ("logs/veritas/gg-core-0/gg-core.log", b"earlier line\nlast line\n".as_slice()),
                ("logs/veritas/gg-core-0/sidecar.log", b"proxy up\n".as_slice()),
            ]
        );
    }
}
