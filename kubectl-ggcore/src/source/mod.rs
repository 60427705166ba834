//! Where the cluster state comes from, and the shared read path every probe goes through.
//!
//! A [`Reader`] serves one run: it takes each kind once from its backend (a snapshot, or a
//! live cluster), filters by namespace and selectors itself, and keeps the rendered JSON so
//! that ten probes asking for the same pods cost one read. It also keeps what the probes
//! asked for and could not see, for the report.

pub mod dns;
pub mod error;
pub mod live;
pub mod object;
pub mod prometheus;
pub mod recorded;
pub mod recording;
pub mod snapshot;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use ggcore_probe_sdk::fields;
use ggcore_probe_sdk::selector::Selector;

pub use self::error::ReadError;
use self::live::LiveCluster;
use self::object::Object;
use self::recording::Recording;
use self::prometheus::Prometheus;
use self::recorded::{HttpTarget, QueryRecord, RecordedSeries};
use self::snapshot::Snapshot;

/// A kind as a probe names it: a fixed group, or `None` for "any group".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KindQuery {
    /// The API group; `None` finds the kind in whatever group serves it.
    pub group: Option<String>,
    /// The kind.
    pub kind: String,
}

impl std::fmt::Display for KindQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.group.as_deref() {
            Some("") | None => f.write_str(&self.kind),
            Some(group) => write!(f, "{}.{group}", self.kind),
        }
    }
}

/// The answer of a proxied GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    /// The status code.
    pub status: u16,
    /// The body, cut at the cap.
    pub body: String,
    /// True when the body was cut.
    pub truncated: bool,
}

/// The answer of a DNS lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsAnswer {
    /// The addresses.
    pub addresses: Vec<String>,
    /// The smallest TTL in seconds.
    pub ttl: u32,
}

/// Where a run reads from.
pub enum Backend {
    /// A snapshot loaded at start-up.
    Snapshot(Arc<Snapshot>),
    /// A live cluster.
    Live(Arc<LiveCluster>),
    /// No cluster state, for commands that only ask probes to describe themselves.
    Nothing,
}

/// What the probes of a run asked for and could not see, for the report.
#[derive(Debug, Default, Clone)]
pub struct Observations {
    /// Kinds asked for that had no object at all (in a snapshot that holds every kind).
    pub empty_kinds: BTreeSet<String>,
    /// Reads that failed, with the reason.
    pub unseen: BTreeMap<String, String>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct ListKey {
    kind: KindQuery,
    namespace: Option<String>,
    labels: Option<String>,
    fields: Option<String>,
}

/// The shared read path of one run.
pub struct Reader {
    backend: Backend,
    rendered: Mutex<HashMap<ListKey, Arc<str>>>,
    observations: Mutex<Observations>,
    /// The largest list, log or body handed to a probe, in bytes; larger answers are a
    /// `too-large` error, so that one huge kind cannot blow a probe's memory cap.
    pub max_answer_bytes: usize,
    /// The observation time set with `--now`, which wins over the backend's.
    pub observed_at_override: Option<i64>,
    /// What the run read, kept for `collect`; `None` when not collecting.
    recording: Option<Mutex<Recording>>,
    /// The Prometheus given with `--prometheus-url`, which wins over the backend's answers.
    pub prometheus: Option<Prometheus>,
    /// The answers of the PromQL queries made in this run, for `collect` and for reuse.
    queries: Mutex<Vec<QueryRecord>>,
    /// The Prometheus Service of a live cluster, found once: namespace, name and port.
    prometheus_service: tokio::sync::OnceCell<Result<(String, String, String), ReadError>>,
    /// The resolver for live lookups; `None` when the run has none (see [`dns::Resolver::for_run`]).
    pub resolver: Option<dns::Resolver>,
}

/// The default of [`Reader::max_answer_bytes`]: 64 MiB.
pub const DEFAULT_MAX_ANSWER_BYTES: usize = 64 << 20;

impl Reader {
    /// Creates the read path of a run.
    pub fn new(backend: Backend) -> Reader {
        Reader {
            backend,
            rendered: Mutex::new(HashMap::new()),
            observations: Mutex::new(Observations::default()),
            max_answer_bytes: DEFAULT_MAX_ANSWER_BYTES,
            observed_at_override: None,
            recording: None,
            prometheus: None,
            queries: Mutex::new(Vec::new()),
            prometheus_service: tokio::sync::OnceCell::new(),
            resolver: None,
        }
    }

