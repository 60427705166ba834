//! A fixture-backed host for unit tests of probes on the build machine (feature `testing`).
//!
//! A [`Fixture`] holds objects, logs and endpoint answers; [`Fixture::run`] runs a probe's
//! `describe` and `run` against it with the default profile, as the host would, and returns
//! [`Findings`] with assertions that print every finding when they fail. Unlike the host, the
//! fixture does not enforce the kinds a probe declares: `kubectl ggcore probe test` does.
//!
//! ```
//! use ggcore_probe_sdk::prelude::*;
//! use ggcore_probe_sdk::testing::Fixture;
//!
//! /// Fails when no GG-CORE pod exists.
//! struct AnyPods;
//!
//! impl Probe for AnyPods {
//!     fn describe() -> Descriptor {
//!         describe("any-pods").reads(&[Pod::KIND]).reports("pods-down", &["no-pods"]).build()
//!     }
//!
//!     fn run(cx: &mut Context) -> Result<(), HostError> {
//!         let pods: Vec<Pod> = cx.list(Some(&cx.profile().app_selector))?;
//!         let finding = match pods.len() {
//!             0 => fail("pods-down", "no-pods").summary("no GG-CORE pod"),
//!             n => pass("pods-down", "no-pods").summary(format!("{n} GG-CORE pods")),
//!         };
//!         cx.report(finding);
//!         Ok(())
//!     }
//! }
//!
//! Fixture::yaml("").run::<AnyPods>().assert_reported(Outcome::Fail, "pods-down", "no-pods");
//!
//! let healthy = Fixture::yaml("
//! apiVersion: v1
//! kind: Pod
//! metadata: {name: gg-core-0, namespace: veritas, labels: {app: GG-CORE}}
//! ");
//! let findings = healthy.run::<AnyPods>();
//! findings.assert_healthy();
//! assert_eq!(findings.assert_reported(Outcome::Pass, "pods-down", "no-pods").summary, "1 GG-CORE pods");
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::Context;
use crate::backend::{Answer, Backend, Level, ListOptions, LogOptions, Response, Sample, Series};
use crate::bindings::{Finding, HostError, KindRef, Outcome, Profile};
use crate::defaults;
use crate::fields;
use crate::selector::{Labels, Selector};
use crate::{Probe, run_probe};

/// Objects, logs and endpoint answers that stand in for a cluster.
#[derive(Default)]
pub struct Fixture {
    objects: Vec<Value>,
    logs: BTreeMap<(String, String, String, bool), String>,
    http: BTreeMap<(String, String, u16, String), Response>,
    services: BTreeMap<(String, String, String, String), Response>,
    queries: Vec<(String, Vec<Sample>)>,
    dns: BTreeMap<String, Answer>,
    settings: Vec<(String, String)>,
    now: Option<String>,
    log_lines: RefCell<Vec<String>>,
}

impl Fixture {
    /// Reads objects from multi-document YAML; `List`s are unpacked.
    ///
    /// # Panics
    ///
    /// Panics when the YAML does not parse, which is a broken test.
    pub fn yaml(text: &str) -> Fixture {
        let mut objects = Vec::new();
        for document in serde_yaml::Deserializer::from_str(text) {
            let value: Value = serde::Deserialize::deserialize(document).expect("fixture YAML does not parse");
            unpack(value, &mut objects);
        }
        Fixture { objects, ..Fixture::default() }
    }

