//! The twelve symptoms of the report contract, with the guide's first command and likely issue.

/// A symptom of the guide's Quick Reference map or one of its issue sections.
#[derive(Debug)]
pub struct Symptom {
    /// The contract id, such as `pods-down`.
    pub id: &'static str,
    /// The symptom in the guide's words.
    pub title: &'static str,
    /// Where the guide describes it.
    pub section: &'static str,
    /// The guide's first command, as a `kubectl` or `kubectl ggcore` command line with the
    /// placeholders `{namespace}`, `{app}`, `{service}` and `{metrics_port}`; see
    /// [`Symptom::first_command_for`].
    pub first_command: &'static str,
    /// The guide's likely issue, shown while no probe has pinned a cause.
    pub likely_issue: &'static str,
    /// What the guide lists as the signs of the symptom.
    pub signs: &'static [&'static str],
    /// The guide's diagnostic steps.
    pub steps: &'static [&'static str],
}

/// The names a first command is written with: the run's namespace and the profile's.
#[derive(Debug, Clone)]
pub struct CommandNames {
    /// The namespace diagnosed.
    pub namespace: String,
    /// The label selector of the GG-CORE pods, such as `app=GG-CORE`.
    pub app_selector: String,
    /// The GG-CORE Service.
    pub service: String,
    /// The metrics port.
    pub metrics_port: u16,
}

impl Default for CommandNames {
    /// Returns the default profile's names.
    fn default() -> CommandNames {
        CommandNames { namespace: "veritas".into(), app_selector: "app=GG-CORE".into(), service: "gg-core".into(), metrics_port: 9090 }
    }
}

impl Symptom {
    /// Returns the first command with the run's namespace and the profile's names filled in,
    /// so that it can be run as printed (after choosing a `<pod>` or `<standby>` where shown).
    pub fn first_command_for(&self, names: &CommandNames) -> String {
        self.first_command
            .replace("{namespace}", &names.namespace)
            .replace("{app}", &names.app_selector)
            .replace("{service}", &names.service)
            .replace("{metrics_port}", &names.metrics_port.to_string())
    }
}

