//! `canary-promotion`: why does a canary that passes analysis not promote?
//!
//! Implements "Promotion Stuck" and its five Cause rows for every VeritasCanary in progress
//! (phase `Progressing`, `Paused`, `Promoting`, or no phase yet). A canary that is `Succeeded`,
//! `Failed` or `RollingBack`, or no canary at all, gives `skip` findings.
//!
//! - `auto-promotion-disabled`: `spec.promotion.auto` is false, or not set, which reads as false
//!   because the CRD in `deploy/crds/veritascanaries.yaml` declares no default.
//! - `manual-approval-required`: `spec.promotion.requireApproval` is true and the annotation
//!   [`APPROVAL_ANNOTATION`]`=true` is not set.
//! - `paused-at-step`: phase `Paused`, or `status.currentStep` on a `pause` step. The time paused
//!   is measured against the step's `pause.duration` and the profile's `now`. A pause without a
//!   duration waits until resumed.
//! - `successlimit-not-met`: `status.successCount` below `spec.promotion.successLimit`.
//! - `controller-unhealthy`: the pods of the profile's controller selector are missing, not
//!   ready, crash-looping or restarting, or log errors about the canary, with their log lines
//!   when the `logs` capability serves them.
//!
//! A cause that blocks promotion now is a `fail`; one that will block it once analysis has
//! passed (auto-promotion off, approval not given, a timed pause still running) is a `warn`.
//! A status whose `observedGeneration` is behind `metadata.generation` is named in the
//! evidence, and the causes read only from the status are then `inconclusive`.

mod controller;
mod status;

use ggcore_probe_sdk::backend::ListOptions;
use ggcore_probe_sdk::prelude::*;

use controller::PodState;
use status::{Analysis, Step};

const SYMPTOM: &str = "promotion-stuck";
const AUTO: &str = "auto-promotion-disabled";
const PAUSED: &str = "paused-at-step";
const CONTROLLER: &str = "controller-unhealthy";
const SUCCESS_LIMIT: &str = "successlimit-not-met";
const APPROVAL: &str = "manual-approval-required";

/// The causes in the order the report lists them.
const CAUSES: [&str; 5] = [AUTO, APPROVAL, PAUSED, SUCCESS_LIMIT, CONTROLLER];

/// The annotation that approves a canary whose `spec.promotion.requireApproval` is true; its
/// value must be `true` (`kubectl annotate veritascanary NAME veritas.ggcore.io/approved=true`).
pub const APPROVAL_ANNOTATION: &str = "veritas.ggcore.io/approved";

/// The phases of a canary on its way to promotion.
const IN_PROGRESS: [&str; 3] = ["Progressing", "Paused", "Promoting"];

/// Seconds a timed pause may run past its duration before it counts as not resumed: one
/// reconcile of the controller, with room for its requeue delay.
const PAUSE_GRACE_SECONDS: f64 = 60.0;

/// How many times the expected time (successLimit × analysis interval) a canary may progress
/// without meeting its successLimit before the count is reported as behind schedule. A judgement, not a
/// controller constant: it leaves room for analyses that did not pass on the way.
const OVERDUE_FACTOR: f64 = 2.0;

/// Log lines read from each controller container, and error lines shown per log.
const LOG_TAIL: u32 = 100;
const LOG_ERRORS_SHOWN: usize = 5;

struct CanaryPromotion;

