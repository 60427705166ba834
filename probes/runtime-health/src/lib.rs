//! `runtime-health`: do the GG-CORE pods answer `/health` and `/ready`?
//!
//! Implements the Health and IPC rows of the guide's Health Status Matrix (`GG-CORE health`
//! and `GG-CORE ready`): each running GG-CORE pod is asked `GET /health` and `GET /ready` on
//! the profile's HTTP port through the API server's pod proxy. A `/health` that answers
//! anything but 200, or does not answer in time, is `health-endpoint-failing` (the guide's
//! exit 1, critical). A `/ready` that times out is `ipc-not-ready` as a warning (the guide's
//! "Timeout", degraded); one that answers 503 or another error, or whose error names the
//! runtime socket, fails. A pod that could not be asked (a snapshot without recorded answers,
//! a denied proxy) makes the check inconclusive, naming the pods and the reason.

use ggcore_probe_sdk::backend::Response;
use ggcore_probe_sdk::prelude::*;

const SYMPTOM: &str = "runtime-unhealthy";
const HEALTH: &str = "health-endpoint-failing";
const IPC: &str = "ipc-not-ready";

/// The maximum length of a response body quoted in evidence, in characters.
const QUOTE_CHARS: usize = 200;

struct RuntimeHealth;

/// The verdict on the response of one endpoint of one pod.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// 200.
    Ok,
    /// Degraded: the request timed out (`/ready` only).
    Slow(String),
    /// Failing, with the evidence.
    Failing(String),
    /// Could not be asked, with the reason.
    Unchecked(String),
}

impl Probe for RuntimeHealth {
    fn describe() -> Descriptor {
        describe("runtime-health")
            .title("GG-CORE pods answer /health and /ready")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Quick Diagnostics: Health Status Matrix (Health, IPC)")
            .reads(&[Pod::KIND])
            .uses(Capability::Http)
            .reports(SYMPTOM, &[HEALTH, IPC])
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let namespace = cx.namespace().to_string();
        let pods: Vec<Pod> = cx.list(Some(&cx.profile().app_selector))?;
        let running: Vec<&Pod> = pods.iter().filter(|p| p.phase() == "Running" && p.metadata.deletion_timestamp.is_none()).collect();
        if running.is_empty() {
            let summary = if pods.is_empty() {
                format!("no GG-CORE pod in namespace `{namespace}` to ask")
            } else {
                format!("none of the {} GG-CORE pods is running, so none can answer (pods-down tells why)", pods.len())
            };
            cx.report(skip(SYMPTOM, Some(HEALTH)).summary(summary.clone()));
            cx.report(skip(SYMPTOM, Some(IPC)).summary(summary));
            return Ok(());
        }

        let port = cx.profile().http_port;
        let socket = cx.profile().runtime_socket.clone();
        let mut health = Vec::new();
        let mut ready = Vec::new();
        let sample = ggcore_probe_sdk::sample::sample_pods(&running, cx.max_pods());
        for pod in &sample.pods {
            let name = &pod.metadata.name;
            health.push((*pod, judge_health(cx.pod_get(&namespace, name, port, "/health"))));
            ready.push((*pod, judge_ready(cx.pod_get(&namespace, name, port, "/ready"), &socket)));
        }

        let note = sample.note();
        report(cx, HEALTH, "/health", &health, note.as_deref());
        report(cx, IPC, "/ready", &ready, note.as_deref());
        Ok(())
    }
}

/// Judges a `/health` answer: 200 is healthy; another status or no answer in time fails.
fn judge_health(answer: Result<Response, HostError>) -> Verdict {
    match answer {
        Ok(response) if response.status == 200 => Verdict::Ok,
        Ok(response) => Verdict::Failing(format!("returned {}{}", response.status, body_suffix(&response.body))),
        Err(HostError::Timeout(text)) => Verdict::Failing(format!("timed out ({text})")),
        Err(error) => Verdict::Unchecked(error.message()),
    }
}

