//! `metrics-endpoint`: does every running GG-CORE pod serve its metrics? The probe GETs
//! `/metrics` on the profile's metrics port of each pod through the API server's pod proxy
//! (the guide's `curl :9090/metrics`) and grades the responses as the Health Status Matrix's
//! "Metrics" row does:
//!
//! - HTTP 200 with `gg_core_` series from every pod: healthy (`pass`);
//! - partial data, that is a 200 without `gg_core_` series, or some pods failing: degraded (`warn`);
//! - connection refused (the proxy's 502 or 503), another 5xx or a 404 from every pod that
//!   answered: critical (`fail`).
//!
//! A pod that is not running is not probed: `pods-down` reports it, and the finding names it.
//! A pod whose endpoint cannot be reached through the host (no recording in a snapshot, proxy
//! denied) leaves the check `inconclusive` unless another pod already shows a problem.
//!
//! Implements "Metrics Not Reporting" step 1, the Quick Reference's "No metrics" and the Health
//! Status Matrix's "Metrics" row.

use ggcore_probe_sdk::prelude::*;

const SYMPTOM: &str = "no-metrics";
const CAUSE: &str = "metrics-endpoint-down";

struct MetricsEndpoint;

impl Probe for MetricsEndpoint {
    fn describe() -> Descriptor {
        describe("metrics-endpoint")
            .title("Every running GG-CORE pod serves gg_core_ metrics on /metrics")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Metrics Not Reporting (step 1); Health Status Matrix: Metrics")
            .reads(&[Pod::KIND])
            .uses(Capability::Http)
            .reports(SYMPTOM, &[CAUSE])
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let pods: Vec<Pod> = cx.list(Some(&cx.profile().app_selector))?;
        if pods.is_empty() {
            let summary = format!("no GG-CORE pods (`{}`) in namespace `{}`: no metrics endpoint to probe; pods-down reports this", cx.profile().app_selector, cx.namespace());
            cx.report(skip(SYMPTOM, Some(CAUSE)).summary(summary));
            return Ok(());
        }

        let (running, stopped): (Vec<&Pod>, Vec<&Pod>) = pods.iter().partition(|p| p.phase() == "Running" && p.metadata.deletion_timestamp.is_none());
        let not_probed: Vec<String> = stopped
            .iter()
            .map(|p| format!("pod `{}` is {}, not probed: pods-down reports pods that are not running", p.metadata.name, state_of(p)))
            .collect();
        if running.is_empty() {
            cx.report(skip(SYMPTOM, Some(CAUSE)).summary("no GG-CORE pod is running: no metrics endpoint to probe").evidence_lines(not_probed));
            return Ok(());
        }

        let sample = ggcore_probe_sdk::sample::sample_pods(&running, cx.max_pods());
        let answers: Vec<(&Pod, Endpoint)> = sample.pods.iter().map(|pod| (*pod, probe_pod(cx, pod))).collect();
        let mut not_probed = not_probed;
        not_probed.extend(sample.note());
        report(cx, &answers, not_probed);
        Ok(())
    }
}

/// What one pod's `/metrics` showed.
#[derive(Debug, Clone, PartialEq)]
enum Endpoint {
    /// HTTP 200 with `gg_core_` series.
    Healthy,
    /// HTTP 200 without `gg_core_` series.
    Partial(String),
    /// Refused, a 5xx or a 404.
    Down(String),
    /// The host could not reach the endpoint or was not allowed to.
    Unknown(String),
}

fn state_of(pod: &Pod) -> String {
    if pod.metadata.deletion_timestamp.is_some() {
        return "terminating".to_string();
    }
    pod.phase().to_string()
}

/// Reports whether a metrics page carries GG-CORE series.
fn has_gg_core_series(body: &str) -> bool {
    body.lines().any(|line| line.starts_with("gg_core_") || line.starts_with("# TYPE gg_core_") || line.starts_with("# HELP gg_core_"))
}

