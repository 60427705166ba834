//! The probe's view of a run: the profile, typed reads through the backend, and the findings
//! it reports.
//!
//! The examples run against a [`crate::testing::Fixture`], which stands in for the host the
//! way it does in a probe's unit tests.

use serde::de::DeserializeOwned;

use crate::backend::{Answer, Backend, Level, ListOptions, LogOptions, Response, Sample, Series};
use crate::bindings::{Finding, HostError, KindRef, Profile};
use crate::report::FindingBuilder;
use crate::units;
use crate::views::{Kind, Resource};

/// What a probe's `run` works with: the profile, reads of the cluster, and the findings so far.
///
/// ```
/// use ggcore_probe_sdk::prelude::*;
/// use ggcore_probe_sdk::testing::Fixture;
///
/// let fixture = Fixture::yaml(
///     "apiVersion: v1\nkind: Pod\nmetadata: {name: gg-core-0, namespace: veritas, labels: {app: GG-CORE}}\n",
/// );
/// let mut cx = fixture.context();
/// let pods: Vec<Pod> = cx.list(Some(&cx.profile().app_selector))?;
/// cx.report(pass("pods-down", "no-pods").summary(format!("{} GG-CORE pods", pods.len())));
/// assert_eq!(cx.findings()[0].summary, "1 GG-CORE pods");
/// # Ok::<(), HostError>(())
/// ```
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
    ///
    /// ```
    /// # use ggcore_probe_sdk::testing::Fixture;
    /// let fixture = Fixture::yaml("").setting("max-restarts", "3");
    /// let cx = fixture.context();
    /// assert_eq!(cx.setting("max-restarts"), Some("3"));
    /// assert_eq!(cx.setting_f64("max-restarts", 5.0), 3.0);
    /// assert_eq!(cx.setting_f64("threshold", 0.5), 0.5);
    /// ```
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.profile.settings.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Returns how many pods a probe reads one by one (`--set pods.maxChecked=N`, default 25).
    pub fn max_pods(&self) -> usize {
        self.setting(crate::sample::MAX_PODS_SETTING).and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(crate::sample::DEFAULT_MAX_PODS)
    }

    /// Returns a numeric setting, or `default` when it is unset or not a number.
    pub fn setting_f64(&self, key: &str, default: f64) -> f64 {
        self.setting(key).and_then(|v| v.parse().ok()).unwrap_or(default)
    }

    /// Returns a boolean setting (`true`/`false`, `yes`/`no`, `1`/`0`), or `default` when it
    /// is unset or none of these.
    pub fn setting_bool(&self, key: &str, default: bool) -> bool {
        match self.setting(key).map(str::to_ascii_lowercase).as_deref() {
            Some("true" | "yes" | "1") => true,
            Some("false" | "no" | "0") => false,
            _ => default,
        }
    }

    /// Lists objects of `T`'s kind in the profile's namespace, filtered by a label selector.
    /// The kind must be declared with [`crate::DescriptorBuilder::reads`].
    ///
    /// ```
    /// # use ggcore_probe_sdk::prelude::*;
    /// # use ggcore_probe_sdk::testing::Fixture;
    /// let fixture = Fixture::yaml(
    ///     "apiVersion: v1\nkind: Service\nmetadata: {name: gg-core, namespace: veritas, labels: {app: GG-CORE}}\n",
    /// );
    /// let cx = fixture.context();
    /// let services: Vec<Service> = cx.list(Some("app=GG-CORE"))?;
    /// assert_eq!(services.len(), 1);
    /// let none: Vec<Service> = cx.list(Some("app=other"))?;
    /// assert!(none.is_empty());
    /// # Ok::<(), HostError>(())
    /// ```
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

    /// Lists objects of any kind into any type, such as [`serde_json::Value`], with every
    /// filter of a list request.
    ///
    /// ```
    /// # use ggcore_probe_sdk::prelude::*;
    /// # use ggcore_probe_sdk::testing::Fixture;
    /// use ggcore_probe_sdk::backend::ListOptions;
    ///
    /// let fixture = Fixture::yaml(
    ///     "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: gg-core, namespace: veritas}\nspec: {replicas: 3}\n",
    /// );
    /// let cx = fixture.context();
    /// let options = ListOptions { namespace: Some("veritas".into()), label_selector: None, field_selector: Some("metadata.name=gg-core".into()) };
    /// let rollouts: Vec<serde_json::Value> = cx.list_kind(Kind::any_group("Rollout"), &options)?;
    /// assert_eq!(rollouts[0]["spec"]["replicas"], 3);
    /// # Ok::<(), HostError>(())
    /// ```
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
    /// ```
    /// # use ggcore_probe_sdk::prelude::*;
    /// # use ggcore_probe_sdk::testing::Fixture;
    /// let fixture = Fixture::yaml(
    ///     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: veritas-config-blue, namespace: veritas}\ndata: {MODEL_REVISION: r7}\n",
    /// );
    /// let cx = fixture.context();
    /// let blue: Option<ConfigMap> = cx.get(Some("veritas"), "veritas-config-blue")?;
    /// assert_eq!(blue.unwrap().data["MODEL_REVISION"], "r7");
    /// let green: Option<ConfigMap> = cx.get(Some("veritas"), "veritas-config-green")?;
    /// assert!(green.is_none());
    /// # Ok::<(), HostError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Context::list`], except that not-found is `Ok(None)`.
    pub fn get<T: Resource>(&self, namespace: Option<&str>, name: &str) -> Result<Option<T>, HostError> {
        self.get_kind(T::KIND, namespace, name)
    }

    /// Gets one object of any kind into any type, such as [`serde_json::Value`]; `Ok(None)`
    /// when it does not exist.
    ///
    /// # Errors
    ///
    /// As [`Context::get`].
    pub fn get_kind<T: DeserializeOwned>(&self, kind: Kind, namespace: Option<&str>, name: &str) -> Result<Option<T>, HostError> {
        let kind = KindRef::from(kind);
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
    /// ```
    /// # use ggcore_probe_sdk::prelude::*;
    /// # use ggcore_probe_sdk::testing::Fixture;
    /// let fixture = Fixture::yaml("").log("veritas", "gg-core-0", "gg-core", true, "loading model\nE2001 model load failed\n");
    /// let cx = fixture.context();
    /// let previous = cx.logs("veritas", "gg-core-0", Some("gg-core"), Some(1), true)?;
    /// assert_eq!(previous, "E2001 model load failed");
    /// # Ok::<(), HostError>(())
    /// ```
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

    /// Lists the events about one object in the profile's namespace, oldest first as the
    /// cluster returns them. The probe must declare [`Event::KIND`](crate::views::Event).
    ///
    /// # Errors
    ///
    /// As [`Context::list`].
    pub fn events_for(&self, kind: &str, name: &str) -> Result<Vec<crate::views::Event>, HostError> {
        let options = ListOptions {
            namespace: Some(self.profile.namespace.clone()),
            label_selector: None,
            field_selector: Some(format!("involvedObject.kind={kind},involvedObject.name={name}")),
        };
        self.list_kind(<crate::views::Event as Resource>::KIND, &options)
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

    /// Writes a debug log line, for probe authors; `diagnose -v=4` and `probe test` show it.
    pub fn debug(&self, message: impl AsRef<str>) {
        self.backend.log(Level::Debug, message.as_ref());
    }

    /// Writes an info log line.
    pub fn info(&self, message: impl AsRef<str>) {
        self.backend.log(Level::Info, message.as_ref());
    }

    /// Writes a warning log line, for something the operator should look at.
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
