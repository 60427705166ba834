//! A live cluster, read through kube-rs the way kubectl connects. Each kind is listed once per
//! scope, in pages, however many probes read it. Only GET is sent, so the plugin never changes
//! the cluster; concurrent requests are bounded, and server errors and time-outs are retried
//! with back-off.

mod discovery;
mod errors;
pub mod kubeconfig;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, Result};
use base64::Engine as _;
use http_body_util::BodyExt as _;
use kube::Client;
use kube::discovery::Discovery;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::{OnceCell, Semaphore};

use self::discovery::Resource;
use self::errors::Attempt;
use self::kubeconfig::{Connection, ConnectionFlags};
use super::object::Object;
use super::recorded::HttpTarget;
use super::{HttpAnswer, KindQuery, ReadError};

/// Requests in flight at once; more wait, so that a run does not flood the API server.
const MAX_CONCURRENT_REQUESTS: usize = 8;
/// Items per page of a LIST.
const PAGE_SIZE: u32 = 500;
/// Retries of a request that failed with a server error or timed out.
const RETRIES: u32 = 3;
/// The first back-off; it doubles with each retry.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The time limit of one request when `--request-timeout` is not given.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

type ListCell = Arc<OnceCell<Result<Arc<Vec<Arc<Object>>>, ReadError>>>;

/// A connected cluster.
pub struct LiveCluster {
    client: Client,
    /// The kubeconfig context, or `in-cluster`.
    pub context: String,
    /// The API server's URL.
    pub server: String,
    /// The namespace the context sets, if any.
    pub context_namespace: Option<String>,
    discovery: OnceCell<Result<Arc<Discovery>, ReadError>>,
    lists: Mutex<HashMap<(String, Option<String>), ListCell>>,
    limiter: Semaphore,
    request_timeout: Duration,
    requests: AtomicUsize,
}

/// The answer of one request: its status and body.
struct Answer {
    status: u16,
    body: Vec<u8>,
    truncated: bool,
}

impl LiveCluster {
    /// Connects with kubectl's flags and checks that the API server answers.
    ///
    /// # Errors
    ///
    /// Fails like kubectl does, naming the context and server, when the configuration cannot be
    /// resolved or the server cannot be reached.
    pub async fn connect(flags: &ConnectionFlags) -> Result<LiveCluster> {
        let Connection { config, context, server, context_namespace } = kubeconfig::resolve(flags).await?;
        let client = Client::try_from(config).with_context(|| format!("creating a client for context `{context}` (server {server})"))?;
        let cluster = LiveCluster {
            client,
            context,
            server,
            context_namespace,
            discovery: OnceCell::new(),
            lists: Mutex::new(HashMap::new()),
            limiter: Semaphore::new(MAX_CONCURRENT_REQUESTS),
            request_timeout: flags.request_timeout.filter(|t| !t.is_zero()).unwrap_or(DEFAULT_REQUEST_TIMEOUT),
            requests: AtomicUsize::new(0),
        };
        let answer = cluster.get("/version", None).await.map_err(|e| {
            anyhow::anyhow!("the API server {} (context `{}`) cannot be reached: {e:#}", cluster.server, cluster.context)
        })?;
        if answer.status >= 400 {
            let message = status_message(&answer.body);
            let attempt = Attempt { verb: "get", resource: "/version", group: "", namespace: None };
            anyhow::bail!("the API server {} (context `{}`) refused the connection check: {}", cluster.server, cluster.context, errors::from_status(answer.status, &message, &attempt));
        }
        Ok(cluster)
    }