fn probe_pod(cx: &Context, pod: &Pod) -> Endpoint {
    let port = cx.profile().metrics_port;
    let first_line = |body: &str| body.lines().next().unwrap_or("").chars().take(120).collect::<String>();
    match cx.pod_get(cx.namespace(), &pod.metadata.name, port, "/metrics") {
        Ok(response) if response.status == 200 && has_gg_core_series(&response.body) => Endpoint::Healthy,
        Ok(response) if response.status == 200 => Endpoint::Partial(format!("HTTP 200 on :{port}/metrics without gg_core_ series")),
        Ok(response) if response.status >= 500 || response.status == 404 => {
            Endpoint::Down(format!("HTTP {} on :{port}/metrics: `{}`", response.status, first_line(&response.body)))
        }
        Ok(response) => Endpoint::Unknown(format!("HTTP {} on :{port}/metrics through the pod proxy: `{}`", response.status, first_line(&response.body))),
        Err(error) => Endpoint::Unknown(format!("GET :{port}/metrics not possible: {}", error.message())),
    }
}

fn report(cx: &mut Context, answers: &[(&Pod, Endpoint)], not_probed: Vec<String>) {
    let count = |f: fn(&Endpoint) -> bool| answers.iter().filter(|(_, e)| f(e)).count();
    let healthy = count(|e| matches!(e, Endpoint::Healthy));
    let partial = count(|e| matches!(e, Endpoint::Partial(_)));
    let down = count(|e| matches!(e, Endpoint::Down(_)));
    let unknown = count(|e| matches!(e, Endpoint::Unknown(_)));
    let total = answers.len();

    let mut evidence: Vec<String> = answers
        .iter()
        .map(|(pod, endpoint)| match endpoint {
            Endpoint::Healthy => format!("pod `{}`: HTTP 200 with gg_core_ series", pod.metadata.name),
            Endpoint::Partial(what) | Endpoint::Down(what) | Endpoint::Unknown(what) => format!("pod `{}`: {what}", pod.metadata.name),
        })
        .collect();
    evidence.extend(not_probed);

    let first_problem = answers.iter().find(|(_, e)| matches!(e, Endpoint::Down(_) | Endpoint::Partial(_))).map(|(pod, _)| *pod);
    let finding = if down > 0 && healthy + partial == 0 {
        fail(SYMPTOM, CAUSE).summary(format!("the metrics endpoint is down on {down} of {total} running GG-CORE pods and no pod serves metrics"))
    } else if down > 0 || partial > 0 {
        let mut parts = Vec::new();
        if down > 0 {
            parts.push(format!("down on {down}"));
        }
        if partial > 0 {
            parts.push(format!("without gg_core_ series on {partial}"));
        }
        warn(SYMPTOM, CAUSE).summary(format!("partial metrics: the endpoint is {} of {total} running GG-CORE pods", parts.join(" and ")))
    } else if unknown > 0 {
        let finding = inconclusive(SYMPTOM, Some(CAUSE))
            .summary(format!("the metrics endpoint of {unknown} of {total} running GG-CORE pods could not be reached through the API server's pod proxy"))
            .evidence_lines(evidence);
        cx.report(finding);
        return;
    } else {
        let finding = pass(SYMPTOM, CAUSE).summary(format!("all {total} running GG-CORE pods serve gg_core_ series on /metrics")).evidence_lines(evidence);
        cx.report(finding);
        return;
    };

    let pod = first_problem.expect("a problem finding has a problem pod");
    cx.report(
        finding
            .evidence_lines(evidence)
            .object_field("Pod", &pod.metadata, Some("spec.containers[].ports"))
            .resolution("Restart pod, check telemetry config")
            .next_command(format!(
                "kubectl exec -it {} -n {} -- curl -s localhost:{}/metrics | head",
                pod.metadata.name,
                cx.namespace(),
                cx.profile().metrics_port
            )),
    );
}

ggcore_probe_sdk::probe!(MetricsEndpoint);

#[cfg(test)]
mod tests;
