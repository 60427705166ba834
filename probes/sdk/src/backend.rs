//! Where a probe's reads go: the WIT imports when it runs as a component, or in-memory
//! fixtures when its unit tests run on the build machine ([`crate::testing`]).

use crate::bindings::ggcore::probe::{cluster, dns, http, log, metrics};
use crate::bindings::{HostError, KindRef};

pub use cluster::{ListOptions, LogOptions};
pub use dns::Answer;
pub use http::Response;
pub use log::Level;
pub use metrics::{Sample, Series};

/// The host functions a probe calls, one method per WIT import.
pub trait Backend {
    /// `cluster.list-objects`.
    fn list(&self, kind: &KindRef, options: &ListOptions) -> Result<String, HostError>;
    /// `cluster.get-object`.
    fn get(&self, kind: &KindRef, namespace: Option<&str>, name: &str) -> Result<String, HostError>;
    /// `cluster.pod-logs`.
    fn pod_logs(&self, namespace: &str, pod: &str, options: &LogOptions) -> Result<String, HostError>;
    /// `cluster.secret-digests`.
    fn secret_digests(&self, namespace: &str, name: &str) -> Result<Vec<(String, String)>, HostError>;
    /// `http.pod-get`.
    fn pod_get(&self, namespace: &str, pod: &str, port: u16, path: &str) -> Result<Response, HostError>;
    /// `http.service-get`.
    fn service_get(&self, namespace: &str, service: &str, port: &str, path: &str) -> Result<Response, HostError>;
    /// `metrics.query`.
    fn query(&self, promql: &str) -> Result<Vec<Sample>, HostError>;
    /// `metrics.query-range`.
    fn query_range(&self, promql: &str, range_seconds: u32, step_seconds: u32) -> Result<Vec<Series>, HostError>;
    /// `dns.resolve`.
    fn resolve(&self, name: &str) -> Result<Answer, HostError>;
    /// `log.write`.
    fn log(&self, level: Level, message: &str);
}

/// The backend of a probe running as a component: every call is a WIT import.
pub struct Imports;

impl Backend for Imports {
    fn list(&self, kind: &KindRef, options: &ListOptions) -> Result<String, HostError> {
        cluster::list_objects(kind, options)
    }

    fn get(&self, kind: &KindRef, namespace: Option<&str>, name: &str) -> Result<String, HostError> {
        cluster::get_object(kind, namespace, name)
    }

    fn pod_logs(&self, namespace: &str, pod: &str, options: &LogOptions) -> Result<String, HostError> {
        cluster::pod_logs(namespace, pod, options)
    }

    fn secret_digests(&self, namespace: &str, name: &str) -> Result<Vec<(String, String)>, HostError> {
        cluster::secret_digests(namespace, name)
    }

    fn pod_get(&self, namespace: &str, pod: &str, port: u16, path: &str) -> Result<Response, HostError> {
        http::pod_get(namespace, pod, port, path)
    }

    fn service_get(&self, namespace: &str, service: &str, port: &str, path: &str) -> Result<Response, HostError> {
        http::service_get(namespace, service, port, path)
    }

    fn query(&self, promql: &str) -> Result<Vec<Sample>, HostError> {
        metrics::query(promql)
    }

    fn query_range(&self, promql: &str, range_seconds: u32, step_seconds: u32) -> Result<Vec<Series>, HostError> {
        metrics::query_range(promql, range_seconds, step_seconds)
    }

    fn resolve(&self, name: &str) -> Result<Answer, HostError> {
        dns::resolve(name)
    }

    fn log(&self, level: Level, message: &str) {
        log::write(level, message)
    }
}
