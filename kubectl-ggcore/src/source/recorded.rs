//! What `kubectl ggcore collect` writes beside the objects, so that a snapshot replays the
//! live run: the index of kinds it holds, and the answers of proxied endpoints, Prometheus
//! queries and DNS lookups the probes made.

use serde::{Deserialize, Serialize};

/// The format name written into every index; the reader rejects others.
pub const FORMAT: &str = "ggcore-snapshot/v1";

/// The index of a collected snapshot (`ggcore-snapshot.json`).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Index {
    /// Always [`FORMAT`].
    pub format: String,
    /// When the state was read (RFC 3339).
    pub observed_at: Option<String>,
    /// Where it was read from: context and server.
    pub origin: Option<String>,
    /// The kinds the snapshot holds completely; any other kind is "not in the snapshot".
    pub kinds: Vec<String>,
    /// What the live run could not read, with the reason.
    pub unseen: Vec<Unseen>,
    /// Digests of Secret data, never the values.
    pub secrets: Vec<SecretDigests>,
    /// Answers of proxied GET requests.
    pub http: Vec<HttpRecord>,
    /// Answers of PromQL queries.
    pub queries: Vec<QueryRecord>,
    /// Answers of DNS lookups.
    pub dns: Vec<DnsRecord>,
}

/// A list the live run could not read, replayed as the same error.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unseen {
    /// The kind.
    pub kind: String,
    /// The namespace listed; `None` for all namespaces.
    pub namespace: Option<String>,
    /// The error the probes saw.
    pub error: RecordedError,
}

/// The data digests of one Secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretDigests {
    /// The namespace.
    pub namespace: String,
    /// The Secret's name.
    pub name: String,
    /// `(key, hex sha256 of the value)` pairs.
    pub digests: Vec<(String, String)>,
}

/// The target of a proxied GET.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "via")]
pub enum HttpTarget {
    /// `pods/proxy`.
    Pod {
        /// The namespace.
        namespace: String,
        /// The pod.
        pod: String,
        /// The port number.
        port: u16,
        /// The path.
        path: String,
    },
    /// `services/proxy`.
    Service {
        /// The namespace.
        namespace: String,
        /// The Service.
        service: String,
        /// The port, by name or number.
        port: String,
        /// The path.
        path: String,
    },
}

/// A recorded answer: the response, or the error the probe saw.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRecord {
    /// Where the request went.
    pub target: HttpTarget,
    /// The status code, when there was a response.
    pub status: Option<u16>,
    /// The body, cut at the host's cap.
    pub body: Option<String>,
    /// True when the body was cut.
    pub truncated: bool,
    /// The error, when there was no response.
    pub error: Option<RecordedError>,
}

/// An error as a probe saw it, recorded for replay.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "message")]
pub enum RecordedError {
    /// Denied.
    Denied(String),
    /// Not found.
    NotFound(String),
    /// Unavailable.
    Unavailable(String),
    /// Timed out.
    Timeout(String),
    /// Too large.
    TooLarge(String),
    /// Invalid.
    Invalid(String),
}

/// A recorded PromQL query.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryRecord {
    /// The query.
    pub promql: String,
    /// For range queries, the range and step in seconds.
    pub range: Option<(u32, u32)>,
    /// The series: labels and `(time, value)` points; instant queries have one point.
    pub series: Vec<RecordedSeries>,
    /// The error, when the query failed.
    pub error: Option<RecordedError>,
}

/// One series of a recorded query.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedSeries {
    /// The labels.
    pub labels: Vec<(String, String)>,
    /// The points.
    pub points: Vec<(f64, f64)>,
}

/// A recorded DNS lookup.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsRecord {
    /// The name looked up.
    pub name: String,
    /// The addresses.
    pub addresses: Vec<String>,
    /// The smallest TTL in seconds.
    pub ttl: u32,
    /// The error, when the lookup failed.
    pub error: Option<RecordedError>,
}
