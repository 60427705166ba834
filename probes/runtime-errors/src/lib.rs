//! `runtime-errors`: which GG-CORE error codes (E1001 to E5003) the runtime and its controller
//! report, in container logs (current and previous), termination messages and events.
//!
//! Implements the guide's Common Error Codes. Each code found becomes a finding of the cause
//! with the code's lower-case id (`e4001`) and carries the code, so the report links
//! `kubectl ggcore explain E4001`. Some codes are also read from the pod's state, because the
//! runtime cannot log them. A Localhost seccomp profile that cannot be loaded and a failed pod
//! sandbox are E3001 SANDBOX_INIT_FAILED. A container killed by SIGSYS (seccomp) is E3002
//! SANDBOX_VIOLATION. An OOM kill is E2001 MODEL_LOAD_FAILED when the container was loading its
//! model, and E3003 RESOURCE_LIMIT_EXCEEDED otherwise. E5002 belongs to the rollback probe.

use std::collections::{BTreeMap, BTreeSet};

use ggcore_probe_sdk::prelude::*;

mod codes;
mod state;

use codes::{CODES, Code, Severity};

const SYMPTOM: &str = "runtime-unhealthy";

/// The last lines of each log that are read.
const TAIL_LINES: u32 = 500;

/// The evidence lines a finding shows per code; the summary counts the rest.
const EVIDENCE_LINES: usize = 6;

/// The maximum length of a log line quoted in evidence, in characters.
const QUOTE_CHARS: usize = 240;

struct RuntimeErrors;

/// The place a code was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The running container's log.
    Log,
    /// The log of the previous, terminated instance.
    PreviousLog,
    /// The termination message or reason of the current state.
    CurrentState,
    /// The termination message or reason of the previous instance.
    LastState,
    /// An event.
    Event,
}

/// One occurrence of a code.
struct Hit<'a> {
    code: &'static Code,
    /// The pod it concerns; `None` for events about other objects.
    pod: Option<&'a Pod>,
    /// The kind and name of the object it concerns, for findings' objects.
    object: (String, String),
    source: Source,
    /// The evidence line.
    line: String,
}

impl Hit<'_> {
    /// Reports whether the hit is history: its pod is ready now and the hit comes from a
    /// previous instance or an event.
    fn recovered(&self) -> bool {
        self.pod.is_some_and(Pod::is_ready) && matches!(self.source, Source::PreviousLog | Source::LastState | Source::Event)
    }

    /// Reports whether the hit concerns something that does not serve now: a pod that is
    /// not ready, or an object other than a pod.
    fn not_serving(&self) -> bool {
        self.pod.is_none_or(|p| !p.is_ready())
    }
}

/// A log that could not be read, with the reason.
struct Unread {
    what: String,
    reason: String,
}