    /// Keeps everything the probes read, so that [`Reader::take_recording`] can write it as a
    /// snapshot.
    pub fn record(mut self) -> Reader {
        self.recording = Some(Mutex::new(Recording::default()));
        self
    }

    /// Returns what was recorded, leaving an empty recording.
    pub fn take_recording(&self) -> Option<Recording> {
        self.recording.as_ref().map(|r| std::mem::take(&mut *r.lock().expect("recording lock")))
    }

    fn recorder(&self) -> Option<std::sync::MutexGuard<'_, Recording>> {
        self.recording.as_ref().map(|r| r.lock().expect("recording lock"))
    }

    /// Returns the backend.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Returns when the state was observed, in Unix seconds: the snapshot's time, or now.
    pub fn observed_at(&self) -> i64 {
        if let Some(at) = self.observed_at_override {
            return at;
        }
        match &self.backend {
            Backend::Snapshot(snapshot) => snapshot.observed_at.unwrap_or_else(now),
            Backend::Live(_) | Backend::Nothing => now(),
        }
    }

    /// Returns what the probes could not see so far.
    pub fn observations(&self) -> Observations {
        self.observations.lock().expect("observations lock").clone()
    }

    fn note_unseen(&self, what: String, error: &ReadError) {
        if !matches!(error, ReadError::NotFound(_) | ReadError::Invalid(_)) {
            self.observations.lock().expect("observations lock").unseen.entry(what).or_insert_with(|| error.to_string());
        }
    }

    /// Returns the objects of a kind; a live cluster lists them in `namespace` (all
    /// namespaces for `None`), a snapshot returns all and the caller filters.
    async fn objects(&self, kind: &KindQuery, namespace: Option<&str>) -> Result<Arc<Vec<Arc<Object>>>, ReadError> {
        let result = match &self.backend {
            Backend::Snapshot(snapshot) => match snapshot.list_error(&kind.kind, namespace) {
                Some(error) => Err(error),
                None => snapshot.objects(kind.group.as_deref(), &kind.kind).map(Arc::new),
            },
            Backend::Live(cluster) => cluster.objects(kind, namespace).await,
            Backend::Nothing => Err(nothing()),
        };
        // A snapshot returns every namespace's objects, so only a live list has a scope.
        let scope = match (&self.backend, namespace) {
            (Backend::Live(_), Some(ns)) => format!(" in `{ns}`"),
            _ => String::new(),
        };
        match &result {
            Ok(objects) if objects.is_empty() => {
                self.observations.lock().expect("observations lock").empty_kinds.insert(format!("{kind}{scope}"));
            }
            Err(error) => {
                let scope = namespace.map(|ns| format!(" in `{ns}`")).unwrap_or_default();
                self.note_unseen(format!("list {kind}{scope}"), error);
            }
            Ok(_) => {}
        }
        if let Some(mut recording) = self.recorder() {
            match &result {
                Ok(objects) => recording.add_objects(kind, objects),
                Err(error) => recording.add_unseen_kind(kind, namespace, error),
            }
        }
        result
    }