impl Probe for CanaryPromotion {
    fn describe() -> Descriptor {
        describe("canary-promotion")
            .title("A canary that passes analysis is promoted")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Promotion Stuck")
            .reads(&[VeritasCanary::KIND, Pod::KIND, Event::KIND])
            .uses(Capability::Logs)
            .reports(SYMPTOM, &CAUSES)
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let namespace = cx.namespace().to_string();
        let canaries: Vec<VeritasCanary> = match cx.list(None) {
            Ok(canaries) => canaries,
            Err(error) => {
                for cause in CAUSES {
                    cx.report(inconclusive(SYMPTOM, Some(cause)).summary("cannot read VeritasCanaries").evidence(error.message()));
                }
                return Ok(());
            }
        };
        let active: Vec<&VeritasCanary> = canaries.iter().filter(|c| c.phase().is_empty() || IN_PROGRESS.contains(&c.phase())).collect();
        if active.is_empty() {
            let summary = match canaries.first() {
                Some(canary) => format!("VeritasCanary `{}` is {}, not in progress: no promotion to wait for", canary.metadata.name, canary.phase()),
                None => format!("no VeritasCanary in namespace `{namespace}`"),
            };
            for cause in CAUSES {
                cx.report(skip(SYMPTOM, Some(cause)).summary(summary.clone()));
            }
            return Ok(());
        }

        let options = ListOptions { namespace: Some(namespace), label_selector: None, field_selector: Some("involvedObject.kind=VeritasCanary".into()) };
        let events: Vec<Event> = cx.list_kind(Event::KIND, &options).unwrap_or_else(|error| {
            cx.warn(format!("cannot read the events of VeritasCanaries: {}", error.message()));
            Vec::new()
        });
        let controller = read_controller(cx);
        for canary in active {
            let view = CanaryView::new(cx, canary, &events);
            check_auto(cx, &view);
            check_approval(cx, &view);
            check_pause(cx, &view);
            check_success_limit(cx, &view);
            check_controller(cx, &view, &controller);
        }
        Ok(())
    }
}

/// The state of one canary, read once and shared by the checks.
struct CanaryView<'a> {
    canary: &'a VeritasCanary,
    events: &'a [Event],
    namespace: String,
    stale: Option<String>,
    analysis: Analysis,
    successes: Option<(i64, String)>,
    step: Option<Step>,
    paused: bool,
    now: Option<i64>,
    /// One line on the phase, weight and step, opening every finding's evidence.
    state: String,
}

impl<'a> CanaryView<'a> {
    fn new(cx: &Context, canary: &'a VeritasCanary, events: &'a [Event]) -> CanaryView<'a> {
        let now = cx.now();
        let step = status::current_step(canary);
        let paused = canary.phase() == "Paused" || step.as_ref().is_some_and(|s| s.step.pause.is_some());
        let phase = if canary.phase().is_empty() { "without a phase (the controller has written no status)" } else { canary.phase() };
        let mut state = format!("VeritasCanary `{}/{}` is {phase}", canary.metadata.namespace(), canary.metadata.name);
        if let (Some(now), Some((since, source))) = (now, status::phase_since(canary)) {
            state.push_str(&format!(" for {} ({source})", format_duration((now - since) as f64)));
        }
        state.push_str(&format!(", trafficWeight {}", canary.spec.traffic_weight.map_or("unset".to_string(), |w| w.to_string())));
        if let (Some(now), Some(since)) = (now, status::weight_since(canary)) {
            state.push_str(&format!(" unchanged for {}", format_duration((now - since) as f64)));
        }
        if let Some(step) = &step {
            state.push_str(&format!(", at {}", step.describe()));
        }
        CanaryView {
            canary,
            events,
            namespace: canary.metadata.namespace().to_string(),
            stale: status::stale(canary),
            analysis: status::analysis(canary),
            successes: status::success_count(canary),
            step,
            paused,
            now,
            state,
        }
    }

    fn name(&self) -> &str {
        &self.canary.metadata.name
    }

    fn limit(&self) -> Option<i64> {
        self.canary.spec.promotion.success_limit
    }

    /// Reports whether the successLimit is met: `None` when the count is unknown. No limit set
    /// counts as met.
    fn limit_met(&self) -> Option<bool> {
        match (self.limit(), &self.successes) {
            (None, _) => Some(true),
            (Some(limit), Some((count, _))) => Some(*count >= limit),
            (Some(_), None) => None,
        }
    }

    /// Reports whether analysis passes and the successLimit is met, so that only the promotion
    /// itself is left; false while the status is stale.
    fn ready(&self) -> bool {
        self.stale.is_none() && matches!(self.analysis, Analysis::Passing(_)) && self.limit_met() == Some(true)
    }

    fn progress(&self) -> String {
        match (&self.successes, self.limit()) {
            (Some((count, _)), Some(limit)) => format!("{count} of {limit} successful analyses"),
            (Some((count, _)), None) => format!("{count} successful analyses, no successLimit"),
            (None, Some(limit)) => format!("an unknown number of the {limit} successful analyses needed"),
            (None, None) => "no successLimit".to_string(),
        }
    }

    /// Returns the opening evidence lines: the state, the analysis verdict, the count and any
    /// staleness.
    fn evidence(&self) -> Vec<String> {
        let mut lines = vec![self.state.clone()];
        match &self.analysis {
            Analysis::Passing(line) | Analysis::NotPassing(line) => lines.push(format!("analysis: {line}")),
            Analysis::Unknown => lines.push("analysis: the status records no analysis verdict".to_string()),
        }
        if let Some((_, source)) = &self.successes {
            lines.push(source.clone());
        }
        lines.extend(self.stale.clone());
        lines
    }

    fn next_command(&self) -> String {
        format!("kubectl describe veritascanary {} -n {}", self.name(), self.namespace)
    }
}

