//! `kubectl ggcore bluegreen inspect [--json]`: the guide's view of a blue-green switch. It
//! shows the `VeritasEnvironment` state and switch progress, the main Service's selector and
//! which environment it selects, and the target environment's pods. Read-only; exits 0 when a
//! `VeritasEnvironment` was found and 1 when there is none to inspect.

use std::fmt::Write as _;

use ggcore_probe_sdk::selector::format_labels;
use ggcore_probe_sdk::views::{Pod, Service, VeritasEnvironment, is_stale};
use serde::Serialize;

use super::checks::{self, PodLine, read_failed};
use super::session::Session;
use super::{CommandResult, failed};
use crate::flags::args::{GlobalArgs, InspectArgs};

/// One `VeritasEnvironment` as `--json` writes it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    /// The resource's name.
    pub name: String,
    /// `spec.activeEnvironment`: where the switch goes, or the environment serving when stable.
    pub active: Option<String>,
    /// The other environment.
    pub standby: Option<String>,
    /// `status.phase`.
    pub phase: String,
    /// `status.switchProgress`.
    pub switch_progress: Option<serde_json::Value>,
    /// `status.lastSwitchTime`.
    pub last_switch_time: Option<String>,
    /// `spec.switch.healthCheck.timeout`.
    pub health_check_timeout: Option<String>,
    /// `spec.minReadySeconds`.
    pub min_ready_seconds: Option<i64>,
    /// `metadata.generation` and `status.observedGeneration`, and whether the status is stale.
    pub generation: Option<i64>,
    /// The generation the status describes.
    pub observed_generation: Option<i64>,
    /// True when the status is behind the spec.
    pub stale: bool,
    /// The conditions, each as `Type=Status (Reason: message)`.
    pub conditions: Vec<String>,
    /// The main Service's selector, `None` when the Service is missing.
    pub service_selector: Option<String>,
    /// The environment the Service's selector names.
    pub service_environment: Option<String>,
    /// The pods of the active (target) environment.
    pub target_pods: Vec<PodLine>,
}

/// Prints the state of every `VeritasEnvironment`.
///
/// # Errors
///
/// Exit code 1 when the state cannot be read, 2 for bad flags.
pub async fn inspect(global: &GlobalArgs, args: &InspectArgs) -> CommandResult {
    let session = Session::open(global, &args.source, false).await?;
    let profile = &session.profile;
    let environments: Vec<VeritasEnvironment> = checks::list(&session, None).await.map_err(|e| read_failed("the VeritasEnvironments", e))?;
    if environments.is_empty() {
        eprintln!("no VeritasEnvironment in namespace `{}`: nothing to inspect", profile.namespace);
        return Ok(1);
    }
    let services: Vec<Service> = checks::list(&session, None).await.map_err(|e| read_failed("the Services", e))?;
    let service = services.iter().find(|s| s.metadata.name == profile.service);
    let pods: Vec<Pod> = checks::list(&session, Some(&profile.app_selector)).await.map_err(|e| read_failed("the GG-CORE pods", e))?;

    let inspections: Vec<Inspection> = environments.iter().map(|e| inspection(&session, e, service, &pods)).collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&inspections).map_err(failed)?);
    } else {
        for item in &inspections {
            print!("{}", render(&session, item));
        }
    }
    Ok(0)
}

