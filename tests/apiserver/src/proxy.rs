//! The `proxy` subresource of pods and services: `.../pods/<name>[:<port>]/proxy/<path>` and
//! `.../services/<name>:<port>/proxy/<path>`, forwarded over plain HTTP to loopback backends
//! that the test registers. A port may be given by number or by name. A name resolves
//! through the Service's `spec.ports` or the pod's container ports.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;

use crate::status::ApiError;

/// The kind of object whose `proxy` subresource reaches a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// A pod: `.../pods/<name>:<port>/proxy`.
    Pod,
    /// A Service: `.../services/<name>:<port>/proxy`.
    Service,
}

impl ProxyKind {
    /// Reads `pod`, `pods`, `Pod`, `service`, `services`, `svc` or `Service`.
    pub fn parse(kind: &str) -> Option<ProxyKind> {
        match kind.to_ascii_lowercase().as_str() {
            "pod" | "pods" | "po" => Some(ProxyKind::Pod),
            "service" | "services" | "svc" => Some(ProxyKind::Service),
            _ => None,
        }
    }
}

/// A port by number or name. The empty name is a path without a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRef(pub String);

impl From<u16> for PortRef {
    fn from(port: u16) -> PortRef {
        PortRef(port.to_string())
    }
}

impl From<&str> for PortRef {
    fn from(port: &str) -> PortRef {
        PortRef(port.to_string())
    }
}

impl From<String> for PortRef {
    fn from(port: String) -> PortRef {
        PortRef(port)
    }
}

/// A registered backend.
#[derive(Debug, Clone)]
pub(crate) struct Backend {
    pub kind: ProxyKind,
    pub namespace: String,
    pub name: String,
    pub port: PortRef,
    pub address: SocketAddr,
}

/// Splits the name segment of a proxy path: `name`, `name:port` or `scheme:name:port`.
pub fn split_name(segment: &str) -> (String, String) {
    let parts: Vec<&str> = segment.split(':').collect();
    match parts.as_slice() {
        [name] => (name.to_string(), String::new()),
        [name, port] => (name.to_string(), port.to_string()),
        [_, name, port, ..] => (name.to_string(), port.to_string()),
        [] => (String::new(), String::new()),
    }
}

/// Resolves a port of an object to its number: a number as it is, a name through the
/// Service's ports or the pod's container ports, no port to the pod's port 80 or a Service's
/// only port.
fn resolve(kind: ProxyKind, object: &Value, port: &str) -> Option<u16> {
    if let Ok(number) = port.parse() {
        return Some(number);
    }
    let ports: Vec<(&str, u16)> = match kind {
        ProxyKind::Service => object["spec"]["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p["name"].as_str().unwrap_or(""), p["port"].as_u64()? as u16)))
            .collect(),
        ProxyKind::Pod => object["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["ports"].as_array().into_iter().flatten())
            .filter_map(|p| Some((p["name"].as_str().unwrap_or(""), p["containerPort"].as_u64()? as u16)))
            .collect(),
    };
    match (port, kind) {
        ("", ProxyKind::Pod) => Some(80),
        ("", ProxyKind::Service) if ports.len() == 1 => Some(ports[0].1),
        ("", ProxyKind::Service) => None,
        (name, _) => ports.iter().find(|(n, _)| *n == name).map(|(_, number)| *number),
    }
}

/// Finds the backend registered for an object and port.
pub(crate) fn find<'a>(backends: &'a [Backend], kind: ProxyKind, object: &Value, namespace: &str, name: &str, port: &str) -> Option<&'a Backend> {
    let requested = resolve(kind, object, port);
    backends.iter().rev().find(|b| {
        b.kind == kind
            && b.namespace == namespace
            && b.name == name
            && (b.port.0 == port || (requested.is_some() && resolve(kind, object, &b.port.0) == requested))
    })
}

/// Builds the 503 the API server's proxy gives when it cannot connect:
/// `error trying to reach service: dial tcp 10.42.1.17:9090: connect: connection refused`.
pub(crate) fn connection_refused(kind: ProxyKind, object: &Value, port: &str) -> ApiError {
    let ip = match kind {
        ProxyKind::Pod => object["status"]["podIP"].as_str(),
        ProxyKind::Service => object["spec"]["clusterIP"].as_str(),
    }
    .filter(|ip| !ip.is_empty() && *ip != "None")
    .unwrap_or("127.0.0.1");
    let port = resolve(kind, object, port).map_or_else(|| port.to_string(), |p| p.to_string());
    ApiError::service_unavailable(format!("error trying to reach service: dial tcp {ip}:{port}: connect: connection refused"))
}

/// Sends a GET with the client's `Accept` header to a backend and returns its response:
/// status, `Content-Type` and body.
///
/// NOTE: no timeout applies, because kube-apiserver treats proxy requests as long-running. A
/// backend that never responds keeps the request open until the client gives up.
///
/// # Errors
///
/// Returns the I/O or HTTP error when the backend refuses the connection or breaks off.
pub(crate) async fn forward(address: SocketAddr, path_and_query: &str, accept: Option<&str>) -> Result<Response<Full<Bytes>>, Box<dyn std::error::Error + Send + Sync>> {
    let stream = tokio::net::TcpStream::connect(address).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);

    let mut request = Request::get(path_and_query).header(hyper::header::HOST, address.to_string());
    if let Some(accept) = accept {
        request = request.header(hyper::header::ACCEPT, accept);
    }
    let request = request.body(Full::new(Bytes::new()))?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    let content_type = response.headers().get(hyper::header::CONTENT_TYPE).cloned();
    let body = response.into_body().collect().await?.to_bytes();

    let mut forwarded = Response::new(Full::new(body));
    *forwarded.status_mut() = StatusCode::from_u16(status.as_u16())?;
    if let Some(content_type) = content_type {
        forwarded.headers_mut().insert(hyper::header::CONTENT_TYPE, content_type);
    }
    Ok(forwarded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn service_port_name_resolves_to_number() {
        let service = json!({"spec": {"ports": [{"name": "http", "port": 8080}, {"name": "metrics", "port": 9090}]}});
        assert_eq!(resolve(ProxyKind::Service, &service, "metrics"), Some(9090));
        assert_eq!(resolve(ProxyKind::Service, &service, ""), None);
    }

    #[test]
    fn name_segment_splits_scheme_and_port() {
        assert_eq!(split_name("https:gg-core:8443"), ("gg-core".to_string(), "8443".to_string()));
        assert_eq!(split_name("gg-core"), ("gg-core".to_string(), String::new()));
    }
}
