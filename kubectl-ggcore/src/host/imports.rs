//! The host side of the WIT imports, one `impl` per interface. Every function checks the
//! probe's declaration first, then reads through the run's shared [`crate::source::Reader`].
//!
//! Errors a probe should handle (denied, not found, unavailable, ...) go back as the WIT
//! `host-error`; nothing here traps, except through `?` on a broken store, which is a host bug.

use super::bindings::v0_1::ggcore::probe::{cluster, dns, http, log, metrics, types};
use super::bindings::v0_1::{Capability, HostError, KindRef};
use super::state::ProbeState;
use crate::source::recorded::HttpTarget;
use crate::source::ReadError;

impl From<ReadError> for HostError {
    fn from(error: ReadError) -> HostError {
        match error {
            ReadError::Denied(m) => HostError::Denied(m),
            ReadError::NotFound(m) => HostError::NotFound(m),
            ReadError::Unavailable(m) => HostError::Unavailable(m),
            ReadError::Timeout(m) => HostError::Timeout(m),
            ReadError::TooLarge(m) => HostError::TooLarge(m),
            ReadError::Invalid(m) => HostError::Invalid(m),
        }
    }
}

impl types::Host for ProbeState {}

impl cluster::Host for ProbeState {
    async fn list_objects(&mut self, kind: KindRef, options: cluster::ListOptions) -> wasmtime::Result<Result<String, HostError>> {
        let query = match self.check_kind("list", &kind) {
            Ok(query) => query,
            Err(denied) => return Ok(Err(denied)),
        };
        let answer = self
            .reader
            .list(&query, options.namespace.as_deref(), options.label_selector.as_deref(), options.field_selector.as_deref())
            .await;
        Ok(answer.map(|json| json.to_string()).map_err(HostError::from))
    }

    async fn get_object(&mut self, kind: KindRef, namespace: Option<String>, name: String) -> wasmtime::Result<Result<String, HostError>> {
        let query = match self.check_kind("get", &kind) {
            Ok(query) => query,
            Err(denied) => return Ok(Err(denied)),
        };
        Ok(self.reader.get(&query, namespace.as_deref(), &name).await.map_err(HostError::from))
    }

    async fn pod_logs(&mut self, namespace: String, pod: String, options: cluster::LogOptions) -> wasmtime::Result<Result<String, HostError>> {
        if let Err(denied) = self.check_capability(Capability::Logs) {
            return Ok(Err(denied));
        }
        let answer = self.reader.logs(&namespace, &pod, options.container.as_deref(), options.tail_lines, options.previous).await;
        Ok(answer.map_err(HostError::from))
    }

    async fn secret_digests(&mut self, namespace: String, name: String) -> wasmtime::Result<Result<Vec<(String, String)>, HostError>> {
        if let Err(denied) = self.check_capability(Capability::SecretDigests) {
            return Ok(Err(denied));
        }
        Ok(self.reader.secret_digests(&namespace, &name).await.map_err(HostError::from))
    }
}

impl log::Host for ProbeState {
    async fn write(&mut self, level: log::Level, message: String) -> wasmtime::Result<()> {
        let level = match level {
            log::Level::Debug => "debug",
            log::Level::Info => "info",
            log::Level::Warn => "warn",
        };
        tracing::debug!(probe = %self.id, level, "{message}");
        self.log.push(level, message, self.limits.log_bytes);
        Ok(())
    }
}

impl http::Host for ProbeState {
    async fn pod_get(&mut self, namespace: String, pod: String, port: u16, path: String) -> wasmtime::Result<Result<http::Response, HostError>> {
        if let Err(denied) = self.check_capability(Capability::Http) {
            return Ok(Err(denied));
        }
        let target = HttpTarget::Pod { namespace, pod, port, path };
        Ok(self.proxy_get(target).await)
    }

    async fn service_get(&mut self, namespace: String, service: String, port: String, path: String) -> wasmtime::Result<Result<http::Response, HostError>> {
        if let Err(denied) = self.check_capability(Capability::Http) {
            return Ok(Err(denied));
        }
        let target = HttpTarget::Service { namespace, service, port, path };
        Ok(self.proxy_get(target).await)
    }
}

impl ProbeState {
    async fn proxy_get(&mut self, target: HttpTarget) -> Result<http::Response, HostError> {
        let path = match &target {
            HttpTarget::Pod { path, .. } | HttpTarget::Service { path, .. } => path,
        };
        if !path.starts_with('/') || path.contains("..") {
            return Err(HostError::Invalid(format!("path `{path}` must start with `/` and may not contain `..`")));
        }
        let answer = self.reader.http_get(&target).await?;
        Ok(http::Response { status: answer.status, body: answer.body, truncated: answer.truncated })
    }
}

impl metrics::Host for ProbeState {
    async fn query(&mut self, promql: String) -> wasmtime::Result<Result<Vec<metrics::Sample>, HostError>> {
        if let Err(denied) = self.check_capability(Capability::Metrics) {
            return Ok(Err(denied));
        }
        let answer = self.reader.query(&promql, None).await;
        Ok(answer
            .map(|series| {
                series
                    .into_iter()
                    .map(|s| metrics::Sample { labels: s.labels, value: s.points.last().map(|p| p.1).unwrap_or(f64::NAN) })
                    .collect()
            })
            .map_err(HostError::from))
    }

    async fn query_range(&mut self, promql: String, range_seconds: u32, step_seconds: u32) -> wasmtime::Result<Result<Vec<metrics::Series>, HostError>> {
        if let Err(denied) = self.check_capability(Capability::Metrics) {
            return Ok(Err(denied));
        }
        if step_seconds == 0 || range_seconds / step_seconds > 11_000 {
            return Ok(Err(HostError::Invalid(format!(
                "range {range_seconds}s with step {step_seconds}s asks for too many points; Prometheus allows 11000 per series"
            ))));
        }
        let answer = self.reader.query(&promql, Some((range_seconds, step_seconds))).await;
        Ok(answer
            .map(|series| series.into_iter().map(|s| metrics::Series { labels: s.labels, points: s.points }).collect())
            .map_err(HostError::from))
    }
}

impl dns::Host for ProbeState {
    async fn resolve(&mut self, name: String) -> wasmtime::Result<Result<dns::Answer, HostError>> {
        if let Err(denied) = self.check_capability(Capability::Dns) {
            return Ok(Err(denied));
        }
        let answer = self.reader.resolve(&name).await;
        Ok(answer.map(|a| dns::Answer { addresses: a.addresses, ttl: a.ttl }).map_err(HostError::from))
    }
}
