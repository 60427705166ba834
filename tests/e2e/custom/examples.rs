//! The Python and JavaScript example probes, built from source, beside the built-in probes in
//! `diagnose` and alone in `probe test` with their expectations files.

use std::path::Path;
use std::process::Output;

use super::toolchains::{js_example, python_example};
use crate::support::*;

/// Runs `probe test` on a component and a snapshot, with an expectations file when given.
fn probe_test(component: &Path, snapshot: &Path, expect: Option<&Path>) -> Output {
    let mut command = ggcore();
    command.args(["probe", "test"]).arg(component).arg("--snapshot").arg(snapshot).args(["-o", "json"]);
    if let Some(expect) = expect {
        command.arg("--expect").arg(expect);
    }
    run(&mut command)
}

fn python_dir() -> std::path::PathBuf {
    root().join("probes/examples/python/model-version")
}

fn js_dir() -> std::path::PathBuf {
    root().join("probes/examples/js/memory-limits")
}

#[test]
fn python_and_js_findings_sit_beside_builtin_ones() {
    let output = run(ggcore()
        .args(["diagnose", "--snapshot"])
        .arg(example_snapshot())
        .args(["--allow-unsigned", "--probe"])
        .arg(python_example())
        .arg("--probe")
        .arg(js_example())
        .args(["-o", "json"]));
    let report = report(&output);

    assert_eq!(output.status.code(), Some(3), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    for id in ["model-version", "memory-limits", "pod-health", "canary-traffic"] {
        assert_eq!(probe(&report, id)["status"], "ok", "{}", probe(&report, id));
    }
    assert_eq!(probe(&report, "model-version")["origin"]["kind"], "file");
    assert_eq!(probe(&report, "memory-limits")["unsigned"], true);

    let python = findings(&report, "pass", "env-drift", "model-version-mismatch");
    assert_eq!(python.len(), 1);
    assert_eq!(python[0]["probe"], "model-version");
    let js = findings(&report, "pass", "high-latency", "memory-requests-limits-unset");
    assert_eq!(js.len(), 1);
    assert_eq!(js[0]["probe"], "memory-limits");
    // The built-in probes' verdicts on the example snapshot stand.
    assert_eq!(findings(&report, "fail", "canary-no-traffic", "service-mesh-misconfigured")[0]["probe"], "canary-traffic");
    assert_eq!(findings(&report, "warn", "pods-down", "oom-killed")[0]["probe"], "pod-health");
}

#[test]
fn python_example_reports_drift() {
    let dir = python_dir();
    let output = probe_test(python_example(), &dir.join("testdata/drifted"), Some(&dir.join("testdata/drifted/expect.yaml")));
    let result = report(&output);
    assert_eq!(output.status.code(), Some(0), "{result}");
    assert_eq!(result["findings"][0]["outcome"], "fail");
    let evidence = result["findings"][0]["evidence"].to_string();
    assert!(evidence.contains("pod gg-core-green-0 (green) runs veritas-llm-13b-instruct@r7; ConfigMap veritas-config-green names veritas-llm-13b-instruct@r8"), "{evidence}");
    assert!(evidence.contains("pod gg-core-green-1 has no `veritas.ggcore.io/model-version` annotation"), "{evidence}");
}

#[test]
fn python_example_passes_the_example_snapshot() {
    let output = probe_test(python_example(), &example_snapshot(), Some(&python_dir().join("expect.yaml")));
    let result = report(&output);
    assert_eq!(output.status.code(), Some(0), "{result}");
    assert_eq!(result["usage"]["reads"], serde_json::json!({"ConfigMap": 2, "Pod": 1}));
}

#[test]
fn js_example_warns_about_unset_memory() {
    let dir = js_dir();
    let output = probe_test(js_example(), &dir.join("testdata/unbounded"), Some(&dir.join("testdata/unbounded/expect.yaml")));
    let result = report(&output);
    assert_eq!(output.status.code(), Some(0), "{result}");
    assert_eq!(
        result["findings"][0]["evidence"],
        serde_json::json!(["pod gg-core-blue-0 container gg-core: no memory request", "pod gg-core-blue-0 container model-loader: no memory limit"])
    );
}

#[test]
fn js_example_passes_the_example_snapshot() {
    let output = probe_test(js_example(), &example_snapshot(), Some(&js_dir().join("expect.yaml")));
    assert_eq!(output.status.code(), Some(0), "{}", report(&output));
}

#[test]
fn unmet_expectation_exits_4_with_a_diff() {
    // The drifted fixture's expectations do not hold on the healthy example snapshot.
    let output = probe_test(python_example(), &example_snapshot(), Some(&python_dir().join("testdata/drifted/expect.yaml")));
    assert_eq!(output.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error: 1 of 2 expectations not met:"), "{stderr}");
    assert!(stderr.contains("  - expected present: fail env-drift/model-version-mismatch"), "{stderr}");
    assert!(stderr.contains("    + found    the probe reported: pass env-drift/model-version-mismatch"), "{stderr}");
    let result = report(&output);
    assert_eq!(result["exitCode"], 4);
}

#[test]
fn probe_test_shows_needs_reads_and_costs() {
    // The default caps, which the Python runtime (about 38 core instances) runs under.
    let output = probe_test(python_example(), &example_snapshot(), None);
    let result = report(&output);
    assert_eq!(output.status.code(), Some(0), "{result}");
    assert_eq!(result["descriptor"]["kinds"], serde_json::json!(["Pod", "ConfigMap"]));
    assert_eq!(result["descriptor"]["capabilities"], serde_json::json!([]));
    assert_eq!(result["usage"]["denied"], serde_json::json!([]));
    assert!(result["stats"]["peakMemoryBytes"].as_u64().unwrap() > 1 << 20, "{}", result["stats"]);
    assert!(result["stats"]["runMs"].is_u64());
    assert!(result["stats"]["cpuTicks"].is_u64());
    assert_eq!(result["limits"]["memoryBytes"], 256 << 20);
}

#[test]
fn python_and_js_examples_import_no_wasi() {
    for component in [python_example(), js_example()] {
        let result = report(&probe_test(component, &example_snapshot(), None));
        let imports: Vec<&str> = result["imports"].as_array().unwrap().iter().map(|i| i.as_str().unwrap()).collect();
        assert!(imports.contains(&"ggcore:probe/cluster@0.1.0"), "{imports:?}");
        assert!(!imports.iter().any(|i| i.starts_with("wasi:")), "{} imports WASI: {imports:?}", component.display());
    }
}

#[test]
fn rust_probe_imports_wasi_and_is_granted_nothing() {
    let output = probe_test(&guest("wasi"), &example_snapshot(), None);
    let result = report(&output);
    assert_eq!(output.status.code(), Some(0), "{result}");

    let imports = result["imports"].to_string();
    assert!(imports.contains("wasi:filesystem/preopens@0.2"), "{imports}");
    assert!(imports.contains("wasi:cli/environment@0.2"), "{imports}");
    let evidence: Vec<&str> = result["findings"][0]["evidence"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert_eq!(evidence[0], "env: 0 variables");
    assert_eq!(evidence[1], "args: 0");
    assert!(evidence[2].starts_with("read_dir(/): error"), "{evidence:?}");
    assert!(evidence[3].starts_with("read(/etc/passwd): error"), "{evidence:?}");
    // The wall clock is stopped at the snapshot's observation time, 2026-12-04.
    let clock: u64 = evidence[4].strip_prefix("clock: ").unwrap().parse().unwrap();
    assert!((1_796_342_400..1_796_428_800).contains(&clock), "{evidence:?}");
    assert_eq!(result["logs"][0], serde_json::json!({"level": "stdout", "message": "written to stdout"}));
}

#[test]
fn builtin_probes_finish_while_python_compiles() {
    let cache = tempfile::tempdir().unwrap();
    let output = run(ggcore()
        .args(["-v=4", "diagnose", "--snapshot"])
        .arg(example_snapshot())
        .args(["--allow-unsigned", "--probe"])
        .arg(python_example())
        .args(["-o", "json"])
        .env("GGCORE_CACHE_DIR", cache.path()));
    let log = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = log.lines().collect();
    let position = |needle: &str| lines.iter().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("no `{needle}` in the log:\n{log}"));

    let python_compiled = position("compiled probe (not in cache) probe=\"model-version\"");
    for builtin in ["canary-traffic", "pod-health", "service-endpoints", "servicemonitor-match"] {
        let finished = position(&format!("probe finished probe={builtin} "));
        assert!(finished < python_compiled, "`{builtin}` finished after the Python probe compiled:\n{log}");
    }
    assert!(position("probe finished probe=model-version ") > python_compiled);
}

#[test]
fn python_probe_second_run_loads_from_cache() {
    let cache = tempfile::tempdir().unwrap();
    let diagnose = || {
        report(&run(ggcore()
            .args(["diagnose", "--snapshot"])
            .arg(example_snapshot())
            .args(["--allow-unsigned", "--no-builtin", "--probe"])
            .arg(python_example())
            .args(["-o", "json"])
            .env("GGCORE_CACHE_DIR", cache.path())))
    };
    let first = diagnose();
    assert_eq!(probe(&first, "model-version")["stats"]["cacheHit"], false);
    let second = diagnose();
    assert_eq!(probe(&second, "model-version")["stats"]["cacheHit"], true);
}
