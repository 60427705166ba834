//! The coverage map `tests/coverage.yaml`, checked against the plugin's catalog, the probes'
//! declarations in `probes list -o json` and the test sources, and the page `docs/coverage.md`
//! generated from it. `GGCORE_UPDATE_COVERAGE=1` makes the page test write the page instead of
//! failing when it differs.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ggcore::catalog::{self, CAUSES, ERROR_CODES, SYMPTOMS};
use serde::Deserialize;

use super::support::*;

/// The map, relative to the repository root.
const MAP: &str = "tests/coverage.yaml";

/// The generated page, relative to the repository root.
const PAGE: &str = "docs/coverage.md";

/// The environment variable that makes [`page_matches_the_map`] write the page.
const UPDATE_VARIABLE: &str = "GGCORE_UPDATE_COVERAGE";

/// The command that regenerates the page.
const UPDATE_COMMAND: &str = "GGCORE_UPDATE_COVERAGE=1 cargo test -p kubectl-ggcore --test e2e coverage";

/// The folders a test reference may name.
const TEST_SCOPES: [&str; 3] = ["probes/", "tests/e2e/", "kubectl-ggcore/src/"];

// ---- the map ---------------------------------------------------------------------------------

/// The contents of `tests/coverage.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Coverage {
    /// Symptom id, then cause id.
    causes: BTreeMap<String, BTreeMap<String, CauseEntry>>,
    /// Symptom id, then its steps in the catalog's order.
    steps: BTreeMap<String, Vec<StepEntry>>,
    /// Health Status Matrix check, such as `Pods`.
    health: BTreeMap<String, HealthEntry>,
    /// Error code, such as `E2001`.
    error_codes: BTreeMap<String, CodeEntry>,
}

/// What covers one cause of a symptom.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CauseEntry {
    probes: Vec<String>,
    #[serde(default)]
    tests: Vec<String>,
    /// For a cause the catalog marks as unobservable: the catalog's reason.
    reason: Option<String>,
    /// For a cause the catalog marks as unobservable: the finding the user gets instead.
    instead: Option<String>,
}

/// What covers one diagnostic step.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepEntry {
    /// The step as the catalog words it.
    command: String,
    #[serde(default)]
    probes: Vec<ProbeRead>,
    /// `kubectl ggcore` command lines that do the step.
    #[serde(default)]
    plugin: Vec<String>,
    #[serde(default)]
    tests: Vec<String>,
    /// Why the plugin cannot run the step as the guide writes it.
    reason: Option<String>,
}

/// A probe that does a step, and what it reads for it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbeRead {
    probe: String,
    reads: String,
}

/// What feeds one row of the Health Status Matrix.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HealthEntry {
    symptom: String,
    causes: Vec<String>,
    probes: Vec<String>,
    /// How the row's status follows from the findings.
    grading: String,
    #[serde(default)]
    tests: Vec<String>,
}

/// What reports one error code.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeEntry {
    probes: Vec<String>,
    /// Cause ids under the code's symptom.
    causes: Vec<String>,
    #[serde(default)]
    tests: Vec<String>,
    /// The guide's diagnostic steps for the code, where it gives them.
    #[serde(default)]
    steps: Vec<StepEntry>,
}

impl Coverage {
    /// Returns every test reference in the map, with where it is listed.
    fn test_references(&self) -> Vec<(String, &str)> {
        let mut references = Vec::new();
        for (symptom, causes) in &self.causes {
            for (cause, entry) in causes {
                references.extend(entry.tests.iter().map(|t| (format!("causes.{symptom}.{cause}"), t.as_str())));
            }
        }
        for (symptom, steps) in &self.steps {
            for (index, step) in steps.iter().enumerate() {
                references.extend(step.tests.iter().map(|t| (format!("steps.{symptom} step {}", index + 1), t.as_str())));
            }
        }
        for (check, entry) in &self.health {
            references.extend(entry.tests.iter().map(|t| (format!("health.{check}"), t.as_str())));
        }
        for (code, entry) in &self.error_codes {
            references.extend(entry.tests.iter().map(|t| (format!("error_codes.{code}"), t.as_str())));
            for (index, step) in entry.steps.iter().enumerate() {
                references.extend(step.tests.iter().map(|t| (format!("error_codes.{code} step {}", index + 1), t.as_str())));
            }
        }
        references
    }

