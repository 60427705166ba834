//! `bluegreen-switch`: does a blue-green switch complete?
//!
//! Implements the guide's "Switch Not Completing" and the Quick Reference row "Switch stuck".
//! For each `VeritasEnvironment` it reads the phase, `switchProgress`, the switch's start (the
//! newer of `status.lastSwitchTime` and the latest `SwitchStarted` event, else the newest
//! condition transition) and `spec.switch.healthCheck.timeout`, and measures how long the
//! switch has run against the profile's `now`. The target of a switch is
//! `spec.activeEnvironment`.
//!
//! Severity: a switch in progress that is still within its timeout is `warn` (degraded), one
//! past its timeout, or a `Failed` one, is `fail` (critical). With no switch in progress, the
//! probe still checks that the main Service selects the active environment and that the
//! controller runs. A dead controller or a timeout shorter than the pods' start-up is then a
//! `warn`, because the next switch would stick.
//!
//! A status whose `observedGeneration` lags `metadata.generation` describes an older spec. The
//! probe says so in every finding and adds an `inconclusive` one, and it treats a `Stable`
//! status whose spec names an environment the Service does not select as a switch that the
//! controller has not started.

mod checks;

use ggcore_probe_sdk::backend::ListOptions;
use ggcore_probe_sdk::bluegreen::{self, Membership};
use ggcore_probe_sdk::FindingBuilder;
use ggcore_probe_sdk::prelude::*;
use ggcore_probe_sdk::units::format_time;

const SYMPTOM: &str = "switch-stuck";
const HEALTH_CHECK: &str = "health-check-failing";
const TIMEOUT: &str = "timeout-too-short";
const MIN_READY: &str = "minreadyseconds-not-met";
const SERVICE_UPDATE: &str = "service-update-failed";
const CONTROLLER: &str = "controller-crashed";

/// The causes in the order the report lists them.
const CAUSES: [&str; 5] = [HEALTH_CHECK, TIMEOUT, MIN_READY, SERVICE_UPDATE, CONTROLLER];

/// The last lines of the controller's previous log quoted as evidence.
const LOG_LINES: u32 = 10;

struct SwitchProbe;

impl Probe for SwitchProbe {
    fn describe() -> Descriptor {
        describe("bluegreen-switch")
            .title("Blue-green switches complete")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Blue-Green Deployment Issues: Switch Not Completing; Quick Reference: Switch stuck")
            .reads(&[VeritasEnvironment::KIND, Pod::KIND, Service::KIND, Event::KIND])
            .uses(Capability::Logs)
            .reports(SYMPTOM, &CAUSES)
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let profile = cx.profile().clone();
        let namespace = profile.namespace.clone();
        let environments: Vec<VeritasEnvironment> = cx.list(None)?;
        if environments.is_empty() {
            for cause in CAUSES {
                cx.report(skip(SYMPTOM, Some(cause)).summary(format!("no VeritasEnvironment in namespace `{namespace}`: blue-green is not in use")));
            }
            return Ok(());
        }

        let membership = Membership::new(&profile.app_selector, &profile.canary_selector, &profile.environment_label)
            .map_err(|e| HostError::Invalid(format!("the profile's selectors do not parse: {e}")))?;
        let pods: Vec<Pod> = cx.list(Some(&profile.app_selector))?;
        let service: Option<Service> = cx.get(Some(&namespace), &profile.service)?;
        let options = ListOptions {
            namespace: Some(namespace.clone()),
            label_selector: None,
            field_selector: Some("involvedObject.kind=VeritasEnvironment".into()),
        };
        let events: Vec<Event> = cx.list_kind(Event::KIND, &options)?;
        let mut controller: Vec<Pod> = cx.list(Some(&profile.controller_selector))?;
        if controller.is_empty() {
            controller = cx.list_in(None, Some(&profile.controller_selector))?;
        }

        for environment in &environments {
            let world = World { membership: &membership, pods: &pods, service: service.as_ref(), controller: &controller, events: &events };
            let state = State::read(cx, environment, &events, &world);
            if let Some(stale) = &state.stale {
                cx.report(
                    inconclusive(SYMPTOM, None)
                        .summary(format!("the status of VeritasEnvironment `{}` is stale: {stale}", state.name))
                        .evidence(stale.clone())
                        .object("VeritasEnvironment", &environment.metadata)
                        .next_command(format!("kubectl logs -n {namespace} -l {} --tail=50", profile.controller_selector)),
                );
            }
            for finding in checks::all(cx, &state, &world) {
                cx.report(finding);
            }
        }
        Ok(())
    }
}

