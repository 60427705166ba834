//! Reads the state of a VeritasCanary from its spec, status and events: the analysis verdict,
//! the successful analyses so far, the step it is at and how long it has waited there.
//!
//! Pure functions over the typed view; the probe turns their answers into findings. Times are
//! Unix seconds measured against the profile's `now`, since probes have no clock.

use ggcore_probe_sdk::prelude::*;
use serde_json::Value;

/// The analysis results that count as a pass in `status.analysisHistory[].result`.
const PASSING_RESULTS: [&str; 4] = ["Successful", "Succeeded", "Passed", "Success"];

/// The analysis verdict, with the line that shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Analysis {
    /// The latest analysis passed.
    Passing(String),
    /// The latest analysis failed or could not decide.
    NotPassing(String),
    /// The status records no verdict.
    Unknown,
}

/// Reads the analysis verdict: the `AnalysisHealthy` condition, else the newest entry of
/// `status.analysisHistory`.
pub fn analysis(canary: &VeritasCanary) -> Analysis {
    if let Some(healthy) = condition(&canary.status.conditions, "AnalysisHealthy") {
        let line = format!("condition {}", healthy.describe());
        return if healthy.is_true() { Analysis::Passing(line) } else { Analysis::NotPassing(line) };
    }
    let Some(last) = canary.status.analysis_history.last() else { return Analysis::Unknown };
    let result = last["result"].as_str().unwrap_or("");
    let line = format!("the newest analysis in status.analysisHistory{} is {}", at(last), if result.is_empty() { "without a result" } else { result });
    if PASSING_RESULTS.contains(&result) { Analysis::Passing(line) } else { Analysis::NotPassing(line) }
}

fn at(entry: &Value) -> String {
    entry["time"].as_str().map(|t| format!(" (at {t})")).unwrap_or_default()
}

/// Reads the successful analyses so far, with where the number comes from: `status.successCount`,
/// else an `N/M successful` count in a condition message, else the passing entries of
/// `status.analysisHistory`.
pub fn success_count(canary: &VeritasCanary) -> Option<(i64, String)> {
    if let Some(count) = canary.status.success_count {
        return Some((count, format!("status.successCount is {count}")));
    }
    for condition in &canary.status.conditions {
        let message = condition.message.as_deref().unwrap_or("");
        if let Some(count) = count_in_message(message) {
            return Some((count, format!("status.successCount is not set; condition {} says \"{message}\"", condition.type_)));
        }
    }
    if canary.status.analysis_history.is_empty() {
        return None;
    }
    let passed = canary.status.analysis_history.iter().filter(|e| PASSING_RESULTS.contains(&e["result"].as_str().unwrap_or(""))).count() as i64;
    Some((passed, format!("status.successCount is not set; {passed} entries of status.analysisHistory passed")))
}

/// Finds `N/M successful` in a controller message and returns `N`.
fn count_in_message(message: &str) -> Option<i64> {
    let position = message.find(" successful")?;
    let before = &message[..position];
    let fraction = before.rsplit(|c: char| c.is_whitespace() || c == '(' || c == ';' || c == ',').next()?;
    let (count, _) = fraction.split_once('/')?;
    count.parse().ok()
}

/// The step a canary is at.
#[derive(Debug, Clone)]
pub struct Step {
    /// The index in `spec.steps`, counted from 0 as `status.currentStep` is.
    pub index: usize,
    /// The number of steps.
    pub total: usize,
    /// The step itself.
    pub step: CanaryStep,
}

impl Step {
    /// Describes the step for evidence: `step 2 of 5 (pause 10m)`, counted from 1 for people.
    pub fn describe(&self) -> String {
        let what = match (&self.step.pause, self.step.set_weight) {
            (Some(pause), _) => match &pause.duration {
                Some(duration) => format!("pause {duration}"),
                None => "pause until resumed".to_string(),
            },
            (None, Some(weight)) => format!("setWeight {weight}"),
            (None, None) => "an empty step".to_string(),
        };
        format!("step {} of {} ({what})", self.index + 1, self.total)
    }

    /// Returns the pause's duration in seconds: `Some(None)` for a pause without one, `None`
    /// when the step is not a pause.
    pub fn pause_seconds(&self) -> Option<Option<f64>> {
        self.step.pause.as_ref().map(|p| p.duration.as_deref().and_then(parse_duration))
    }
}