    /// Returns every step entry, symptoms' and error codes', with its owner and number.
    fn all_steps(&self) -> Vec<(String, &StepEntry)> {
        let symptoms = self.steps.iter().flat_map(|(symptom, steps)| steps.iter().enumerate().map(move |(i, s)| (format!("steps.{symptom} step {}", i + 1), s)));
        let codes = self.error_codes.iter().flat_map(|(code, entry)| entry.steps.iter().enumerate().map(move |(i, s)| (format!("error_codes.{code} step {}", i + 1), s)));
        symptoms.chain(codes).collect()
    }
}

/// Parses the map once.
fn coverage() -> &'static Coverage {
    static MAP_CONTENTS: OnceLock<Coverage> = OnceLock::new();
    MAP_CONTENTS.get_or_init(|| {
        let path = root().join(MAP);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{MAP} is invalid: {e}"))
    })
}

// ---- what the plugin reports ----------------------------------------------------------------

/// Returns the (symptom, cause) pairs each probe declares, read once from
/// `kubectl-ggcore probes list -o json`.
fn declared_causes() -> &'static BTreeMap<String, BTreeSet<(String, String)>> {
    static DECLARED: OnceLock<BTreeMap<String, BTreeSet<(String, String)>>> = OnceLock::new();
    DECLARED.get_or_init(|| {
        let output = run(ggcore().args(["probes", "list", "-o", "json"]));
        assert!(output.status.success(), "probes list failed: {}", String::from_utf8_lossy(&output.stderr));
        let listing: serde_json::Value = serde_json::from_slice(&output.stdout).expect("probes list -o json prints JSON");
        let mut declared = BTreeMap::new();
        for probe in listing.as_array().expect("probes list -o json prints an array") {
            let id = probe["id"].as_str().expect("every listed probe has an id").to_string();
            assert!(probe.get("error").is_none(), "probe `{id}` could not be listed: {}", probe["error"]);
            let pairs = probe["causes"]
                .as_array()
                .expect("every listed probe has causes")
                .iter()
                .map(|c| (c["symptom"].as_str().unwrap_or_default().to_string(), c["cause"].as_str().unwrap_or_default().to_string()))
                .collect();
            declared.insert(id, pairs);
        }
        declared
    })
}

/// Returns the Health Status Matrix checks in the order a report lists them, read once from
/// `diagnose -o json` on the example snapshot.
fn health_checks() -> &'static Vec<String> {
    static CHECKS: OnceLock<Vec<String>> = OnceLock::new();
    CHECKS.get_or_init(|| {
        let report = report(&run(ggcore().args(["diagnose", "--snapshot"]).arg(example_snapshot()).args(["-o", "json"])));
        let rows = report["health"].as_array().unwrap_or_else(|| panic!("the report has no health rows: {report:#}"));
        rows.iter().map(|row| row["check"].as_str().expect("every health row names its check").to_string()).collect()
    })
}

// ---- test references -------------------------------------------------------------------------

/// Splits a reference `PATH: FUNCTION` into its path and function name.
fn split_reference(reference: &str) -> Result<(&str, &str), String> {
    let Some((scope, name)) = reference.split_once(": ") else {
        return Err(format!("`{reference}` is not `PATH: FUNCTION`"));
    };
    if !TEST_SCOPES.iter().any(|prefix| scope.starts_with(prefix)) || scope.contains("..") {
        return Err(format!("`{reference}`: the path must be under {}", TEST_SCOPES.join(" or ")));
    }
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("`{reference}`: `{name}` is not a function name"));
    }
    Ok((scope, name))
}

/// Returns the Rust files of a reference's path: every `.rs` file under the folder, or the
/// file `PATH.rs`.
fn source_files(scope: &str) -> Vec<PathBuf> {
    let path = root().join(scope);
    if path.is_dir() {
        let mut files = Vec::new();
        collect_rust_files(&path, &mut files);
        files.sort();
        files
    } else {
        let file = root().join(format!("{scope}.rs"));
        if file.is_file() { vec![file] } else { Vec::new() }
    }
}