    /// Lists the objects of a kind as a JSON array, filtered like `kubectl get`.
    ///
    /// # Errors
    ///
    /// Returns `invalid` for a selector that does not parse, `too-large` past the answer cap,
    /// and whatever the backend returns.
    pub async fn list(&self, kind: &KindQuery, namespace: Option<&str>, labels: Option<&str>, fields: Option<&str>) -> Result<Arc<str>, ReadError> {
        let key = ListKey {
            kind: kind.clone(),
            namespace: namespace.map(str::to_string),
            labels: labels.filter(|l| !l.is_empty()).map(str::to_string),
            fields: fields.filter(|f| !f.is_empty()).map(str::to_string),
        };
        if let Some(json) = self.rendered.lock().expect("render cache lock").get(&key) {
            return Ok(json.clone());
        }

        let labels = Selector::parse(key.labels.as_deref().unwrap_or("")).map_err(|e| ReadError::Invalid(e.to_string()))?;
        let fields = fields::parse_field_selector(key.fields.as_deref().unwrap_or("")).map_err(ReadError::Invalid)?;
        let objects = self.objects(kind, namespace).await?;

        let mut json = String::from("[");
        for object in objects.iter().filter(|o| {
            namespace.is_none_or(|ns| o.namespace.as_deref() == Some(ns))
                && labels.matches(&o.labels)
                && (fields.is_empty() || fields::matches_fields(&o.value(), &fields))
        }) {
            if json.len() > 1 {
                json.push(',');
            }
            json.push_str(object.json());
            if json.len() > self.max_answer_bytes {
                return Err(ReadError::TooLarge(format!(
                    "the list of {kind} is larger than {} MiB; narrow it with a namespace or selector",
                    self.max_answer_bytes >> 20
                )));
            }
        }
        json.push(']');

        let json: Arc<str> = json.into();
        self.rendered.lock().expect("render cache lock").insert(key, json.clone());
        Ok(json)
    }

    /// Returns one object as JSON.
    ///
    /// # Errors
    ///
    /// Returns `not-found` when it does not exist, and whatever the backend returns.
    pub async fn get(&self, kind: &KindQuery, namespace: Option<&str>, name: &str) -> Result<String, ReadError> {
        let objects = self.objects(kind, namespace).await?;
        objects
            .iter()
            .find(|o| o.name == name && o.namespace.as_deref() == namespace)
            .map(|o| o.json().to_string())
            .ok_or_else(|| {
                let place = namespace.map(|ns| format!(" in namespace `{ns}`")).unwrap_or_default();
                ReadError::NotFound(format!("{kind} `{name}`{place}"))
            })
    }

    /// Returns a container log, cut to its last `tail` lines.
    ///
    /// # Errors
    ///
    /// Returns `not-found` when there is no such log, `too-large` past the answer cap.
    pub async fn logs(&self, namespace: &str, pod: &str, container: Option<&str>, tail: Option<u32>, previous: bool) -> Result<String, ReadError> {
        let text = match &self.backend {
            Backend::Snapshot(snapshot) => snapshot.log(namespace, pod, container, previous),
            Backend::Live(cluster) => cluster.logs(namespace, pod, container, tail, previous, self.max_answer_bytes).await,
            Backend::Nothing => Err(nothing()),
        };
        if let (Some(mut recording), Ok(text)) = (self.recorder(), &text) {
            recording.add_log(namespace, pod, container, previous, text);
        }
        let text = text?;
        let text = match tail {
            Some(tail) => {
                let lines: Vec<&str> = text.lines().collect();
                let mut kept = lines[lines.len().saturating_sub(tail as usize)..].join("\n");
                kept.push('\n');
                kept
            }
            None => text,
        };
        if text.len() > self.max_answer_bytes {
            return Err(ReadError::TooLarge(format!("the log of pod `{namespace}/{pod}` is larger than {} MiB; ask for its tail", self.max_answer_bytes >> 20)));
        }
        Ok(text)
    }

    /// Returns the data digests of a Secret.
    ///
    /// # Errors
    ///
    /// Returns `not-found` when there is no such Secret.
    pub async fn secret_digests(&self, namespace: &str, name: &str) -> Result<Vec<(String, String)>, ReadError> {
        let result = match &self.backend {
            Backend::Snapshot(snapshot) => snapshot.secret_digests(namespace, name),
            Backend::Live(cluster) => cluster.secret_digests(namespace, name).await,
            Backend::Nothing => Err(nothing()),
        };
        if let (Some(mut recording), Ok(digests)) = (self.recorder(), &result) {
            recording.add_secret(namespace, name, digests);
        }
        result
    }