// ---- auto-promotion-disabled and manual-approval-required ----------------------------------

fn check_auto(cx: &mut Context, view: &CanaryView) {
    let name = view.name();
    let auto = view.canary.spec.promotion.auto;
    if auto == Some(true) {
        cx.report(pass(SYMPTOM, AUTO).summary(format!("VeritasCanary `{name}` has spec.promotion.auto true")).object("VeritasCanary", &view.canary.metadata));
        return;
    }
    if view.canary.phase() == "Promoting" {
        cx.report(pass(SYMPTOM, AUTO).summary(format!("VeritasCanary `{name}` is promoting")).object("VeritasCanary", &view.canary.metadata));
        return;
    }

    let setting = match auto {
        None => "spec.promotion.auto is not set, and the CRD declares no default for it, so it reads as false",
        _ => "spec.promotion.auto is false",
    };
    let finding = if view.ready() && !view.paused {
        fail(SYMPTOM, AUTO).summary(format!("VeritasCanary `{name}` passes analysis with {} but waits for a manual promotion: {setting}", view.progress()))
    } else {
        warn(SYMPTOM, AUTO).summary(format!("VeritasCanary `{name}` will not promote on its own once analysis passes: {setting}"))
    };
    let patch = r#"{"spec":{"promotion":{"auto":true}}}"#;
    cx.report(
        finding
            .evidence_lines(view.evidence())
            .evidence(setting)
            .evidence_lines(status::mentions(view.canary, view.events, &["manual", "promot"]))
            .object_field("VeritasCanary", &view.canary.metadata, Some("spec.promotion.auto"))
            .resolution(format!("Enable spec.promotion.auto=true: kubectl patch veritascanary {name} -n {} --type merge -p '{patch}'", view.namespace))
            .next_command(format!("kubectl get veritascanary {name} -n {} -o jsonpath='{{.spec.promotion}}'", view.namespace)),
    );
}