impl Probe for RuntimeErrors {
    fn describe() -> Descriptor {
        let causes: Vec<String> = CODES.iter().map(Code::cause).collect();
        let causes: Vec<&str> = causes.iter().map(String::as_str).collect();
        describe("runtime-errors")
            .title("GG-CORE error codes in logs, termination messages and events")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Common Error Codes: Error Code Reference (E1001 to E5003 except E5002)")
            .reads(&[Pod::KIND, Event::KIND])
            .uses(Capability::Logs)
            .reports(SYMPTOM, &causes)
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let namespace = cx.namespace().to_string();
        let pods = gg_core_pods(cx)?;
        let events: Vec<Event> = cx.list(None)?;
        // Events indexed by the pod they are about, so that each pod's look-up is not a scan
        // of every event in the namespace.
        let mut pod_events: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
        for event in events.iter().filter(|e| e.involved_object.kind.as_deref() == Some("Pod")) {
            pod_events.entry(event.involved_object.name.as_deref().unwrap_or("")).or_default().push(event);
        }

        let mut hits: Vec<Hit> = Vec::new();
        let mut unread: Vec<Unread> = Vec::new();
        let mut logs_read = 0;
        // Logs are one request each, so a large namespace has only a sample of its pods' logs
        // read; termination messages and events are still read for every pod.
        let refs: Vec<&Pod> = pods.iter().collect();
        let sample = ggcore_probe_sdk::sample::sample_pods(&refs, cx.max_pods());
        let sampled: std::collections::BTreeSet<&str> = sample.pods.iter().map(|p| p.metadata.name.as_str()).collect();
        if let Some(note) = sample.note() {
            cx.debug(format!("logs: {note}"));
        }
        for pod in &pods {
            let logs = if sampled.contains(pod.metadata.name.as_str()) { read_logs(cx, pod, &mut unread) } else { Vec::new() };
            logs_read += logs.iter().filter(|l| !l.previous).count();
            for log in &logs {
                let source = if log.previous { Source::PreviousLog } else { Source::Log };
                let what = format!("{}log of pod `{}` container `{}`", if log.previous { "previous " } else { "" }, pod.metadata.name, log.container);
                for line in log.text.lines() {
                    for code in codes::codes_in(line) {
                        hits.push(Hit { code, pod: Some(pod), object: pod_object(pod), source, line: format!("{what}: {}", quote(line)) });
                    }
                }
            }
            hits.extend(state::termination_hits(pod, &logs));
            let about_pod = pod_events.get(pod.metadata.name.as_str()).map(Vec::as_slice).unwrap_or_default();
            hits.extend(state::sandbox_hits(pod, about_pod));
        }
        hits.extend(event_hits(&events, &pods));
        dedup(&mut hits);

        for code in &CODES {
            let found: Vec<&Hit> = hits.iter().filter(|h| h.code.code == code.code).collect();
            if found.is_empty() {
                cx.report(pass(SYMPTOM, &code.cause()).summary(format!(
                    "no {} {} in the logs of {} GG-CORE and controller containers, their termination messages or {} events",
                    code.code,
                    code.name,
                    logs_read,
                    events.len()
                )));
            } else {
                report_code(cx, code, &found, &namespace);
            }
        }

        if !unread.is_empty() {
            let mut finding = inconclusive(SYMPTOM, None)
                .summary(format!(
                    "could not read {} container logs, so error codes written only there would be missed",
                    unread.len()
                ))
                .next_command(format!("kubectl logs -n {namespace} -l {} --all-containers --tail=100", cx.profile().app_selector));
            for item in unread.iter().take(EVIDENCE_LINES) {
                finding = finding.evidence(format!("{}: {}", item.what, item.reason));
            }
            if unread.len() > EVIDENCE_LINES {
                finding = finding.evidence(format!("and {} more", unread.len() - EVIDENCE_LINES));
            }
            cx.report(finding);
        }
        Ok(())
    }
}

/// Lists the GG-CORE pods and the controller's pods, each once.
fn gg_core_pods(cx: &Context) -> Result<Vec<Pod>, HostError> {
    let mut pods: Vec<Pod> = cx.list(Some(&cx.profile().app_selector))?;
    let controllers: Vec<Pod> = cx.list(Some(&cx.profile().controller_selector))?;
    for pod in controllers {
        if !pods.iter().any(|p| p.metadata.name == pod.metadata.name) {
            pods.push(pod);
        }
    }
    Ok(pods)
}

/// A container log that was read.
pub(crate) struct Log {
    container: String,
    previous: bool,
    text: String,
}

impl Log {
    /// Returns the text of the previous log of `container` among `logs`.
    pub(crate) fn previous_of<'a>(logs: &'a [Log], container: &str) -> Option<&'a str> {
        logs.iter().find(|l| l.previous && l.container == container).map(|l| l.text.as_str())
    }
}

/// Reads the current log of every container that has started, and the previous log of every
/// container that restarted; notes the current logs that could not be read.
fn read_logs(cx: &Context, pod: &Pod, unread: &mut Vec<Unread>) -> Vec<Log> {
    let namespace = pod.metadata.namespace();
    let name = &pod.metadata.name;
    let mut logs = Vec::new();
    for status in pod.status.container_statuses.iter().chain(&pod.status.init_container_statuses) {
        let started = status.state.running.is_some() || status.state.terminated.is_some() || status.last_state.terminated.is_some();
        if !started {
            continue;
        }
        match cx.logs(namespace, name, Some(&status.name), Some(TAIL_LINES), false) {
            Ok(text) => logs.push(Log { container: status.name.clone(), previous: false, text }),
            Err(error) => unread.push(Unread { what: format!("log of pod `{name}` container `{}`", status.name), reason: error.message() }),
        }
        let restarted = status.restart_count > 0 || status.last_state.terminated.is_some();
        if restarted {
            // The previous log is often gone (the kubelet keeps one) or not in a snapshot; the
            // termination message still tells what the last instance wrote.
            if let Ok(text) = cx.logs(namespace, name, Some(&status.name), Some(TAIL_LINES), true) {
                logs.push(Log { container: status.name.clone(), previous: true, text });
            }
        }
    }
    logs
}

