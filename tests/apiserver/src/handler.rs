//! Handles one HTTP request: records it, applies the injected faults, rejects every method
//! but GET, then routes the path to discovery, objects, logs or the proxy.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::Value;

use crate::discovery;
use crate::faults::{Faults, RecordedRequest};
use crate::logs;
use crate::objects::{self, WatchBody};
use crate::proxy::{self, Backend, ProxyKind};
use crate::request::{Params, Representation, RequestInfo, negotiate};
use crate::resources::ResourceType;
use crate::status::{ApiError, injected};
use crate::store::{Store, Stored};

/// The body of every response.
pub(crate) type Body = BoxBody<Bytes, Infallible>;

/// The state a server's connections share.
pub(crate) struct Shared {
    pub store: Store,
    pub address: SocketAddr,
    pub faults: Mutex<Faults>,
    pub requests: Mutex<Vec<RecordedRequest>>,
    pub backends: Mutex<Vec<Backend>>,
}

/// Handles a request. It never fails, because every error becomes a `Status` response.
pub(crate) async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let accept = request.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).map(str::to_string);
    let params = Params::parse(&query);
    let info = RequestInfo::parse(method.as_str(), &path, &params);

    let (delay, failure) = lock(&shared.faults).apply(&info, &path, &params);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let response = match failure {
        Some(code) => error(&injected(code, &info)),
        None if method != Method::GET => error(&ApiError::method_not_allowed()),
        None => route(&shared, &info, &params, accept.as_deref(), &query).await,
    };

    lock(&shared.requests).push(RecordedRequest { method: method.to_string(), path, query, status: response.status().as_u16() });
    Ok(response)
}

/// Locks a mutex, taking over the data of a thread that panicked while holding it: the
/// recorded requests and faults stay usable after a failed test thread.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn route(shared: &Shared, info: &RequestInfo, params: &Params, accept: Option<&str>, query: &str) -> Response<Body> {
    let catalog = &shared.store.catalog;
    let segments: Vec<&str> = info.path.trim_matches('/').split('/').collect();
    let discovery_representation = || negotiate(accept, true);

    match segments.as_slice() {
        ["version"] => json(StatusCode::OK, "application/json", &discovery::version()),
        ["healthz"] | ["livez"] | ["readyz"] => text(StatusCode::OK, "ok"),
        ["api"] => match discovery_representation() {
            Some(Representation::Discovery(version)) => {
                let body = discovery::aggregated(catalog, true, &version);
                json(StatusCode::OK, &Representation::Discovery(version).content_type(false), &body)
            }
            Some(_) => json(StatusCode::OK, "application/json", &discovery::core_versions(&shared.address.to_string())),
            None => error(&ApiError::not_acceptable()),
        },
        ["apis"] => match discovery_representation() {
            Some(Representation::Discovery(version)) => {
                let body = discovery::aggregated(catalog, false, &version);
                json(StatusCode::OK, &Representation::Discovery(version).content_type(false), &body)
            }
            Some(_) => json(StatusCode::OK, "application/json", &discovery::group_list(catalog)),
            None => error(&ApiError::not_acceptable()),
        },
        ["apis", group] => match discovery::group_document(catalog, group) {
            Some(body) => json(StatusCode::OK, "application/json", &body),
            None => error(&ApiError::no_such_path()),
        },
        ["api", version] => resource_list(shared, "", version),
        ["apis", group, version] => resource_list(shared, group, version),
        _ if info.is_resource => resource(shared, info, params, accept, query).await,
        _ => error(&ApiError::no_such_path()),
    }
}

fn resource_list(shared: &Shared, group: &str, version: &str) -> Response<Body> {
    match discovery::resource_list(&shared.store.catalog, group, version) {
        Some(body) => json(StatusCode::OK, "application/json", &body),
        None => error(&ApiError::no_such_path()),
    }
}

