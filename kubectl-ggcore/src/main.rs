//! The `kubectl-ggcore` binary: parses flags, runs the command, exits with its code.

use clap::Parser;
use ggcore::commands;
use ggcore::flags::args::{BluegreenCommand, CanaryCommand, DeploymentCommand, MetricsCommand, ProbesCommand};
use ggcore::flags::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    init_logging(cli.global.verbosity);

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            std::process::exit(1);
        }
    };
    let code = match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", error.message());
            error.code
        }
    };
    std::process::exit(code);
}

async fn run(cli: Cli) -> commands::CommandResult {
    match &cli.command {
        Command::Diagnose(args) => commands::diagnose::run(&cli.global, args).await,
        Command::Probes(args) => match &args.command {
            ProbesCommand::List { output, allow_unsigned } => commands::probes::list_installed(*output, *allow_unsigned).await,
        },
        Command::Probe(args) => commands::probe::run(&cli.global, args).await,
        Command::Explain(args) => commands::explain::run(args),
        Command::Version(args) => commands::version::run(args),
        Command::Collect(args) => commands::collect::run(&cli.global, args).await,
        Command::Canary(args) => match &args.command {
            CanaryCommand::Inspect(inspect) => commands::canary::inspect(&cli.global, inspect).await,
        },
        Command::Metrics(args) => match &args.command {
            MetricsCommand::Summary(view) => commands::metrics::summary(&cli.global, view).await,
            MetricsCommand::Canary(view) => commands::metrics::canary(&cli.global, view).await,
        },
        Command::Bundle(args) => commands::bundle::run(args).await,
        Command::Trust(args) => commands::trust::run(args),
        Command::Deployment(args) => match &args.command {
            DeploymentCommand::Status(status) => commands::deployment::status(&cli.global, status).await,
        },
        Command::Bluegreen(args) => match &args.command {
            BluegreenCommand::Inspect(inspect) => commands::bluegreen::inspect(&cli.global, inspect).await,
            BluegreenCommand::Diff(diff) => commands::bluegreen_diff::run(&cli.global, diff).await,
        },
        Command::Health(args) => commands::health::run(&cli.global, args).await,
        Command::Live(args) => commands::live::run(&cli.global, args).await,
        Command::Ready(args) => commands::ready::run(&cli.global, args).await,
    }
}

/// Sends logs to stderr; `-v=4` shows decisions, `-v=6` every request. `RUST_LOG` wins.
fn init_logging(verbosity: u8) {
    use std::io::IsTerminal as _;

    let level = match verbosity {
        0..=1 => "warn",
        2..=3 => "info",
        4..=5 => "debug",
        _ => "trace",
    };
    // The libraries' own logs stay off until -v=6, where kubectl starts to log requests: the
    // plugin reports every failed request itself, naming the object it was reading, while
    // kube's client logs each 5xx at ERROR without naming the request.
    let libraries = match verbosity {
        0..=5 => "off",
        6..=7 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("{libraries},ggcore={level},kubectl_ggcore={level}")));
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).with_target(false).init();
}
