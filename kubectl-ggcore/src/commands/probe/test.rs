//! `probe test`: runs one probe component against a snapshot and shows everything an author
//! needs in the inner loop: its declaration, its findings, what it read, what it cost, and,
//! with `--expect`, whether it meets an expectations file.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::anyhow;
use serde::Serialize;

use super::exit;
use super::expect::{self, Check, outcome_name};
use crate::commands::session::{self, Session};
use crate::commands::{CommandResult, failed, usage};
use crate::flags::args::{GlobalArgs, OutputFormat, ProbeTestArgs};
use crate::flags::settings;
use crate::host::limits::{Limits, TICK};
use crate::host::loader::{self, Origin, ProbeSource};
use crate::host::runner::{self, Failure, ProbeRun, RunStats};
use crate::host::state::{LogLine, capability_name};
use ggcore_probe_sdk::units;

/// What `probe test -o json` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestReport {
    /// The component file.
    pub file: String,
    /// The component's SHA-256.
    pub sha256: String,
    /// The WIT version it was built for.
    pub wit_version: Option<String>,
    /// The names of the component's imports: `ggcore:probe/*` and any WASI it uses.
    pub imports: Vec<String>,
    /// `ok` or `error`.
    pub status: &'static str,
    /// How the probe failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// The probe's declaration; `None` when it failed before `describe` returned.
    pub descriptor: Option<DescriptorView>,
    /// The findings, as the probe returned them.
    pub findings: Vec<FindingView>,
    /// What the probe read.
    pub usage: UsageView,
    /// What the run cost.
    pub stats: RunStats,
    /// The caps the probe ran under.
    pub limits: LimitsView,
    /// The probe's log lines, stdout and stderr.
    pub logs: Vec<LogLine>,
    /// The result of each expectation, when `--expect` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expectations: Option<Vec<Check>>,
    /// The exit code.
    pub exit_code: i32,
}

/// A probe's declaration.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescriptorView {
    /// The id.
    pub id: String,
    /// The title.
    pub title: String,
    /// The probe's version.
    pub version: String,
    /// The guide section.
    pub section: String,
    /// `symptom/cause` pairs it may report.
    pub reports: Vec<String>,
    /// The kinds it reads (`Pod`, `Deployment.apps`).
    pub kinds: Vec<String>,
    /// The host interfaces it uses beyond reading objects.
    pub capabilities: Vec<String>,
}

/// One finding.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingView {
    /// The outcome.
    pub outcome: &'static str,
    /// The symptom id.
    pub symptom: String,
    /// The cause id.
    pub cause: Option<String>,
    /// The summary.
    pub summary: String,
    /// The evidence lines.
    pub evidence: Vec<String>,
    /// The objects, as `Kind namespace/name`.
    pub objects: Vec<String>,
    /// The resolution.
    pub resolution: Option<String>,
    /// The error code.
    pub error_code: Option<String>,
    /// The next command.
    pub next_command: Option<String>,
}

/// What the probe read.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageView {
    /// `list` and `get` calls per kind.
    pub reads: std::collections::BTreeMap<String, usize>,
    /// Calls of the other host interfaces, by capability.
    pub calls: std::collections::BTreeMap<String, usize>,
    /// Reads the host denied.
    pub denied: Vec<String>,
}

/// The caps, in the units of the flags.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitsView {
    /// Memory cap, in bytes.
    pub memory_bytes: usize,
    /// CPU budget, in milliseconds.
    pub cpu_ms: u64,
    /// Wall-clock limit, in milliseconds.
    pub wall_ms: u64,
}