    /// Reads a snapshot directory as `kubectl ggcore diagnose --snapshot DIR` does for plain
    /// YAML and JSON: every `.yaml`, `.yml` and `.json` file below it, and container logs from
    /// `logs/<namespace>/<pod>/<container>.log` (`<container>.previous.log` for the previous
    /// container). Probe tests can so run against the repository's example snapshot.
    ///
    /// # Panics
    ///
    /// Panics when the directory cannot be read or a file does not parse, which is a broken test.
    pub fn snapshot_dir(dir: impl AsRef<std::path::Path>) -> Fixture {
        let dir = dir.as_ref();
        let mut fixture = Fixture::default();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(current) = pending.pop() {
            let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(&current)
                .unwrap_or_else(|e| panic!("cannot read fixture directory `{}`: {e}", current.display()))
                .map(|entry| entry.expect("reading a fixture directory").path())
                .collect();
            entries.sort();
            for path in entries {
                if path.is_dir() {
                    pending.push(path);
                } else if let Some(log) = log_key(dir, &path) {
                    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read `{}`: {e}", path.display()));
                    fixture.logs.insert(log, text);
                } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")) {
                    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read `{}`: {e}", path.display()));
                    fixture.objects.extend(Fixture::yaml(&text).objects);
                }
            }
        }
        fixture
    }

    /// Sets the observation time (RFC 3339) the probe sees as `now`.
    pub fn now(mut self, now: &str) -> Fixture {
        self.now = Some(now.to_string());
        self
    }

    /// Adds a container log; `previous` selects the log of the terminated instance.
    pub fn log(mut self, namespace: &str, pod: &str, container: &str, previous: bool, text: &str) -> Fixture {
        self.logs.insert((namespace.into(), pod.into(), container.into(), previous), text.into());
        self
    }

    /// Adds the answer of a pod endpoint.
    pub fn http(mut self, namespace: &str, pod: &str, port: u16, path: &str, status: u16, body: &str) -> Fixture {
        let response = Response { status, body: body.into(), truncated: false };
        self.http.insert((namespace.into(), pod.into(), port, path.into()), response);
        self
    }

    /// Adds the answer of a Service endpoint, for `http.service-get`.
    pub fn service_http(mut self, namespace: &str, service: &str, port: &str, path: &str, status: u16, body: &str) -> Fixture {
        let response = Response { status, body: body.into(), truncated: false };
        self.services.insert((namespace.into(), service.into(), port.into(), path.into()), response);
        self
    }

    /// Adds the answer of every PromQL query that contains `fragment`; the first match wins.
    pub fn query(mut self, fragment: &str, samples: Vec<Sample>) -> Fixture {
        self.queries.push((fragment.into(), samples));
        self
    }

    /// Adds a DNS answer.
    pub fn dns(mut self, name: &str, addresses: &[&str], ttl: u32) -> Fixture {
        self.dns.insert(name.into(), Answer { addresses: addresses.iter().map(|a| a.to_string()).collect(), ttl });
        self
    }

    /// Adds a `--set key=value` setting.
    pub fn setting(mut self, key: &str, value: &str) -> Fixture {
        self.settings.push((key.into(), value.into()));
        self
    }

    /// Returns the default profile with this fixture's time and settings.
    pub fn profile(&self) -> Profile {
        let mut profile = profile();
        if let Some(now) = &self.now {
            profile.now = now.clone();
        }
        profile.settings = self.settings.clone();
        profile
    }

    /// Returns a context over the fixture with the default profile, for testing a probe's
    /// helper functions without running the whole probe.
    pub fn context(&self) -> Context<'_> {
        Context::new(self.profile(), self)
    }

    /// Runs a probe against the fixture with the default profile.
    pub fn run<P: Probe>(&self) -> Findings {
        self.run_with::<P>(self.profile())
    }

    /// Runs a probe against the fixture with a given profile.
    pub fn run_with<P: Probe>(&self, profile: Profile) -> Findings {
        Findings(run_probe::<P>(profile, self))
    }

    /// Returns the log lines the probe wrote.
    pub fn log_lines(&self) -> Vec<String> {
        self.log_lines.borrow().clone()
    }
}

/// Returns the log key of a file under `<dir>/logs/<namespace>/<pod>/`, or `None` for any
/// other file.
fn log_key(dir: &std::path::Path, path: &std::path::Path) -> Option<(String, String, String, bool)> {
    let relative = path.strip_prefix(dir.join("logs")).ok()?;
    let parts: Vec<&str> = relative.iter().filter_map(|p| p.to_str()).collect();
    let [namespace, pod, file] = parts.as_slice() else { return None };
    let (container, previous) = match file.strip_suffix(".previous.log") {
        Some(container) => (container, true),
        None => (file.strip_suffix(".log")?, false),
    };
    Some((namespace.to_string(), pod.to_string(), container.to_string(), previous))
}

fn unpack(value: Value, objects: &mut Vec<Value>) {
    match value {
        Value::Null => {}
        Value::Object(ref map) if map.contains_key("items") => {
            for item in map["items"].as_array().into_iter().flatten() {
                unpack(item.clone(), objects);
            }
        }
        other => objects.push(other),
    }
}

fn group_of(object: &Value) -> &str {
    let api_version = object["apiVersion"].as_str().unwrap_or("");
    api_version.rsplit_once('/').map(|(group, _)| group).unwrap_or("")
}

fn labels_of(object: &Value) -> Labels {
    serde_json::from_value(object["metadata"]["labels"].clone()).unwrap_or_default()
}

fn kind_matches(object: &Value, kind: &KindRef) -> bool {
    object["kind"].as_str() == Some(kind.kind.as_str()) && kind.group.as_deref().is_none_or(|g| g == group_of(object))
}

