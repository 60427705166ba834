//! `probe new` in each language makes a project that builds with its `build.sh` and passes
//! `probe test` against the example snapshot with the expectations file it ships.

use std::process::Command;

use super::toolchains::{build_with_script, js_modules, python_shell};
use crate::support::*;

#[test]
fn new_projects_build_and_pass_probe_test() {
    let workspace = tempfile::tempdir().unwrap();
    for language in ["rust", "python", "js"] {
        let project = workspace.path().join(language);
        let output = run(ggcore().args(["probe", "new", "pod-restarts", "--lang", language, "-o"]).arg(&project));
        assert!(output.status.success(), "probe new --lang {language}: {}", String::from_utf8_lossy(&output.stderr));
        assert!(String::from_utf8_lossy(&output.stdout).contains("./build.sh"));

        let mut shell = match language {
            "rust" => {
                let mut shell = Command::new("sh");
                // A target directory that outlives the test, so that later runs build only the probe.
                shell
                    .env("CARGO_TARGET_DIR", root().join("target/scaffold-rust"))
                    .env_remove("RUSTFLAGS")
                    .env_remove("CARGO_ENCODED_RUSTFLAGS")
                    .env_remove("CARGO_BUILD_TARGET");
                shell
            }
            "python" => python_shell(),
            _ => {
                // Stands in for `npm install`: the same componentize-js version, installed once.
                std::os::unix::fs::symlink(js_modules(), project.join("node_modules")).unwrap();
                Command::new("sh")
            }
        };
        let component = build_with_script(&project, &project.join("pod-restarts.wasm"), &mut shell);

        let output = run(ggcore()
            .args(["probe", "test"])
            .arg(&component)
            .arg("--snapshot")
            .arg(example_snapshot())
            .arg("--expect")
            .arg(project.join("expect.yaml"))
            .args(["-o", "json"]));
        let result = report(&output);
        assert_eq!(output.status.code(), Some(0), "{language}: {result}");
        assert_eq!(result["descriptor"]["id"], "pod-restarts", "{language}");
        let finding = &result["findings"][0];
        assert_eq!(finding["outcome"], "warn", "{language}: {finding}");
        assert_eq!(
            finding["evidence"],
            serde_json::json!(["pod gg-core-green-7b5d4c9f86-r5m8t: 9 restarts", "pod gg-core-green-7b5d4c9f86-w3n6v: 9 restarts"]),
            "{language}"
        );
    }
}