/// Runs the probe and prints the test report.
///
/// # Errors
///
/// Exit code 2 for a probe file the host refuses, a bad expectations file or bad flags; 1
/// when the snapshot cannot be read.
pub async fn run(global: &GlobalArgs, args: &ProbeTestArgs) -> CommandResult {
    let limits = settings::limits(&args.limits).map_err(usage)?;
    let source = read_probe(&args.probe)?;
    let imports = loader::imports(&source.name, &source.bytes).map_err(|e| usage(anyhow!("cannot test probe `{}`: {e}", args.probe.display())))?;
    loader::check(&source.name, &source.bytes).map_err(|e| usage(anyhow!("cannot test probe `{}`: {e}", args.probe.display())))?;
    let expectations = args.expect.as_deref().map(expect::read).transpose().map_err(usage)?;
    let session = Session::open(global, &args.source, false).await?;
    let engine = session::engine()?;

    let run = runner::run_one(engine, source, session.reader.clone(), Some(session.profile.clone()), limits.clone()).await;
    let checks = expectations.as_ref().map(|e| expect::check(e, &run));

    let unexpected_failure = run.failure.is_some() && expectations.as_ref().is_none_or(|e| e.error.is_none());
    let unmet = checks.as_ref().is_some_and(|c| c.iter().any(|c| !c.met));
    let exit_code = if unexpected_failure {
        exit::PROBE_FAILED
    } else if unmet {
        exit::EXPECTATIONS_NOT_MET
    } else {
        0
    };

    let report = test_report(&args.probe, imports, run, &limits, checks, exit_code);
    match args.output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&report).map_err(failed)?),
        OutputFormat::Yaml => print!("{}", serde_yaml::to_string(&report).map_err(failed)?),
        OutputFormat::Table | OutputFormat::Wide => print!("{}", table(&report, args.expect.as_deref())),
    }
    if args.output != OutputFormat::Table && args.output != OutputFormat::Wide {
        // The structured output contains the details; stderr explains the failure in a CI log.
        for line in mismatch_lines(&report) {
            eprintln!("{line}");
        }
    }
    Ok(exit_code)
}

fn read_probe(path: &Path) -> Result<ProbeSource, crate::commands::CommandError> {
    let bytes = std::fs::read(path).map_err(|e| usage(anyhow!("cannot read probe `{}`: {e}", path.display())))?;
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    Ok(ProbeSource { name, origin: Origin::File { path: path.to_path_buf() }, bytes: bytes.into() })
}

fn test_report(file: &Path, imports: Vec<String>, run: ProbeRun, limits: &Limits, checks: Option<Vec<Check>>, exit_code: i32) -> TestReport {
    let descriptor = run.descriptor.as_ref().map(|d| DescriptorView {
        id: d.id.clone(),
        title: d.title.clone(),
        version: d.version.clone(),
        section: d.section.clone(),
        reports: d.causes.iter().map(|c| format!("{}/{}", c.symptom, c.cause)).collect(),
        kinds: d
            .needs
            .kinds
            .iter()
            .map(|k| match k.group.as_deref() {
                Some("") | None => k.kind.clone(),
                Some(group) => format!("{}.{group}", k.kind),
            })
            .collect(),
        capabilities: d.needs.capabilities.iter().map(|c| capability_name(*c).to_string()).collect(),
    });
    let findings = run
        .findings
        .iter()
        .map(|f| FindingView {
            outcome: outcome_name(f.outcome),
            symptom: f.symptom.clone(),
            cause: f.cause.clone(),
            summary: f.summary.clone(),
            evidence: f.evidence.clone(),
            objects: f.objects.iter().map(|o| format!("{} {}{}", o.kind, o.namespace.as_deref().map(|n| format!("{n}/")).unwrap_or_default(), o.name)).collect(),
            resolution: f.resolution.clone(),
            error_code: f.error_code.clone(),
            next_command: f.next_command.clone(),
        })
        .collect();
    TestReport {
        file: file.display().to_string(),
        sha256: run.sha256.clone(),
        wit_version: run.wit_version.clone(),
        imports,
        status: if run.failure.is_some() { "error" } else { "ok" },
        error: run.failure.clone(),
        descriptor,
        findings,
        usage: UsageView {
            reads: run.usage.reads.clone(),
            calls: run.usage.other_calls.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            denied: run.usage.denied.clone(),
        },
        stats: run.stats.clone(),
        limits: LimitsView { memory_bytes: limits.memory_bytes, cpu_ms: limits.cpu_time.as_millis() as u64, wall_ms: limits.wall_time.as_millis() as u64 },
        logs: run.logs,
        expectations: checks,
        exit_code,
    }
}

/// Returns the lines that explain why the test failed, none when it passed.
fn mismatch_lines(report: &TestReport) -> Vec<String> {
    let mut lines = Vec::new();
    if report.exit_code == exit::PROBE_FAILED
        && let Some(error) = &report.error
    {
        lines.push(format!("error: the probe failed ({}): {}", expect::failure_kind(error.kind), error.message));
    }
    let unmet: Vec<&Check> = report.expectations.iter().flatten().filter(|c| !c.met).collect();
    if !unmet.is_empty() {
        lines.push(format!("error: {} of {} expectations not met:", unmet.len(), report.expectations.as_ref().map_or(0, Vec::len)));
        for check in unmet {
            lines.push(format!("  - expected {}", check.expected));
            if let Some(found) = &check.found {
                lines.push(format!("    + found    {found}"));
            }
        }
    }
    lines
}