fn collect_rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())).path();
        if path.is_dir() {
            if !["target", "node_modules"].iter().any(|skipped| path.ends_with(skipped)) {
                collect_rust_files(&path, files);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Tells whether `source` defines `fn name` under a `#[test]` or `#[tokio::test]` attribute.
fn defines_test(source: &str, name: &str) -> bool {
    let lines: Vec<&str> = source.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        let signature = line.trim_start();
        let signature = signature.strip_prefix("pub ").unwrap_or(signature);
        let signature = signature.strip_prefix("async ").unwrap_or(signature);
        let Some(rest) = signature.strip_prefix("fn ").and_then(|rest| rest.strip_prefix(name)) else { continue };
        if !rest.starts_with('(') {
            continue;
        }
        // Walk up over the attributes and comments above the function.
        for above in lines[..index].iter().rev().map(|l| l.trim()) {
            if above.starts_with("#[test]") || above.starts_with("#[tokio::test") {
                return true;
            }
            if !(above.starts_with("#[") || above.starts_with("//")) {
                break;
            }
        }
    }
    false
}

/// Returns the file, relative to the repository root, that defines the referenced test.
fn locate(reference: &str) -> Result<String, String> {
    let (scope, name) = split_reference(reference)?;
    let files = source_files(scope);
    if files.is_empty() {
        return Err(format!("`{reference}`: neither the folder {scope}/ nor the file {scope}.rs exists"));
    }
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        if defines_test(&source, name) {
            let relative = file.strip_prefix(root()).expect("the file lies in the repository");
            return Ok(relative.to_string_lossy().into_owned());
        }
    }
    Err(format!("`{reference}`: no `#[test] fn {name}` under {scope}"))
}

// ---- checks ----------------------------------------------------------------------------------

/// Fails with every problem found, one per line.
fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(problems.is_empty(), "{what}: {} problems in {MAP}:\n  {}", problems.len(), problems.join("\n  "));
}

/// Checks step entries against the catalog's steps of one symptom or error code.
fn check_steps(owner: &str, expected: &[&str], entries: &[StepEntry], problems: &mut Vec<String>) {
    if entries.len() != expected.len() {
        problems.push(format!("{owner}: the catalog has {} steps, the map {}", expected.len(), entries.len()));
    }
    for (index, command) in expected.iter().enumerate() {
        let number = index + 1;
        let Some(entry) = entries.get(index) else {
            problems.push(format!("{owner} step {number} (`{command}`) has no entry"));
            continue;
        };
        if entry.command != *command {
            problems.push(format!("{owner} step {number}: the map has `{}`, the catalog `{command}`", entry.command));
        }
        let reason = entry.reason.as_deref().is_some_and(|r| !r.trim().is_empty());
        if entry.probes.is_empty() && entry.plugin.is_empty() && !reason {
            problems.push(format!("{owner} step {number} (`{command}`) names no probe, no plugin command and no reason"));
        }
        if entry.tests.is_empty() && !reason {
            problems.push(format!("{owner} step {number} (`{command}`) has neither a test nor a reason"));
        }
    }
}

#[test]
fn causes_have_tests_or_reasons() {
    let map = coverage();
    let mut problems = Vec::new();
    for cause in CAUSES {
        let key = format!("causes.{}.{}", cause.symptom, cause.id);
        let Some(entry) = map.causes.get(cause.symptom).and_then(|c| c.get(cause.id)) else {
            problems.push(format!("{key} has no entry"));
            continue;
        };
        if entry.probes.is_empty() {
            problems.push(format!("{key} names no probe"));
        }
        match (cause.unobservable, entry.reason.as_deref()) {
            (Some(expected), Some(reason)) if reason != expected => {
                problems.push(format!("{key}: the reason must be the catalog's: `{expected}`"));
            }
            (Some(expected), None) => problems.push(format!("{key}: the catalog marks it unobservable; copy its reason `{expected}` and add `instead`")),
            (None, Some(_)) => problems.push(format!("{key} gives a reason, but the catalog does not mark it unobservable")),
            _ => {}
        }
        if entry.reason.is_some() != entry.instead.is_some() {
            problems.push(format!("{key}: `reason` and `instead` go together"));
        }
        if entry.tests.is_empty() && entry.reason.is_none() {
            problems.push(format!("{key} has neither a test nor a reason; it needs a test that reports it on a fixture"));
        }
    }
    for (symptom, causes) in &map.causes {
        for cause in causes.keys() {
            if catalog::cause(symptom, cause).is_none() {
                problems.push(format!("causes.{symptom}.{cause} is not a cause in the catalog"));
            }
        }
    }
    assert_no_problems("causes", &problems);
}