/// The symptoms, in the order the report lists them.
pub const SYMPTOMS: &[Symptom] = &[
    Symptom {
        id: "pods-down",
        title: "All pods down",
        section: "Quick Reference: All pods down; Health Status Matrix: Pods",
        first_command: "kubectl get pods -n {namespace} -l {app} -o wide",
        likely_issue: "Cluster issue or config error",
        signs: &["pods not Running", "pods NotReady", "CrashLoopBackOff"],
        steps: &[
            "kubectl get pods -l app=GG-CORE -o wide",
            "kubectl describe pod <pod-name>",
            "kubectl logs <pod-name> --previous",
            "kubectl get events --sort-by=.lastTimestamp | tail -20",
        ],
    },
    Symptom {
        id: "canary-no-traffic",
        title: "Canary not receiving traffic",
        section: "Canary Deployment Issues: Canary Not Receiving Traffic",
        first_command: "kubectl ggcore canary inspect -n {namespace}",
        likely_issue: "Traffic weight or routing",
        signs: &[
            "Canary pods running but no requests",
            "gg_core_requests_total{deployment=\"canary\"} = 0",
            "Traffic weight set but not effective",
        ],
        steps: &[
            "GG-CORE canary inspect",
            "kubectl get veritascanary -o jsonpath=\"{.items[*].spec.trafficWeight}\"",
            "kubectl get endpoints GG-CORE-canary",
            "kubectl get pods -l deployment=canary --show-labels",
            "kubectl get virtualservice GG-CORE -o yaml",
        ],
    },
    Symptom {
        id: "no-metrics",
        title: "No metrics",
        section: "Quick Reference: No metrics; Canary Deployment Issues: Metrics Not Reporting; Health Status Matrix: Metrics",
        first_command: "kubectl get --raw /api/v1/namespaces/{namespace}/pods/<pod>:{metrics_port}/proxy/metrics",
        likely_issue: "Telemetry config",
        signs: &["Canary analysis always fails", "Prometheus has no canary metrics", "Dashboard shows \"No Data\" for canary"],
        steps: &[
            "kubectl exec -it <canary-pod> -- curl -s localhost:9090/metrics | head",
            "kubectl get servicemonitor GG-CORE-canary",
            "kubectl port-forward svc/prometheus 9090:9090 (then open /targets)",
            "kubectl logs -l app=prometheus -c prometheus | grep canary",
            "kubectl get servicemonitor GG-CORE-canary -o yaml",
        ],
    },
    Symptom {
        id: "canary-failing",
        title: "Canary failing",
        section: "Quick Reference: Canary failing; Canary Deployment Issues: Unexpected Rollback",
        first_command: "kubectl ggcore canary inspect -n {namespace}",
        likely_issue: "Threshold or code bug",
        signs: &["Canary automatically rolled back", "status.phase = \"RollingBack\" or \"Failed\"", "Analysis showing failures"],
        steps: &[
            "GG-CORE canary inspect --history",
            "kubectl describe veritascanary <name> | grep -A5 \"Conditions\"",
            "kubectl get veritascanary <name> -o jsonpath=\"{.status.conditions}\"",
            "kubectl exec -it <stable-pod> -- GG-CORE metrics compare",
            "kubectl logs -l deployment=canary --since=30m",
        ],
    },
    Symptom {
        id: "promotion-stuck",
        title: "Promotion stuck",
        section: "Canary Deployment Issues: Promotion Stuck",
        first_command: "kubectl ggcore canary inspect -n {namespace}",
        likely_issue: "Promotion settings or controller",
        signs: &["Canary passing analysis but not promoting", "status.phase = \"Progressing\" for extended time", "Traffic weight not increasing"],
        steps: &[
            "kubectl get veritascanary <name> -o jsonpath=\"{.spec.promotion}\"",
            "GG-CORE canary inspect | grep -i \"auto.*promotion\"",
            "kubectl get veritascanary <name> -o jsonpath=\"{.status.phase}\"",
            "kubectl logs -l app=veritas-controller --tail=100",
            "kubectl describe veritascanary <name> | grep -i \"waiting\"",
        ],
    },
    Symptom {
        id: "switch-stuck",
        title: "Switch stuck",
        section: "Quick Reference: Switch stuck; Blue-Green Deployment Issues: Switch Not Completing",
        first_command: "kubectl ggcore bluegreen inspect -n {namespace}",
        likely_issue: "Health check failing",
        signs: &["Environment switch initiated but not finishing", "status.phase stuck in \"Switching\"", "Both environments receiving traffic"],
        steps: &[
            "GG-CORE bluegreen inspect",
            "kubectl get veritasenvironment <name> -o jsonpath=\"{.status.switchProgress}\"",
            "kubectl get pods -l environment=<target> -o wide",
            "kubectl get svc GG-CORE -o jsonpath=\"{.spec.selector}\"",
            "kubectl logs -l app=veritas-controller | grep -i switch",
        ],
    },
    Symptom {
        id: "env-drift",
        title: "State not syncing between environments",
        section: "Blue-Green Deployment Issues: State Not Syncing",
        first_command: "kubectl ggcore bluegreen diff -n {namespace}",
        likely_issue: "Configuration drift",
        signs: &["New environment has different config", "Model versions mismatched", "Cache state different between environments"],
        steps: &[
            "kubectl get cm veritas-config-blue -o yaml; kubectl get cm veritas-config-green -o yaml; diff",
            "kubectl exec -it <pod> -- GG-CORE models list (blue and green)",
            "kubectl get pods --show-labels | grep veritas",
            "GG-CORE bluegreen diff",
        ],
    },
    Symptom {
        id: "standby-unhealthy",
        title: "Standby environment unhealthy",
        section: "Blue-Green Deployment Issues: Standby Environment Unhealthy",
        first_command: "kubectl get pods -n {namespace} -l environment=<standby>",
        likely_issue: "Standby pods cannot start",
        signs: &["Inactive environment pods failing", "Cannot switch due to unhealthy target", "Preview service not responding"],
        steps: &[
            "kubectl get pods -l environment=<standby>",
            "kubectl describe pod -l environment=<standby>",
            "kubectl top nodes; kubectl describe nodes | grep -A5 \"Allocated resources\"",
            "kubectl logs -l environment=<standby> --tail=50",
            "kubectl exec -it <standby-pod> -- GG-CORE health --verbose",
        ],
    },
    Symptom {
        id: "dns-stale",
        title: "DNS not updating",
        section: "Blue-Green Deployment Issues: DNS Not Updating",
        first_command: "kubectl get endpoints {service} -n {namespace}",
        likely_issue: "Endpoints or selector not following the switch",
        signs: &["Traffic still going to old environment", "Service selector updated but DNS stale", "Clients receiving old pod IPs"],
        steps: &[
            "kubectl get endpoints GG-CORE",
            "kubectl run -it --rm debug --image=busybox -- nslookup GG-CORE",
            "kubectl logs -l k8s-app=kube-dns -n kube-system --tail=20",
            "kubectl get endpointslices -l kubernetes.io/service-name=GG-CORE",
            "kubectl exec -it <any-pod> -- curl GG-CORE:8080/health",
        ],
    },
    Symptom {
        id: "high-latency",
        title: "High latency",
        section: "Quick Reference: High latency",
        first_command: "kubectl ggcore metrics summary -n {namespace}",
        likely_issue: "Resource contention",
        signs: &["p99 latency above the profile's threshold"],
        steps: &[
            "GG-CORE metrics summary",
            "histogram_quantile(0.99, sum(rate(gg_core_request_duration_bucket[5m])) by (le))",
            "gg_core_memory_used_bytes / gg_core_memory_limit_bytes",
            "kubectl top pods -l app=GG-CORE",
        ],
    },
    Symptom {
        id: "rollback-failed",
        title: "Rollback failed",
        section: "Quick Reference: Rollback failed; Error Code Reference: E5002",
        first_command: "kubectl ggcore deployment status --verbose -n {namespace}",
        likely_issue: "Image or state issue",
        signs: &["Rollback did not complete", "E5002 ROLLBACK_FAILED"],
        steps: &["GG-CORE rollback --status", "kubectl get events --sort-by=.lastTimestamp | grep veritas", "kubectl logs -l app=veritas-controller --tail=50"],
    },
    Symptom {
        id: "runtime-unhealthy",
        title: "Runtime unhealthy",
        section: "Health Status Matrix: Health and IPC; Common Error Codes",
        first_command: "kubectl ggcore health --verbose -n {namespace}",
        likely_issue: "Runtime error (see error code)",
        signs: &["GG-CORE health exits 1", "GG-CORE ready times out or exits 1", "error codes E1xxx-E4xxx, E5001, E5003 in logs or events"],
        steps: &["GG-CORE health", "GG-CORE ready", "kubectl logs <pod-name> --tail=100", "kubectl describe pod <pod-name>"],
    },
];