fn inspection(session: &Session, environment: &VeritasEnvironment, service: Option<&Service>, pods: &[Pod]) -> Inspection {
    let label = &session.profile.environment_label;
    let active = environment.spec.active_environment.clone();
    let target: Vec<Pod> = pods.iter().filter(|p| active.is_some() && p.metadata.labels.get(label) == active.as_ref()).cloned().collect();
    // Canary pods may carry the environment label too, but the switch does not wait for them.
    let target_pods = checks::group_pods(&target, label, &session.profile.canary_selector)
        .into_iter()
        .filter(|(group, _)| group != "canary")
        .flat_map(|(_, group)| group.pods)
        .collect();
    let selector = service.and_then(|s| s.spec.selector.clone());
    Inspection {
        name: environment.metadata.name.clone(),
        active,
        standby: environment.standby().map(str::to_string),
        phase: environment.phase().to_string(),
        switch_progress: environment.status.switch_progress.clone(),
        last_switch_time: environment.status.last_switch_time.clone(),
        health_check_timeout: environment.spec.switch.health_check.timeout.clone(),
        min_ready_seconds: environment.spec.min_ready_seconds,
        generation: environment.metadata.generation,
        observed_generation: environment.status.observed_generation,
        stale: is_stale(environment.metadata.generation, environment.status.observed_generation),
        conditions: environment.status.conditions.iter().map(|c| c.describe()).collect(),
        service_environment: selector.as_ref().and_then(|s| s.get(label).cloned()),
        service_selector: service.map(|_| selector.as_ref().map(format_labels).unwrap_or_else(|| "(none)".to_string())),
        target_pods,
    }
}

/// Formats one inspection for people.
fn render(session: &Session, item: &Inspection) -> String {
    let profile = &session.profile;
    let unset = || "unset".to_string();
    let mut out = String::new();
    let _ = writeln!(out, "VeritasEnvironment {}/{}", profile.namespace, item.name);
    let _ = writeln!(out, "  Active environment:   {}", item.active.clone().unwrap_or_else(unset));
    let _ = writeln!(out, "  Standby environment:  {}", item.standby.clone().unwrap_or_else(unset));
    let _ = writeln!(out, "  Phase:                {}", if item.phase.is_empty() { "unset" } else { &item.phase });
    let progress = item.switch_progress.as_ref().map(|p| format!("{p}%")).unwrap_or_else(unset);
    let _ = writeln!(out, "  Switch progress:      {progress}");
    let _ = writeln!(out, "  Last switch:          {}", item.last_switch_time.clone().unwrap_or_else(unset));
    let _ = writeln!(out, "  Health check timeout: {}", item.health_check_timeout.clone().unwrap_or_else(unset));
    let _ = writeln!(out, "  minReadySeconds:      {}", item.min_ready_seconds.map(|s| s.to_string()).unwrap_or_else(unset));
    let generation = |g: Option<i64>| g.map(|g| g.to_string()).unwrap_or_else(|| "?".into());
    let freshness = if item.stale { "stale: the controller has not acted on the latest spec" } else { "current" };
    let _ = writeln!(
        out,
        "  Status:               {freshness} (generation {}, observedGeneration {})",
        generation(item.generation),
        generation(item.observed_generation)
    );
    if !item.conditions.is_empty() {
        let _ = writeln!(out, "  Conditions:");
        for condition in &item.conditions {
            let _ = writeln!(out, "    {condition}");
        }
    }

    let label = &profile.environment_label;
    match (&item.service_selector, &item.service_environment) {
        (None, _) => {
            let _ = writeln!(out, "Service {}: not found", profile.service);
        }
        (Some(selector), environment) => {
            let selects = match (environment, &item.active) {
                (Some(env), Some(active)) if env == active => format!("selects {label}={env}, the active environment"),
                (Some(env), Some(active)) if item.phase == "Switching" => {
                    format!("selects {label}={env}; it moves to {active} when the switch completes")
                }
                (Some(env), Some(active)) => format!("selects {label}={env}, not the active environment {active}"),
                (Some(env), None) => format!("selects {label}={env}"),
                (None, _) => format!("names no `{label}`, so it selects pods of every environment"),
            };
            let _ = writeln!(out, "Service {} selector: {selector} ({selects})", profile.service);
        }
    }

    let active = item.active.clone().unwrap_or_else(unset);
    let ready = item.target_pods.iter().filter(|p| p.ready).count();
    let _ = writeln!(out, "Target pods ({label}={active}): {ready}/{} ready", item.target_pods.len());
    for pod in &item.target_pods {
        let state = if pod.ready { "ready".to_string() } else { format!("not ready, {}", pod.state) };
        let _ = writeln!(out, "  {:<44} {state}, {} restarts", pod.name, pod.restarts);
    }
    out.push('\n');
    out
}
