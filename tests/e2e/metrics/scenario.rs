//! The situations the metrics tests show. Each scenario's series fill its own hour of
//! Prometheus time (20 minutes of samples every 15 s, ending on the hour), so a query at that
//! hour with a 5-minute `rate()` window sees only that scenario. Beside the series, each test
//! writes the cluster objects that go with it as a snapshot.

use std::fmt::Write as _;
use std::path::Path;

/// 2026-11-01T00:00:00Z, the start of the first scenario's hour.
const T0: i64 = 1_793_491_200;
/// Seconds between samples, as a 15 s scrape interval.
const STEP: i64 = 15;
/// Seconds of samples per scenario.
const SPAN: i64 = 20 * 60;

/// The `le` bounds of `gg_core_request_duration_bucket`, in seconds.
const BUCKETS: [&str; 7] = ["0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"];

/// How fast requests are answered.
#[derive(Debug, Clone, Copy)]
pub enum Latency {
    /// 90% under 100 ms, 99.5% under 250 ms: p99 about 240 ms.
    Fast,
    /// 95% under 2.5 s, all under 5 s: p99 about 4.5 s.
    Slow,
}

impl Latency {
    /// The cumulative share of requests at or under each bound of [`BUCKETS`].
    fn cumulative(self) -> [f64; 7] {
        match self {
            Latency::Fast => [0.90, 0.995, 1.0, 1.0, 1.0, 1.0, 1.0],
            Latency::Slow => [0.20, 0.40, 0.60, 0.80, 0.95, 1.0, 1.0],
        }
    }
}

/// The traffic of one deployment.
#[derive(Debug, Clone, Copy)]
pub struct Traffic {
    /// Successful requests per second.
    pub ok: f64,
    /// Failed requests per second.
    pub errors: f64,
    /// The latency of all of them.
    pub latency: Latency,
}

const HEALTHY_CANARY: Traffic = Traffic { ok: 5.0, errors: 0.005, latency: Latency::Fast };
const HEALTHY_STABLE: Traffic = Traffic { ok: 50.0, errors: 0.05, latency: Latency::Fast };

/// One situation: the series of an hour.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    /// The hour after [`T0`] it fills.
    slot: i64,
    /// The canary's traffic; `None` exports no canary series.
    canary: Option<Traffic>,
    /// The stable pods' traffic; `None` exports no stable series.
    stable: Option<Traffic>,
    /// Memory used over the limit, on every pod.
    memory: f64,
    /// The share of throttled CFS periods, on every pod.
    throttled: f64,
}

impl Scenario {
    /// Returns the time to judge the scenario at, in Unix seconds: the end of its samples.
    pub fn now(&self) -> i64 {
        T0 + (self.slot + 1) * 3600
    }

    /// Returns [`Scenario::now`] in RFC 3339, for `--now`.
    pub fn now_text(&self) -> String {
        ggcore_probe_sdk::units::format_time(self.now())
    }
}

/// Both deployments healthy: 0.1% errors, p99 about 240 ms, memory at half, 2% throttled.
pub const HEALTHY: Scenario = Scenario { slot: 0, canary: Some(HEALTHY_CANARY), stable: Some(HEALTHY_STABLE), memory: 0.5, throttled: 0.02 };
/// The canary fails 10% of its requests, stable 0.1%.
pub const FAILING_CANARY: Scenario = Scenario { canary: Some(Traffic { ok: 4.5, errors: 0.5, latency: Latency::Fast }), slot: 1, ..HEALTHY };
/// Canary 0.5% and stable 0.4% errors: fine, unless the threshold is under 0.4%.
pub const SLIGHT_ERRORS: Scenario = Scenario {
    slot: 2,
    canary: Some(Traffic { ok: 4.975, errors: 0.025, latency: Latency::Fast }),
    stable: Some(Traffic { ok: 49.8, errors: 0.2, latency: Latency::Fast }),
    ..HEALTHY
};
/// The canary serves 0.1 requests per second: 30 in 5 minutes.
pub const LOW_TRAFFIC: Scenario = Scenario { slot: 3, canary: Some(Traffic { ok: 0.1, errors: 0.0, latency: Latency::Fast }), ..HEALTHY };
/// The canary serves 1 request per second: 300 in 5 minutes, 10 in 10 seconds.
pub const MODEST_TRAFFIC: Scenario = Scenario { slot: 4, canary: Some(Traffic { ok: 1.0, errors: 0.0, latency: Latency::Fast }), ..HEALTHY };
/// Only the canary exports request series.
pub const NO_STABLE_SERIES: Scenario = Scenario { slot: 5, stable: None, ..HEALTHY };
/// Both deployments respond slowly: p99 about 4.5 s.
pub const SLOW: Scenario = Scenario {
    slot: 6,
    canary: Some(Traffic { latency: Latency::Slow, ..HEALTHY_CANARY }),
    stable: Some(Traffic { latency: Latency::Slow, ..HEALTHY_STABLE }),
    ..HEALTHY
};
/// Every pod uses 95% of its memory limit.
pub const MEMORY_NEAR_LIMIT: Scenario = Scenario { slot: 7, memory: 0.95, ..HEALTHY };
/// Every pod is throttled in 60% of its CFS periods.
pub const THROTTLED: Scenario = Scenario { slot: 8, throttled: 0.6, ..HEALTHY };

