//! The files `probe new` writes, embedded in the binary. `{{id}}`, `{{crate}}`, `{{type}}` and
//! `{{sdk_version}}` in them stand for the probe id, its crate name, its Rust type name and the
//! SDK version.
//!
//! The Rust template vendors the guest SDK: its sources are embedded here from `probes/sdk/`,
//! because the SDK is not published on crates.io.

/// A file of a template: its path inside the project and its text.
pub type TemplateFile = (&'static str, &'static str);

/// The probe WIT, written into every project.
pub const WIT: &str = include_str!("../../../../wit/probe.wit");

/// Files every language gets.
pub const COMMON: &[TemplateFile] = &[
    ("wit/probe.wit", WIT),
    ("expect.yaml", include_str!("templates/common/expect.yaml")),
    ("testdata/pods.yaml", include_str!("templates/common/pods.yaml")),
];

/// The Rust project; the SDK follows in [`RUST_SDK`].
pub const RUST: &[TemplateFile] = &[
    ("Cargo.toml", include_str!("templates/rust/Cargo.toml")),
    ("src/lib.rs", include_str!("templates/rust/lib.rs")),
    ("build.sh", include_str!("templates/rust/build.sh")),
    ("README.md", include_str!("templates/rust/README.md")),
    (".gitignore", include_str!("templates/rust/gitignore")),
];

/// The vendored guest SDK's manifest and WIT, under `ggcore-probe-sdk/` of a Rust project. The
/// manifest is a template of its own: the SDK's real one inherits from this repository's
/// workspace. The sources follow in [`RUST_SDK_SOURCES`].
pub const RUST_SDK: &[TemplateFile] = &[
    ("ggcore-probe-sdk/Cargo.toml", include_str!("templates/rust/sdk-Cargo.toml")),
    ("ggcore-probe-sdk/wit/probe.wit", WIT),
];

// Every file under `probes/sdk/src`, listed by the build script so that none is forgotten:
// `pub const RUST_SDK_SOURCES: &[TemplateFile]`.
include!(concat!(env!("OUT_DIR"), "/sdk_sources.rs"));

/// The Python project, built by componentize-py.
pub const PYTHON: &[TemplateFile] = &[
    ("app.py", include_str!("templates/python/app.py")),
    ("build.sh", include_str!("templates/python/build.sh")),
    ("requirements.txt", include_str!("templates/python/requirements.txt")),
    ("README.md", include_str!("templates/python/README.md")),
    (".gitignore", include_str!("templates/python/gitignore")),
];

/// The JavaScript project, built by componentize-js.
pub const JS: &[TemplateFile] = &[
    ("probe.js", include_str!("templates/js/probe.js")),
    ("build.sh", include_str!("templates/js/build.sh")),
    ("package.json", include_str!("templates/js/package.json")),
    ("README.md", include_str!("templates/js/README.md")),
    (".gitignore", include_str!("templates/js/gitignore")),
];

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn repository() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the plugin crate sits in the repository")
    }

    #[test]
    fn vendored_sdk_has_every_source_file() {
        let mut on_disk = Vec::new();
        let mut folders = vec![repository().join("probes/sdk/src")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    let relative = path.strip_prefix(repository().join("probes/sdk")).unwrap();
                    on_disk.push(format!("ggcore-probe-sdk/{}", relative.to_string_lossy()));
                }
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = RUST_SDK_SOURCES.iter().map(|(path, _)| path.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }

    #[test]
    fn vendored_sdk_manifest_has_every_dependency() {
        let real = std::fs::read_to_string(repository().join("probes/sdk/Cargo.toml")).unwrap();
        let real: toml_like::Manifest = toml_like::parse(&real);
        let vendored = toml_like::parse(RUST_SDK[0].1);
        assert_eq!(vendored.dependencies, real.dependencies);
        assert_eq!(vendored.features, real.features);
    }

    #[test]
    fn python_template_pins_the_tested_componentize_py() {
        let tested = std::fs::read_to_string(repository().join("probes/examples/python/requirements.txt")).unwrap();
        assert_eq!(PYTHON[2].1, tested);
    }

    #[test]
    fn js_template_pins_the_tested_componentize_js() {
        // componentize-js 0.23.0 imports @bytecodealliance/preview2-shim without declaring it,
        // and preview2-shim 0.26 no longer grants its file system to the splicer, so both are
        // pinned, to the versions the examples are built with in CI.
        let tested: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(repository().join("probes/examples/js/package.json")).unwrap()).unwrap();
        let template: serde_json::Value = serde_json::from_str(JS[2].1).unwrap();
        assert_eq!(template["devDependencies"], tested["devDependencies"]);
    }

    /// Just enough of a TOML reader to compare the dependency and feature names of two manifests.
    mod toml_like {
        /// The names under `[dependencies]` and `[features]`, sorted.
        #[derive(Debug, PartialEq, Eq)]
        pub struct Manifest {
            pub dependencies: Vec<String>,
            pub features: Vec<String>,
        }

        pub fn parse(text: &str) -> Manifest {
            let mut manifest = Manifest { dependencies: Vec::new(), features: Vec::new() };
            let mut section = "";
            for line in text.lines().map(str::trim) {
                if line.starts_with('[') {
                    section = line;
                    continue;
                }
                let Some((key, _)) = line.split_once('=') else { continue };
                if line.starts_with('#') {
                    continue;
                }
                let key = key.trim().split('.').next().unwrap_or("").to_string();
                match section {
                    "[dependencies]" => manifest.dependencies.push(key),
                    "[features]" => manifest.features.push(key),
                    _ => {}
                }
            }
            manifest.dependencies.sort();
            manifest.features.sort();
            manifest
        }
    }
}
