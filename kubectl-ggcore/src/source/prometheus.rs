//! The client of the Prometheus HTTP API (`/api/v1/query` and `/api/v1/query_range`) that the
//! `metrics` host interface reads through when the run is given `--prometheus-url`.
//!
//! Every response comes back as a [`QueryRecord`], the shape `collect` saves, so that a run that
//! reached Prometheus can be replayed from its snapshot. Each failure (connection refused, time
//! out, a response over the size cap, an error JSON from Prometheus, PromQL that does not parse)
//! is a [`ReadError`] whose text says what happened to which Prometheus; the host hands it to
//! the probe as the WIT `host-error`.
//!
//! [`api_path`] and [`parse_answer`] do not depend on the transport, so that a GET through the
//! API server's service proxy (`/api/v1/namespaces/NS/services/NAME:PORT/proxy` followed by
//! the same path) can reuse them.

use std::sync::Mutex;
use std::time::Duration;

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use serde::Deserialize;

use super::error::ReadError;
use super::recorded::{QueryRecord, RecordedSeries};

/// How long a query may take when `--request-timeout` is not given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A Prometheus server reached directly over HTTP.
pub struct Prometheus {
    /// The URL as the user gave it, for messages.
    url: String,
    /// `host:port` to connect to.
    authority: String,
    /// The path prefix before `/api/v1`, without a trailing `/` (empty for the root).
    base_path: String,
    /// How long one query may take, connection included.
    timeout: Duration,
    /// The first connection failure of the run. Later queries fail with it at once, so that a
    /// Prometheus that is down costs one timeout per run, not one per query.
    unreachable: Mutex<Option<ReadError>>,
}

impl Prometheus {
    /// Creates a client for `url` (`http://HOST:PORT` with an optional path prefix).
    ///
    /// # Errors
    ///
    /// Returns a message naming the URL when it does not parse, is not `http`, or has no host.
    pub fn new(url: &str, timeout: Duration) -> Result<Prometheus, String> {
        let uri: Uri = url.parse().map_err(|e| format!("invalid value `{url}` for `--prometheus-url`: {e}; expected http://HOST:PORT"))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some(other) => {
                return Err(format!(
                    "invalid value `{url}` for `--prometheus-url`: scheme `{other}` is not supported; use http://, for example through `kubectl port-forward svc/prometheus 9090`"
                ));
            }
            None => return Err(format!("invalid value `{url}` for `--prometheus-url`: expected http://HOST:PORT")),
        }
        let Some(host) = uri.host() else {
            return Err(format!("invalid value `{url}` for `--prometheus-url`: no host; expected http://HOST:PORT"));
        };
        if uri.query().is_some() {
            return Err(format!("invalid value `{url}` for `--prometheus-url`: a query string is not allowed; give the server's base URL"));
        }
        let port = uri.port_u16().unwrap_or(80);
        let authority = if host.contains(':') && !host.starts_with('[') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
        Ok(Prometheus {
            url: url.trim_end_matches('/').to_string(),
            authority,
            base_path: uri.path().trim_end_matches('/').to_string(),
            timeout,
            unreachable: Mutex::new(None),
        })
    }

    /// Returns the URL queries go to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs an instant query at `at` (Unix seconds), or with `range = Some((range, step))` a
    /// range query over the `range` seconds before `at`, and returns the result as a record.
    /// Bodies longer than `max_bytes` are an error, not a cut response.
    pub async fn query(&self, promql: &str, range: Option<(u32, u32)>, at: i64, max_bytes: usize) -> QueryRecord {
        let result = self.fetch(promql, range, at, max_bytes).await;
        record(promql, range, result)
    }

    async fn fetch(&self, promql: &str, range: Option<(u32, u32)>, at: i64, max_bytes: usize) -> Result<Vec<RecordedSeries>, ReadError> {
        if let Some(error) = self.unreachable.lock().expect("unreachable lock").clone() {
            return Err(error);
        }
        let path = format!("{}{}", self.base_path, api_path(promql, range, at));
        let answer = tokio::time::timeout(self.timeout, self.get(&path, max_bytes)).await;
        let (status, body) = match answer {
            Ok(Ok(answer)) => answer,
            Ok(Err(error)) => {
                if matches!(error, ReadError::Unavailable(_)) {
                    *self.unreachable.lock().expect("unreachable lock") = Some(error.clone());
                }
                return Err(error);
            }
            Err(_) => {
                let error = ReadError::Timeout(format!(
                    "Prometheus at {} timed out after {}s: it is not reachable or the query is too slow",
                    self.url,
                    self.timeout.as_secs_f64()
                ));
                *self.unreachable.lock().expect("unreachable lock") = Some(error.clone());
                return Err(error);
            }
        };
        parse_answer(status, &body, promql).map_err(|error| match error {
            ReadError::Unavailable(message) => ReadError::Unavailable(format!("Prometheus at {}: {message}", self.url)),
            other => other,
        })
    }

    /// Sends one GET over a new HTTP/1.1 connection and returns the status and body.
    async fn get(&self, path_and_query: &str, max_bytes: usize) -> Result<(u16, Bytes), ReadError> {
        let not_reachable = |e: &dyn std::fmt::Display| ReadError::Unavailable(format!("Prometheus at {} is not reachable: {e}", self.url));

        let stream = tokio::net::TcpStream::connect(&self.authority).await.map_err(|e| not_reachable(&e))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| not_reachable(&e))?;
        let connection = tokio::spawn(connection);

        let request = Request::get(path_and_query)
            .header(hyper::header::HOST, &self.authority)
            .header(hyper::header::ACCEPT, "application/json")
            .body(Empty::<Bytes>::new())
            .map_err(|e| ReadError::Invalid(format!("cannot build the request for `{path_and_query}`: {e}")))?;
        let response = sender.send_request(request).await.map_err(|e| not_reachable(&e))?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), max_bytes).collect().await.map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                ReadError::TooLarge(format!("the response of Prometheus at {} is larger than {} MiB; narrow the query", self.url, max_bytes >> 20))
            } else {
                not_reachable(&e)
            }
        })?;
        connection.abort();
        Ok((status, body.to_bytes()))
    }
}