#[test]
fn steps_have_tests_or_reasons() {
    let map = coverage();
    let mut problems = Vec::new();
    for symptom in SYMPTOMS {
        let entries = map.steps.get(symptom.id).map(Vec::as_slice).unwrap_or_default();
        check_steps(&format!("steps.{}", symptom.id), symptom.steps, entries, &mut problems);
    }
    for symptom in map.steps.keys() {
        if catalog::symptom(symptom).is_none() {
            problems.push(format!("steps.{symptom} is not a symptom in the catalog"));
        }
    }
    assert_no_problems("steps", &problems);
}

// NOTE: which causes feed a row is not checked against the plugin, because `health_matrix` in
// kubectl-ggcore/src/report/aggregate.rs decides it and is private. Only the rows' names are.
#[test]
fn health_checks_have_tests() {
    let map = coverage();
    let checks = health_checks();
    let mut problems = Vec::new();
    for check in checks {
        let Some(entry) = map.health.get(check) else {
            problems.push(format!("health.{check} has no entry"));
            continue;
        };
        if entry.probes.is_empty() {
            problems.push(format!("health.{check} names no probe"));
        }
        if entry.causes.is_empty() {
            problems.push(format!("health.{check} names no cause"));
        }
        for cause in &entry.causes {
            if catalog::cause(&entry.symptom, cause).is_none() {
                problems.push(format!("health.{check}: `{}/{cause}` is not a cause in the catalog", entry.symptom));
            }
        }
        if entry.tests.is_empty() {
            problems.push(format!("health.{check} has no test; it needs one that shows the row's status"));
        }
    }
    for check in map.health.keys() {
        if !checks.contains(check) {
            problems.push(format!("health.{check} is not a row of the report's Health Status Matrix ({})", checks.join(", ")));
        }
    }
    assert_no_problems("health", &problems);
}

#[test]
fn error_codes_have_tests() {
    let map = coverage();
    let mut problems = Vec::new();
    for code in ERROR_CODES {
        let key = format!("error_codes.{}", code.code);
        let Some(entry) = map.error_codes.get(code.code) else {
            problems.push(format!("{key} has no entry"));
            continue;
        };
        if entry.probes.is_empty() {
            problems.push(format!("{key} names no probe"));
        }
        match code.cause {
            Some(cause) if entry.causes != [cause] => problems.push(format!("{key}: the catalog gives the cause `{cause}`, the map {:?}", entry.causes)),
            None if entry.causes.is_empty() => problems.push(format!("{key} names no cause")),
            _ => {}
        }
        for cause in &entry.causes {
            if catalog::cause(code.symptom, cause).is_none() {
                problems.push(format!("{key}: `{}/{cause}` is not a cause in the catalog", code.symptom));
            }
        }
        if entry.tests.is_empty() {
            problems.push(format!("{key} has no test; it needs one that reports the code on a fixture"));
        }
        check_steps(&key, code.steps, &entry.steps, &mut problems);
    }
    for code in map.error_codes.keys() {
        if catalog::error_code(code).is_none_or(|known| known.code != code) {
            problems.push(format!("error_codes.{code} is not an error code in the catalog"));
        }
    }
    assert_no_problems("error codes", &problems);
}

#[test]
fn named_tests_exist() {
    let problems: Vec<String> = coverage().test_references().into_iter().filter_map(|(owner, reference)| locate(reference).err().map(|e| format!("{owner}: {e}"))).collect();
    assert_no_problems("test references", &problems);
}