/// Finds codes in event messages: events about GG-CORE pods, and about any other object in
/// the namespace (the controller reports E5001 on the custom resources).
fn event_hits<'a>(events: &'a [Event], pods: &'a [Pod]) -> Vec<Hit<'a>> {
    let mut hits = Vec::new();
    for event in events {
        let message = event.message.as_deref().unwrap_or("");
        let kind = event.involved_object.kind.clone().unwrap_or_default();
        let name = event.involved_object.name.clone().unwrap_or_default();
        let pod = pods.iter().find(|p| kind == "Pod" && p.metadata.name == name);
        for code in codes::codes_in(message) {
            hits.push(Hit {
                code,
                pod,
                object: (kind.clone(), name.clone()),
                source: Source::Event,
                line: format!("event on {kind} `{name}`: {}", quote(&event.describe())),
            });
        }
    }
    hits
}

/// Removes hits with the same code and line, which a log read for two containers of one pod
/// (a snapshot log file without a container name) would give twice.
fn dedup(hits: &mut Vec<Hit>) {
    let mut seen: BTreeSet<(&'static str, String)> = BTreeSet::new();
    hits.retain(|h| seen.insert((h.code.code, h.line.clone())));
}

fn pod_object(pod: &Pod) -> (String, String) {
    ("Pod".to_string(), pod.metadata.name.clone())
}

/// Shortens a line for evidence.
pub(crate) fn quote(line: &str) -> String {
    let line = line.trim();
    match line.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line.to_string(),
    }
}

/// Decides the outcome of a code found at least once: Critical fails unless every hit is
/// history on a pod that serves again; Error fails where the runtime no longer serves and
/// warns while it does; Warning warns.
fn outcome_of(code: &Code, hits: &[&Hit]) -> Outcome {
    match code.severity {
        Severity::Critical if hits.iter().all(|h| h.recovered()) => Outcome::Warn,
        Severity::Critical => Outcome::Fail,
        Severity::Error if hits.iter().any(|h| h.not_serving() && !h.recovered()) => Outcome::Fail,
        Severity::Error | Severity::Warning => Outcome::Warn,
    }
}

fn report_code(cx: &mut Context, code: &Code, hits: &[&Hit], namespace: &str) {
    let cause = code.cause();
    let outcome = outcome_of(code, hits);
    let builder = if outcome == Outcome::Fail { fail(SYMPTOM, &cause) } else { warn(SYMPTOM, &cause) };

    let mut objects: Vec<&(String, String)> = hits.iter().map(|h| &h.object).collect();
    objects.sort();
    objects.dedup();
    let names: Vec<&str> = objects.iter().map(|(_, name)| name.as_str()).collect();
    let scope = if hits.iter().all(|h| h.recovered()) { " (history: the pods are ready again)" } else { "" };

    let mut finding = builder
        .summary(format!(
            "{} {} found {} on {}: {}{scope}",
            code.code,
            code.name,
            plural(hits.len(), "time"),
            plural(objects.len(), "object"),
            names.join(", ")
        ))
        .error_code(code.code);
    for hit in hits.iter().take(EVIDENCE_LINES) {
        finding = finding.evidence(hit.line.clone());
    }
    if hits.len() > EVIDENCE_LINES {
        finding = finding.evidence(format!("and {} more", hits.len() - EVIDENCE_LINES));
    }
    for (kind, name) in &objects {
        finding = finding.object_named(kind, Some(namespace), name);
    }

    let first = hits[0];
    let next = match (first.source, first.pod) {
        (Source::Log, Some(pod)) => format!("kubectl logs {} -n {namespace} --tail=100", pod.metadata.name),
        (Source::PreviousLog, Some(pod)) => format!("kubectl logs {} -n {namespace} --previous --tail=100", pod.metadata.name),
        (_, Some(pod)) => format!("kubectl describe pod {} -n {namespace}", pod.metadata.name),
        (_, None) => format!("kubectl describe {} {} -n {namespace}", first.object.0.to_ascii_lowercase(), first.object.1),
    };
    cx.report(finding.next_command(next));
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

ggcore_probe_sdk::probe!(RuntimeErrors);

#[cfg(test)]
mod tests;