impl Backend for Fixture {
    fn list(&self, kind: &KindRef, options: &ListOptions) -> Result<String, HostError> {
        if kind.kind == "Secret" {
            return Err(HostError::Denied("Secrets are never handed to probes; use secret-digests".into()));
        }
        let labels = match &options.label_selector {
            Some(text) => Selector::parse(text).map_err(|e| HostError::Invalid(e.to_string()))?,
            None => Selector::default(),
        };
        let field_selector = fields::parse_field_selector(options.field_selector.as_deref().unwrap_or(""))
            .map_err(HostError::Invalid)?;
        let selected: Vec<&Value> = self
            .objects
            .iter()
            .filter(|o| kind_matches(o, kind))
            .filter(|o| options.namespace.as_deref().is_none_or(|ns| o["metadata"]["namespace"].as_str() == Some(ns)))
            .filter(|o| labels.matches(&labels_of(o)))
            .filter(|o| fields::matches_fields(o, &field_selector))
            .collect();
        Ok(serde_json::to_string(&selected).expect("fixture objects serialize"))
    }

    fn get(&self, kind: &KindRef, namespace: Option<&str>, name: &str) -> Result<String, HostError> {
        self.objects
            .iter()
            .find(|o| {
                kind_matches(o, kind)
                    && o["metadata"]["name"].as_str() == Some(name)
                    && o["metadata"]["namespace"].as_str() == namespace
            })
            .map(|o| o.to_string())
            .ok_or_else(|| HostError::NotFound(format!("{} `{name}`", kind.kind)))
    }

    fn pod_logs(&self, namespace: &str, pod: &str, options: &LogOptions) -> Result<String, HostError> {
        let container = options.container.clone().unwrap_or_default();
        let text = self
            .logs
            .iter()
            .find(|((ns, p, c, previous), _)| {
                ns == namespace && p == pod && (container.is_empty() || *c == container) && *previous == options.previous
            })
            .map(|(_, text)| text.clone())
            .ok_or_else(|| HostError::NotFound(format!("no log for pod `{pod}`")))?;
        Ok(match options.tail_lines {
            Some(n) => {
                let lines: Vec<&str> = text.lines().collect();
                lines[lines.len().saturating_sub(n as usize)..].join("\n")
            }
            None => text,
        })
    }

    fn secret_digests(&self, namespace: &str, name: &str) -> Result<Vec<(String, String)>, HostError> {
        let secret = self
            .objects
            .iter()
            .find(|o| {
                o["kind"] == "Secret" && o["metadata"]["name"] == name && o["metadata"]["namespace"] == namespace
            })
            .ok_or_else(|| HostError::NotFound(format!("Secret `{name}`")))?;
        let data = secret["data"].as_object().cloned().unwrap_or_default();
        // The fixture's digest is FNV-1a, enough to compare values in tests; the host uses SHA-256.
        Ok(data
            .iter()
            .map(|(key, value)| {
                let text = value.as_str().unwrap_or("");
                let digest = text.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3));
                (key.clone(), format!("{digest:016x}"))
            })
            .collect())
    }

    fn pod_get(&self, namespace: &str, pod: &str, port: u16, path: &str) -> Result<Response, HostError> {
        self.http
            .get(&(namespace.into(), pod.into(), port, path.into()))
            .cloned()
            .ok_or_else(|| HostError::Unavailable(format!("no answer recorded for pod `{pod}` port {port} {path}")))
    }

    fn service_get(&self, namespace: &str, service: &str, port: &str, path: &str) -> Result<Response, HostError> {
        self.services
            .get(&(namespace.into(), service.into(), port.into(), path.into()))
            .cloned()
            .ok_or_else(|| HostError::Unavailable(format!("no answer recorded for service `{namespace}/{service}` port {port} {path}")))
    }

    fn query(&self, promql: &str) -> Result<Vec<Sample>, HostError> {
        self.queries
            .iter()
            .find(|(fragment, _)| promql.contains(fragment.as_str()))
            .map(|(_, samples)| samples.clone())
            .ok_or_else(|| HostError::Unavailable("no Prometheus in this fixture".into()))
    }

    fn query_range(&self, promql: &str, _range_seconds: u32, _step_seconds: u32) -> Result<Vec<Series>, HostError> {
        let samples = self.query(promql)?;
        Ok(samples.into_iter().map(|s| Series { labels: s.labels, points: vec![(0.0, s.value)] }).collect())
    }

    fn resolve(&self, name: &str) -> Result<Answer, HostError> {
        self.dns.get(name).cloned().ok_or_else(|| HostError::Unavailable("no resolver in this fixture".into()))
    }

    fn log(&self, level: Level, message: &str) {
        self.log_lines.borrow_mut().push(format!("{level:?}: {message}"));
    }
}

