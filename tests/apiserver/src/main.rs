//! `ggcore-test-apiserver`: serves a snapshot folder or file on 127.0.0.1 for manual runs of
//! kubectl or the plugin against it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use ggcore_test_apiserver::{Fixtures, TestApiServer};

const USAGE: &str = "usage: ggcore-test-apiserver [--port N] [--kubeconfig FILE] [--clock RFC3339] PATH...

Serves the Kubernetes objects and logs under each PATH (a folder or a YAML or JSON file of
`kubectl get -o yaml` output) as a read-only API server on 127.0.0.1 until interrupted.
  --port N           port to listen on (default 0: a free port)
  --kubeconfig FILE  write a kubeconfig for the server, context `ggcore-test`
  --clock RFC3339    the time taken as now for ages in tables (default: the wall clock)";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ggcore-test-apiserver: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut port = 0u16;
    let mut kubeconfig: Option<PathBuf> = None;
    let mut clock: Option<String> = None;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().ok_or("`--port` needs a value")?;
                port = value.parse().map_err(|_| format!("invalid `--port` value `{value}`: expected a number from 0 to 65535"))?;
            }
            "--kubeconfig" => kubeconfig = Some(args.next().ok_or("`--kubeconfig` needs a file")?.into()),
            "--clock" => clock = Some(args.next().ok_or("`--clock` needs a time such as `2026-12-04T10:30:00Z`")?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option `{arg}`\n{USAGE}")),
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    if paths.is_empty() {
        return Err(format!("missing snapshot path\n{USAGE}"));
    }

    let mut fixtures = Fixtures::new();
    for path in &paths {
        fixtures.add_path(path).map_err(|e| e.to_string())?;
    }
    if let Some(clock) = clock {
        fixtures = fixtures.with_clock(&clock).map_err(|e| e.to_string())?;
    }
    for skipped in fixtures.skipped() {
        eprintln!("skipped {skipped}");
    }
    let objects = fixtures.objects().len();
    let logs = fixtures.log_count();

    let server = TestApiServer::start_on(fixtures, SocketAddr::from(([127, 0, 0, 1], port))).map_err(|e| format!("starting the server: {e}"))?;
    if let Some(path) = &kubeconfig {
        server.write_kubeconfig(path, "ggcore-test").map_err(|e| format!("writing kubeconfig `{}`: {e}", path.display()))?;
        eprintln!("wrote kubeconfig {} (context `ggcore-test`)", path.display());
    }
    eprintln!("serving {objects} objects and {logs} logs");
    println!("{}", server.url());
    loop {
        std::thread::park();
    }
}