fn check_approval(cx: &mut Context, view: &CanaryView) {
    let name = view.name();
    let metadata = &view.canary.metadata;
    if view.canary.spec.promotion.require_approval != Some(true) {
        cx.report(pass(SYMPTOM, APPROVAL).summary(format!("VeritasCanary `{name}` does not require approval")).object("VeritasCanary", metadata));
        return;
    }
    let annotation = metadata.annotations.get(APPROVAL_ANNOTATION);
    if annotation.map(String::as_str) == Some("true") {
        cx.report(
            pass(SYMPTOM, APPROVAL)
                .summary(format!("VeritasCanary `{name}` requires approval and is approved ({APPROVAL_ANNOTATION}=true)"))
                .object("VeritasCanary", metadata),
        );
        return;
    }

    let approval_state = match annotation {
        Some(value) => format!("annotation {APPROVAL_ANNOTATION} is `{value}`, not `true`"),
        None => format!("annotation {APPROVAL_ANNOTATION} is not set"),
    };
    let finding = if view.ready() && !view.paused {
        fail(SYMPTOM, APPROVAL).summary(format!("VeritasCanary `{name}` passes analysis with {} and waits for manual approval: {approval_state}", view.progress()))
    } else {
        warn(SYMPTOM, APPROVAL).summary(format!("VeritasCanary `{name}` will wait for manual approval once analysis passes: {approval_state}"))
    };
    cx.report(
        finding
            .evidence_lines(view.evidence())
            .evidence("spec.promotion.requireApproval is true")
            .evidence(approval_state)
            .evidence_lines(status::mentions(view.canary, view.events, &["approv"]))
            .object_field("VeritasCanary", metadata, Some(&format!("metadata.annotations[{APPROVAL_ANNOTATION}]")))
            .resolution(format!("Approve via kubectl annotate: kubectl annotate veritascanary {name} -n {} {APPROVAL_ANNOTATION}=true --overwrite", view.namespace))
            .next_command(view.next_command()),
    );
}

// ---- paused-at-step ------------------------------------------------------------------------

fn check_pause(cx: &mut Context, view: &CanaryView) {
    let name = view.name();
    let metadata = &view.canary.metadata;
    let at_step = view.step.as_ref().map(|s| format!(" at {}", s.describe())).unwrap_or_default();
    if let Some(stale) = &view.stale {
        cx.report(
            inconclusive(SYMPTOM, Some(PAUSED))
                .summary(format!("cannot tell whether VeritasCanary `{name}` is paused: its status is stale"))
                .evidence_lines(view.evidence())
                .evidence(stale.clone())
                .object("VeritasCanary", metadata),
        );
        return;
    }
    if !view.paused {
        cx.report(pass(SYMPTOM, PAUSED).summary(format!("VeritasCanary `{name}` is {}{at_step}, not paused", view.canary.phase())).object("VeritasCanary", metadata));
        return;
    }

    // A pause without a duration, and a canary paused on a step that is not a pause step (paused
    // by hand), both wait until someone resumes them.
    let duration = view.step.as_ref().and_then(Step::pause_seconds).flatten();
    let since = status::pause_since(view.canary, view.events);
    let elapsed = match (view.now, &since) {
        (Some(now), Some((start, _))) => Some((now - start) as f64),
        _ => None,
    };
    let for_how_long = elapsed.map(|e| format!(" for {}", format_duration(e))).unwrap_or_default();
    let finding = match (duration, elapsed) {
        (None, _) => fail(SYMPTOM, PAUSED).summary(format!("VeritasCanary `{name}` is paused{at_step}{for_how_long} until resumed: the pause has no duration")),
        (Some(duration), Some(elapsed)) if elapsed > duration + PAUSE_GRACE_SECONDS => fail(SYMPTOM, PAUSED).summary(format!(
            "VeritasCanary `{name}` is paused{at_step}{for_how_long}, past its {} pause: the controller has not resumed it",
            format_duration(duration)
        )),
        (Some(duration), Some(elapsed)) => warn(SYMPTOM, PAUSED).summary(format!(
            "VeritasCanary `{name}` is paused{at_step}{for_how_long} of {}; it resumes in about {}",
            format_duration(duration),
            format_duration(duration - elapsed)
        )),
        (Some(duration), None) => warn(SYMPTOM, PAUSED).summary(format!(
            "VeritasCanary `{name}` is paused{at_step} for a {} pause; the start of the pause is not recorded, so the time left is unknown",
            format_duration(duration)
        )),
    };
    let mut finding = finding
        .evidence_lines(view.evidence())
        .evidence_lines(since.map(|(_, source)| format!("the pause started at {source}")))
        .evidence_lines(status::mentions(view.canary, view.events, &["paus", "resum", "wait"]))
        .object_field("VeritasCanary", metadata, Some("status.currentStep"))
        .resolution("Resume or wait for pause duration")
        .next_command(view.next_command());
    if view.canary.phase() == "Paused" && view.step.as_ref().is_none_or(|s| s.step.pause.is_none()) {
        finding = finding.evidence(format!("phase is Paused, but{} is not a pause step, so the canary was paused by hand", if at_step.is_empty() { " the current step".to_string() } else { at_step.clone() }));
    }
    cx.report(finding);
}

