//! The probe's view of a run: the profile, typed reads through the backend, and the findings
//! it reports.

use serde::de::DeserializeOwned;

use crate::backend::{Answer, Backend, Level, ListOptions, LogOptions, Response, Sample, Series};
use crate::bindings::{Finding, HostError, KindRef, Profile};
use crate::report::FindingBuilder;
use crate::units;
use crate::views::{Kind, Resource};

/// What a probe's `run` works with.
pub struct Context<'a> {
    profile: Profile,
    backend: &'a dyn Backend,
    findings: Vec<Finding>,
    now: Option<i64>,
}

impl<'a> Context<'a> {
    /// Creates a context over a backend; the `probe!` macro and [`crate::testing`] do this.
    pub fn new(profile: Profile, backend: &'a dyn Backend) -> Context<'a> {
        let now = units::parse_time(&profile.now);
        Context { profile, backend, findings: Vec::new(), now }
    }

    /// Returns the target profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Returns the namespace GG-CORE runs in.
    pub fn namespace(&self) -> &str {
        &self.profile.namespace
    }

    /// Returns the time the cluster state was observed, in Unix seconds; `None` when the host
    /// could not tell.
    pub fn now(&self) -> Option<i64> {
        self.now
    }

    /// Returns the value of a `--set key=value` setting.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.profile.settings.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Returns a numeric setting, or `default` when it is unset or not a number.
    pub fn setting_f64(&self, key: &str, default: f64) -> f64 {
        self.setting(key).and_then(|v| v.parse().ok()).unwrap_or(default)
    }

    /// Lists objects of `T`'s kind in the profile's namespace, filtered by a label selector.
    ///
    /// # Errors
    ///
    /// Returns the host's error (denied, unavailable, ...) or `invalid` when an object does
    /// not fit the view.
    pub fn list<T: Resource>(&self, label_selector: Option<&str>) -> Result<Vec<T>, HostError> {
        let namespace = self.profile.namespace.clone();
        self.list_in(Some(&namespace), label_selector)
    }

    /// Lists objects of `T`'s kind in `namespace` (all namespaces for `None`).
    ///
    /// # Errors
    ///
    /// As [`Context::list`].
    pub fn list_in<T: Resource>(&self, namespace: Option<&str>, label_selector: Option<&str>) -> Result<Vec<T>, HostError> {
        let options = ListOptions {
            namespace: namespace.map(str::to_string),
            label_selector: label_selector.map(str::to_string),
            field_selector: None,
        };
        self.list_kind(T::KIND, &options)
    }

    /// Lists objects of any kind into any type, such as [`serde_json::Value`].
    ///
    /// # Errors
    ///
    /// As [`Context::list`].
    pub fn list_kind<T: DeserializeOwned>(&self, kind: Kind, options: &ListOptions) -> Result<Vec<T>, HostError> {
        let kind = KindRef::from(kind);
        let json = self.backend.list(&kind, options)?;
        serde_json::from_str(&json).map_err(|e| HostError::Invalid(format!("a {} from the host does not parse: {e}", kind.kind)))
    }

    /// Gets one object of `T`'s kind; `Ok(None)` when it does not exist.
    ///
    /// # Errors
    ///
    /// As [`Context::list`], except that not-found is `Ok(None)`.
    pub fn get<T: Resource>(&self, namespace: Option<&str>, name: &str) -> Result<Option<T>, HostError> {
        let kind = KindRef::from(T::KIND);
        match self.backend.get(&kind, namespace, name) {
            Ok(json) => serde_json::from_str(&json)
                .map(Some)
                .map_err(|e| HostError::Invalid(format!("{} `{name}` from the host does not parse: {e}", kind.kind))),
            Err(HostError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Reads a container's log. Needs the `logs` capability.
    ///
    /// # Errors
    ///
    /// Returns the host's error; `not-found` when the snapshot or cluster has no such log.
    pub fn logs(&self, namespace: &str, pod: &str, container: Option<&str>, tail_lines: Option<u32>, previous: bool) -> Result<String, HostError> {
        let options = LogOptions { container: container.map(str::to_string), tail_lines, previous };
        self.backend.pod_logs(namespace, pod, &options)
    }

    /// Returns `(key, sha256)` pairs of a Secret's data. Needs the `secret-digests` capability.
    ///
    /// # Errors
    ///
    /// Returns the host's error.
    pub fn secret_digests(&self, namespace: &str, name: &str) -> Result<Vec<(String, String)>, HostError> {
        self.backend.secret_digests(namespace, name)
    }

    /// GETs a path on a pod port through the API server's proxy. Needs the `http` capability.
    ///
    /// # Errors
    ///
    /// Returns the host's error; an HTTP error status is an `Ok` response.
    pub fn pod_get(&self, namespace: &str, pod: &str, port: u16, path: &str) -> Result<Response, HostError> {
        self.backend.pod_get(namespace, pod, port, path)
    }

    /// GETs a path on a Service port (name or number) through the API server's proxy.
    ///
    /// # Errors
    ///
    /// As [`Context::pod_get`].
    pub fn service_get(&self, namespace: &str, service: &str, port: &str, path: &str) -> Result<Response, HostError> {
        self.backend.service_get(namespace, service, port, path)
    }

    /// Runs a PromQL instant query. Needs the `metrics` capability.
    ///
    /// # Errors
    ///
    /// Returns the host's error; `unavailable` when no Prometheus is reachable.
    pub fn query(&self, promql: &str) -> Result<Vec<Sample>, HostError> {
        self.backend.query(promql)
    }

    /// Runs a PromQL range query over the last `range_seconds`.
    ///
    /// # Errors
    ///
    /// As [`Context::query`].
    pub fn query_range(&self, promql: &str, range_seconds: u32, step_seconds: u32) -> Result<Vec<Series>, HostError> {
        self.backend.query_range(promql, range_seconds, step_seconds)
    }

    /// Resolves a name. Needs the `dns` capability.
    ///
    /// # Errors
    ///
    /// Returns the host's error; `unavailable` when the run has no resolver.
    pub fn resolve(&self, name: &str) -> Result<Answer, HostError> {
        self.backend.resolve(name)
    }

    /// Reports whether a Service belongs to GG-CORE: it is the main or canary Service of the
    /// profile, or its labels or selector carry the app selector.
    pub fn is_gg_core_service(&self, service: &crate::views::Service) -> bool {
        let name = &service.metadata.name;
        if name == &self.profile.service || name == &self.profile.canary_service {
            return true;
        }
        let Ok(app) = crate::selector::Selector::parse(&self.profile.app_selector) else { return false };
        app.matches(&service.metadata.labels) || service.spec.selector.as_ref().is_some_and(|s| app.matches(s))
    }

    /// Writes a debug log line.
    pub fn debug(&self, message: impl AsRef<str>) {
        self.backend.log(Level::Debug, message.as_ref());
    }

    /// Writes a warning log line.
    pub fn warn(&self, message: impl AsRef<str>) {
        self.backend.log(Level::Warn, message.as_ref());
    }

    /// Adds a finding to the probe's result.
    pub fn report(&mut self, finding: FindingBuilder) {
        self.findings.push(finding.build());
    }

    /// Returns the findings reported so far.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Consumes the context and returns its findings.
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}
