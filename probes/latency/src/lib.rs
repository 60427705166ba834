//! `latency`: is GG-CORE slow, and is it short of memory or CPU? Implements the Quick
//! Reference's "High latency" row (first command `GG-CORE metrics summary`, likely issue
//! "Resource contention") with the guide's Prometheus queries:
//!
//! - `p99-latency-high`: `histogram_quantile(0.99, sum(rate(gg_core_request_duration_bucket[5m])) by (le))`,
//!   overall and per `deployment`, against the threshold: `--set latency.p99=DURATION`, else
//!   the VeritasCanary's `spec.analysis.thresholds.latencyP99`, else 1s. Above it is `warn`,
//!   above twice it `fail`.
//! - `memory-pressure`: `gg_core_memory_used_bytes / gg_core_memory_limit_bytes` above
//!   `latency.memoryRatio` (default 0.9) is `warn`; a node hosting GG-CORE pods with
//!   `MemoryPressure=True` is `fail`, because the kubelet evicts pods from it.
//! - `resource-contention`: the share of throttled CFS periods
//!   (`container_cpu_cfs_throttled_periods_total / container_cpu_cfs_periods_total`) of a
//!   GG-CORE pod above `latency.throttleRatio` (default 0.25), or a hosting node under
//!   memory, disk or PID pressure, is `warn`. Where Prometheus has no throttling series, the
//!   node conditions decide alone.
//!
//! Without Prometheus each check is `inconclusive`, except that node pressure still shows.

mod nodes;

use ggcore_probe_sdk::analysis::{format_latency, format_percent};
use ggcore_probe_sdk::FindingBuilder;
use ggcore_probe_sdk::backend::Sample;
use ggcore_probe_sdk::prelude::*;
use ggcore_probe_sdk::promql;

use crate::nodes::{Node, Placement};

const SYMPTOM: &str = "high-latency";
const P99: &str = "p99-latency-high";
const MEMORY: &str = "memory-pressure";
const CONTENTION: &str = "resource-contention";

/// The p99 threshold when neither `latency.p99` nor a VeritasCanary sets one, in seconds.
const DEFAULT_P99: f64 = 1.0;
/// The default of `latency.memoryRatio`.
const DEFAULT_MEMORY_RATIO: f64 = 0.9;
/// The default of `latency.throttleRatio`.
const DEFAULT_THROTTLE_RATIO: f64 = 0.25;

struct Latency;

impl Probe for Latency {
    fn describe() -> Descriptor {
        describe("latency")
            .title("Request latency stays under the threshold, with memory and CPU to spare")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Quick Reference: High latency; Prometheus Queries")
            .reads(&[Pod::KIND, Node::KIND, VeritasCanary::KIND])
            .uses(Capability::Metrics)
            .reports(SYMPTOM, &[P99, MEMORY, CONTENTION])
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let placement = nodes::placement(cx);
        check_p99(cx);
        check_memory(cx, &placement);
        check_contention(cx, &placement);
        Ok(())
    }
}

/// Formats a sample's labels as `{deployment="canary"}`, or `overall` without labels.
fn series_name(sample: &Sample) -> String {
    if sample.labels.is_empty() {
        return "overall".to_string();
    }
    let labels: Vec<String> = sample.labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    format!("{{{}}}", labels.join(","))
}

/// Runs a query and keeps the samples with a finite value.
fn finite(cx: &Context, query: &str) -> Result<Vec<Sample>, HostError> {
    Ok(cx.query(query)?.into_iter().filter(|s| s.value.is_finite()).collect())
}

fn unreachable(cause: &str, unknown: &str, error: &HostError) -> FindingBuilder {
    inconclusive(SYMPTOM, Some(cause))
        .summary(format!("Prometheus not reachable: {unknown} is unknown"))
        .evidence(format!("Prometheus: {}", error.message()))
}