    /// Returns how many requests were sent so far.
    pub fn request_count(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// Returns how many kinds and scopes have been listed or are being listed.
    pub fn list_count(&self) -> usize {
        self.lists.lock().expect("list cache lock").len()
    }

    async fn resolve(&self, kind: &KindQuery) -> Result<Option<Resource>, ReadError> {
        let discovery = self
            .discovery
            .get_or_init(|| async { discovery::discover(&self.client).await.map(Arc::new) })
            .await
            .clone()?;
        Ok(discovery::find(&discovery, kind))
    }

    /// Returns every object of a kind in a namespace (`None`: all namespaces), listing it once
    /// per run however many probes ask. A kind the server does not serve has no objects.
    ///
    /// # Errors
    ///
    /// Returns the mapped error of the LIST: denied (with the missing permission), unavailable
    /// or timed out after retries.
    pub async fn objects(&self, kind: &KindQuery, namespace: Option<&str>) -> Result<Arc<Vec<Arc<Object>>>, ReadError> {
        let Some(resource) = self.resolve(kind).await? else {
            tracing::debug!(kind = %kind, "the server does not serve this kind");
            return Ok(Arc::new(Vec::new()));
        };
        let scope = namespace.filter(|_| resource.namespaced).map(str::to_string);
        let cell = {
            let mut lists = self.lists.lock().expect("list cache lock");
            lists.entry((resource.qualified(), scope.clone())).or_default().clone()
        };
        cell.get_or_init(|| async { self.list_all(&resource, scope.as_deref()).await.map(Arc::new) }).await.clone()
    }

    async fn list_all(&self, resource: &Resource, namespace: Option<&str>) -> Result<Vec<Arc<Object>>, ReadError> {
        let qualified = resource.qualified();
        let attempt = Attempt { verb: "list", resource: &qualified, group: &resource.api.group, namespace };
        let mut objects = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let path = format!("{}?{}", resource.collection_path(namespace), page_query(token.as_deref()));
            let answer = self.get(&path, None).await.map_err(|e| transport_error(e, &attempt))?;
            if answer.status == 410 && token.is_some() {
                // The continue token expired: start the list again.
                tracing::debug!(resource = %qualified, "continue token expired; listing again");
                objects.clear();
                token = None;
                continue;
            }
            if answer.status >= 400 {
                return Err(errors::from_status(answer.status, &status_message(&answer.body), &attempt));
            }
            let page: Value = serde_json::from_slice(&answer.body)
                .map_err(|e| ReadError::Invalid(format!("{} {}: the answer is not JSON: {e}", attempt.verb, qualified)))?;
            for mut item in page["items"].as_array().cloned().unwrap_or_default() {
                if let Value::Object(fields) = &mut item {
                    fields.entry("apiVersion").or_insert_with(|| Value::String(resource.api.api_version.clone()));
                    fields.entry("kind").or_insert_with(|| Value::String(resource.api.kind.clone()));
                }
                if let Some(object) = Object::from_value(item) {
                    objects.push(Arc::new(object));
                }
            }
            token = page["metadata"]["continue"].as_str().filter(|t| !t.is_empty()).map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        tracing::debug!(resource = %qualified, namespace = namespace.unwrap_or("(all)"), objects = objects.len(), "listed");
        Ok(objects)
    }

    /// Reads a container log.
    ///
    /// # Errors
    ///
    /// Returns `not-found` for a pod or previous container that does not exist, `denied` without
    /// the `pods/log` permission.
    pub async fn logs(&self, namespace: &str, pod: &str, container: Option<&str>, tail: Option<u32>, previous: bool, max_bytes: usize) -> Result<String, ReadError> {
        let path = format!("/api/v1/namespaces/{namespace}/pods/{pod}/log?{}", log_query(container, tail, previous, max_bytes));
        let attempt = Attempt { verb: "get", resource: "pods/log", group: "", namespace: Some(namespace) };
        let answer = self.get(&path, Some(max_bytes)).await.map_err(|e| transport_error(e, &attempt))?;
        match answer.status {
            200..=299 => Ok(String::from_utf8_lossy(&answer.body).into_owned()),
            // "previous terminated container not found" and similar come back as 400.
            400 | 404 => Err(ReadError::NotFound(format!("log of pod `{namespace}/{pod}`: {}", status_message(&answer.body)))),
            status => Err(errors::from_status(status, &status_message(&answer.body), &attempt)),
        }
    }

    /// Returns `(key, sha256)` of a Secret's data; the values stay in this function.
    ///
    /// # Errors
    ///
    /// Returns `denied` without `get secrets`, `not-found` for a missing Secret.
    pub async fn secret_digests(&self, namespace: &str, name: &str) -> Result<Vec<(String, String)>, ReadError> {
        let attempt = Attempt { verb: "get", resource: "secrets", group: "", namespace: Some(namespace) };
        let answer = self.get(&format!("/api/v1/namespaces/{namespace}/secrets/{name}"), None).await.map_err(|e| transport_error(e, &attempt))?;
        if answer.status >= 400 {
            return Err(errors::from_status(answer.status, &status_message(&answer.body), &attempt));
        }
        let secret: Value = serde_json::from_slice(&answer.body).map_err(|e| ReadError::Invalid(format!("Secret `{name}` is not JSON: {e}")))?;
        let mut digests: Vec<(String, String)> = secret["data"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(key, value)| {
                let bytes = base64::engine::general_purpose::STANDARD.decode(value.as_str().unwrap_or("")).unwrap_or_default();
                (key.clone(), hex::encode(Sha256::digest(&bytes)))
            })
            .collect();
        digests.sort();
        Ok(digests)
    }

    /// GETs a path through the API server's pod or service proxy. The backend's status comes
    /// back as it is; only a failure to get any answer is an error.
    ///
    /// # Errors
    ///
    /// Returns `denied` without the `pods/proxy` or `services/proxy` permission, `timeout` or
    /// `unavailable` when no answer came.
    pub async fn proxy_get(&self, target: &HttpTarget, max_bytes: usize) -> Result<HttpAnswer, ReadError> {
        let (path, resource, namespace) = match target {
            HttpTarget::Pod { namespace, pod, port, path } => (format!("/api/v1/namespaces/{namespace}/pods/{pod}:{port}/proxy{path}"), "pods/proxy", namespace),
            HttpTarget::Service { namespace, service, port, path } => {
                (format!("/api/v1/namespaces/{namespace}/services/{service}:{port}/proxy{path}"), "services/proxy", namespace)
            }
        };
        let attempt = Attempt { verb: "get", resource, group: "", namespace: Some(namespace) };
        // A 5xx here is most often the backend's own response (a pod that is not ready returns
        // 503) or the API server reporting that it cannot reach the pod. Neither changes within
        // the back-off, and retrying them made a run over many unready pods take minutes.
        let answer = self.get_retrying(&path, Some(max_bytes), |status| status == 429).await.map_err(|e| transport_error(e, &attempt))?;
        if answer.status == 403 && is_api_status(&answer.body) {
            return Err(errors::from_status(403, &status_message(&answer.body), &attempt));
        }
        Ok(HttpAnswer { status: answer.status, body: String::from_utf8_lossy(&answer.body).into_owned(), truncated: answer.truncated })
    }

    /// Sends one GET with the request bound, the time limit and retries; returns the status and
    /// the body, cut at `max_bytes` when given.
    async fn get(&self, path: &str, max_bytes: Option<usize>) -> Result<Answer, TransportError> {
        self.get_retrying(path, max_bytes, errors::is_retryable).await
    }

    /// Sends one GET like [`LiveCluster::get`], retrying the statuses `retry_status` accepts and
    /// every request that got no response.
    async fn get_retrying(&self, path: &str, max_bytes: Option<usize>, retry_status: fn(u16) -> bool) -> Result<Answer, TransportError> {
        let mut backoff = FIRST_BACKOFF;
        let mut attempt = 0;
        loop {
            let result = self.get_once(path, max_bytes).await;
            let retry = match &result {
                Ok(answer) => retry_status(answer.status),
                Err(_) => true,
            };
            if !retry || attempt == RETRIES {
                return result;
            }
            attempt += 1;
            tracing::debug!(path, attempt, "retrying after {}", match &result {
                Ok(answer) => format!("status {}", answer.status),
                Err(error) => error.to_string(),
            });
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
    }

    async fn get_once(&self, path: &str, max_bytes: Option<usize>) -> Result<Answer, TransportError> {
        let _permit = self.limiter.acquire().await.expect("the request semaphore is never closed");
        self.requests.fetch_add(1, Ordering::Relaxed);
        let request = http::Request::get(path)
            .header(http::header::ACCEPT, "application/json")
            .body(kube::client::Body::empty())
            .map_err(|e| TransportError::Other(e.to_string()))?;

        let exchange = async {
            let response = self.client.send(request).await.map_err(|e| TransportError::Other(e.to_string()))?;
            let status = response.status().as_u16();
            let mut body = response.into_body();
            let mut bytes = Vec::new();
            let mut truncated = false;
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| TransportError::Other(e.to_string()))?;
                if let Some(data) = frame.data_ref() {
                    bytes.extend_from_slice(data);
                }
                if let Some(max) = max_bytes.filter(|max| bytes.len() > *max) {
                    bytes.truncate(max);
                    truncated = true;
                    break;
                }
            }
            Ok(Answer { status, body: bytes, truncated })
        };
        tokio::time::timeout(self.request_timeout, exchange).await.map_err(|_| TransportError::Timeout(self.request_timeout))?
    }
}