/// Returns the step `status.currentStep` points at.
pub fn current_step(canary: &VeritasCanary) -> Option<Step> {
    let index = usize::try_from(canary.status.current_step?).ok()?;
    let step = canary.spec.steps.get(index)?.clone();
    Some(Step { index, total: canary.spec.steps.len(), step })
}

/// Returns when the canary entered its current phase, from the condition named like the phase,
/// with the line that shows it.
pub fn phase_since(canary: &VeritasCanary) -> Option<(i64, String)> {
    let phase = canary.phase();
    let entered = condition(&canary.status.conditions, phase).filter(|c| c.is_true())?;
    let text = entered.last_transition_time.as_deref()?;
    Some((parse_time(text)?, format!("condition {phase} since {text}")))
}

/// Returns when the current pause began: the `Paused` condition, else the latest event about
/// the canary whose reason names a pause, else the phase's condition.
pub fn pause_since(canary: &VeritasCanary, events: &[Event]) -> Option<(i64, String)> {
    if let Some(paused) = condition(&canary.status.conditions, "Paused").filter(|c| c.is_true()) {
        if let Some(time) = paused.last_transition_time.as_deref().and_then(parse_time) {
            return Some((time, format!("condition Paused since {}", paused.last_transition_time.as_deref().unwrap_or(""))));
        }
    }
    let latest = events
        .iter()
        .filter(|e| e.is_about("VeritasCanary", &canary.metadata.name) && e.reason.as_deref().is_some_and(|r| r.to_ascii_lowercase().contains("paus")))
        .filter_map(|e| e.time().and_then(parse_time).map(|t| (t, e)))
        .max_by_key(|(t, _)| *t);
    if let Some((time, event)) = latest {
        return Some((time, format!("event {}", event.describe())));
    }
    if canary.phase() == "Paused" { phase_since(canary) } else { None }
}

/// Returns since when the traffic weight has stayed at `spec.trafficWeight`, from the trailing
/// entries of `status.analysisHistory` that carry the same weight.
pub fn weight_since(canary: &VeritasCanary) -> Option<i64> {
    let weight = canary.spec.traffic_weight?;
    let mut since = None;
    for entry in canary.status.analysis_history.iter().rev() {
        if entry["weight"].as_i64() != Some(weight) {
            break;
        }
        since = entry["time"].as_str().and_then(parse_time).or(since);
    }
    since
}

/// Returns the analyses of `status.analysisHistory` that did not pass, newest last, as lines.
pub fn failed_analyses(canary: &VeritasCanary) -> Vec<String> {
    canary
        .status
        .analysis_history
        .iter()
        .filter(|e| !PASSING_RESULTS.contains(&e["result"].as_str().unwrap_or("")))
        .map(|e| {
            let message = e["message"].as_str().map(|m| format!(": {m}")).unwrap_or_default();
            format!("analysis{} was {}{message}", at(e), e["result"].as_str().unwrap_or("without a result"))
        })
        .collect()
}

/// Returns the evidence line of a stale status, or `None` when the status is current.
pub fn stale(canary: &VeritasCanary) -> Option<String> {
    is_stale(canary.metadata.generation, canary.status.observed_generation).then(|| {
        format!(
            "status is stale: observedGeneration {} is behind generation {}, so it describes an older spec",
            canary.status.observed_generation.unwrap_or(0),
            canary.metadata.generation.unwrap_or(0)
        )
    })
}