/// Returns the p99 threshold in seconds and where it comes from.
fn p99_threshold(cx: &Context) -> (f64, String) {
    if let Some(text) = cx.setting("latency.p99") {
        match parse_duration(text) {
            Some(seconds) if seconds > 0.0 => return (seconds, "--set latency.p99".to_string()),
            _ => cx.warn(format!("ignoring --set latency.p99={text}: expected a duration such as 500ms")),
        }
    }
    let canaries: Vec<VeritasCanary> = cx.list(None).unwrap_or_default();
    if let Some((canary, seconds)) = canaries.iter().find_map(|c| c.spec.analysis.thresholds.latency_p99_seconds().map(|s| (c, s))) {
        return (seconds, format!("VeritasCanary `{}` spec.analysis.thresholds.latencyP99", canary.metadata.name));
    }
    (DEFAULT_P99, "default".to_string())
}

fn check_p99(cx: &mut Context) {
    let (threshold, origin) = p99_threshold(cx);
    let mut samples = match finite(cx, &promql::p99_latency("")) {
        Ok(samples) => samples,
        Err(error) => return cx.report(unreachable(P99, "the p99 latency", &error)),
    };
    match finite(cx, &promql::p99_latency_by("deployment")) {
        Ok(by_deployment) => samples.extend(by_deployment),
        Err(error) => return cx.report(unreachable(P99, "the p99 latency", &error)),
    }
    if samples.is_empty() {
        return cx.report(
            inconclusive(SYMPTOM, Some(P99))
                .summary("Prometheus has no gg_core_request_duration_bucket data in the last 5m: the p99 latency is unknown")
                .next_command("kubectl ggcore metrics summary"),
        );
    }

    let threshold_line = format!("threshold {} ({origin})", format_latency(threshold));
    let mut evidence: Vec<String> = samples.iter().map(|s| format!("p99 latency {}: {}", series_name(s), format_latency(s.value))).collect();
    evidence.push(threshold_line.clone());
    let worst = samples.iter().max_by(|a, b| a.value.total_cmp(&b.value)).expect("samples is not empty");

    let finding = if worst.value > 2.0 * threshold {
        fail(SYMPTOM, P99)
    } else if worst.value > threshold {
        warn(SYMPTOM, P99)
    } else {
        return cx.report(
            pass(SYMPTOM, P99)
                .summary(format!("p99 latency {} is within the {}", format_latency(worst.value), threshold_line))
                .evidence_lines(evidence),
        );
    };
    cx.report(
        finding
            .summary(format!("p99 latency {} {} is above the {}", series_name(worst), format_latency(worst.value), threshold_line))
            .evidence_lines(evidence)
            .resolution("Find the slow path: resources, batch size, model")
            .next_command("kubectl ggcore metrics summary"),
    );
}

fn check_memory(cx: &mut Context, placement: &Placement) {
    let ratio = cx.setting_f64("latency.memoryRatio", DEFAULT_MEMORY_RATIO);
    let pressured = placement.under("MemoryPressure");
    let mut evidence: Vec<String> = pressured.iter().map(|(node, pods)| nodes::describe_pressure(node, pods)).collect();
    if let Some(unseen) = &placement.unseen {
        evidence.push(format!("node conditions not checked: {unseen}"));
    }

    let samples = finite(cx, promql::MEMORY_RATIO);
    let high: Vec<&Sample> = samples.as_deref().unwrap_or_default().iter().filter(|s| s.value > ratio).collect();
    match &samples {
        Ok(samples) => evidence.extend(samples.iter().map(|s| format!("memory used / limit {}: {}", series_name(s), format_percent(s.value)))),
        Err(error) => evidence.push(format!("Prometheus: {}", error.message())),
    }
    let resolution = "Raise the memory limit or reduce the batch size and KV cache";
    let next = format!("kubectl top pods -l {} -n {}", cx.profile().app_selector, cx.namespace());

    let finding = if let Some((node, _)) = pressured.first() {
        fail(SYMPTOM, MEMORY).summary(format!("Node `{}` hosting GG-CORE pods has MemoryPressure=True: the kubelet evicts pods from it", node.metadata.name))
    } else if let Some(worst) = high.iter().max_by(|a, b| a.value.total_cmp(&b.value)) {
        warn(SYMPTOM, MEMORY).summary(format!(
            "GG-CORE {} uses {} of its memory limit, above {}",
            series_name(worst),
            format_percent(worst.value),
            format_percent(ratio)
        ))
    } else {
        let summary = match &samples {
            Ok(samples) if samples.is_empty() => None,
            Ok(_) => Some(format!("every GG-CORE memory series is at or under {} of its limit", format_percent(ratio))),
            Err(_) => None,
        };
        let finding = match summary {
            Some(summary) => pass(SYMPTOM, MEMORY).summary(summary),
            None if samples.is_ok() => inconclusive(SYMPTOM, Some(MEMORY)).summary("Prometheus has no gg_core_memory_used_bytes / gg_core_memory_limit_bytes series"),
            None => inconclusive(SYMPTOM, Some(MEMORY)).summary("Prometheus not reachable: the memory use against the limit is unknown"),
        };
        return cx.report(finding.evidence_lines(evidence));
    };
    cx.report(finding.evidence_lines(evidence).resolution(resolution).next_command(next));
}