/// A request that got no answer.
#[derive(Debug, thiserror::Error)]
enum TransportError {
    #[error("no answer within {}s", .0.as_secs())]
    Timeout(Duration),
    #[error("{0}")]
    Other(String),
}

fn transport_error(error: TransportError, attempt: &Attempt<'_>) -> ReadError {
    let what = format!("{} {}", attempt.verb, attempt.resource);
    match error {
        TransportError::Timeout(after) => ReadError::Timeout(format!("{what}: no answer within {}s after {RETRIES} retries", after.as_secs())),
        TransportError::Other(message) => ReadError::Unavailable(format!("{what}: {message} (after {RETRIES} retries)")),
    }
}

fn page_query(token: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("limit", &PAGE_SIZE.to_string());
    if let Some(token) = token {
        query.append_pair("continue", token);
    }
    query.finish()
}

fn log_query(container: Option<&str>, tail: Option<u32>, previous: bool, max_bytes: usize) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(container) = container {
        query.append_pair("container", container);
    }
    if let Some(tail) = tail {
        query.append_pair("tailLines", &tail.to_string());
    }
    if previous {
        query.append_pair("previous", "true");
    }
    query.append_pair("limitBytes", &max_bytes.to_string());
    query.finish()
}

fn is_api_status(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body).is_ok_and(|v| v["kind"] == "Status")
}

/// Returns the `message` of a `Status` body, or the body itself.
fn status_message(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => value["message"].as_str().map(str::to_string).unwrap_or_else(|| value.to_string()),
        Err(_) => String::from_utf8_lossy(&body[..body.len().min(300)]).trim().to_string(),
    }
}
