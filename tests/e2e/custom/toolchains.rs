//! The guest toolchains that scripts/test.sh installs, and the components built with them.
//! A missing toolchain fails the test with a message that names scripts/test.sh.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::{root, run};

/// Returns a scratch directory for built components, alive as long as the test process.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("creating a scratch directory")).path()
}

/// Returns the virtual environment with componentize-py.
pub fn python_env() -> PathBuf {
    let env = root().join("target/probe-toolchains/python");
    assert!(
        env.join("bin/componentize-py").is_file(),
        "componentize-py is not installed in {}: run scripts/test.sh, which installs the Python and JavaScript probe toolchains",
        env.display()
    );
    env
}

/// Returns the node_modules folder with componentize-js.
pub fn js_modules() -> PathBuf {
    let modules = root().join("probes/examples/js/node_modules");
    assert!(
        modules.join(".bin/componentize-js").is_file(),
        "componentize-js is not installed in {}: run scripts/test.sh, which installs the Python and JavaScript probe toolchains",
        modules.display()
    );
    modules
}

/// Runs a project's `build.sh` with an output path and fails the test when the build fails.
pub fn build_with_script(project: &Path, output: &Path, command: &mut Command) -> PathBuf {
    let out = run(command.current_dir(project).arg("./build.sh").arg(output));
    assert!(
        out.status.success(),
        "building {} failed:\n{}\n{}",
        project.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(output.is_file(), "{} built no component at {}", project.display(), output.display());
    output.to_path_buf()
}

/// Returns a shell command that runs a build script with the Python toolchain on PATH.
pub fn python_shell() -> Command {
    let mut command = Command::new("sh");
    let path = format!("{}:{}", python_env().join("bin").display(), std::env::var("PATH").unwrap_or_default());
    command.env("PATH", path);
    command
}

/// Builds the Python example `model-version` from source, once, and returns the component.
pub fn python_example() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        python_env();
        let project = root().join("probes/examples/python/model-version");
        build_with_script(&project, &scratch().join("model-version.wasm"), &mut Command::new("sh"))
    })
}

/// Builds the JavaScript example `memory-limits` from source, once, and returns the component.
pub fn js_example() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        js_modules();
        let project = root().join("probes/examples/js/memory-limits");
        build_with_script(&project, &scratch().join("memory-limits.wasm"), &mut Command::new("sh"))
    })
}

/// Builds a Python test guest of `tests/guests/python/`, once per name, and returns the component.
pub fn python_guest(name: &str) -> PathBuf {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _serial = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let output = scratch().join(format!("python-{name}.wasm"));
    if output.is_file() {
        return output;
    }
    let guests = root().join("tests/guests/python");
    let componentize_py = python_env().join("bin/componentize-py");
    let out = run(Command::new(componentize_py)
        .arg("-d")
        .arg(guests.join("wit"))
        .args(["-w", "probe", "componentize", "--stub-wasi", "-p"])
        .arg(&guests)
        .arg(name)
        .arg("-o")
        .arg(&output));
    assert!(out.status.success(), "building the Python guest `{name}` failed:\n{}", String::from_utf8_lossy(&out.stderr));
    output
}
