//! What the end-to-end tests share: the plugin binary, a PATH on which `kubectl` finds it, an
//! isolated cache and home, the test guests built to WebAssembly, and report helpers.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the plugin crate sits in the repository").to_path_buf()
}

/// The plugin binary cargo built for these tests.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kubectl-ggcore"))
}

/// A scratch directory that lives as long as the test process.
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("creating a scratch directory")).path()
}

/// A directory holding only `kubectl-ggcore`, for kubectl's plugin discovery.
fn plugin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch().join("plugins");
        std::fs::create_dir_all(&dir).expect("creating the plugin directory");
        std::os::unix::fs::symlink(binary(), dir.join("kubectl-ggcore")).expect("linking the plugin");
        dir
    })
}

/// A command running the plugin directly, with its cache and home inside the scratch directory.
pub fn ggcore() -> Command {
    let mut command = Command::new(binary());
    isolate(&mut command);
    command
}

/// A command running `kubectl ggcore`, found by kubectl's plugin discovery on PATH.
pub fn kubectl_ggcore() -> Command {
    let mut command = Command::new("kubectl");
    command.arg("ggcore");
    let path = format!("{}:{}", plugin_dir().display(), std::env::var("PATH").unwrap_or_default());
    command.env("PATH", path);
    isolate(&mut command);
    command
}

fn isolate(command: &mut Command) {
    command
        .env("GGCORE_CACHE_DIR", scratch().join("cache"))
        .env("GGCORE_HOME", scratch().join("home"))
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .env_remove("KUBECONFIG");
}

/// The example snapshot that ships in the repository.
pub fn example_snapshot() -> PathBuf {
    root().join("examples/veritas-snapshot")
}

/// Runs a command and returns its output, failing the test when it cannot start.
pub fn run(command: &mut Command) -> Output {
    command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

/// Parses the JSON report a `diagnose -o json` printed.
pub fn report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a JSON report ({e}); stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Returns a symptom's status from a report.
pub fn symptom_status<'a>(report: &'a serde_json::Value, id: &str) -> &'a str {
    report["symptoms"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == id))
        .and_then(|s| s["status"].as_str())
        .unwrap_or_else(|| panic!("no symptom `{id}` in the report"))
}

/// Returns the findings of a report with this outcome, symptom and cause.
pub fn findings<'a>(report: &'a serde_json::Value, outcome: &str, symptom: &str, cause: &str) -> Vec<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["outcome"] == outcome && f["symptom"] == symptom && f["cause"] == cause)
        .collect()
}

/// Returns a probe's entry from a report.
pub fn probe<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["probes"].as_array().and_then(|p| p.iter().find(|p| p["id"] == id)).unwrap_or_else(|| panic!("no probe `{id}` in the report"))
}

/// Builds the test guests under `tests/guests/` to WebAssembly once, and returns the
/// component of one of them.
pub fn guest(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let target = BUILT.get_or_init(|| {
        let target = root().join("target/test-guests");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .current_dir(root())
            .args(["build", "--release", "--target", "wasm32-wasip2", "--target-dir"])
            .arg(&target)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS");
        for guest in ["spin", "hog", "snoop", "trap", "memory-parity", "wasi", "future-wit"] {
            command.args(["-p", &format!("guest-{guest}")]);
        }
        let output = run(&mut command);
        assert!(output.status.success(), "building the test guests failed:\n{}", String::from_utf8_lossy(&output.stderr));
        target.join("wasm32-wasip2/release")
    });
    target.join(format!("guest_{}.wasm", name.replace('-', "_")))
}

/// Runs the example snapshot with one probe component beside the built-in probes, under small
/// caps (1 s of CPU, 20 s of wall-clock time, 64 MiB), and returns the report and the time taken.
pub fn diagnose_beside_builtins(component: &Path) -> (serde_json::Value, std::time::Duration) {
    let started = std::time::Instant::now();
    let output = run(ggcore()
        .args(["diagnose", "--snapshot"])
        .arg(example_snapshot())
        .args(["-o", "json", "--allow-unsigned", "--probe-cpu", "1s", "--probe-timeout", "20s", "--probe-memory", "64Mi", "--probe"])
        .arg(component));
    (report(&output), started.elapsed())
}

/// Checks what every run of a hostile probe must show: the probe is an error of `kind`, and the
/// built-in probes' findings on the example snapshot stand.
pub fn assert_contained(report: &serde_json::Value, guest_id: &str, kind: &str) {
    let guest = probe(report, guest_id);
    assert_eq!(guest["status"], "error", "{guest}");
    assert_eq!(guest["error"]["kind"], kind, "{guest}");
    assert_eq!(probe(report, "pod-health")["status"], "ok");
    assert_eq!(findings(report, "fail", "canary-no-traffic", "service-mesh-misconfigured").len(), 1);
    assert_eq!(findings(report, "warn", "pods-down", "oom-killed").len(), 1);
    assert_eq!(report["partial"], true);
    assert_eq!(report["exitCode"], 3);
}
