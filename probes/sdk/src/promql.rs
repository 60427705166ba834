//! The PromQL queries of the troubleshooting guide ("Prometheus Queries"), built with the
//! deployment labels of the run's profile, so that probes and the plugin's `metrics` commands
//! ask Prometheus the same questions.
//!
//! GG-CORE exports `gg_core_requests_total` (labels `deployment` and `status`),
//! the histogram `gg_core_request_duration` in seconds, and the gauges
//! `gg_core_memory_used_bytes` and `gg_core_memory_limit_bytes`. CPU throttling comes from the
//! kubelet's cAdvisor series `container_cpu_cfs_periods_total` and
//! `container_cpu_cfs_throttled_periods_total`, where Prometheus scrapes them.

/// Turns the equality terms of a label selector (`deployment=canary,track==x`) into PromQL
/// matchers (`deployment="canary",track="x"`). Set-based and negated terms are dropped,
/// because pod labels and series labels only share the simple ones.
pub fn matchers(selector: &str) -> String {
    let mut terms = Vec::new();
    for part in selector.split(',') {
        let part = part.trim();
        if part.contains("!=") || part.contains(" in ") || part.contains(" notin ") {
            continue;
        }
        if let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) {
            terms.push(format!("{}=\"{}\"", key.trim(), escape(value.trim())));
        }
    }
    terms.join(",")
}

/// Escapes a label value for a double-quoted PromQL string.
pub fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Writes `metric{a,b}` from matchers, leaving out empty ones and the braces when none remain.
pub fn series(metric: &str, matchers: &[&str]) -> String {
    let terms: Vec<&str> = matchers.iter().copied().filter(|m| !m.is_empty()).collect();
    if terms.is_empty() { metric.to_string() } else { format!("{metric}{{{}}}", terms.join(",")) }
}

/// Builds the error rate over the last 5 minutes, errors over all requests, as the guide's
/// "Canary error rate comparison". An empty `matchers` gives the guide's overall "Error rate".
/// Prometheus returns no sample when no `status="error"` series exists at all.
pub fn error_rate(matchers: &str) -> String {
    format!(
        "sum(rate({}[5m])) / sum(rate({}[5m]))",
        series("gg_core_requests_total", &["status=\"error\"", matchers]),
        series("gg_core_requests_total", &[matchers])
    )
}

/// Builds the requests per second over the last 5 minutes.
pub fn request_rate(matchers: &str) -> String {
    format!("sum(rate({}[5m]))", series("gg_core_requests_total", &[matchers]))
}

/// Builds the p99 request latency in seconds over the last 5 minutes, the guide's "P99 latency".
pub fn p99_latency(matchers: &str) -> String {
    format!("histogram_quantile(0.99, sum(rate({}[5m])) by (le))", series("gg_core_request_duration_bucket", &[matchers]))
}

/// Builds the p99 request latency in seconds per value of `label` (for example `deployment`).
pub fn p99_latency_by(label: &str) -> String {
    format!("histogram_quantile(0.99, sum(rate(gg_core_request_duration_bucket[5m])) by (le, {label}))")
}

/// Memory used over the memory limit per series, the guide's "Memory usage".
pub const MEMORY_RATIO: &str = "gg_core_memory_used_bytes / gg_core_memory_limit_bytes";

/// Builds the share of CFS periods in which each pod of `namespace` was throttled, over 5 minutes.
pub fn cpu_throttling(namespace: &str) -> String {
    let namespace = format!("namespace=\"{}\"", escape(namespace));
    format!(
        "sum by (pod) (rate({}[5m])) / sum by (pod) (rate({}[5m]))",
        series("container_cpu_cfs_throttled_periods_total", &[&namespace]),
        series("container_cpu_cfs_periods_total", &[&namespace])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_equality_terms_become_matchers() {
        assert_eq!(matchers("deployment=canary"), r#"deployment="canary""#);
        assert_eq!(matchers("app==GG-CORE, track=stable"), r#"app="GG-CORE",track="stable""#);
        assert_eq!(matchers("deployment in (canary),tier!=web"), "");
    }

    #[test]
    fn canary_error_rate_is_the_guides_query() {
        assert_eq!(
            error_rate(r#"deployment="canary""#),
            r#"sum(rate(gg_core_requests_total{status="error",deployment="canary"}[5m])) / sum(rate(gg_core_requests_total{deployment="canary"}[5m]))"#
        );
    }

    #[test]
    fn overall_queries_have_no_braces() {
        assert_eq!(error_rate(""), r#"sum(rate(gg_core_requests_total{status="error"}[5m])) / sum(rate(gg_core_requests_total[5m]))"#);
        assert_eq!(p99_latency(""), "histogram_quantile(0.99, sum(rate(gg_core_request_duration_bucket[5m])) by (le))");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(matchers(r#"team=a"b"#), r#"team="a\"b""#);
    }
}