/// Returns the default profile, with `now` at 2026-12-04T10:30:00Z.
pub fn profile() -> Profile {
    Profile {
        namespace: defaults::NAMESPACE.into(),
        app_selector: defaults::APP_SELECTOR.into(),
        canary_selector: defaults::CANARY_SELECTOR.into(),
        stable_selector: defaults::STABLE_SELECTOR.into(),
        environment_label: defaults::ENVIRONMENT_LABEL.into(),
        service: defaults::SERVICE.into(),
        canary_service: defaults::CANARY_SERVICE.into(),
        blue_config_map: defaults::BLUE_CONFIG_MAP.into(),
        green_config_map: defaults::GREEN_CONFIG_MAP.into(),
        controller_selector: defaults::CONTROLLER_SELECTOR.into(),
        prometheus_selector: defaults::PROMETHEUS_SELECTOR.into(),
        http_port: defaults::HTTP_PORT,
        metrics_port: defaults::METRICS_PORT,
        runtime_socket: defaults::RUNTIME_SOCKET.into(),
        now: "2026-12-04T10:30:00Z".into(),
        settings: Vec::new(),
    }
}

/// A sample for [`Fixture::query`].
pub fn sample(labels: &[(&str, &str)], value: f64) -> Sample {
    Sample { labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), value }
}

/// The findings of a test run, with assertions that print them all when they fail.
pub struct Findings(
    /// The findings, in the order the probe reported them.
    pub Vec<Finding>,
);

impl Findings {
    /// Returns the findings with this outcome, symptom and cause.
    pub fn matching(&self, outcome: Outcome, symptom: &str, cause: &str) -> Vec<&Finding> {
        self.0
            .iter()
            .filter(|f| f.outcome == outcome && f.symptom == symptom && f.cause.as_deref() == Some(cause))
            .collect()
    }

    /// Asserts that a finding with this outcome, symptom and cause was reported.
    #[track_caller]
    pub fn assert_reported(&self, outcome: Outcome, symptom: &str, cause: &str) -> &Finding {
        match self.matching(outcome, symptom, cause).first() {
            Some(finding) => finding,
            None => panic!("expected a {outcome:?} finding for {symptom}/{cause}; the probe reported:\n{}", self.dump()),
        }
    }

    /// Asserts that no `fail` or `warn` finding carries `cause`.
    #[track_caller]
    pub fn assert_not_reported(&self, cause: &str) {
        let bad: Vec<&Finding> = self
            .0
            .iter()
            .filter(|f| matches!(f.outcome, Outcome::Fail | Outcome::Warn) && f.cause.as_deref() == Some(cause))
            .collect();
        assert!(bad.is_empty(), "expected no fail or warn finding for {cause}; the probe reported:\n{}", self.dump());
    }

    /// Asserts that nothing was reported as `fail` or `warn`.
    #[track_caller]
    pub fn assert_healthy(&self) {
        let bad = self.0.iter().any(|f| matches!(f.outcome, Outcome::Fail | Outcome::Warn));
        assert!(!bad, "expected no fail or warn finding; the probe reported:\n{}", self.dump());
    }

    /// Formats the findings one per line, with evidence, for failure messages.
    pub fn dump(&self) -> String {
        let mut text = String::new();
        for f in &self.0 {
            text.push_str(&format!("  {:?} {}/{}: {}\n", f.outcome, f.symptom, f.cause.as_deref().unwrap_or("-"), f.summary));
            for line in &f.evidence {
                text.push_str(&format!("      {line}\n"));
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_dir_reads_objects_and_logs() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/veritas-snapshot");
        let fixture = Fixture::snapshot_dir(&dir);
        let pods = fixture.list(&KindRef { group: Some(String::new()), kind: "Pod".into() }, &ListOptions { namespace: Some("veritas".into()), label_selector: Some("app=GG-CORE".into()), field_selector: None }).unwrap();
        let pods: Vec<Value> = serde_json::from_str(&pods).unwrap();
        assert_eq!(pods.len(), 5);
        let options = LogOptions { container: Some("gg-core".into()), tail_lines: None, previous: true };
        let log = fixture.pod_logs("veritas", "gg-core-green-7b5d4c9f86-r5m8t", &options).unwrap();
        assert!(!log.is_empty());
    }

    #[test]
    fn log_key_reads_previous_logs() {
        let dir = std::path::Path::new("/s");
        let key = log_key(dir, std::path::Path::new("/s/logs/veritas/p/c.previous.log")).unwrap();
        assert_eq!(key, ("veritas".into(), "p".into(), "c".into(), true));
        assert_eq!(log_key(dir, std::path::Path::new("/s/pods.yaml")), None);
    }
}
