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

    /// Diagnose every namespace that holds GG-CORE pods (the profile's app selector), one report
    /// each; JSON and YAML output become a `DiagnosisList`.
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
    /// Run every probe against the cluster and save what they read as a snapshot, which
    /// `diagnose --snapshot` replays offline with the same verdicts.
    Collect(CollectArgs),
    /// Inspect VeritasCanary resources, as the guide's `GG-CORE canary` does, read-only.
    Canary(CanaryArgs),
    /// Print the guide's Prometheus metrics, as the guide's `GG-CORE metrics` does.
    Metrics(MetricsArgs),
    /// Pack, sign, verify, install, list and remove signed probe bundles.
    Bundle(BundleArgs),
    /// Manage the public keys whose bundle signatures this machine accepts.
    Trust(TrustArgs),
    /// Show the deployment: environments, canary, pods per environment and symptoms.
    Deployment(DeploymentArgs),
    /// Inspect the blue-green environments: state, switch progress, Service selector, target pods.
    Bluegreen(BluegreenArgs),
    /// Check /health on every GG-CORE pod (the Health row); exit 0 when healthy, 1 otherwise.
    Health(HealthArgs),
    /// Check /live on every GG-CORE pod; exit 0 when every running pod is live, 1 otherwise.
    Live(HealthArgs),
    /// Check /ready on every GG-CORE pod (the IPC row); exit 0 when ready, 1 otherwise.
    Ready(HealthArgs),
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

    /// The Prometheus to run the probes' PromQL queries against (`http://HOST:PORT`), queried at
    /// the time the state is judged at, in place of the query results a snapshot recorded.
    /// --request-timeout bounds each query [default: 10s].
    #[arg(long, value_name = "URL")]
    pub prometheus_url: Option<String>,

    /// The DNS server for name lookups (`10.96.0.10:53`; an address alone means port 53). Its
    /// answers win over lookups recorded in a snapshot [default: none, or the pod's resolver
    /// from /etc/resolv.conf when run inside the cluster].
    #[arg(long, value_name = "HOST:PORT")]
    pub dns_server: Option<String>,
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

    /// Which probes run.
    #[command(flatten)]
    pub probes: ProbeSelection,
}

/// Which probes run besides the built-in ones.
#[derive(Debug, Args)]
pub struct ProbeSelection {
    /// Also run the probe in this component file (for probe development); repeat for several.
    /// Needs --allow-unsigned.
    #[arg(long = "probe", value_name = "FILE.wasm")]
    pub probes: Vec<PathBuf>,

    /// Allow probes that no trusted key signed: --probe files and unsigned bundles. The report
    /// marks them.
    #[arg(long)]
    pub allow_unsigned: bool,

    /// Run only the probes given with --probe, without the built-in ones or those of installed
    /// bundles.
    #[arg(long)]
    pub no_builtin: bool,
}

/// `collect`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Where to write the snapshot: a new directory, or a file ending in `.tar.gz`.
    #[arg(short = 'o', long = "output", value_name = "DIR|FILE.tar.gz")]
    pub output: PathBuf,

    /// The profile and settings.
    #[command(flatten)]
    pub source: SourceArgs,

    /// The caps.
    #[command(flatten)]
    pub limits: LimitArgs,

    /// Which probes run.
    #[command(flatten)]
    pub probes: ProbeSelection,
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

        /// Also list the probes of installed bundles that no trusted key signed.
        #[arg(long)]
        allow_unsigned: bool,
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

/// `bluegreen diff`.
#[derive(Debug, Args)]
pub struct BluegreenDiffArgs {
    /// The cluster state.
    #[command(flatten)]
    pub source: SourceArgs,

    /// Output format; `wide` also lists what was compared and found equal.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// `version`.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// `canary`.
#[derive(Debug, Args)]
pub struct CanaryArgs {
    /// The subcommand.
    #[command(subcommand)]
    pub command: CanaryCommand,
}

/// `canary` subcommands.
#[derive(Debug, Subcommand)]
pub enum CanaryCommand {
    /// Print each VeritasCanary's phase, weight, steps, promotion and analysis settings and
    /// conditions.
    Inspect(CanaryInspectArgs),
}

/// `canary inspect`.
#[derive(Debug, Args)]
pub struct CanaryInspectArgs {
    /// Only the VeritasCanary with this name [default: every one in the namespace].
    pub name: Option<String>,

    /// Also print the analysis history (`status.analysisHistory`).
    #[arg(long)]
    pub history: bool,

    /// Also print the canary's and stable's current error rate, request rate and p99 latency
    /// from Prometheus.
    #[arg(long)]
    pub metrics: bool,

