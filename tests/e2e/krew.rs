//! The krew package: `krew-manifest.yaml` checked against the rules krew and the krew index
//! apply, and the archive `scripts/release.sh` builds from the test binary installed the way
//! krew installs it, into a scratch `KREW_ROOT`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::Value;
use sha2::{Digest, Sha256};

use super::support::*;

/// The `<os, arch>` pairs a platform selector is matched against: the list krew's manifest
/// validator uses, plus the arm64 targets krew releases for.
const PLATFORMS: [(&str, &str); 10] = [
    ("windows", "386"),
    ("windows", "amd64"),
    ("linux", "386"),
    ("linux", "amd64"),
    ("linux", "arm"),
    ("linux", "arm64"),
    ("darwin", "386"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "arm64"),
];

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_else(|| panic!("`{key}` is missing or not a string in {value:?}"))
}

/// Returns true when a platform's `selector` matches `os` and `arch` (`matchLabels` and
/// `matchExpressions` with `In` and `NotIn`, the operators krew manifests use).
fn selects(selector: &Value, os: &str, arch: &str) -> bool {
    let label = |key: &str| match key {
        "os" => os,
        "arch" => arch,
        other => panic!("selector key `{other}` is not supported; krew allows only `os` and `arch`"),
    };
    let labels_match = selector["matchLabels"].as_mapping().is_none_or(|labels| labels.iter().all(|(k, v)| label(k.as_str().unwrap()) == v.as_str().unwrap()));
    let expressions_match = selector["matchExpressions"].as_sequence().is_none_or(|expressions| {
        expressions.iter().all(|e| {
            let values: Vec<&str> = e["values"].as_sequence().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            let found = values.contains(&label(text(e, "key")));
            match text(e, "operator") {
                "In" => found,
                "NotIn" => !found,
                other => panic!("selector operator `{other}` is not handled here"),
            }
        })
    });
    labels_match && expressions_match
}

/// Checks a manifest against krew's rules: krew's structural validation, the index's
/// validator (supported and non-overlapping platforms) and the index's review rules (a short
/// description under 50 characters, lines of at most 80 characters).
fn check_manifest(manifest: &Value) {
    assert_eq!(text(manifest, "apiVersion"), "krew.googlecontainertools.github.com/v1alpha2");
    assert_eq!(text(manifest, "kind"), "Plugin");
    let name = text(&manifest["metadata"], "name");
    assert_eq!(name, "ggcore");
    assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'), "name `{name}`");

    let spec = &manifest["spec"];
    let version = text(spec, "version");
    assert_eq!(version, format!("v{}", env!("CARGO_PKG_VERSION")), "the manifest's version is the plugin's");
    let semver = version.strip_prefix('v').expect("krew versions start with `v`");
    assert!(semver::Version::parse(semver).is_ok(), "`{version}` is not semver");

    let short = text(spec, "shortDescription");
    assert!(!short.is_empty());
    assert!(!short.contains('\n'), "shortDescription has a line break");
    assert!(short.chars().count() < 50, "shortDescription `{short}` has {} characters", short.chars().count());
    assert!(text(spec, "homepage").starts_with("https://"));
    for key in ["description", "caveats"] {
        let value = text(spec, key);
        assert!(!value.trim().is_empty(), "`{key}` is empty");
        for line in value.lines() {
            assert!(line.chars().count() <= 80, "a line of `{key}` is longer than 80 characters: {line}");
        }
    }

    let platforms = spec["platforms"].as_sequence().expect("platforms");
    assert!(!platforms.is_empty());
    for platform in platforms {
        assert!(text(platform, "uri").starts_with("https://"), "{platform:?}");
        let sha256 = text(platform, "sha256");
        assert!(sha256.len() == 64 && sha256.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)), "sha256 `{sha256}`");
        assert!(!text(platform, "bin").is_empty());
        let files = platform["files"].as_sequence().expect("files");
        assert!(!files.is_empty());
        for file in files {
            assert!(!text(file, "from").is_empty(), "{file:?}");
            assert!(!text(file, "to").is_empty(), "{file:?}");
        }
        let selector = &platform["selector"];
        assert!(selector["matchLabels"].as_mapping().is_some_and(|m| !m.is_empty()) || selector["matchExpressions"].as_sequence().is_some_and(|e| !e.is_empty()));
        assert!(PLATFORMS.iter().any(|(os, arch)| selects(selector, os, arch)), "selector {selector:?} matches no platform");
    }
    for (os, arch) in PLATFORMS {
        let matching = platforms.iter().filter(|p| selects(&p["selector"], os, arch)).count();
        assert!(matching <= 1, "{matching} platforms select {os}/{arch}");
    }
}

/// Returns the linux/amd64 platform of a manifest.
fn linux_amd64(manifest: &Value) -> &Value {
    manifest["spec"]["platforms"].as_sequence().unwrap().iter().find(|p| selects(&p["selector"], "linux", "amd64")).expect("a linux/amd64 platform")
}

fn read_manifest(path: &Path) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn committed_manifest_follows_krew_rules() {
    check_manifest(&read_manifest(&root().join("krew-manifest.yaml")));
}

