//! Helpers the tests share: the repository's fixtures, a server on them, and a small blocking
//! HTTP/1.1 client, so that tests see the raw responses kubectl and kube-rs would parse.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use ggcore_test_apiserver::{Fixtures, TestApiServer};
use serde_json::Value;

/// The time the example snapshot was observed, taken as now so that table ages are fixed.
pub const SNAPSHOT_TIME: &str = "2026-12-04T10:30:00Z";

/// Returns the repository's root.
pub fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Loads the example snapshot and the CRDs of the two custom resources.
pub fn example_fixtures() -> Fixtures {
    let mut fixtures = Fixtures::from_path(repository().join("examples/veritas-snapshot")).expect("the example snapshot loads");
    fixtures.add_path(repository().join("deploy/crds")).expect("the CRDs load");
    fixtures.with_clock(SNAPSHOT_TIME).expect("the snapshot time is RFC 3339")
}

/// Starts a server on the example snapshot and its CRDs.
pub fn example_server() -> TestApiServer {
    TestApiServer::start(example_fixtures()).expect("the server starts")
}

/// A response as the client read it.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The headers, names in lowercase.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: String,
}

impl Answer {
    /// Returns a header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Parses the body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }
}

/// Sends one request and reads the whole response.
pub fn send(address: SocketAddr, method: &str, path: &str, accept: Option<&str>) -> Answer {
    let mut stream = TcpStream::connect(address).expect("the server accepts connections");
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if let Some(accept) = accept {
        request.push_str(&format!("Accept: {accept}\r\n"));
    }
    if method != "GET" {
        request.push_str("Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    } else {
        request.push_str("\r\n");
    }
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse(&raw)
}

/// Sends a GET asking for JSON.
pub fn get(address: SocketAddr, path: &str) -> Answer {
    send(address, "GET", path, Some("application/json"))
}

fn parse(raw: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_string() };
    Answer { status, headers, body }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}
