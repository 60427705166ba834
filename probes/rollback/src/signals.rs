//! The traces a rollback leaves: the conditions and events of the custom resources, the
//! events of the namespace, the controller's log and the containers' termination messages,
//! with the lines that carry error code E5002.

use ggcore_probe_sdk::backend::ListOptions;
use ggcore_probe_sdk::prelude::*;

/// The lines of the controller's current log searched for E5002.
const CURRENT_LOG_LINES: u32 = 200;

/// The lines of the controller's previous log searched for E5002.
const PREVIOUS_LOG_LINES: u32 = 50;

/// The maximum number of E5002 lines kept per log or termination message.
const MAX_CODE_LINES: usize = 5;

/// Words that, next to "rollback", mark a condition or event as a failure.
const FAILURE_WORDS: [&str; 3] = ["fail", "error", "timeout"];

/// Reports whether a line carries error code E5002, by code or by name.
pub(crate) fn has_code(line: &str) -> bool {
    line.contains("E5002") || line.contains("ROLLBACK_FAILED")
}

/// Reports whether a text names a rollback and a failure.
fn names_failed_rollback(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    (text.contains("rollback") || text.contains("rolling back") || text.contains("rolledback")) && FAILURE_WORDS.iter().any(|w| text.contains(w))
}

/// The rollback traces read from the namespace.
pub(crate) struct Signals {
    events: Vec<Event>,
    /// The lines that carry E5002: events, the controller's log, termination messages.
    pub codes: Vec<String>,
}

impl Signals {
    /// Reads the namespace's events, the controller's logs and the termination messages of
    /// GG-CORE and controller pods.
    ///
    /// # Errors
    ///
    /// Returns the host's error when events or pods cannot be listed; an unreadable log is
    /// skipped, since the events and conditions still tell the story.
    pub fn read(cx: &Context) -> Result<Signals, HostError> {
        let profile = cx.profile().clone();
        let options = ListOptions { namespace: Some(profile.namespace.clone()), label_selector: None, field_selector: None };
        let events: Vec<Event> = cx.list_kind(Event::KIND, &options)?;
        let mut codes: Vec<String> = events.iter().filter(|e| e.message.as_deref().is_some_and(has_code)).map(event_line).collect();

        let mut controller: Vec<Pod> = cx.list(Some(&profile.controller_selector))?;
        if controller.is_empty() {
            controller = cx.list_in(None, Some(&profile.controller_selector))?;
        }
        for pod in &controller {
            let name = &pod.metadata.name;
            let mut logs = vec![(false, CURRENT_LOG_LINES)];
            if pod.restarts() > 0 {
                logs.push((true, PREVIOUS_LOG_LINES));
            }
            for (previous, lines) in logs {
                let Ok(text) = cx.logs(pod.metadata.namespace(), name, None, Some(lines), previous) else { continue };
                let which = if previous { "previous log" } else { "log" };
                codes.extend(text.lines().filter(|l| has_code(l)).take(MAX_CODE_LINES).map(|l| format!("{which} of `{name}`: {}", l.trim())));
            }
        }

        let workloads: Vec<Pod> = cx.list(Some(&profile.app_selector))?;
        for pod in controller.iter().chain(&workloads) {
            for status in pod.status.container_statuses.iter().chain(&pod.status.init_container_statuses) {
                let messages = [&status.state.terminated, &status.last_state.terminated].into_iter().flatten().filter_map(|t| t.message.as_deref());
                for message in messages {
                    codes.extend(message.lines().filter(|l| has_code(l)).take(MAX_CODE_LINES).map(|l| {
                        format!("termination message of pod `{}` container `{}`: {}", pod.metadata.name, status.name, l.trim())
                    }));
                }
            }
        }
        codes.dedup();
        Ok(Signals { events, codes })
    }

    /// Returns the lines that report a failed rollback of one object: its conditions and
    /// events that name a rollback and a failure or carry E5002.
    pub fn failures(&self, kind: &str, name: &str, conditions: &[Condition]) -> Vec<String> {
        let mut lines: Vec<String> = conditions
            .iter()
            .filter(|c| {
                let text = format!("{} {} {}", c.type_, c.reason.as_deref().unwrap_or(""), c.message.as_deref().unwrap_or(""));
                has_code(&text) || (names_failed_rollback(&text) && !(c.is_true() && c.type_.to_ascii_lowercase().contains("rolledback")))
            })
            .map(|c| format!("condition {}", c.describe()))
            .collect();
        lines.extend(
            self.events
                .iter()
                .filter(|e| e.is_about(kind, name))
                .filter(|e| {
                    let text = format!("{} {}", e.reason.as_deref().unwrap_or(""), e.message.as_deref().unwrap_or(""));
                    has_code(&text) || names_failed_rollback(&text)
                })
                .map(event_line),
        );
        lines
    }

    /// Returns when the object's rollback started, in Unix seconds: the newest transition of a
    /// condition, or the newest event, that names a rollback.
    pub fn rollback_start(&self, kind: &str, name: &str, conditions: &[Condition]) -> Option<i64> {
        let names_rollback = |text: &str| {
            let text = text.to_ascii_lowercase();
            text.contains("rollback") || text.contains("rollingback")
        };
        let from_conditions = conditions
            .iter()
            .filter(|c| names_rollback(&format!("{} {}", c.type_, c.reason.as_deref().unwrap_or(""))))
            .filter_map(|c| c.last_transition_time.as_deref().and_then(parse_time));
        let from_events = self
            .events
            .iter()
            .filter(|e| e.is_about(kind, name) && names_rollback(e.reason.as_deref().unwrap_or("")))
            .filter_map(|e| e.first_timestamp.as_deref().or(e.time()).and_then(parse_time));
        from_conditions.chain(from_events).max()
    }

    /// Returns the messages of a pod's image pull events.
    pub fn pod_event_messages(&self, pod: &str) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| e.is_about("Pod", pod) && matches!(e.reason.as_deref(), Some("Failed" | "ErrImagePull" | "BackOff")))
            .filter_map(|e| e.message.clone())
            .collect()
    }
}

fn event_line(event: &Event) -> String {
    format!(
        "event on {} `{}`: {}",
        event.involved_object.kind.as_deref().unwrap_or("object"),
        event.involved_object.name.as_deref().unwrap_or(""),
        event.describe()
    )
}