// ---- successlimit-not-met ------------------------------------------------------------------

fn check_success_limit(cx: &mut Context, view: &CanaryView) {
    let name = view.name();
    let metadata = &view.canary.metadata;
    if let Some(stale) = &view.stale {
        cx.report(
            inconclusive(SYMPTOM, Some(SUCCESS_LIMIT))
                .summary(format!("cannot tell how many analyses VeritasCanary `{name}` has passed: its status is stale"))
                .evidence_lines(view.evidence())
                .evidence(stale.clone())
                .object("VeritasCanary", metadata),
        );
        return;
    }
    if view.canary.phase() == "Promoting" {
        cx.report(pass(SYMPTOM, SUCCESS_LIMIT).summary(format!("VeritasCanary `{name}` is promoting")).object("VeritasCanary", metadata));
        return;
    }
    if let Analysis::NotPassing(line) = &view.analysis {
        cx.report(
            skip(SYMPTOM, Some(SUCCESS_LIMIT))
                .summary(format!("VeritasCanary `{name}` does not pass analysis ({line}), so no promotion is due; see canary-failing"))
                .object("VeritasCanary", metadata),
        );
        return;
    }
    let Some(limit) = view.limit() else {
        cx.report(pass(SYMPTOM, SUCCESS_LIMIT).summary(format!("VeritasCanary `{name}` sets no spec.promotion.successLimit")).object("VeritasCanary", metadata));
        return;
    };
    let Some((count, _)) = view.successes else {
        cx.report(
            inconclusive(SYMPTOM, Some(SUCCESS_LIMIT))
                .summary(format!("VeritasCanary `{name}` needs {limit} successful analyses, and its status records no count"))
                .evidence_lines(view.evidence())
                .object("VeritasCanary", metadata),
        );
        return;
    };
    if count >= limit {
        cx.report(pass(SYMPTOM, SUCCESS_LIMIT).summary(format!("VeritasCanary `{name}` has {count} of {limit} successful analyses: the limit is met")).object("VeritasCanary", metadata));
        return;
    }

    let remaining = limit - count;
    if view.paused {
        // No analysis needs to pass during a pause, so the count cannot fall behind schedule.
        cx.report(
            pass(SYMPTOM, SUCCESS_LIMIT)
                .summary(format!("VeritasCanary `{name}` has {count} of {limit} successful analyses and is paused; the count is judged once it progresses again"))
                .evidence_lines(view.evidence())
                .object("VeritasCanary", metadata),
        );
        return;
    }
    let interval = view.canary.spec.analysis.interval.as_deref().and_then(parse_duration).filter(|s| *s > 0.0);
    let elapsed = match (view.now, status::phase_since(view.canary)) {
        (Some(now), Some((since, _))) => Some((now - since) as f64),
        _ => None,
    };
    let expected = interval.map(|i| i * limit as f64);
    let overdue = matches!((elapsed, expected), (Some(e), Some(x)) if e > OVERDUE_FACTOR * x);
    if !overdue {
        let eta = interval.map(|i| format!(" (about {} at interval {})", format_duration(i * remaining as f64), format_duration(i))).unwrap_or_default();
        cx.report(
            pass(SYMPTOM, SUCCESS_LIMIT)
                .summary(format!("VeritasCanary `{name}` has {count} of {limit} successful analyses so far; promotion waits for {remaining} more{eta}"))
                .evidence_lines(view.evidence())
                .object("VeritasCanary", metadata),
        );
        return;
    }

    let failed = status::failed_analyses(view.canary);
    cx.report(
        warn(SYMPTOM, SUCCESS_LIMIT)
            .summary(format!(
                "VeritasCanary `{name}` has only {count} of {limit} successful analyses after {}, where {limit} at interval {} take about {}",
                format_duration(elapsed.unwrap_or_default()),
                format_duration(interval.unwrap_or_default()),
                format_duration(expected.unwrap_or_default())
            ))
            .evidence_lines(view.evidence())
            .evidence_lines(failed[failed.len().saturating_sub(3)..].iter().cloned())
            .object_field("VeritasCanary", metadata, Some("status.successCount"))
            .resolution("Wait for more successful analyses; if analyses keep failing or returning no data, look at the canary's traffic and metrics")
            .next_command(format!("kubectl get veritascanary {name} -n {} -o jsonpath='{{.status.analysisHistory}}'", view.namespace)),
    );
}

