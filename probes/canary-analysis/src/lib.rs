//! `canary-analysis`: why does a canary fail its analysis? For each `VeritasCanary` that rolled
//! back (`RollingBack`, `Failed`) or is in progress with a failing analysis, the probe compares
//! the canary with the stable pods through the guide's PromQL queries (error rate, request
//! rate, p99 latency) and tells the guide's five causes apart:
//!
//! - `canary-has-real-bug`: the canary's error rate is above the threshold and more than
//!   `canary.errorRatio` times stable's (or its p99 latency is, against `latencyP99`);
//! - `threshold-too-strict`: stable's own error rate is above `spec.analysis.thresholds.errorRate`;
//! - `traffic-too-low`: the canary has no requests, or fewer than `canary.minRequests` in
//!   five minutes;
//! - `analysis-interval-too-short`: five minutes bring enough requests, one analysis interval
//!   does not;
//! - `baseline-metrics-wrong`: stable has no request data, the recorded baseline saw none, or
//!   the baseline query the controller recorded returns no series.
//!
//! When Prometheus cannot be reached, the same rules run on the values the controller wrote
//! into `status.analysisHistory` (shape in [`ggcore_probe_sdk::analysis`]); a cause that
//! neither source can decide is `inconclusive`. A rolled-back canary makes the causes found
//! `fail`, a canary still in progress `warn`. A canary in any other phase is `skip`.
//!
//! Settings (`--set key=value`):
//! - `canary.minRequests` (default 100): requests one analysis needs to be significant;
//! - `canary.errorRatio` (default 2): how many times stable's error rate the canary's must
//!   exceed to count as a real bug;
//! - `canary.errorRate` (default 0.01): the error-rate threshold when the VeritasCanary sets none.
//!
//! Implements "Unexpected Rollback" and the Quick Reference's "Canary failing".

mod judge;
mod observe;

use ggcore_probe_sdk::analysis::{HistoryEntry, failing_streak, parse_history};
use ggcore_probe_sdk::prelude::*;

use crate::judge::{Limits, Verdict};
use crate::observe::Observation;

const SYMPTOM: &str = "canary-failing";
const THRESHOLD: &str = "threshold-too-strict";
const INTERVAL: &str = "analysis-interval-too-short";
const BUG: &str = "canary-has-real-bug";
const TRAFFIC: &str = "traffic-too-low";
const BASELINE: &str = "baseline-metrics-wrong";
const CAUSES: [&str; 5] = [THRESHOLD, INTERVAL, BUG, TRAFFIC, BASELINE];

/// Phases after an analysis failed for good.
const ROLLED_BACK: [&str; 2] = ["RollingBack", "Failed"];
/// Phases in which the analysis still runs.
const IN_PROGRESS: [&str; 3] = ["Progressing", "Paused", "Promoting"];

/// The default of `canary.minRequests`.
const DEFAULT_MIN_REQUESTS: f64 = 100.0;
/// The default of `canary.errorRatio`.
const DEFAULT_ERROR_RATIO: f64 = 2.0;
/// The default of `canary.errorRate`.
const DEFAULT_ERROR_RATE: f64 = 0.01;
/// The analysis interval assumed when `spec.analysis.interval` is unset, in seconds.
const DEFAULT_INTERVAL: f64 = 60.0;

struct CanaryAnalysis;

impl Probe for CanaryAnalysis {
    fn describe() -> Descriptor {
        describe("canary-analysis")
            .title("A failing canary analysis has a cause the guide names")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Unexpected Rollback; Quick Reference: Canary failing")
            .reads(&[VeritasCanary::KIND])
            .uses(Capability::Metrics)
            .reports(SYMPTOM, &CAUSES)
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let canaries: Vec<VeritasCanary> = cx.list(None)?;
        if canaries.is_empty() {
            let summary = format!("no VeritasCanary in namespace `{}`: no canary analysis to check", cx.namespace());
            for cause in CAUSES {
                cx.report(skip(SYMPTOM, Some(cause)).summary(summary.clone()));
            }
            return Ok(());
        }
        for canary in &canaries {
            check_canary(cx, canary);
        }
        Ok(())
    }
}

/// How far along a canary is, as far as its analysis goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Rolled back: the causes found are harmful.
    RolledBack,
    /// In progress with a failing analysis: the causes found are not yet harmful.
    Failing,
    /// In progress with a passing analysis.
    Passing,
    /// Not in progress and not rolled back.
    Idle,
}

fn state(canary: &VeritasCanary, history: &[HistoryEntry]) -> State {
    let phase = canary.phase();
    if ROLLED_BACK.contains(&phase) {
        return State::RolledBack;
    }
    if !IN_PROGRESS.contains(&phase) {
        return State::Idle;
    }
    let unhealthy = condition(&canary.status.conditions, "AnalysisHealthy").is_some_and(|c| c.status == "False");
    let newest_failed = history.last().is_some_and(|entry| !entry.is_successful());
    if unhealthy || newest_failed { State::Failing } else { State::Passing }
}

