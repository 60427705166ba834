//! A real Prometheus for the tests: Debian's `prometheus` and `promtool`, with the scenarios'
//! series backfilled from OpenMetrics text into a fresh TSDB and the server listening on a
//! free loopback port. Tests running at the same time share one server; the last one to
//! finish stops it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use super::scenario;

/// How long Prometheus may take to become ready.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// A running Prometheus; dropping it stops the process.
pub struct Prometheus {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Prometheus {
    /// Returns the server's base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Returns the server holding every scenario's series, starting it when no test holds one.
pub fn shared() -> Arc<Prometheus> {
    static SHARED: Mutex<Weak<Prometheus>> = Mutex::new(Weak::new());
    let mut slot = SHARED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(server) = slot.upgrade() {
        return server;
    }
    let server = Arc::new(start(&scenario::openmetrics()));
    *slot = Arc::downgrade(&server);
    server
}

/// Finds a program on `PATH`.
///
/// # Panics
///
/// Panics, telling how to install it, when it is missing.
pub fn program(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("`{name}` is not on PATH: run scripts/test.sh, which installs Debian's `prometheus` package (it ships `prometheus` and `promtool`)"))
}

/// Backfills `openmetrics` into a new TSDB and starts Prometheus on it.
pub fn start(openmetrics: &str) -> Prometheus {
    let prometheus = program("prometheus");
    let promtool = program("promtool");
    let dir = tempfile::tempdir().expect("creating the Prometheus directory");
    let input = dir.path().join("series.om");
    std::fs::write(&input, openmetrics).expect("writing the OpenMetrics input");
    let tsdb = dir.path().join("tsdb");

    let output = Command::new(&promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&input)
        .arg(&tsdb)
        .output()
        .expect("running promtool");
    assert!(output.status.success(), "promtool could not backfill the series:\n{}", String::from_utf8_lossy(&output.stderr));

    let config = dir.path().join("prometheus.yml");
    std::fs::write(&config, "global:\n  evaluation_interval: 1h\n").expect("writing the Prometheus configuration");
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("prometheus.log")).expect("creating the Prometheus log");
    let child = Command::new(&prometheus)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", tsdb.display()))
        // The backfilled series lie in the past; keep them whatever the wall clock says.
        .arg("--storage.tsdb.retention.time=100y")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("cloning the log handle"))
        .stderr(log)
        .spawn()
        .expect("starting prometheus");
    let mut server = Prometheus { child, port, dir };
    wait_ready(&mut server);
    server
}

/// Returns a loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("binding a free loopback port").port()
}

/// Sends a GET to the server and returns the status code and body.
pub fn get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default();
    Ok((status, body))
}

fn wait_ready(server: &mut Prometheus) {
    let started = Instant::now();
    while started.elapsed() < READY_TIMEOUT {
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("prometheus exited with {status} before it was ready; its log:\n{}", read_log(server.dir.path()));
        }
        if matches!(get(server.port, "/-/ready"), Ok((200, _))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("prometheus was not ready after {READY_TIMEOUT:?}; its log:\n{}", read_log(server.dir.path()));
}

fn read_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default()
}
