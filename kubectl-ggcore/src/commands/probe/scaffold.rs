//! `probe new`: writes a probe project from the templates, with the probe id filled in.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};

use super::templates::{self, TemplateFile};
use crate::commands::{CommandError, CommandResult, failed, usage};
use crate::flags::args::{ProbeLanguage, ProbeNewArgs};

/// A project to create.
#[derive(Debug, Clone)]
pub struct Scaffold {
    /// The probe id.
    pub id: String,
    /// The language.
    pub language: ProbeLanguage,
    /// The project directory.
    pub dir: PathBuf,
}

/// Creates the project and prints the next steps.
///
/// # Errors
///
/// Exit code 2 for an invalid id or a directory that exists and is not empty; 1 when a file
/// cannot be written.
pub fn run(args: &ProbeNewArgs) -> CommandResult {
    let dir = args.output_dir.clone().unwrap_or_else(|| PathBuf::from(&args.name));
    let project = Scaffold { id: args.name.clone(), language: args.lang, dir };
    scaffold(&project)?;
    print!("{}", next_steps(&project));
    Ok(0)
}

/// Writes the files of a project.
///
/// # Errors
///
/// As [`run`].
pub fn scaffold(project: &Scaffold) -> Result<Vec<PathBuf>, CommandError> {
    check_id(&project.id).map_err(usage)?;
    if project.language == ProbeLanguage::Rust && project.id.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(usage(anyhow!("invalid probe id `{}` for Rust: the id is the crate name, which must start with a letter", project.id)));
    }
    check_empty(&project.dir).map_err(usage)?;

    let mut written = Vec::new();
    for (path, text) in files(project.language) {
        let target = project.dir.join(path);
        write(&target, &fill(text, &project.id)).map_err(failed)?;
        if path.ends_with(".sh") {
            make_executable(&target).map_err(failed)?;
        }
        written.push(target);
    }
    Ok(written)
}

/// Returns the template files of a language, the common ones first.
fn files(language: ProbeLanguage) -> Vec<TemplateFile> {
    let own: Vec<TemplateFile> = match language {
        ProbeLanguage::Rust => templates::RUST.iter().chain(templates::RUST_SDK).chain(templates::RUST_SDK_SOURCES).copied().collect(),
        ProbeLanguage::Python => templates::PYTHON.to_vec(),
        ProbeLanguage::Js => templates::JS.to_vec(),
    };
    templates::COMMON.iter().copied().chain(own).collect()
}

/// Fills in the placeholders of a template.
fn fill(text: &str, id: &str) -> String {
    text.replace("{{id}}", id)
        .replace("{{crate}}", &id.replace('-', "_"))
        .replace("{{type}}", &type_name(id))
        .replace("{{sdk_version}}", env!("CARGO_PKG_VERSION"))
}

/// Turns `model-version` into `ModelVersion`; an id starting with a digit gets a `Probe` prefix.
fn type_name(id: &str) -> String {
    let name: String = id
        .split('-')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) { format!("Probe{name}") } else { name }
}

/// Checks a probe id with the rule the host applies to `describe`.
fn check_id(id: &str) -> anyhow::Result<()> {
    let valid = !id.is_empty()
        && id.len() <= 63
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-');
    if !valid {
        return Err(anyhow!("invalid probe id `{id}`: expected 1 to 63 lower-case letters, digits and dashes, such as `model-version`"));
    }
    Ok(())
}

/// Rejects a directory that exists and is not empty, so that nothing is overwritten.
fn check_empty(dir: &Path) -> anyhow::Result<()> {
    let Ok(mut entries) = std::fs::read_dir(dir) else {
        if dir.exists() {
            return Err(anyhow!("`{}` exists and is not a directory; choose another with -o DIR", dir.display()));
        }
        return Ok(());
    };
    if entries.next().is_some() {
        return Err(anyhow!("`{}` already exists and is not empty; choose another directory with -o DIR", dir.display()));
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create directory `{}`", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write `{}`", path.display()))
}

fn make_executable(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).with_context(|| format!("cannot make `{}` executable", path.display()))
}

/// Formats the commands that take a new project to a finding in `diagnose`.
fn next_steps(project: &Scaffold) -> String {
    let dir = project.dir.display();
    let id = &project.id;
    let setup = match project.language {
        ProbeLanguage::Rust => "rustup target add wasm32-wasip2            # once\n  cargo test                                # unit tests".to_string(),
        ProbeLanguage::Python => "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt   # once".to_string(),
        ProbeLanguage::Js => "npm install                               # once".to_string(),
    };
    format!(
        "created a {language} probe `{id}` in {dir}\n\nnext:\n  cd {dir}\n  {setup}\n  ./build.sh\n  \
         kubectl ggcore probe test {id}.wasm --snapshot testdata --expect expect.yaml\n  \
         kubectl ggcore diagnose --snapshot testdata --allow-unsigned --probe {id}.wasm\n",
        language = match project.language {
            ProbeLanguage::Rust => "Rust",
            ProbeLanguage::Python => "Python",
            ProbeLanguage::Js => "JavaScript",
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_name_is_camel_case() {
        assert_eq!(type_name("model-version"), "ModelVersion");
        assert_eq!(type_name("x"), "X");
        assert_eq!(type_name("3-way"), "Probe3Way");
    }

    #[test]
    fn id_rule_rejects_upper_case_and_edges() {
        assert!(check_id("model-version").is_ok());
        assert!(check_id("Model").is_err());
        assert!(check_id("-x").is_err());
        assert!(check_id("x-").is_err());
        assert!(check_id("").is_err());
        assert!(check_id(&"a".repeat(64)).is_err());
    }

    #[test]
    fn rust_id_must_start_with_a_letter() {
        let dir = tempfile::tempdir().unwrap();
        let project = Scaffold { id: "3-way".into(), language: ProbeLanguage::Rust, dir: dir.path().join("p") };
        let error = scaffold(&project).unwrap_err();
        assert_eq!(error.code, 2);
        assert!(error.error.to_string().contains("must start with a letter"), "{}", error.error);
    }

    #[test]
    fn refuses_a_directory_with_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        let project = Scaffold { id: "x".into(), language: ProbeLanguage::Python, dir: dir.path().to_path_buf() };
        let error = scaffold(&project).unwrap_err();
        assert_eq!(error.code, 2);
        assert!(error.error.to_string().contains("already exists and is not empty"), "{}", error.error);
        assert_eq!(std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(), "mine");
    }

    #[test]
    fn every_placeholder_is_filled() {
        for language in [ProbeLanguage::Rust, ProbeLanguage::Python, ProbeLanguage::Js] {
            let dir = tempfile::tempdir().unwrap();
            let project = Scaffold { id: "pod-restarts".into(), language, dir: dir.path().join("p") };
            for path in scaffold(&project).unwrap() {
                let text = std::fs::read_to_string(&path).unwrap();
                for placeholder in ["{{id}}", "{{crate}}", "{{type}}", "{{sdk_version}}"] {
                    assert!(!text.contains(placeholder), "{placeholder} left in {}", path.display());
                }
            }
        }
    }

    #[test]
    fn build_script_is_executable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let project = Scaffold { id: "pod-restarts".into(), language: ProbeLanguage::Js, dir: dir.path().join("p") };
        scaffold(&project).unwrap();
        let mode = std::fs::metadata(dir.path().join("p/build.sh")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
    }
}