/// Returns the path and query string of an instant query at `at`, or of a range query over
/// the `range` seconds before `at` with one point every `step` seconds.
pub fn api_path(promql: &str, range: Option<(u32, u32)>, at: i64) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("query", promql);
    match range {
        None => {
            query.append_pair("time", &at.to_string());
            format!("/api/v1/query?{}", query.finish())
        }
        Some((range, step)) => {
            query.append_pair("start", &(at - i64::from(range)).to_string());
            query.append_pair("end", &at.to_string());
            query.append_pair("step", &step.to_string());
            format!("/api/v1/query_range?{}", query.finish())
        }
    }
}

/// The envelope of every Prometheus API response.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    status: String,
    data: Option<Data>,
    error_type: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    result_type: String,
    result: serde_json::Value,
}

/// One series of a `vector` or `matrix` result.
#[derive(Deserialize)]
struct ApiSeries {
    #[serde(default)]
    metric: std::collections::BTreeMap<String, String>,
    value: Option<(f64, String)>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

/// Parses a response of `/api/v1/query` or `/api/v1/query_range` into series.
///
/// # Errors
///
/// Returns `invalid` when Prometheus rejects the PromQL (`bad_data`), `timeout` when it gave
/// up on the query, and `unavailable` for any other error response or a body that is not the
/// Prometheus API's JSON.
pub fn parse_answer(status: u16, body: &[u8], promql: &str) -> Result<Vec<RecordedSeries>, ReadError> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(|_| {
        let start = String::from_utf8_lossy(&body[..body.len().min(200)]).trim().to_string();
        ReadError::Unavailable(format!("HTTP {status} with a body that is not Prometheus API JSON: `{start}`"))
    })?;
    if envelope.status != "success" {
        let kind = envelope.error_type.unwrap_or_default();
        let message = envelope.error.unwrap_or_else(|| format!("HTTP {status} without an error message"));
        return Err(match kind.as_str() {
            "bad_data" => ReadError::Invalid(format!("Prometheus rejected the query `{promql}`: {message}")),
            "timeout" | "canceled" => ReadError::Timeout(format!("Prometheus gave up on the query `{promql}`: {message}")),
            _ => ReadError::Unavailable(format!("the query `{promql}` failed ({kind}): {message}")),
        });
    }
    let Some(data) = envelope.data else {
        return Err(ReadError::Unavailable(format!("HTTP {status}: a success response without `data`")));
    };
    let bad_shape = |e: serde_json::Error| ReadError::Unavailable(format!("a `{}` response that does not parse: {e}", data.result_type));
    match data.result_type.as_str() {
        "scalar" => {
            let (time, value): (f64, String) = serde_json::from_value(data.result.clone()).map_err(bad_shape)?;
            Ok(vec![RecordedSeries { labels: Vec::new(), points: vec![(time, parse_value(&value)?)] }])
        }
        "vector" | "matrix" => {
            let series: Vec<ApiSeries> = serde_json::from_value(data.result.clone()).map_err(bad_shape)?;
            series
                .into_iter()
                .map(|s| {
                    let points = s.value.into_iter().chain(s.values).map(|(time, value)| Ok((time, parse_value(&value)?))).collect::<Result<_, ReadError>>()?;
                    Ok(RecordedSeries { labels: s.metric.into_iter().collect(), points })
                })
                .collect()
        }
        other => Err(ReadError::Invalid(format!("the query `{promql}` returns a `{other}`; only vectors, matrices and scalars are handed to probes"))),
    }
}