fn check_canary(cx: &mut Context, canary: &VeritasCanary) {
    let name = canary.metadata.name.clone();
    let history = parse_history(&canary.status.analysis_history);
    let state = state(canary, &history);

    match state {
        State::Idle => {
            let phase = if canary.phase().is_empty() { "without a phase" } else { canary.phase() };
            let summary = format!("VeritasCanary `{name}` is {phase}: neither in progress nor rolled back, no analysis to check");
            for cause in CAUSES {
                cx.report(skip(SYMPTOM, Some(cause)).summary(summary.clone()).object("VeritasCanary", &canary.metadata));
            }
            return;
        }
        State::Passing => {
            let summary = format!("VeritasCanary `{name}` is {} and its analysis passes", canary.phase());
            for cause in CAUSES {
                cx.report(pass(SYMPTOM, cause).summary(summary.clone()).object("VeritasCanary", &canary.metadata));
            }
            return;
        }
        State::RolledBack | State::Failing => {}
    }

    let limits = limits(cx, canary);
    let streak = failing_streak(&history);
    let observation = observe::observe(cx, &limits, streak);
    let context = context_lines(canary, streak, &limits);
    let verdicts = [
        (BUG, judge::real_bug(&observation, &limits)),
        (THRESHOLD, judge::threshold(&observation, &limits)),
        (TRAFFIC, judge::traffic(&observation, &limits)),
        (INTERVAL, judge::interval(&observation, &limits)),
        (BASELINE, judge::baseline(&observation, canary)),
    ];

    let mut found = false;
    for (cause, verdict) in verdicts {
        found |= verdict.present == Some(true);
        report(cx, canary, state, cause, verdict, &observation, &context);
    }
    if !found && observation.source.is_some() {
        let what = if state == State::RolledBack { "rolled back" } else { "fails its analysis" };
        cx.report(
            inconclusive(SYMPTOM, None)
                .summary(format!("VeritasCanary `{name}` {what}, but none of the guide's causes shows in the metrics"))
                .evidence_lines(context)
                .object("VeritasCanary", &canary.metadata)
                .next_command(format!("kubectl logs -l {} -n {} --since=30m", cx.profile().canary_selector, cx.namespace())),
        );
    }
}

/// Builds the thresholds the judgement uses from the VeritasCanary and the settings.
fn limits(cx: &Context, canary: &VeritasCanary) -> Limits {
    let thresholds = &canary.spec.analysis.thresholds;
    let interval = canary.spec.analysis.interval.as_deref().and_then(parse_duration).filter(|s| *s > 0.0);
    Limits {
        error_rate: thresholds.error_rate_fraction().unwrap_or_else(|| cx.setting_f64("canary.errorRate", DEFAULT_ERROR_RATE)),
        error_rate_from_spec: thresholds.error_rate_fraction().is_some(),
        latency_p99: thresholds.latency_p99_seconds(),
        interval: interval.unwrap_or(DEFAULT_INTERVAL),
        interval_from_spec: interval.is_some(),
        min_requests: cx.setting_f64("canary.minRequests", DEFAULT_MIN_REQUESTS),
        error_ratio: cx.setting_f64("canary.errorRatio", DEFAULT_ERROR_RATIO),
        canary_matchers: ggcore_probe_sdk::promql::matchers(&cx.profile().canary_selector),
        stable_matchers: ggcore_probe_sdk::promql::matchers(&cx.profile().stable_selector),
    }
}

/// Lines every problem finding carries: the phase, the conditions that are not `True`, the
/// failing analyses and the thresholds.
fn context_lines(canary: &VeritasCanary, streak: &[HistoryEntry], limits: &Limits) -> Vec<String> {
    let mut lines = vec![format!("status.phase: {}", canary.phase())];
    for condition in canary.status.conditions.iter().filter(|c| !c.is_true()) {
        lines.push(format!("condition {}", condition.describe()));
    }
    for entry in streak.iter().rev().take(3) {
        lines.push(format!("analysisHistory: {}", judge::describe_entry(entry)));
    }
    lines.push(limits.describe());
    if is_stale(canary.metadata.generation, canary.status.observed_generation) {
        lines.push(format!(
            "status is stale: observedGeneration {} is behind generation {}",
            canary.status.observed_generation.unwrap_or(0),
            canary.metadata.generation.unwrap_or(0)
        ));
    }
    lines
}

fn report(cx: &mut Context, canary: &VeritasCanary, state: State, cause: &str, verdict: Verdict, observation: &Observation, context: &[String]) {
    let namespace = cx.namespace().to_string();
    let name = &canary.metadata.name;
    let finding = match verdict.present {
        Some(false) => pass(SYMPTOM, cause).summary(verdict.summary).evidence_lines(verdict.evidence),
        None if observation.unreachable.is_some() => inconclusive(SYMPTOM, Some(cause))
            .summary(format!("{} (Prometheus not reachable)", verdict.summary))
            .evidence_lines(verdict.evidence)
            .evidence_lines(observation.unreachable.iter().map(|e| format!("Prometheus: {e}"))),
        None => inconclusive(SYMPTOM, Some(cause))
            .summary(verdict.summary)
            .evidence_lines(verdict.evidence),
        Some(true) => {
            let builder = if state == State::RolledBack { fail(SYMPTOM, cause) } else { warn(SYMPTOM, cause) };
            let next = if cause == BUG {
                format!("kubectl logs -l {} -n {namespace} --since=30m", cx.profile().canary_selector)
            } else {
                format!("kubectl ggcore canary inspect --history --metrics -n {namespace}")
            };
            builder
                .summary(format!("VeritasCanary `{name}` ({}): {}", canary.phase(), verdict.summary))
                .evidence_lines(verdict.evidence)
                .evidence_lines(context.iter().cloned())
                .resolution(verdict.resolution.unwrap_or_default())
                .next_command(next)
        }
    };
    cx.report(finding.object_field("VeritasCanary", &canary.metadata, verdict.field));
}

ggcore_probe_sdk::probe!(CanaryAnalysis);

#[cfg(test)]
mod tests;
