//! `probe test` exit codes for a probe that fails: 3, or 0 when the expectations file expects
//! that failure.

use crate::support::*;

#[test]
fn failing_probe_exits_3() {
    let output = run(ggcore().args(["probe", "test"]).arg(guest("trap")).arg("--snapshot").arg(example_snapshot()).args(["-o", "json"]));
    assert_eq!(output.status.code(), Some(3));
    let result = report(&output);
    assert_eq!(result["status"], "error");
    assert_eq!(result["error"]["kind"], "trap");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error: the probe failed (trap):"), "{stderr}");
}

#[test]
fn expected_failure_exits_0() {
    let expect = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(expect.path(), "probe: guest-spin\nerror: cpu-budget\n").unwrap();
    let output = run(ggcore()
        .args(["probe", "test"])
        .arg(guest("spin"))
        .arg("--snapshot")
        .arg(example_snapshot())
        .args(["--probe-cpu", "500ms", "--expect"])
        .arg(expect.path()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("ok       probe error `cpu-budget`"), "{stdout}");
    assert!(stdout.contains("Result: passed (exit code 0)"), "{stdout}");
}
