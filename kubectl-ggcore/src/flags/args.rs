//! Flag definitions. kubectl passes every argument after the plugin name to the plugin
//! unparsed, so kubectl's own connection flags (`-n`, `--context`, `--kubeconfig`, ...) are
//! defined here, global, with kubectl's names and meanings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `kubectl ggcore`: diagnose GG-CORE deployments with sandboxed WebAssembly probes.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-ggcore",
    bin_name = "kubectl ggcore",
    version,
    about = "Diagnose GG-CORE deployments with sandboxed WebAssembly probes",
    long_about = "Diagnose GG-CORE deployments with sandboxed WebAssembly probes.\n\n\
        Each check of the GG-CORE deployment troubleshooting guide is a probe; `diagnose` runs them all \
        against the cluster of the current kubeconfig context, or against a snapshot, and prints the \
        guide's symptom map with causes, evidence and the next command to run."
)]
pub struct Cli {
    /// Flags shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// kubectl's connection flags and the output flags every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Path to the kubeconfig file to use.
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// The name of the kubeconfig context to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// The name of the kubeconfig cluster to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub cluster: Option<String>,

    /// The name of the kubeconfig user to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,

    /// The namespace GG-CORE runs in [default: the profile's, `veritas`].
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Read every namespace, not only GG-CORE's (for probes that compare across namespaces).
    #[arg(short = 'A', long, global = true)]
    pub all_namespaces: bool,

    /// Username to impersonate for the operation.
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,

    /// Group to impersonate for the operation; repeat for several groups.
    #[arg(long = "as-group", global = true, value_name = "GROUP")]
    pub as_group: Vec<String>,

    /// How long to wait for a single server request before giving up (`30s`, `1m`; `0` waits forever).
    #[arg(long, global = true, value_name = "DURATION")]
    pub request_timeout: Option<String>,

    /// Do not check the server certificate; this makes HTTPS connections insecure.
    #[arg(long, global = true)]
    pub insecure_skip_tls_verify: bool,

    /// When to colour the output.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,

    /// Log verbosity: 0 quiet, 4 decisions, 6 every request (`-v=4`).
    #[arg(short = 'v', long = "v", global = true, value_name = "LEVEL", num_args = 0..=1, default_missing_value = "4", default_value_t = 0)]
    pub verbosity: u8,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// When stdout is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table for people: the symptom map, the health matrix, failures and warnings.
    Table,
    /// The table, plus passed and skipped checks.
    Wide,
    /// The report as JSON.
    Json,
    /// The report as YAML.
    Yaml,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every probe and print the symptom map, the health matrix and the findings.
    Diagnose(DiagnoseArgs),
    /// List the probes and the symptoms and causes each can report.
    Probes(ProbesArgs),
    /// Write your own probe: scaffold a project (`probe new`) and test a component (`probe test`).
    Probe(ProbeArgs),
    /// Print the reference of an error code, symptom or cause (`explain E2001`).
    Explain(ExplainArgs),
    /// Print the plugin version, the WIT versions it serves and the wasmtime version.
    Version(VersionArgs),
}

/// Where the cluster state comes from and how probes run.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Read a saved snapshot instead of the cluster: a directory, a YAML or JSON file, or a
    /// `.tar.gz` (kubectl get -o yaml|json output, `kubectl cluster-info dump`, a support bundle,
    /// or `kubectl ggcore collect` output).
    #[arg(long, value_name = "PATH")]
    pub snapshot: Option<PathBuf>,

    /// A profile file (YAML) overriding the GG-CORE names: namespace, selectors, Services, ports.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,

    /// A probe setting, `key=value`; repeat for several.
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_setting)]
    pub settings: Vec<(String, String)>,

    /// The time the state is judged at (RFC 3339) [default: a snapshot's newest timestamp, or now].
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
}

/// Per-probe caps.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Wall-clock time each probe may take, host calls included (`60s`).
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    pub probe_timeout: String,

    /// Time each probe may spend executing its own code (`10s`).
    #[arg(long, value_name = "DURATION", default_value = "10s")]
    pub probe_cpu: String,

    /// Total memory each probe may use (`256Mi`).
    #[arg(long, value_name = "QUANTITY", default_value = "256Mi")]
    pub probe_memory: String,
}

/// `diagnose`.
#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// The cluster state.
    #[command(flatten)]
    pub source: SourceArgs,

    /// The caps.
    #[command(flatten)]
    pub limits: LimitArgs,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,

    /// Also run the probe in this component file (for probe development); repeat for several.
    /// Needs --allow-unsigned.
    #[arg(long = "probe", value_name = "FILE.wasm")]
    pub probes: Vec<PathBuf>,

    /// Allow probes that no trusted key signed: --probe files and unsigned bundles. The report
    /// marks them.
    #[arg(long)]
    pub allow_unsigned: bool,

    /// Run only the probes given with --probe, without the built-in ones.
    #[arg(long)]
    pub no_builtin: bool,
}

/// `probes`.
#[derive(Debug, Args)]
pub struct ProbesArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ProbesCommand,
}

/// `probes` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProbesCommand {
    /// List the probes with their symptoms and causes.
    List {
        /// Output format.
        #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
        output: OutputFormat,
    },
}

/// `probe`.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ProbeCommand,
}

/// `probe` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProbeCommand {
    /// Create a probe project: the WIT, a build script and a sample check.
    New(ProbeNewArgs),
    /// Run one probe component against a snapshot and show its findings, reads and costs.
    Test(ProbeTestArgs),
}

/// The languages `probe new` scaffolds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProbeLanguage {
    /// Rust with the guest SDK, built for `wasm32-wasip2` by cargo.
    Rust,
    /// Python, built by componentize-py.
    Python,
    /// JavaScript, built by componentize-js.
    Js,
}

/// `probe new`.
#[derive(Debug, Args)]
pub struct ProbeNewArgs {
    /// The probe id: 1 to 63 lower-case letters, digits and dashes (`model-version`).
    pub name: String,

    /// The language of the project.
    #[arg(long, value_enum)]
    pub lang: ProbeLanguage,

    /// The directory to create [default: ./NAME]. It must not exist or be empty.
    #[arg(short = 'o', long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

/// `probe test`.
#[derive(Debug, Args)]
pub struct ProbeTestArgs {
    /// The probe component to run.
    #[arg(value_name = "PROBE.wasm")]
    pub probe: PathBuf,

    /// The cluster state.
    #[command(flatten)]
    pub source: SourceArgs,

    /// The caps.
    #[command(flatten)]
    pub limits: LimitArgs,

    /// An expectations file (YAML): findings that must be present, causes that must be absent,
    /// the longest run time and the most memory. A mismatch exits with code 4.
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// An error code (`E2001`), a symptom id (`pods-down`) or a cause id (`oom-killed`).
    pub topic: String,
}

/// `version`.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

fn parse_setting(text: &str) -> Result<(String, String), String> {
    let (key, value) = text.split_once('=').ok_or_else(|| format!("expected KEY=VALUE, found `{text}`"))?;
    if key.is_empty() {
        return Err(format!("expected KEY=VALUE, found `{text}`"));
    }
    Ok((key.to_string(), value.to_string()))
}