fn check_contention(cx: &mut Context, placement: &Placement) {
    let ratio = cx.setting_f64("latency.throttleRatio", DEFAULT_THROTTLE_RATIO);
    let pressured: Vec<&(Node, Vec<String>)> =
        placement.nodes.iter().filter(|(node, _)| nodes::PRESSURE_CONDITIONS.iter().any(|t| condition(&node.status.conditions, t).is_some_and(Condition::is_true))).collect();
    let mut evidence: Vec<String> = pressured.iter().map(|(node, pods)| nodes::describe_pressure(node, pods)).collect();
    if let Some(unseen) = &placement.unseen {
        evidence.push(format!("node conditions not checked: {unseen}"));
    }

    let ours: Vec<String> = placement.nodes.iter().flat_map(|(_, pods)| pods.iter().cloned()).collect();
    let throttling = finite(cx, &promql::cpu_throttling(cx.namespace())).map(|samples| {
        samples
            .into_iter()
            .filter(|s| {
                let pod = s.labels.iter().find(|(k, _)| k == "pod").map(|(_, v)| v.as_str());
                ours.is_empty() || pod.is_some_and(|p| ours.iter().any(|o| o == p))
            })
            .collect::<Vec<Sample>>()
    });
    match &throttling {
        Ok(samples) if samples.is_empty() => evidence.push("Prometheus has no CPU throttling series (container_cpu_cfs_periods_total) for GG-CORE pods".into()),
        Ok(samples) => evidence.extend(samples.iter().map(|s| format!("CPU throttled {}: {} of CFS periods", series_name(s), format_percent(s.value)))),
        Err(error) => evidence.push(format!("Prometheus: {}", error.message())),
    }
    let throttled: Vec<&Sample> = throttling.as_deref().unwrap_or_default().iter().filter(|s| s.value > ratio).collect();

    let summary = if let Some(worst) = throttled.iter().max_by(|a, b| a.value.total_cmp(&b.value)) {
        format!("GG-CORE {} is CPU-throttled in {} of CFS periods, above {}", series_name(worst), format_percent(worst.value), format_percent(ratio))
    } else if let Some((node, pods)) = pressured.first() {
        format!("GG-CORE pods {} run on Node `{}`, which is under resource pressure", pods.join(", "), node.metadata.name)
    } else {
        let decided = match &throttling {
            Ok(samples) => !samples.is_empty() || placement.checked(),
            Err(_) => false,
        };
        let finding = if decided {
            pass(SYMPTOM, CONTENTION).summary(format!("no GG-CORE pod is throttled above {} of CFS periods and no hosting node is under pressure", format_percent(ratio)))
        } else if throttling.is_ok() {
            inconclusive(SYMPTOM, Some(CONTENTION)).summary("neither CPU throttling series nor the hosting nodes are visible: contention is unknown")
        } else {
            inconclusive(SYMPTOM, Some(CONTENTION)).summary("Prometheus not reachable: CPU throttling is unknown")
        };
        return cx.report(finding.evidence_lines(evidence));
    };
    cx.report(
        warn(SYMPTOM, CONTENTION)
            .summary(summary)
            .evidence_lines(evidence)
            .resolution("Raise CPU limits or move pods off contended nodes")
            .next_command(format!("kubectl top pods -l {} -n {}", cx.profile().app_selector, cx.namespace())),
    );
}

ggcore_probe_sdk::probe!(Latency);

#[cfg(test)]
mod tests;