async fn resource(shared: &Shared, info: &RequestInfo, params: &Params, accept: Option<&str>, query: &str) -> Response<Body> {
    let store = &shared.store;
    let Some(resource) = store.catalog.find(&info.group, &info.version, &info.resource) else {
        return error(&ApiError::no_such_path());
    };
    // A namespaced path to a cluster-scoped kind, or a cluster path to one namespaced object,
    // names nothing the API server serves.
    let namespace_in_path = info.namespace.is_some() && info.resource != "namespaces";
    if (namespace_in_path && !resource.namespaced) || (!namespace_in_path && resource.namespaced && info.name.is_some()) {
        return error(&ApiError::no_such_path());
    }
    let namespace = if resource.namespaced { info.namespace.as_deref() } else { None };

    let Some(name) = &info.name else { return list(store, resource, namespace, params, accept) };

    let proxy_target = (info.subresource.as_deref() == Some("proxy")).then(|| proxy::split_name(name));
    let object_name = proxy_target.as_ref().map_or(name.as_str(), |(name, _)| name.as_str());
    let Some(object) = store.get(resource, namespace, object_name) else {
        return error(&ApiError::not_found(resource, object_name));
    };

    let serves_status = resource.subresources.iter().any(|s| s == "status");
    match info.subresource.as_deref() {
        None => get(store, resource, object, params, accept),
        Some("status") if serves_status => get(store, resource, object, params, accept),
        Some("log") if resource.kind == "Pod" && resource.group.is_empty() => match logs::read(store, object, params) {
            Ok(log) => text(StatusCode::OK, &log),
            Err(e) => error(&e),
        },
        Some("proxy") if matches!(resource.kind.as_str(), "Pod" | "Service") && resource.group.is_empty() => {
            let kind = if resource.kind == "Pod" { ProxyKind::Pod } else { ProxyKind::Service };
            let port = proxy_target.map(|(_, port)| port).unwrap_or_default();
            let rest = if info.rest.is_empty() { "/".to_string() } else { info.rest.clone() };
            let path_and_query = if query.is_empty() { rest } else { format!("{rest}?{query}") };
            proxy_to_backend(shared, kind, object, &port, &path_and_query, accept).await
        }
        _ => error(&ApiError::no_such_path()),
    }
}

fn get(store: &Store, resource: &ResourceType, object: &Stored, params: &Params, accept: Option<&str>) -> Response<Body> {
    let Some(representation) = negotiate(accept, false) else { return error(&ApiError::not_acceptable()) };
    let body = objects::object_body(resource, object, store, &representation, params);
    json(StatusCode::OK, &representation.content_type(true), &body)
}

fn list(store: &Store, resource: &ResourceType, namespace: Option<&str>, params: &Params, accept: Option<&str>) -> Response<Body> {
    let Some(representation) = negotiate(accept, false) else { return error(&ApiError::not_acceptable()) };
    let items = match objects::select(store, resource, namespace, params) {
        Ok(items) => items,
        Err(e) => return error(&e),
    };

    if params.is_true("watch") {
        let body = WatchBody::new(&items, resource, params, store.resource_version);
        let mut response = Response::new(body.boxed());
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        return response;
    }

    if params.get("continue").is_some_and(|c| !c.is_empty()) && params.get("resourceVersion").is_some_and(|v| !v.is_empty()) {
        return error(&ApiError::bad_request("specifying resource version is not allowed when using continue"));
    }
    let limit = match params.get("limit").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(limit)) => limit,
        Some(Err(_)) => return error(&ApiError::bad_request(format!("limit must be a non-negative integer, found `{}`", params.get("limit").unwrap_or("")))),
    };
    let filtered = params.get("labelSelector").is_some_and(|s| !s.is_empty()) || params.get("fieldSelector").is_some_and(|s| !s.is_empty());
    match objects::page(items, limit, params.get("continue"), store.resource_version) {
        Ok(page) => {
            let body = objects::list_body(resource, &page, filtered, store, &representation, params);
            json(StatusCode::OK, &representation.content_type(false), &body)
        }
        Err(e) => error(&e),
    }
}

async fn proxy_to_backend(shared: &Shared, kind: ProxyKind, object: &Stored, port: &str, path_and_query: &str, accept: Option<&str>) -> Response<Body> {
    let backend = {
        let backends = lock(&shared.backends);
        proxy::find(&backends, kind, &object.value, &object.namespace, &object.name, port).map(|b| b.address)
    };
    let Some(address) = backend else { return error(&proxy::connection_refused(kind, &object.value, port)) };
    match proxy::forward(address, path_and_query, accept).await {
        Ok(response) => response.map(|body| body.boxed()),
        Err(_) => error(&proxy::connection_refused(kind, &object.value, port)),
    }
}

/// Builds a JSON response.
fn json(status: StatusCode, content_type: &str, body: &Value) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())).boxed());
    *response.status_mut() = status;
    let content_type = HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/json"));
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

fn text(status: StatusCode, body: &str) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())).boxed());
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

/// Builds the response of an error: its `Status` as JSON.
pub(crate) fn error(error: &ApiError) -> Response<Body> {
    let status = StatusCode::from_u16(error.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = json(status, "application/json", &error.to_status());
    if error.code == 429 {
        response.headers_mut().insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}