#[test]
fn probes_declare_listed_causes() {
    let map = coverage();
    let declared = declared_causes();
    let mut problems = Vec::new();
    let undeclared = |owner: &str, probe: &str, symptom: &str, cause: &str| match declared.get(probe) {
        None => Some(format!("{owner}: probe `{probe}` is not in `probes list`")),
        Some(pairs) if !pairs.contains(&(symptom.to_string(), cause.to_string())) => Some(format!("{owner}: probe `{probe}` does not declare `{symptom}/{cause}`")),
        Some(_) => None,
    };

    let mut listed = BTreeSet::new();
    for (symptom, causes) in &map.causes {
        for (cause, entry) in causes {
            for probe in &entry.probes {
                problems.extend(undeclared(&format!("causes.{symptom}.{cause}"), probe, symptom, cause));
                listed.insert((probe.clone(), symptom.clone(), cause.clone()));
            }
        }
    }
    for (check, entry) in &map.health {
        for cause in &entry.causes {
            if !entry.probes.iter().any(|p| declared.get(p).is_some_and(|pairs| pairs.contains(&(entry.symptom.clone(), cause.clone())))) {
                problems.push(format!("health.{check}: none of the probes {:?} declares `{}/{cause}`", entry.probes, entry.symptom));
            }
        }
    }
    for code in ERROR_CODES {
        let Some(entry) = map.error_codes.get(code.code) else { continue };
        for probe in &entry.probes {
            for cause in &entry.causes {
                problems.extend(undeclared(&format!("error_codes.{}", code.code), probe, code.symptom, cause));
            }
        }
    }
    for (owner, step) in map.all_steps() {
        for read in &step.probes {
            if !declared.contains_key(&read.probe) {
                problems.push(format!("{owner}: probe `{}` is not in `probes list`", read.probe));
            }
        }
    }

    // The other direction: every pair a probe declares is in the map under that probe.
    for (probe, pairs) in declared {
        for (symptom, cause) in pairs {
            if !listed.contains(&(probe.clone(), symptom.clone(), cause.clone())) {
                problems.push(format!("probe `{probe}` declares `{symptom}/{cause}`, but causes.{symptom}.{cause} does not list it"));
            }
        }
    }
    assert_no_problems("probes", &problems);
}

