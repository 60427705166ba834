//! A read-only Kubernetes API server for live-mode tests: it serves fixture objects and
//! container logs over the real REST protocol on 127.0.0.1, so that `kubectl` and kube-rs
//! talk to it as to a cluster.
//!
//! It serves discovery (`/version`, `/api`, `/apis`, legacy and aggregated), list (label and
//! field selectors, `limit` and `continue`), get, watch, `pods/<name>/log`, and the `proxy`
//! subresource of pods and services forwarded to loopback backends that the test starts. It
//! responds with JSON, a `Table` for `kubectl get`, or `PartialObjectMetadata`. Every method but
//! GET gets 405: the server never changes anything. Every request is recorded, and tests
//! inject failures and delays on chosen requests.
//!
//! The server runs on its own thread and tokio runtime, so plain `#[test]` functions can use
//! it and run kubectl or the plugin as a subprocess:
//!
//! ```no_run
//! use ggcore_test_apiserver::{Fixtures, Matcher, TestApiServer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fixtures = Fixtures::from_path("examples/veritas-snapshot")?.with_clock("2026-12-04T10:30:00Z")?;
//! let server = TestApiServer::start(fixtures)?;
//! let kubeconfig = std::env::temp_dir().join("kubeconfig");
//! server.write_kubeconfig(&kubeconfig, "veritas-test")?;
//!
//! // Listing ServiceMonitors in `veritas` is forbidden, once.
//! server.fail(Matcher::resource("servicemonitors").namespace("veritas").first(1), 403);
//! // `.../services/gg-core:metrics/proxy/metrics` reaches a backend the test started.
//! server.proxy_to("service", "veritas", "gg-core", "metrics", "127.0.0.1:19090");
//!
//! let output = std::process::Command::new("kubectl")
//!     .arg("--kubeconfig").arg(&kubeconfig)
//!     .args(["get", "pods", "-n", "veritas"])
//!     .output()?;
//! assert!(output.status.success());
//! assert!(server.requests().iter().any(|r| r.path == "/api/v1/namespaces/veritas/pods"));
//! # Ok(())
//! # }
//! ```
//!
//! Fixtures are folders or files of `kubectl get -o yaml|json` output, as the plugin's
//! snapshot reader takes them, with logs at `logs/<namespace>/<pod>/<container>.log`. The
//! built-in kinds are always served. A custom kind is served when the fixtures hold an object
//! of it or its `CustomResourceDefinition`, and the CRD's printer columns then shape the table.
//!
//! The binary `ggcore-test-apiserver [--port N] [--kubeconfig FILE] [--clock TIME] PATH...`
//! serves a snapshot for manual runs.

mod discovery;
mod faults;
mod fixtures;
mod handler;
mod logs;
mod objects;
mod proxy;
mod request;
mod resources;
mod selectors;
mod server;
mod status;
mod store;
mod table;
mod time;

pub use faults::{Matcher, RecordedRequest};
pub use fixtures::{FixtureError, Fixtures};
pub use objects::encode_continue;
pub use proxy::PortRef;
pub use selectors::{FieldSelector, FieldTerm, LabelSelector, Requirement, SelectorError};
pub use server::{TOKEN, TestApiServer};
pub use status::USER;