/// Returns the lines of the canary's conditions and events that mention any of `words`, the
/// lines `kubectl describe veritascanary | grep -i waiting` would show.
pub fn mentions(canary: &VeritasCanary, events: &[Event], words: &[&str]) -> Vec<String> {
    let hit = |text: &str| {
        let lower = text.to_ascii_lowercase();
        words.iter().any(|w| lower.contains(w))
    };
    let mut lines: Vec<String> = canary.status.conditions.iter().filter(|c| hit(&c.describe())).map(|c| format!("condition {}", c.describe())).collect();
    lines.extend(events.iter().filter(|e| e.is_about("VeritasCanary", &canary.metadata.name) && hit(&e.describe())).map(|e| format!("event {}", e.describe())));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canary(yaml: &str) -> VeritasCanary {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn analysis_follows_healthy_condition() {
        let passing = canary("status: {conditions: [{type: AnalysisHealthy, status: 'True', reason: ChecksPassing}]}");
        assert_eq!(analysis(&passing), Analysis::Passing("condition AnalysisHealthy=True (ChecksPassing)".into()));
        let failing = canary("status: {conditions: [{type: AnalysisHealthy, status: 'False', reason: NoTraffic}]}");
        assert!(matches!(analysis(&failing), Analysis::NotPassing(_)));
    }

    #[test]
    fn analysis_falls_back_to_history() {
        let passing = canary("status: {analysisHistory: [{time: '2026-12-04T10:00:00Z', result: Inconclusive}, {time: '2026-12-04T10:10:00Z', result: Successful}]}");
        assert_eq!(analysis(&passing), Analysis::Passing("the newest analysis in status.analysisHistory (at 2026-12-04T10:10:00Z) is Successful".into()));
        assert_eq!(analysis(&canary("status: {}")), Analysis::Unknown);
    }

    #[test]
    fn success_count_prefers_status_field() {
        let counted = canary("status: {successCount: 3, conditions: [{type: Progressing, status: 'True', message: 1/5 successful checks}]}");
        assert_eq!(success_count(&counted).map(|(n, _)| n), Some(3));
    }

    #[test]
    fn success_count_read_from_condition_message() {
        let message = canary("status: {conditions: [{type: Progressing, status: 'True', message: 'canary at 10% traffic; 2/5 successful checks'}]}");
        let (count, source) = success_count(&message).unwrap();
        assert_eq!(count, 2);
        assert_eq!(source, "status.successCount is not set; condition Progressing says \"canary at 10% traffic; 2/5 successful checks\"");
    }

    #[test]
    fn success_count_counted_from_history() {
        let history = canary("status: {analysisHistory: [{result: Successful}, {result: Failed}, {result: Successful}]}");
        assert_eq!(success_count(&history).map(|(n, _)| n), Some(2));
        assert_eq!(success_count(&canary("status: {}")), None);
    }

    #[test]
    fn current_step_describes_pause() {
        let paused = canary("spec: {steps: [{setWeight: 10}, {pause: {duration: 10m}}, {pause: {}}]}\nstatus: {currentStep: 1}");
        let step = current_step(&paused).unwrap();
        assert_eq!(step.describe(), "step 2 of 3 (pause 10m)");
        assert_eq!(step.pause_seconds(), Some(Some(600.0)));
        let open = canary("spec: {steps: [{setWeight: 10}, {pause: {duration: 10m}}, {pause: {}}]}\nstatus: {currentStep: 2}");
        assert_eq!(current_step(&open).unwrap().pause_seconds(), Some(None));
        let beyond = canary("spec: {steps: [{setWeight: 10}]}\nstatus: {currentStep: 4}");
        assert!(current_step(&beyond).is_none());
    }

    #[test]
    fn pause_start_from_condition_or_event() {
        let by_condition = canary("metadata: {name: gg-core}\nstatus: {phase: Paused, conditions: [{type: Paused, status: 'True', lastTransitionTime: '2026-12-04T10:00:00Z'}]}");
        assert_eq!(pause_since(&by_condition, &[]).map(|(t, _)| t), parse_time("2026-12-04T10:00:00Z"));
        let event: Event = serde_yaml::from_str("involvedObject: {kind: VeritasCanary, name: gg-core}\nreason: StepPaused\nmessage: paused at step 2\nlastTimestamp: '2026-12-04T10:05:00Z'").unwrap();
        let by_event = canary("metadata: {name: gg-core}\nstatus: {phase: Progressing}");
        assert_eq!(pause_since(&by_event, &[event]).map(|(t, _)| t), parse_time("2026-12-04T10:05:00Z"));
    }

    #[test]
    fn weight_unchanged_since_first_matching_entry() {
        let history = canary("spec: {trafficWeight: 20}\nstatus: {analysisHistory: [{time: '2026-12-04T10:00:00Z', weight: 10}, {time: '2026-12-04T10:10:00Z', weight: 20}, {time: '2026-12-04T10:20:00Z', weight: 20}]}");
        assert_eq!(weight_since(&history), parse_time("2026-12-04T10:10:00Z"));
    }

    #[test]
    fn stale_status_is_named() {
        let behind = canary("metadata: {generation: 5}\nstatus: {observedGeneration: 4}");
        assert_eq!(stale(&behind).as_deref(), Some("status is stale: observedGeneration 4 is behind generation 5, so it describes an older spec"));
        assert_eq!(stale(&canary("metadata: {generation: 5}\nstatus: {observedGeneration: 5}")), None);
    }
}