#[test]
fn plugin_commands_in_steps_exist() {
    let mut problems = Vec::new();
    for (owner, step) in coverage().all_steps() {
        for command in &step.plugin {
            let Some(arguments) = command.strip_prefix("kubectl ggcore ") else {
                problems.push(format!("{owner}: `{command}` does not start with `kubectl ggcore `"));
                continue;
            };
            let output = run(ggcore().args(arguments.split_whitespace()).arg("--help"));
            if !output.status.success() {
                problems.push(format!("{owner}: `{command} --help` failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
            }
        }
    }
    assert_no_problems("plugin commands", &problems);
}

#[test]
fn page_matches_the_map() {
    let page = render(coverage(), health_checks());
    let path = root().join(PAGE);
    if std::env::var(UPDATE_VARIABLE).is_ok_and(|v| v == "1") {
        std::fs::write(&path, &page).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != page {
        let line = current.lines().zip(page.lines()).position(|(a, b)| a != b).unwrap_or_else(|| current.lines().count().min(page.lines().count())) + 1;
        panic!("{PAGE} differs from what {MAP} and the catalog generate, first at line {line}. Regenerate it with\n  {UPDATE_COMMAND}");
    }
}

// ---- the page --------------------------------------------------------------------------------

/// Escapes text for a Markdown table cell.
fn text(value: &str) -> String {
    value.replace('|', "\\|").replace('<', "&lt;").replace('\n', " ")
}

/// Formats a code span for a Markdown table cell. GitHub unescapes `\|` inside code spans in
/// tables.
fn code(value: &str) -> String {
    format!("`{}`", value.replace('|', "\\|"))
}

/// Formats text as a sentence: a capital first letter and a full stop.
fn sentence(value: &str) -> String {
    let value = text(value.trim());
    let mut characters = value.chars();
    let capitalized = match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    };
    if capitalized.ends_with('.') { capitalized } else { format!("{capitalized}.") }
}

/// Formats test references as links to their files, one per line.
fn tests_cell(references: &[String]) -> Vec<String> {
    references
        .iter()
        .map(|reference| match (split_reference(reference), locate(reference)) {
            (Ok((scope, name)), Ok(file)) => {
                let label = scope.trim_start_matches("probes/").trim_start_matches("tests/");
                format!("{label}: [{}](../{file})", code(name))
            }
            _ => text(reference),
        })
        .collect()
}

/// Formats the covering probes and commands of a step, one per line.
fn covered_by(step: &StepEntry) -> String {
    let probes = step.probes.iter().map(|p| format!("{} reads {}", code(&p.probe), text(&p.reads)));
    let commands = step.plugin.iter().map(|c| code(c));
    let lines: Vec<String> = probes.chain(commands).collect();
    if lines.is_empty() { "none".into() } else { lines.join("<br>") }
}

/// Formats the reason and the tests of a step, one per line.
fn step_evidence(step: &StepEntry) -> String {
    let mut lines = Vec::new();
    if let Some(reason) = &step.reason {
        lines.push(format!("**Not run as written:** {}", sentence(reason)));
    }
    lines.extend(tests_cell(&step.tests));
    if lines.is_empty() { "**none**".into() } else { lines.join("<br>") }
}

/// Writes the rows of a steps table. The owner (symptom or code) shows on its first row only.
fn step_rows(out: &mut String, owner: &str, expected: &[&str], entries: &[StepEntry]) {
    for (index, command) in expected.iter().enumerate() {
        let label = if index == 0 { code(owner) } else { String::new() };
        let (covered, evidence) = entries.get(index).map_or_else(|| ("none".into(), "**none**".into()), |e| (covered_by(e), step_evidence(e)));
        let _ = writeln!(out, "| {label} | {} | {} | {covered} | {evidence} |", index + 1, code(command));
    }
}

/// Generates `docs/coverage.md` from the map and the catalog, in the catalog's order.
fn render(map: &Coverage, health_checks: &[String]) -> String {
    let unobservable = CAUSES.iter().filter(|c| c.unobservable.is_some()).count();
    let steps: usize = SYMPTOMS.iter().map(|s| s.steps.len()).sum();
    let not_run = map.steps.values().flatten().filter(|s| s.reason.is_some()).count();
    let code_steps: usize = ERROR_CODES.iter().map(|c| c.steps.len()).sum();

    let mut out = String::new();
    let _ = writeln!(out, "# Guide coverage\n");
    let _ = writeln!(out, "<!-- Generated from {MAP} by tests/e2e/coverage.rs; do not edit by hand. -->\n");
    out.push_str(
        "This page maps the GG-CORE Deployment Troubleshooting Guide to `kubectl ggcore`. For every cause of every \
         symptom, every diagnostic step, every Health Status Matrix check and every error code, it names the probe or \
         command that covers it and the tests that show it working. Where the plugin cannot do a part from outside the \
         pods, the page gives the reason.\n\n",
    );
    let _ = writeln!(
        out,
        "The page is generated from [`{MAP}`](../{MAP}) and the plugin's catalog \
         ([`kubectl-ggcore/src/catalog/`](../kubectl-ggcore/src/catalog/)). The `coverage` end-to-end tests \
         ([`tests/e2e/coverage.rs`](../tests/e2e/coverage.rs)) fail when:\n"
    );
    out.push_str(
        "- a cause, step, Health Status Matrix check or error code of the catalog has no entry in the map, or an entry \
         names neither a test nor a reason;\n\
         - a named test is not a `#[test] fn` in the named probe crate or test module;\n\
         - `kubectl ggcore probes list -o json` does not give the same probes for a cause as the map;\n\
         - a `kubectl ggcore` command named for a step does not exist;\n\
         - this page differs from what the map and the catalog generate.\n\n",
    );
    let _ = writeln!(out, "After changing the map, the catalog or a named test, regenerate the page:\n\n```sh\n{UPDATE_COMMAND}\n```\n");
    out.push_str(
        "A test listed for a cause reports that cause on a fixture as `fail` or `warn`, or as `inconclusive` for a \
         cause the cluster cannot show. Each test is named by its probe crate under `probes/` or its module under \
         `tests/`, and links to its file.\n\n",
    );
    let _ = writeln!(
        out,
        "In all: {} causes ({unobservable} not observable from the cluster), {steps} diagnostic steps ({not_run} not run \
         as the guide writes them), {} Health Status Matrix checks and {} error codes with {code_steps} diagnostic steps.\n",
        CAUSES.len(),
        health_checks.len(),
        ERROR_CODES.len()
    );

    let _ = writeln!(out, "## Causes\n");
    let _ = writeln!(out, "| Symptom | Cause | Guide's resolution | Probe | Tests or reason |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for cause in CAUSES {
        let entry = map.causes.get(cause.symptom).and_then(|c| c.get(cause.id));
        let probes = entry.map(|e| e.probes.iter().map(|p| code(p)).collect::<Vec<_>>().join("<br>")).unwrap_or_else(|| "none".into());
        let mut evidence = Vec::new();
        if let Some(entry) = entry {
            if let (Some(reason), Some(instead)) = (&entry.reason, &entry.instead) {
                evidence.push(format!("**Not observable:** {}", sentence(reason)));
                evidence.push(format!("**Instead:** {}", sentence(instead)));
            }
            evidence.extend(tests_cell(&entry.tests));
        }
        let evidence = if evidence.is_empty() { "**none**".to_string() } else { evidence.join("<br>") };
        let _ = writeln!(
            out,
            "| {} | {} ({}) | {} | {probes} | {evidence} |",
            code(cause.symptom),
            text(cause.title),
            code(cause.id),
            text(cause.resolution)
        );
    }

    let _ = writeln!(out, "\n## Diagnostic steps\n");
    let _ = writeln!(out, "| Symptom | Step | Guide's command | Covered by | Tests or reason |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for symptom in SYMPTOMS {
        let entries = map.steps.get(symptom.id).map(Vec::as_slice).unwrap_or_default();
        step_rows(&mut out, symptom.id, symptom.steps, entries);
    }

    let _ = writeln!(out, "\n## Health Status Matrix\n");
    let _ = writeln!(out, "| Check | Probe | Causes | How the row is graded | Tests |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for check in health_checks {
        let Some(entry) = map.health.get(check) else {
            let _ = writeln!(out, "| {} | none | none | none | **none** |", text(check));
            continue;
        };
        let probes: Vec<String> = entry.probes.iter().map(|p| code(p)).collect();
        let causes: Vec<String> = entry.causes.iter().map(|c| code(&format!("{}/{c}", entry.symptom))).collect();
        let tests = tests_cell(&entry.tests);
        let tests = if tests.is_empty() { "**none**".to_string() } else { tests.join("<br>") };
        let _ = writeln!(out, "| {} | {} | {} | {} | {tests} |", text(check), probes.join("<br>"), causes.join("<br>"), sentence(&entry.grading));
    }

    let _ = writeln!(out, "\n## Error codes\n");
    let _ = writeln!(out, "| Code | Name | Severity | Probe | Cause | Tests |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for error_code in ERROR_CODES {
        let entry = map.error_codes.get(error_code.code);
        let probes = entry.map(|e| e.probes.iter().map(|p| code(p)).collect::<Vec<_>>().join("<br>")).unwrap_or_else(|| "none".into());
        let causes = entry
            .map(|e| e.causes.iter().map(|c| code(&format!("{}/{c}", error_code.symptom))).collect::<Vec<_>>().join("<br>"))
            .unwrap_or_else(|| "none".into());
        let tests = entry.map(|e| tests_cell(&e.tests)).unwrap_or_default();
        let tests = if tests.is_empty() { "**none**".to_string() } else { tests.join("<br>") };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {probes} | {causes} | {tests} |",
            code(error_code.code),
            code(error_code.name),
            text(error_code.severity)
        );
    }

    let _ = writeln!(out, "\n### Diagnostic steps of the error codes\n");
    let _ = writeln!(out, "| Code | Step | Guide's command | Covered by | Tests or reason |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for error_code in ERROR_CODES.iter().filter(|c| !c.steps.is_empty()) {
        let entries = map.error_codes.get(error_code.code).map(|e| e.steps.as_slice()).unwrap_or_default();
        step_rows(&mut out, error_code.code, error_code.steps, entries);
    }
    out
}