// ---- controller-unhealthy ------------------------------------------------------------------

/// The controller's pods, their states and the error lines of their logs, read once per run.
struct Controller {
    selector: String,
    pods: Result<Vec<(Pod, PodState)>, HostError>,
    /// Error lines from the logs, each prefixed with its pod.
    log_lines: Vec<String>,
    /// Reads that failed, for evidence.
    notes: Vec<String>,
}

fn read_controller(cx: &Context) -> Controller {
    let selector = cx.profile().controller_selector.clone();
    let now = cx.now();
    let pods: Result<Vec<Pod>, HostError> = cx.list_in(None, Some(&selector));
    let mut log_lines = Vec::new();
    let mut notes = Vec::new();
    let pods = pods.map(|pods| {
        pods.into_iter()
            .map(|pod| {
                let state = controller::assess(&pod, now);
                read_logs(cx, &pod, &state, &mut log_lines, &mut notes);
                (pod, state)
            })
            .collect()
    });
    Controller { selector, pods, log_lines, notes }
}

/// Collects the error lines of a controller pod's current log, and of its previous container
/// when it restarted. A log the snapshot does not have is skipped quietly.
fn read_logs(cx: &Context, pod: &Pod, state: &PodState, lines: &mut Vec<String>, notes: &mut Vec<String>) {
    let namespace = pod.metadata.namespace();
    let name = &pod.metadata.name;
    let previous = if state.restarts > 0 { vec![false, true] } else { vec![false] };
    for is_previous in previous {
        match cx.logs(namespace, name, None, Some(LOG_TAIL), is_previous) {
            Ok(log) => {
                let log_name = if is_previous { "previous log" } else { "log" };
                lines.extend(controller::error_lines(&log, LOG_ERRORS_SHOWN).into_iter().map(|line| format!("controller pod `{namespace}/{name}` {log_name}: {line}")));
            }
            Err(HostError::NotFound(_)) => {}
            Err(error) => notes.push(format!("cannot read the log of controller pod `{namespace}/{name}`: {}", error.message())),
        }
    }
}