const SCENARIOS: [Scenario; 9] = [HEALTHY, FAILING_CANARY, SLIGHT_ERRORS, LOW_TRAFFIC, MODEST_TRAFFIC, NO_STABLE_SERIES, SLOW, MEMORY_NEAR_LIMIT, THROTTLED];

/// The GG-CORE pods: name and `deployment` label.
pub const PODS: [(&str, &str); 3] = [("gg-core-stable-0", "stable"), ("gg-core-stable-1", "stable"), ("gg-core-canary-0", "canary")];

/// The memory limit of every pod, in bytes (48Gi).
const MEMORY_LIMIT: f64 = 48.0 * 1024.0 * 1024.0 * 1024.0;

/// One sample line of a metric family.
struct Line {
    series: String,
    time: i64,
    value: f64,
}

/// Writes every scenario's series as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`.
pub fn openmetrics() -> String {
    let mut requests = Vec::new();
    let mut durations = Vec::new();
    let mut used = Vec::new();
    let mut limit = Vec::new();
    let mut periods = Vec::new();
    let mut throttled = Vec::new();

    for scenario in SCENARIOS {
        let start = scenario.now() - SPAN;
        for time in (start..=scenario.now()).step_by(STEP as usize) {
            let elapsed = (time - start) as f64;
            for (deployment, traffic) in [("canary", scenario.canary), ("stable", scenario.stable)] {
                let Some(traffic) = traffic else { continue };
                let labels = format!("deployment=\"{deployment}\"");
                requests.push(Line { series: format!("gg_core_requests_total{{{labels},status=\"ok\"}}"), time, value: traffic.ok * elapsed });
                requests.push(Line { series: format!("gg_core_requests_total{{{labels},status=\"error\"}}"), time, value: traffic.errors * elapsed });
                let count = (traffic.ok + traffic.errors) * elapsed;
                for (bound, share) in BUCKETS.iter().zip(traffic.latency.cumulative()) {
                    durations.push(Line { series: format!("gg_core_request_duration_bucket{{{labels},le=\"{bound}\"}}"), time, value: count * share });
                }
                durations.push(Line { series: format!("gg_core_request_duration_count{{{labels}}}"), time, value: count });
                durations.push(Line { series: format!("gg_core_request_duration_sum{{{labels}}}"), time, value: count * 0.2 });
            }
            for (pod, deployment) in PODS {
                let labels = format!("deployment=\"{deployment}\",pod=\"{pod}\"");
                used.push(Line { series: format!("gg_core_memory_used_bytes{{{labels}}}"), time, value: (MEMORY_LIMIT * scenario.memory).round() });
                limit.push(Line { series: format!("gg_core_memory_limit_bytes{{{labels}}}"), time, value: MEMORY_LIMIT });
                let cadvisor = format!("container=\"gg-core\",namespace=\"veritas\",pod=\"{pod}\"");
                // 10 CFS periods a second, as with the kernel's default 100 ms period.
                periods.push(Line { series: format!("container_cpu_cfs_periods_total{{{cadvisor}}}"), time, value: 10.0 * elapsed });
                throttled.push(Line { series: format!("container_cpu_cfs_throttled_periods_total{{{cadvisor}}}"), time, value: (10.0 * scenario.throttled * elapsed).round() });
            }
        }
    }

    let mut text = String::new();
    family(&mut text, "gg_core_requests", "counter", requests);
    family(&mut text, "gg_core_request_duration", "histogram", durations);
    family(&mut text, "gg_core_memory_used_bytes", "gauge", used);
    family(&mut text, "gg_core_memory_limit_bytes", "gauge", limit);
    family(&mut text, "container_cpu_cfs_periods", "counter", periods);
    family(&mut text, "container_cpu_cfs_throttled_periods", "counter", throttled);
    text.push_str("# EOF\n");
    text
}

/// Writes one metric family, each series' samples in time order.
fn family(text: &mut String, name: &str, kind: &str, mut lines: Vec<Line>) {
    lines.sort_by(|a, b| a.series.cmp(&b.series).then(a.time.cmp(&b.time)));
    let _ = writeln!(text, "# TYPE {name} {kind}");
    for line in lines {
        let _ = writeln!(text, "{} {} {}", line.series, line.value, line.time);
    }
}

