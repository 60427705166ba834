//! Builds the built-in probes for `wasm32-wasip2` and embeds them, so that a plain
//! `cargo build` yields a working plugin.
//!
//! Every crate under `probes/` whose package name starts with `probe-` is a built-in probe.
//! They are built by a nested cargo with its own target directory under `OUT_DIR`, because the
//! outer build holds the lock on the main one.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest.parent().expect("the plugin crate sits in the workspace").to_path_buf();
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));

    println!("cargo:rerun-if-changed={}", root.join("wit").display());
    println!("cargo:rerun-if-changed={}", root.join("Cargo.lock").display());
    println!("cargo:rustc-env=GGCORE_WASMTIME_VERSION={}", locked_version(&root, "wasmtime"));

    let probes = builtin_probes(&root.join("probes"));
    // Watch the probe crates and the SDK one by one: `probes/examples` holds the examples'
    // node_modules, thousands of files no built-in probe depends on. A new probe crate changes
    // Cargo.lock, which is watched.
    for dir in probes.iter().map(|(package, _)| package.trim_start_matches("probe-")).chain(["sdk"]) {
        println!("cargo:rerun-if-changed={}", root.join("probes").join(dir).display());
    }
    let target_dir = out.join("probes");
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(&root)
        .args(["build", "--release", "--target", "wasm32-wasip2", "--target-dir"])
        .arg(&target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET");
    for (package, _) in &probes {
        command.args(["-p", package]);
    }
    let status = command.status().expect("running cargo to build the built-in probes");
    assert!(
        status.success(),
        "building the built-in probes for wasm32-wasip2 failed; is the target installed? (`rustup target add wasm32-wasip2`)"
    );

    let mut table = String::from("/// The built-in probes: id and component bytes.\npub static BUILTIN_PROBES: &[(&str, &[u8])] = &[\n");
    for (package, id) in &probes {
        let wasm = target_dir.join("wasm32-wasip2/release").join(format!("{}.wasm", package.replace('-', "_")));
        assert!(wasm.exists(), "the probe `{package}` built no component at {}", wasm.display());
        table.push_str(&format!("    ({id:?}, include_bytes!({:?})),\n", wasm.display().to_string()));
    }
    table.push_str("];\n");
    fs::write(out.join("builtin_probes.rs"), table).expect("writing the table of built-in probes");

    write_sdk_sources(&root.join("probes/sdk"), &out);
}

/// Lists every file under `probes/sdk/src` for `probe new`, which vendors the SDK into Rust
/// projects, as `RUST_SDK_SOURCES` in `OUT_DIR/sdk_sources.rs`.
fn write_sdk_sources(sdk: &Path, out: &Path) {
    let mut files = Vec::new();
    let mut folders = vec![sdk.join("src")];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).expect("listing the SDK sources") {
            let path = entry.expect("listing the SDK sources").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut table = String::from("/// The guest SDK's sources, under `ggcore-probe-sdk/src` of a Rust project.\npub const RUST_SDK_SOURCES: &[TemplateFile] = &[\n");
    for file in files {
        let relative = file.strip_prefix(sdk).expect("a file under the SDK");
        let target = format!("ggcore-probe-sdk/{}", relative.to_string_lossy());
        table.push_str(&format!("    ({target:?}, include_str!({:?})),\n", file.display().to_string()));
    }
    table.push_str("];\n");
    fs::write(out.join("sdk_sources.rs"), table).expect("writing the list of SDK sources");
}

/// Returns `(package, probe id)` of every built-in probe crate, sorted by id.
fn builtin_probes(dir: &Path) -> Vec<(String, String)> {
    let mut probes = Vec::new();
    for entry in fs::read_dir(dir).expect("listing probes/") {
        let manifest = entry.expect("reading probes/").path().join("Cargo.toml");
        let Ok(text) = fs::read_to_string(&manifest) else { continue };
        let package = text
            .lines()
            .find_map(|line| line.strip_prefix("name = \"").and_then(|rest| rest.strip_suffix('"')))
            .unwrap_or_default();
        if let Some(id) = package.strip_prefix("probe-") {
            probes.push((package.to_string(), id.to_string()));
        }
    }
    probes.sort_by(|a, b| a.1.cmp(&b.1));
    probes
}

/// Reads a package's version from Cargo.lock.
fn locked_version(root: &Path, package: &str) -> String {
    let lock = fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let marker = format!("name = \"{package}\"\nversion = \"");
    lock.split_once(&marker)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(version, _)| version.to_string())
        .unwrap_or_else(|| "unknown".into())
}
