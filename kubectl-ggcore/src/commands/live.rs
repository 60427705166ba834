//! `kubectl ggcore live [--verbose]`: the guide's `GG-CORE live` liveness check. Asks `/live`
//! on the profile's HTTP port of every running GG-CORE pod through the pod proxy (or replays
//! the recorded responses of a collected snapshot). Exits 0 when every running pod returns 200,
//! and 1 otherwise: a pod returning another status, no running pod, or a response that could not
//! be had (the reason goes to stderr).

use ggcore_probe_sdk::views::Pod;

use super::CommandResult;
use super::checks::{self, read_failed};
use super::session::Session;
use crate::flags::args::{GlobalArgs, HealthArgs};
use crate::source::recorded::HttpTarget;
use crate::source::HttpAnswer;

/// The liveness path the GG-CORE runtime serves.
const PATH: &str = "/live";

/// Asks every running GG-CORE pod for `/live` and prints the result.
///
/// # Errors
///
/// Exit code 1 when the state cannot be read, 2 for bad flags.
pub async fn run(global: &GlobalArgs, args: &HealthArgs) -> CommandResult {
    let session = Session::open(global, &args.source, false).await?;
    let pods: Vec<Pod> = checks::list(&session, Some(&session.profile.app_selector)).await.map_err(|e| read_failed("the GG-CORE pods", e))?;
    let running: Vec<&Pod> = pods.iter().filter(|p| p.phase() == "Running").collect();
    if running.is_empty() {
        println!("Live: unknown (no running GG-CORE pod among {} pods)", pods.len());
        eprintln!("Live could not be checked: no GG-CORE pod matching `{}` is running", session.profile.app_selector);
        return Ok(1);
    }

    let mut lines = Vec::new();
    let mut dead = 0;
    let mut unknown = Vec::new();
    for pod in &running {
        let target = HttpTarget::Pod {
            namespace: session.profile.namespace.clone(),
            pod: pod.metadata.name.clone(),
            port: session.profile.http_port,
            path: PATH.to_string(),
        };
        let line = match session.reader.http_get(&target).await {
            Ok(HttpAnswer { status: 200, .. }) => "returned 200".to_string(),
            Ok(answer) => {
                dead += 1;
                format!("returned {}: {}", answer.status, answer.body.lines().next().unwrap_or("").trim())
            }
            Err(error) => {
                unknown.push(format!("pod `{}`: {error}", pod.metadata.name));
                format!("not asked: {error}")
            }
        };
        lines.push(format!("  pod `{}` GET :{}{PATH} {line}", pod.metadata.name, session.profile.http_port));
    }

    let total = running.len();
    let (status, code) = match (dead, unknown.is_empty()) {
        (0, true) => (format!("healthy (all {total} running GG-CORE pods return 200 on {PATH})"), 0),
        (0, false) => (format!("unknown ({} of {total} pods could not be asked)", unknown.len()), 1),
        _ => (format!("critical ({dead} of {total} running GG-CORE pods fail {PATH})"), 1),
    };
    println!("Live: {status}");
    if args.verbose {
        for line in &lines {
            println!("{line}");
        }
    }
    if !unknown.is_empty() {
        eprintln!("Live could not be checked on every pod:");
        for reason in &unknown {
            eprintln!("  {reason}");
        }
    }
    Ok(code)
}