    /// GETs a path through the API server's proxy, or replays the recorded answer.
    ///
    /// # Errors
    ///
    /// Returns `unavailable` when a snapshot holds no answer for the target.
    pub async fn http_get(&self, target: &HttpTarget) -> Result<HttpAnswer, ReadError> {
        let result = match &self.backend {
            Backend::Snapshot(snapshot) => match snapshot.http(target) {
                Some(record) => match (&record.error, record.status) {
                    (Some(error), _) => Err(ReadError::from(error.clone())),
                    (None, Some(status)) => Ok(HttpAnswer { status, body: record.body.clone().unwrap_or_default(), truncated: record.truncated }),
                    (None, None) => Err(ReadError::Invalid("the recorded answer has neither a status nor an error".into())),
                },
                None => Err(ReadError::Unavailable(format!("the snapshot holds no answer from {}", describe_target(target)))),
            },
            Backend::Live(cluster) => cluster.proxy_get(target, self.max_answer_bytes).await,
            Backend::Nothing => Err(nothing()),
        };
        if let Err(error) = &result {
            // A snapshot without any recorded answer is one gap, not one per pod and path.
            let what = match &self.backend {
                Backend::Snapshot(snapshot) if snapshot.index.http.is_empty() => "proxied GET requests (no answers recorded in the snapshot)".to_string(),
                _ => format!("GET {}", describe_target(target)),
            };
            self.note_unseen(what, error);
        }
        if let Some(mut recording) = self.recorder() {
            recording.add_http(target, &result);
        }
        result
    }

    /// Runs a PromQL query (`range` is range and step in seconds), or replays its answer.
    ///
    /// # Errors
    ///
    /// Returns `unavailable` when no Prometheus is reachable or recorded, `timeout` when it did
    /// not answer in time, `invalid` when it rejected the PromQL, and `too-large` past the cap.
    pub async fn query(&self, promql: &str, range: Option<(u32, u32)>) -> Result<Vec<RecordedSeries>, ReadError> {
        let record = self.query_record(promql, range).await;
        let result = match record.error {
            Some(error) => Err(ReadError::from(error)),
            None => Ok(record.series),
        };
        if let Err(error) = &result {
            self.note_unseen("Prometheus queries".into(), error);
        }
        result
    }

    /// Returns the answers of the PromQL queries this run made against a Prometheus, in the
    /// shape a collected snapshot stores them.
    pub fn query_records(&self) -> Vec<QueryRecord> {
        self.queries.lock().expect("queries lock").clone()
    }

    /// Finds the answer of a query: from `--prometheus-url`, else from the backend. An answer
    /// already had in this run is reused, so that probes asking the same query cost one request.
    async fn query_record(&self, promql: &str, range: Option<(u32, u32)>) -> QueryRecord {
        let earlier = self.queries.lock().expect("queries lock").iter().find(|q| q.promql == promql && q.range == range).cloned();
        if let Some(record) = earlier {
            return record;
        }
        if let Some(prometheus) = &self.prometheus {
            let record = prometheus.query(promql, range, self.observed_at(), self.max_answer_bytes).await;
            self.queries.lock().expect("queries lock").push(record.clone());
            return record;
        }
        match &self.backend {
            Backend::Snapshot(snapshot) => snapshot.query(promql, range).cloned().unwrap_or_else(|| {
                let error = ReadError::Unavailable(
                    "no Prometheus is reachable: the snapshot contains no response to this query; pass --prometheus-url URL".into(),
                );
                prometheus::record(promql, range, Err(error))
            }),
            Backend::Live(cluster) => {
                let result = self.live_query(cluster, promql, range).await;
                let record = prometheus::record(promql, range, result);
                self.queries.lock().expect("queries lock").push(record.clone());
                record
            }
            Backend::Nothing => prometheus::record(promql, range, Err(nothing())),
        }
    }