/// The objects the checks read besides the `VeritasEnvironment`.
pub(crate) struct World<'a> {
    membership: &'a Membership,
    pods: &'a [Pod],
    service: Option<&'a Service>,
    controller: &'a [Pod],
    /// The events about VeritasEnvironments.
    events: &'a [Event],
}

/// One `VeritasEnvironment` and the switch its status describes.
pub(crate) struct State<'a> {
    environment: &'a VeritasEnvironment,
    name: String,
    namespace: String,
    /// `spec.activeEnvironment`, when it is `blue` or `green`.
    target: Option<&'static str>,
    /// A switch is in progress, or the spec requests one the controller has not started.
    in_progress: bool,
    /// The phase is `Failed`.
    failed: bool,
    /// The switch's start in Unix seconds, and where it was read.
    started: Option<(i64, String)>,
    /// Seconds since the start, at the profile's `now`.
    elapsed: Option<i64>,
    /// `spec.switch.healthCheck.timeout` in seconds.
    timeout: Option<i64>,
    /// `spec.minReadySeconds`, 0 when unset.
    min_ready: i64,
    /// The evidence line of a stale status.
    stale: Option<String>,
    /// The run's `now` in Unix seconds.
    now: Option<i64>,
}

impl<'a> State<'a> {
    fn read(cx: &Context, environment: &'a VeritasEnvironment, events: &[Event], world: &World) -> State<'a> {
        let name = environment.metadata.name.clone();
        let target = environment.spec.active_environment.as_deref().and_then(bluegreen::canonical);
        let stale = is_stale(environment.metadata.generation, environment.status.observed_generation).then(|| {
            format!(
                "status.observedGeneration {} is behind metadata.generation {}: the phase and progress describe an older spec",
                environment.status.observed_generation.unwrap_or_default(),
                environment.metadata.generation.unwrap_or_default()
            )
        });
        let selected = world.service.and_then(|s| s.spec.selector.as_ref()).and_then(|s| s.get(world.membership.label())).cloned();
        let unstarted = stale.is_some() && environment.phase() == "Stable" && target.is_some() && selected.as_deref() != target;
        let in_progress = bluegreen::switch_in_progress(environment) || unstarted;
        let failed = environment.phase() == "Failed";

        let started = if in_progress || failed { switch_start(environment, events) } else { None };
        let now = cx.now();
        let elapsed = match (now, &started) {
            (Some(now), Some((start, _))) => Some(now - start),
            _ => None,
        };
        let timeout = environment.spec.switch.health_check.timeout.as_deref().and_then(parse_duration).map(|t| t.round() as i64);
        State {
            environment,
            name,
            namespace: environment.metadata.namespace().to_string(),
            target,
            in_progress,
            failed,
            started,
            elapsed,
            timeout,
            min_ready: environment.spec.min_ready_seconds.unwrap_or(0),
            stale,
            now,
        }
    }

    /// Reports whether the switch is past its timeout or has failed: the findings are critical.
    fn overdue(&self) -> bool {
        self.failed || matches!((self.elapsed, self.timeout), (Some(elapsed), Some(timeout)) if elapsed > timeout)
    }

    /// Starts the finding of a cause that is present: `fail` when overdue, `warn` otherwise.
    fn verdict(&self, cause: &str) -> FindingBuilder {
        if self.overdue() { fail(SYMPTOM, cause) } else { warn(SYMPTOM, cause) }
    }

    /// Returns whether a switch is in progress or has failed: the switch-only checks apply.
    fn switching(&self) -> bool {
        self.in_progress || self.failed
    }

    /// Describes the switch for evidence lines: phase, target, progress, start and timeout.
    fn progress_line(&self) -> String {
        let status = &self.environment.status;
        let progress = status.switch_progress.as_ref().map(|p| p.to_string().trim_matches('"').to_string()).unwrap_or_else(|| "unset".into());
        let phase = if self.environment.phase().is_empty() { "unset" } else { self.environment.phase() };
        let target = self.target.unwrap_or("unset");
        let mut line = format!("VeritasEnvironment `{}`: phase {phase}, spec.activeEnvironment {target}, switchProgress {progress}", self.name);
        if let Some((start, source)) = &self.started {
            line.push_str(&format!(", switch started {} ({source})", format_time(*start)));
        }
        if let Some(elapsed) = self.elapsed {
            line.push_str(&format!(", running for {}", format_duration(elapsed as f64)));
        }
        match self.timeout {
            Some(timeout) => line.push_str(&format!(", spec.switch.healthCheck.timeout {}", format_duration(timeout as f64))),
            None => line.push_str(", no spec.switch.healthCheck.timeout"),
        }
        line
    }

    /// Returns the evidence every finding about a switch carries: the progress line, the
    /// conditions that are not `True`, and the stale-status line.
    fn context_lines(&self) -> Vec<String> {
        let mut lines = vec![self.progress_line()];
        lines.extend(self.environment.status.conditions.iter().filter(|c| !c.is_true()).map(|c| format!("condition {}", c.describe())));
        if self.started.is_none() && self.switching() {
            lines.push("the switch's start is unknown: no status.lastSwitchTime, SwitchStarted event or condition time".into());
        }
        lines.extend(self.stale.iter().map(|s| format!("stale status: {s}")));
        lines
    }

    /// Returns the duration the switch has run against its timeout, for summaries.
    fn waited(&self) -> String {
        match (self.elapsed, self.timeout) {
            (Some(elapsed), Some(timeout)) => format!("{} of its {} timeout", format_duration(elapsed as f64), format_duration(timeout as f64)),
            (Some(elapsed), None) => format!("{} with no timeout", format_duration(elapsed as f64)),
            (None, _) => "an unknown time".to_string(),
        }
    }
}

/// Finds when the current switch started: the newer of `status.lastSwitchTime` and the latest
/// `SwitchStarted` event, else the newest transition of a condition that is not `True`.
fn switch_start(environment: &VeritasEnvironment, events: &[Event]) -> Option<(i64, String)> {
    let name = &environment.metadata.name;
    let from_status = environment.status.last_switch_time.as_deref().and_then(parse_time).map(|t| (t, "status.lastSwitchTime".to_string()));
    let from_events = events
        .iter()
        .filter(|e| e.is_about("VeritasEnvironment", name) && e.reason.as_deref() == Some("SwitchStarted"))
        .filter_map(|e| e.time().and_then(parse_time))
        .max()
        .map(|t| (t, "event SwitchStarted".to_string()));
    let newest = [from_status, from_events].into_iter().flatten().max_by_key(|(t, _)| *t);
    newest.or_else(|| {
        environment
            .status
            .conditions
            .iter()
            .filter(|c| !c.is_true())
            .filter_map(|c| c.last_transition_time.as_deref().and_then(parse_time).map(|t| (t, format!("condition {} lastTransitionTime", c.type_))))
            .max_by_key(|(t, _)| *t)
    })
}

ggcore_probe_sdk::probe!(SwitchProbe);

#[cfg(test)]
mod tests;