#[test]
fn manifest_check_catches_broken_rules() {
    // The check can fail: each of these breaks one rule of krew's, and the check must panic.
    let committed = read_manifest(&root().join("krew-manifest.yaml"));
    let overlapping: Value = serde_yaml::from_str("{matchExpressions: [{key: os, operator: In, values: [linux, darwin]}]}").unwrap();
    let cases: Vec<(&str, Box<dyn Fn(&mut Value)>)> = vec![
        ("uppercase sha256", Box::new(|m| m["spec"]["platforms"][0]["sha256"] = Value::from("A".repeat(64)))),
        ("version without `v`", Box::new(|m| m["spec"]["version"] = Value::from(env!("CARGO_PKG_VERSION")))),
        ("long shortDescription", Box::new(|m| m["spec"]["shortDescription"] = Value::from("x".repeat(50)))),
        ("selector on another key", Box::new(|m| m["spec"]["platforms"][0]["selector"]["matchLabels"]["libc"] = Value::from("musl"))),
        ("no files", Box::new(|m| m["spec"]["platforms"][0]["files"] = Value::Sequence(Vec::new()))),
        (
            "overlapping platforms",
            Box::new(move |m| {
                let mut second = m["spec"]["platforms"][0].clone();
                second["selector"] = overlapping.clone();
                m["spec"]["platforms"].as_sequence_mut().unwrap().push(second);
            }),
        ),
    ];
    for (case, breaks) in cases {
        let mut broken = committed.clone();
        breaks(&mut broken);
        let result = std::panic::catch_unwind(|| check_manifest(&broken));
        assert!(result.is_err(), "the check accepted a manifest with {case}");
    }
}

/// Runs the release script on the test binary, writing into `scratch`; returns the archive and
/// the manifest it updated.
fn release(scratch: &Path) -> (PathBuf, PathBuf) {
    let manifest = scratch.join("krew-manifest.yaml");
    std::fs::copy(root().join("krew-manifest.yaml"), &manifest).unwrap();
    let output = run(Command::new("bash")
        .arg(root().join("scripts/release.sh"))
        .arg("--binary")
        .arg(binary())
        .arg("--out")
        .arg(scratch.join("dist"))
        .arg("--manifest")
        .arg(&manifest));
    assert!(output.status.success(), "release.sh failed:\n{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let archive = scratch.join(format!("dist/kubectl-ggcore_v{}_linux_amd64.tar.gz", env!("CARGO_PKG_VERSION")));
    assert!(archive.exists(), "no archive at {}", archive.display());
    (archive, manifest)
}

#[test]
fn release_archive_installs_like_krew() {
    let scratch = tempfile::tempdir().unwrap();
    let (archive, manifest_path) = release(scratch.path());
    let manifest = read_manifest(&manifest_path);
    check_manifest(&manifest);

    // The script wrote the archive's digest and address into the manifest.
    let platform = linux_amd64(&manifest);
    assert_eq!(text(platform, "sha256"), hex::encode(Sha256::digest(std::fs::read(&archive).unwrap())));
    assert!(text(platform, "uri").ends_with(&format!("/{}", archive.file_name().unwrap().to_string_lossy())));

    // Unpack as krew does: into a scratch directory, then each `files` entry moved into
    // KREW_ROOT/store/<name>/<version>/<to>, and KREW_ROOT/bin/kubectl-<name> linked to `bin`.
    let krew_root = scratch.path().join("krew");
    let unpacked = scratch.path().join("unpacked");
    std::fs::create_dir_all(&unpacked).unwrap();
    assert!(run(Command::new("tar").arg("-xzf").arg(&archive).arg("-C").arg(&unpacked)).status.success());
    let version = text(&manifest["spec"], "version");
    let install = krew_root.join("store/ggcore").join(version);
    let mut installed = BTreeSet::new();
    for file in platform["files"].as_sequence().unwrap() {
        let from = unpacked.join(text(file, "from"));
        assert!(from.exists(), "`from: {}` is not in the archive", text(file, "from"));
        // `to: .` is the install directory itself.
        let to = match text(file, "to").trim_start_matches("./") {
            "." | "" => install.clone(),
            dir => install.join(dir),
        };
        std::fs::create_dir_all(&to).unwrap();
        let target = to.join(from.file_name().unwrap());
        std::fs::rename(&from, &target).unwrap();
        installed.insert(target.strip_prefix(&install).unwrap().display().to_string());
    }
    assert_eq!(installed, BTreeSet::from(["LICENSE".to_string(), "kubectl-ggcore".to_string()]));
    assert!(install.join("LICENSE").is_file());

    let bin = install.join(text(platform, "bin"));
    assert!(bin.is_file(), "`bin` is not installed at {}", bin.display());
    std::fs::create_dir_all(krew_root.join("bin")).unwrap();
    std::os::unix::fs::symlink(&bin, krew_root.join("bin/kubectl-ggcore")).unwrap();

    // kubectl finds the plugin on KREW_ROOT/bin, and `version` prints what the plugin serves.
    let path = format!("{}:{}", krew_root.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    let output = run(Command::new("kubectl").args(["ggcore", "version"]).env("PATH", path).env("GGCORE_HOME", scratch.path().join("home")));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "kubectl ggcore version failed: {}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains(&format!("kubectl-ggcore {}", env!("CARGO_PKG_VERSION"))), "{stdout}");
    assert!(stdout.contains("WIT versions served: ggcore:probe@0.1.x"), "{stdout}");
    assert!(stdout.contains("wasmtime "), "{stdout}");
}
