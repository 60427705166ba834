//! A component built for a WIT version the plugin does not serve, or a file that is no
//! component, is refused as bad input (exit code 2) before any probe runs.

use crate::support::*;

#[test]
fn diagnose_refuses_an_unserved_wit_version() {
    let output = run(ggcore()
        .args(["diagnose", "--snapshot"])
        .arg(example_snapshot())
        .args(["--allow-unsigned", "-o", "json", "--probe"])
        .arg(guest("future-wit")));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("was built for WIT `ggcore:probe@0.9.0`"), "{stderr}");
    assert!(stderr.contains("this plugin serves only `ggcore:probe@0.1.x`"), "{stderr}");
    assert!(output.stdout.is_empty(), "a report was printed: {}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn probe_test_refuses_an_unserved_wit_version() {
    let output = run(ggcore().args(["probe", "test"]).arg(guest("future-wit")).arg("--snapshot").arg(example_snapshot()));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("was built for WIT `ggcore:probe@0.9.0`, but this plugin serves only `ggcore:probe@0.1.x`"), "{stderr}");
}

#[test]
fn diagnose_refuses_a_file_that_is_no_component() {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), b"\0asm\x01\0\0\0").unwrap();
    let output = run(ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()).args(["--allow-unsigned", "--probe"]).arg(file.path()));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not a WebAssembly component"), "{stderr}");
}