fn check_controller(cx: &mut Context, view: &CanaryView, controller: &Controller) {
    let name = view.name();
    let selector = &controller.selector;
    let pods = match &controller.pods {
        Ok(pods) => pods,
        Err(error) => {
            cx.report(
                inconclusive(SYMPTOM, Some(CONTROLLER))
                    .summary(format!("cannot list the controller pods (`{selector}`)"))
                    .evidence(error.message()),
            );
            return;
        }
    };
    let mut evidence = view.evidence();
    if pods.is_empty() {
        cx.report(
            fail(SYMPTOM, CONTROLLER)
                .summary(format!("no pod matches `{selector}` in any namespace: nothing reconciles VeritasCanary `{name}`"))
                .evidence_lines(evidence)
                .resolution("Restart veritas-controller: check that its Deployment exists and is scaled above zero")
                .next_command(format!("kubectl get deployments -A -l {selector}")),
        );
        return;
    }

    let ready = pods.iter().filter(|(_, s)| s.ready).count();
    let troubled: Vec<&(Pod, PodState)> = pods.iter().filter(|(_, s)| !s.ready || s.crash_looping).collect();
    let restarted: Vec<&(Pod, PodState)> = pods.iter().filter(|(_, s)| s.restarted_recently).collect();
    let about_canary: Vec<&String> = controller.log_lines.iter().filter(|l| l.contains(name) || l.contains("VeritasCanary")).collect();
    for (_, state) in pods {
        evidence.extend(state.lines.iter().cloned());
    }
    evidence.extend(controller.log_lines.iter().cloned());
    evidence.extend(controller.notes.iter().cloned());

    let approved = view.canary.spec.promotion.require_approval != Some(true) || view.canary.metadata.annotations.get(APPROVAL_ANNOTATION).map(String::as_str) == Some("true");
    let unexplained = view.ready() && view.canary.spec.promotion.auto == Some(true) && approved && !view.paused && view.canary.phase() == "Progressing";

    let finding = if ready == 0 {
        fail(SYMPTOM, CONTROLLER).summary(format!(
            "no controller pod (`{selector}`) is ready, 0 of {}{}: VeritasCanary `{name}` cannot progress",
            pods.len(),
            if troubled.iter().any(|(_, s)| s.crash_looping) { ", crash-looping" } else { "" }
        ))
    } else if !troubled.is_empty() {
        warn(SYMPTOM, CONTROLLER).summary(format!("{} of {} controller pods (`{selector}`) are not ready or crash-loop", troubled.len(), pods.len()))
    } else if !restarted.is_empty() {
        warn(SYMPTOM, CONTROLLER).summary(format!(
            "controller pod `{}` restarted within the last {}",
            restarted[0].0.metadata.name,
            format_duration(controller::RECENT_RESTART_SECONDS as f64)
        ))
    } else if !about_canary.is_empty() {
        warn(SYMPTOM, CONTROLLER).summary(format!("the controller runs but logs errors about VeritasCanary `{name}`: {}", about_canary[0]))
    } else if unexplained {
        warn(SYMPTOM, CONTROLLER).summary(format!(
            "VeritasCanary `{name}` passes analysis with {}, auto-promotion is on and nothing holds it, but the controller has not started the promotion",
            view.progress()
        ))
    } else {
        cx.report(
            pass(SYMPTOM, CONTROLLER)
                .summary(format!("{ready} of {} controller pods (`{selector}`) are running and ready", pods.len()))
                .evidence_lines(view.stale.clone()),
        );
        return;
    };

    let restart = match pods.iter().find_map(|(pod, _)| controller::deployment_of(pod).map(|d| (d, pod.metadata.namespace().to_string()))) {
        Some((deployment, namespace)) => format!("kubectl rollout restart deployment/{deployment} -n {namespace}"),
        None => format!("kubectl delete pod -A -l {selector}"),
    };
    let namespace = pods[0].0.metadata.namespace().to_string();
    let mut finding = finding
        .evidence_lines(evidence)
        .resolution(format!("Restart veritas-controller ({restart}) and check its log for the reason it stopped reconciling"))
        .next_command(format!("kubectl logs -n {namespace} -l {selector} --tail=100"));
    for (pod, _) in pods {
        finding = finding.object("Pod", &pod.metadata);
    }
    cx.report(finding);
}

ggcore_probe_sdk::probe!(CanaryPromotion);

#[cfg(test)]
mod tests;