    /// Queries the cluster's Prometheus through the API server's service proxy.
    async fn live_query(&self, cluster: &LiveCluster, promql: &str, range: Option<(u32, u32)>) -> Result<Vec<RecordedSeries>, ReadError> {
        let (namespace, service, port) = self.prometheus_service.get_or_init(|| self.find_prometheus_service()).await.clone()?;
        let target = HttpTarget::Service { namespace, service, port, path: prometheus::api_path(promql, range, self.observed_at()) };
        let answer = cluster.proxy_get(&target, self.max_answer_bytes).await?;
        prometheus::parse_answer(answer.status, answer.body.as_bytes(), promql)
    }

    /// Finds the Prometheus Service: the `prometheus-operated` Service prometheus-operator
    /// creates, else a Service labelled `app.kubernetes.io/name=prometheus` or `app=prometheus`;
    /// its port named `web`, else 9090, else its first port.
    async fn find_prometheus_service(&self) -> Result<(String, String, String), ReadError> {
        let kind = KindQuery { group: Some(String::new()), kind: "Service".into() };
        let services = self.objects(&kind, None).await.map_err(|e| {
            ReadError::Unavailable(format!("cannot look for the Prometheus Service ({e}); pass --prometheus-url"))
        })?;
        let labelled = |o: &&Arc<Object>| {
            o.labels.get("app.kubernetes.io/name").map(String::as_str) == Some("prometheus") || o.labels.get("app").map(String::as_str) == Some("prometheus")
        };
        let service = services
            .iter()
            .find(|o| o.name == "prometheus-operated")
            .or_else(|| services.iter().find(labelled))
            .ok_or_else(|| ReadError::Unavailable("no Prometheus Service found (none named `prometheus-operated` or labelled `app.kubernetes.io/name=prometheus`); pass --prometheus-url".into()))?;
        let ports = service.value()["spec"]["ports"].as_array().cloned().unwrap_or_default();
        let port = ports
            .iter()
            .find(|p| p["name"] == "web")
            .or_else(|| ports.iter().find(|p| p["port"] == 9090))
            .or(ports.first())
            .map(|p| p["name"].as_str().map(str::to_string).unwrap_or_else(|| p["port"].to_string()))
            .unwrap_or_else(|| "9090".into());
        Ok((service.namespace.clone().unwrap_or_default(), service.name.clone(), port))
    }

    /// Resolves a name, or replays the recorded lookup.
    /// Resolves a name through the run's resolver, or replays the recorded lookup. A resolver
    /// from `--dns-server` wins over a recorded answer; the pod's own resolver does not.
    ///
    /// # Errors
    ///
    /// Returns `unavailable` when the run has no resolver and no recorded answer, and the
    /// lookup's error otherwise (`not-found` for NXDOMAIN, `timeout`, `unavailable`).
    pub async fn resolve(&self, name: &str) -> Result<DnsAnswer, ReadError> {
        let recorded = match &self.backend {
            Backend::Snapshot(snapshot) => snapshot.dns(name).cloned(),
            Backend::Live(_) | Backend::Nothing => None,
        };
        let record = match (&self.resolver, recorded) {
            (Some(resolver), _) if resolver.origin() == dns::ResolverOrigin::Flag => resolver.resolve(name).await,
            (_, Some(record)) => record,
            (Some(resolver), None) => resolver.resolve(name).await,
            (None, None) => return Err(ReadError::Unavailable("no DNS server configured; pass --dns-server HOST:PORT".into())),
        };
        if let Some(mut recording) = self.recorder() {
            recording.dns.push(record.clone());
        }
        let result = match record.error {
            Some(error) => Err(ReadError::from(error)),
            None => Ok(DnsAnswer { addresses: record.addresses, ttl: record.ttl }),
        };
        if let Err(error) = &result {
            self.note_unseen(format!("DNS lookup of `{name}`"), error);
        }
        result
    }
}

/// Formats a proxy target as `pod veritas/gg-core-a:8080/health`.
pub fn describe_target(target: &HttpTarget) -> String {
    match target {
        HttpTarget::Pod { namespace, pod, port, path } => format!("pod {namespace}/{pod}:{port}{path}"),
        HttpTarget::Service { namespace, service, port, path } => format!("service {namespace}/{service}:{port}{path}"),
    }
}

fn nothing() -> ReadError {
    ReadError::Unavailable("this command reads no cluster state".into())
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