/// Formats the report as text for people.
fn table(report: &TestReport, expect_file: Option<&Path>) -> String {
    let mut out = String::new();
    let none = |items: &[String]| if items.is_empty() { "none".to_string() } else { items.join(", ") };

    match &report.descriptor {
        Some(d) => {
            let _ = writeln!(out, "Probe:        {} {} ({})", d.id, d.version, d.title);
            let _ = writeln!(out, "Reports:      {}", none(&d.reports));
            let _ = writeln!(out, "Needs:        kinds: {}; capabilities: {}", none(&d.kinds), none(&d.capabilities));
        }
        None => {
            let _ = writeln!(out, "Probe:        {} (it failed before `describe` returned)", report.file);
        }
    }
    let _ = writeln!(out, "File:         {} (sha256 {})", report.file, &report.sha256[..12.min(report.sha256.len())]);
    let _ = writeln!(out, "WIT:          ggcore:probe@{}", report.wit_version.as_deref().unwrap_or("?"));
    let wasi: Vec<String> = report.imports.iter().filter(|i| i.starts_with("wasi:")).cloned().collect();
    let _ = writeln!(out, "WASI imports: {}", if wasi.is_empty() { "none".to_string() } else { format!("{} (served empty: no files, network or environment)", wasi.join(", ")) });
    let _ = writeln!(out, "Status:       {}", match &report.error {
        Some(error) => format!("error: {}", error.message),
        None => "ok".into(),
    });

    let _ = writeln!(out, "\nFindings ({}):", report.findings.len());
    if report.findings.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for f in &report.findings {
        let _ = writeln!(out, "  {:<12} {}/{}: {}", f.outcome, f.symptom, f.cause.as_deref().unwrap_or("-"), f.summary);
        for line in &f.evidence {
            let _ = writeln!(out, "               evidence: {line}");
        }
        for object in &f.objects {
            let _ = writeln!(out, "               object:   {object}");
        }
        if let Some(command) = &f.next_command {
            let _ = writeln!(out, "               next:     {command}");
        }
    }

    let _ = writeln!(out, "\nRead:");
    let reads: Vec<String> = report.usage.reads.iter().map(|(kind, n)| format!("{kind} x{n}")).collect();
    let calls: Vec<String> = report.usage.calls.iter().map(|(capability, n)| format!("{capability} x{n}")).collect();
    let _ = writeln!(out, "  objects:    {}", none(&reads));
    let _ = writeln!(out, "  other:      {}", none(&calls));
    let _ = writeln!(out, "  denied:     {}", none(&report.usage.denied));

    let stats = &report.stats;
    let _ = writeln!(out, "\nResources:");
    let _ = writeln!(out, "  compile:    {} ms ({})", stats.compile_ms, if stats.cache_hit { "from the cache" } else { "compiled, now cached" });
    let _ = writeln!(out, "  run:        {} ms (wall-clock limit {} ms)", stats.run_ms, report.limits.wall_ms);
    let _ = writeln!(out, "  memory:     {} peak (cap {})", units::format_bytes(stats.peak_memory_bytes as f64), units::format_bytes(report.limits.memory_bytes as f64));
    let _ = writeln!(
        out,
        "  cpu:        {} ticks of {} ms (budget {} ms)",
        stats.cpu_ticks,
        TICK.as_millis(),
        report.limits.cpu_ms
    );

    if !report.logs.is_empty() {
        let _ = writeln!(out, "\nLog:");
        for line in &report.logs {
            let _ = writeln!(out, "  {:<7} {}", line.level, line.message);
        }
    }

    if let Some(checks) = &report.expectations {
        let file = expect_file.map(|p| p.display().to_string()).unwrap_or_default();
        let _ = writeln!(out, "\nExpectations ({file}):");
        for check in checks {
            let _ = writeln!(out, "  {:<8} {}", if check.met { "ok" } else { "MISMATCH" }, check.expected);
            if let Some(found) = &check.found {
                let _ = writeln!(out, "           found: {found}");
            }
        }
    }

    let verdict = match report.exit_code {
        0 => "passed".to_string(),
        exit::PROBE_FAILED => "the probe failed".to_string(),
        _ => {
            let unmet = report.expectations.iter().flatten().filter(|c| !c.met).count();
            format!("{unmet} expectation(s) not met")
        }
    };
    let _ = writeln!(out, "\nResult: {verdict} (exit code {})", report.exit_code);
    out
}