/// The VeritasCanary and node state a snapshot shows.
#[derive(Debug, Clone)]
pub struct Objects {
    /// `status.phase`.
    pub phase: &'static str,
    /// The status of the `AnalysisHealthy` condition.
    pub analysis_healthy: bool,
    /// `spec.analysis.thresholds.errorRate`.
    pub error_rate: &'static str,
    /// `spec.analysis.interval`.
    pub interval: &'static str,
    /// The status of the node's `MemoryPressure` condition.
    pub memory_pressure: bool,
}

/// A canary in progress whose analysis passes, on a node without pressure.
pub const PASSING: Objects = Objects { phase: "Progressing", analysis_healthy: true, error_rate: "0.01", interval: "1m", memory_pressure: false };
/// A canary that rolled back after failed analyses.
pub const ROLLED_BACK: Objects = Objects { phase: "RollingBack", analysis_healthy: false, ..PASSING };

/// Writes the objects of a snapshot (`objects.yaml`) into `dir`.
pub fn write_objects(dir: &Path, objects: &Objects) {
    let healthy = if objects.analysis_healthy { "True" } else { "False" };
    let history_result = if objects.analysis_healthy { "Successful" } else { "Failed" };
    let pressure = if objects.memory_pressure { "True" } else { "False" };
    let mut yaml = format!(
        r#"apiVersion: veritas.ggcore.io/v1alpha1
kind: VeritasCanary
metadata: {{name: gg-core, namespace: veritas, generation: 4, labels: {{app: GG-CORE}}}}
spec:
  trafficWeight: 10
  promotion: {{auto: true, successLimit: 5}}
  analysis:
    interval: {interval}
    thresholds: {{errorRate: {error_rate}}}
  steps:
  - setWeight: 10
  - pause: {{duration: 10m}}
status:
  phase: {phase}
  observedGeneration: 4
  currentStep: 0
  successCount: 1
  conditions:
  - {{type: Progressing, status: 'True', reason: AnalysisRunning, lastTransitionTime: '2026-11-01T00:00:00Z'}}
  - {{type: AnalysisHealthy, status: '{healthy}', reason: Checked, lastTransitionTime: '2026-11-01T00:00:00Z'}}
  analysisHistory:
  - {{time: '2026-11-01T00:00:00Z', result: {history_result}, weight: 10}}
---
apiVersion: v1
kind: Node
metadata: {{name: node-a}}
status:
  conditions:
  - {{type: MemoryPressure, status: '{pressure}'}}
  - {{type: DiskPressure, status: 'False'}}
  - {{type: Ready, status: 'True'}}
"#,
        interval = objects.interval,
        error_rate = objects.error_rate,
        phase = objects.phase,
    );
    for (pod, deployment) in PODS {
        let _ = write!(
            yaml,
            r#"---
apiVersion: v1
kind: Pod
metadata: {{name: {pod}, namespace: veritas, labels: {{app: GG-CORE, deployment: {deployment}}}}}
spec:
  nodeName: node-a
  containers:
  - name: gg-core
    image: registry.example.internal/veritas/gg-core:1.9.0
    ports: [{{name: metrics, containerPort: 9090}}]
status:
  phase: Running
  conditions:
  - {{type: Ready, status: 'True'}}
  containerStatuses:
  - {{name: gg-core, ready: true, restartCount: 0, state: {{running: {{startedAt: '2026-11-01T00:00:00Z'}}}}}}
"#
        );
    }
    std::fs::write(dir.join("objects.yaml"), yaml).expect("writing the snapshot's objects");
}

/// Writes the index of a collected snapshot with the given `/metrics` responses per pod:
/// `Ok((status, body))` or `Err(error kind, message)`.
pub fn write_metrics_answers(dir: &Path, answers: &[(&str, Result<(u16, &str), (&str, &str)>)]) {
    let http: Vec<serde_json::Value> = answers
        .iter()
        .map(|(pod, answer)| {
            let target = serde_json::json!({"via": "pod", "namespace": "veritas", "pod": pod, "port": 9090, "path": "/metrics"});
            match answer {
                Ok((status, body)) => serde_json::json!({"target": target, "status": status, "body": body, "truncated": false, "error": null}),
                Err((kind, message)) => {
                    serde_json::json!({"target": target, "status": null, "body": null, "truncated": false, "error": {"kind": kind, "message": message}})
                }
            }
        })
        .collect();
    let index = serde_json::json!({
        "format": "ggcore-snapshot/v1",
        "observedAt": "2026-11-01T01:00:00Z",
        "origin": "test fixture",
        "kinds": ["Pod", "Node", "VeritasCanary"],
        "http": http,
    });
    std::fs::write(dir.join("ggcore-snapshot.json"), serde_json::to_vec_pretty(&index).unwrap()).expect("writing the snapshot index");
}