    /// The cluster state.
    #[command(flatten)]
    pub source: SourceArgs,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// `metrics`.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// The subcommand.
    #[command(subcommand)]
    pub command: MetricsCommand,
}

/// `metrics` subcommands.
#[derive(Debug, Subcommand)]
pub enum MetricsCommand {
    /// Print the key metrics: error rate, request rate, p99 latency, memory use and pod readiness.
    Summary(MetricsViewArgs),
    /// Print the canary's error rate, request rate and p99 latency beside stable's.
    Canary(MetricsViewArgs),
}

/// `metrics summary` and `metrics canary`.
#[derive(Debug, Args)]
pub struct MetricsViewArgs {
    /// The cluster state.
    #[command(flatten)]
    pub source: SourceArgs,

    /// Output format; `wide` adds each PromQL query.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// `bundle`.
#[derive(Debug, Args)]
pub struct BundleArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: BundleCommand,
}

/// `bundle` subcommands.
#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Build an unsigned bundle from DIR, which holds `bundle.yaml` and the probe components.
    Pack {
        /// The directory with `bundle.yaml` and the components it names.
        dir: PathBuf,
        /// The bundle file to write.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// Sign a bundle's manifest with a minisign secret key; the password of an encrypted key
    /// comes from GGCORE_SIGNING_PASSWORD, or from the terminal when stdin is one.
    Sign {
        /// The bundle file; it is rewritten with the signature.
        file: PathBuf,
        /// The minisign secret key file (`minisign -G` writes one).
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
    },
    /// Check a bundle file: signature by a trusted key, component digests, WIT versions.
    Verify {
        /// The bundle file.
        file: PathBuf,
        /// Output format.
        #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
        output: OutputFormat,
    },
    /// Check a bundle file and install its probes for `diagnose`.
    Install {
        /// The bundle file.
        file: PathBuf,
        /// Replace an installed bundle of the same name with a lower version.
        #[arg(long)]
        allow_downgrade: bool,
        /// Install a bundle that has no signature; `diagnose` then needs --allow-unsigned too.
        #[arg(long)]
        allow_unsigned: bool,
    },
    /// List the installed bundles and whether each still passes its checks.
    List {
        /// Output format.
        #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
        output: OutputFormat,
    },
    /// Remove an installed bundle.
    Remove {
        /// The bundle's name.
        name: String,
    },
}

/// `trust`.
#[derive(Debug, Args)]
pub struct TrustArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: TrustCommand,
}

/// `trust` subcommands.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Trust bundles signed by this minisign public key.
    Add {
        /// The minisign public key file (`minisign -G` writes `minisign.pub`).
        key: PathBuf,
        /// The name to show for the key [default: the file name without `.pub`].
        #[arg(long)]
        name: Option<String>,
    },
    /// List the trusted keys.
    List {
        /// Output format.
        #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
        output: OutputFormat,
    },
    /// Stop trusting a key, given by its id or name; bundles it signed no longer load.
    Remove {
        /// The key id (16 hex digits) or the key's name.
        key: String,
    },
}

/// `deployment`.
#[derive(Debug, Args)]
pub struct DeploymentArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: DeploymentCommand,
}

/// `deployment` subcommands.
#[derive(Debug, Subcommand)]
pub enum DeploymentCommand {
    /// Overview of the deployment state; exits with the code `diagnose` would.
    Status(StatusArgs),
}

/// `deployment status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The cluster state.
    #[command(flatten)]
    pub source: SourceArgs,

    /// Also print the Health Status Matrix and the findings behind each symptom.
    #[arg(long)]
    pub verbose: bool,

    /// Print the overview as JSON, for scripts.
    #[arg(long)]
    pub json: bool,
}

/// `bluegreen`.
#[derive(Debug, Args)]
pub struct BluegreenArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: BluegreenCommand,
}

/// `bluegreen` subcommands.
#[derive(Debug, Subcommand)]
pub enum BluegreenCommand {
    /// Current environment state: VeritasEnvironment, switch progress, Service selector, target pods.
    Inspect(InspectArgs),
    /// Print the differences between the blue and the green environment: ConfigMap keys,
    /// Secrets (by digest), environment variables, model mounts and versions. Exits 3 when a
    /// difference is critical, 4 when all are warnings, 5 when nothing differs but something
    /// could not be compared, 0 otherwise.
    Diff(BluegreenDiffArgs),
}

/// `bluegreen inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The cluster state.
    #[command(flatten)]
    pub source: SourceArgs,

    /// Print the inspection as JSON, for scripts.
    #[arg(long)]
    pub json: bool,
}

/// `health`, `live` and `ready`.
#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The cluster state.
    #[command(flatten)]
    pub source: SourceArgs,

    /// Print the answer of every pod, not only the verdict.
    #[arg(long)]
    pub verbose: bool,
}

fn parse_setting(text: &str) -> Result<(String, String), String> {
    let (key, value) = text.split_once('=').ok_or_else(|| format!("expected KEY=VALUE, found `{text}`"))?;
    if key.is_empty() {
        return Err(format!("expected KEY=VALUE, found `{text}`"));
    }
    Ok((key.to_string(), value.to_string()))
}