/// Judges a `/ready` answer: 200 is ready; a timeout is degraded; any other status fails, and
/// so does an error that names the runtime socket.
fn judge_ready(answer: Result<Response, HostError>, socket: &str) -> Verdict {
    match answer {
        Ok(response) if response.status == 200 => Verdict::Ok,
        Ok(response) => {
            let socket_note = if response.body.contains(socket) { format!("; the error names the runtime socket {socket}") } else { String::new() };
            Verdict::Failing(format!("returned {}{}{socket_note}", response.status, body_suffix(&response.body)))
        }
        Err(HostError::Timeout(text)) => Verdict::Slow(format!("timed out ({text})")),
        Err(error) if error.message().contains(socket) => Verdict::Failing(format!("{}; the error names the runtime socket {socket}", error.message())),
        Err(error) => Verdict::Unchecked(error.message()),
    }
}

/// Formats the first line of a body as `: "..."`, or nothing for an empty body.
fn body_suffix(body: &str) -> String {
    let line = body.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    if line.is_empty() {
        return String::new();
    }
    match line.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!(": \"{}...\"", &line[..cut]),
        None => format!(": \"{line}\""),
    }
}

/// Reports one cause from the verdicts of the pods asked; `note` says which pods were left out.
fn report(cx: &mut Context, cause: &str, path: &str, verdicts: &[(&Pod, Verdict)], note: Option<&str>) {
    let namespace = cx.namespace().to_string();
    let port = cx.profile().http_port;
    let total = verdicts.len();
    let failing: Vec<&(&Pod, Verdict)> = verdicts.iter().filter(|(_, v)| matches!(v, Verdict::Failing(_))).collect();
    let slow: Vec<&(&Pod, Verdict)> = verdicts.iter().filter(|(_, v)| matches!(v, Verdict::Slow(_))).collect();
    let unchecked: Vec<&(&Pod, Verdict)> = verdicts.iter().filter(|(_, v)| matches!(v, Verdict::Unchecked(_))).collect();

    let (builder, problem) = if !failing.is_empty() {
        (fail(SYMPTOM, cause), &failing)
    } else if !slow.is_empty() {
        (warn(SYMPTOM, cause), &slow)
    } else if !unchecked.is_empty() {
        (inconclusive(SYMPTOM, Some(cause)), &unchecked)
    } else {
        cx.report(pass(SYMPTOM, cause).summary(format!("all {total} running GG-CORE pods return 200 on {path} (port {port})")).evidence_lines(note));
        return;
    };

    let names: Vec<&str> = problem.iter().map(|(pod, _)| pod.metadata.name.as_str()).collect();
    let summary = match problem[0].1 {
        Verdict::Failing(_) => format!("{} of {total} running GG-CORE pods fail {path}: {}", problem.len(), names.join(", ")),
        Verdict::Slow(_) => format!("{} of {total} running GG-CORE pods time out on {path}: {}", problem.len(), names.join(", ")),
        _ => format!("could not ask {path} on {} of {total} running GG-CORE pods: {}", problem.len(), names.join(", ")),
    };
    let mut finding = builder.summary(summary).evidence_lines(note);
    for (pod, verdict) in verdicts {
        let line = match verdict {
            Verdict::Ok => "returned 200".to_string(),
            Verdict::Slow(text) | Verdict::Failing(text) => text.clone(),
            Verdict::Unchecked(text) => format!("not asked: {text}"),
        };
        finding = finding.evidence(format!("pod `{}` GET :{port}{path} {line}", pod.metadata.name));
    }
    for (pod, _) in problem.iter() {
        finding = finding.object("Pod", &pod.metadata);
    }
    let first = names[0];
    let next = match problem[0].1 {
        Verdict::Unchecked(_) => format!("kubectl get --raw /api/v1/namespaces/{namespace}/pods/{first}:{port}/proxy{path}"),
        _ if cause == HEALTH => format!("kubectl exec -it {first} -n {namespace} -- GG-CORE health --verbose"),
        _ => format!("kubectl logs {first} -n {namespace} --tail=100"),
    };
    cx.report(finding.next_command(next));
}

ggcore_probe_sdk::probe!(RuntimeHealth);

#[cfg(test)]
mod tests;
