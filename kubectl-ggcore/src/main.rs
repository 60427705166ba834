//! The `kubectl-ggcore` binary: parses flags, runs the command, exits with its code.

use clap::Parser;
use ggcore::commands::{self, CommandError};
use ggcore::flags::args::ProbesCommand;
use ggcore::flags::{Cli, Command};
use ggcore::host::builtin;

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
        Err(CommandError { code, error }) => {
            eprintln!("error: {error:#}");
            code
        }
    };
    std::process::exit(code);
}

async fn run(cli: Cli) -> commands::CommandResult {
    match &cli.command {
        Command::Diagnose(args) => commands::diagnose::run(&cli.global, args).await,
        Command::Probes(args) => match &args.command {
            ProbesCommand::List { output } => commands::probes::list(*output, builtin::sources()).await,
        },
        Command::Probe(args) => commands::probe::run(&cli.global, args).await,
        Command::Explain(args) => commands::explain::run(args),
        Command::Version(args) => commands::version::run(args),
    }
}

/// Sends logs to stderr; `-v=4` shows decisions, `-v=6` every request. `RUST_LOG` wins.
fn init_logging(verbosity: u8) {
    let level = match verbosity {
        0..=1 => "warn",
        2..=3 => "info",
        4..=5 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("warn,ggcore={level},kubectl_ggcore={level}")));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}