/// Parses a sample value as Prometheus writes it: a decimal, `NaN`, `+Inf` or `-Inf`.
fn parse_value(text: &str) -> Result<f64, ReadError> {
    match text {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => text.parse().map_err(|_| ReadError::Unavailable(format!("sample value `{text}` is not a number"))),
    }
}

/// Builds the record `collect` saves from a query's result.
pub fn record(promql: &str, range: Option<(u32, u32)>, result: Result<Vec<RecordedSeries>, ReadError>) -> QueryRecord {
    match result {
        Ok(series) => QueryRecord { promql: promql.to_string(), range, series, error: None },
        Err(error) => QueryRecord { promql: promql.to_string(), range, series: Vec::new(), error: Some(error.to_recorded()) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instant_path_encodes_query_and_time() {
        let path = api_path(r#"sum(rate(x{a="b"}[5m]))"#, None, 1_700_000_000);
        assert_eq!(path, "/api/v1/query?query=sum%28rate%28x%7Ba%3D%22b%22%7D%5B5m%5D%29%29&time=1700000000");
    }

    #[test]
    fn range_path_ends_at_evaluation_time() {
        let path = api_path("up", Some((600, 60)), 1_700_000_000);
        assert_eq!(path, "/api/v1/query_range?query=up&start=1699999400&end=1700000000&step=60");
    }

    #[test]
    fn vector_answer_keeps_labels_and_value() {
        let body = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"deployment":"canary"},"value":[1700000000,"0.25"]}]}}"#;
        let series = parse_answer(200, body, "q").unwrap();
        assert_eq!(series.len(), 1);
        assert_eq!(series[0].labels, vec![("deployment".to_string(), "canary".to_string())]);
        assert_eq!(series[0].points, vec![(1_700_000_000.0, 0.25)]);
    }

    #[test]
    fn nan_and_infinity_values_parse() {
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"NaN"],[2,"+Inf"],[3,"-Inf"]]}]}}"#;
        let points = &parse_answer(200, body, "q").unwrap()[0].points;
        assert!(points[0].1.is_nan());
        assert_eq!(points[1].1, f64::INFINITY);
        assert_eq!(points[2].1, f64::NEG_INFINITY);
    }

    #[test]
    fn bad_data_error_is_invalid() {
        let body = br#"{"status":"error","errorType":"bad_data","error":"parse error: unclosed left parenthesis"}"#;
        let error = parse_answer(400, body, "sum(").unwrap_err();
        assert_eq!(error, ReadError::Invalid("Prometheus rejected the query `sum(`: parse error: unclosed left parenthesis".into()));
    }

    #[test]
    fn body_that_is_not_json_is_unavailable() {
        let error = parse_answer(502, b"<html>Bad Gateway</html>", "up").unwrap_err();
        assert_eq!(error, ReadError::Unavailable("HTTP 502 with a body that is not Prometheus API JSON: `<html>Bad Gateway</html>`".into()));
    }

    #[test]
    fn https_url_is_rejected() {
        let error = Prometheus::new("https://prometheus:9090", DEFAULT_TIMEOUT).err().unwrap();
        assert!(error.contains("scheme `https` is not supported"), "{error}");
    }

    #[test]
    fn url_path_prefix_is_kept() {
        let prometheus = Prometheus::new("http://127.0.0.1:9090/prom/", DEFAULT_TIMEOUT).unwrap();
        assert_eq!(prometheus.authority, "127.0.0.1:9090");
        assert_eq!(prometheus.base_path, "/prom");
    }
}
