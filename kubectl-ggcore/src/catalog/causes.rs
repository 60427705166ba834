//! The causes of each symptom: the guide's Cause rows with their resolutions, the Health
//! Status Matrix checks, and one cause per runtime error code.

/// A cause of a symptom.
#[derive(Debug)]
pub struct Cause {
    /// The symptom it belongs to.
    pub symptom: &'static str,
    /// The contract id, such as `label-selector-wrong`.
    pub id: &'static str,
    /// The cause in the guide's words.
    pub title: &'static str,
    /// The guide's resolution.
    pub resolution: &'static str,
    /// Why the plugin cannot observe this cause from the cluster, when it cannot; such causes
    /// are named as remaining suspects when the symptom shows and every other cause checks out.
    pub unobservable: Option<&'static str>,
}

const fn cause(symptom: &'static str, id: &'static str, title: &'static str, resolution: &'static str) -> Cause {
    Cause { symptom, id, title, resolution, unobservable: None }
}

const fn hidden(symptom: &'static str, id: &'static str, title: &'static str, resolution: &'static str, why: &'static str) -> Cause {
    Cause { symptom, id, title, resolution, unobservable: Some(why) }
}

const fn code(id: &'static str, title: &'static str, resolution: &'static str) -> Cause {
    cause("runtime-unhealthy", id, title, resolution)
}

/// Every cause, grouped by symptom in the order of [`super::SYMPTOMS`].
pub const CAUSES: &[Cause] = &[
    cause("pods-down", "crash-loop", "Containers in CrashLoopBackOff", "Read the previous container's log and fix what makes it exit"),
    cause("pods-down", "pods-not-ready", "Some pods NotReady", "Check readiness probes and the containers' logs"),
    cause("pods-down", "no-pods", "No GG-CORE pods", "Check that the Deployments exist, are scaled up and label their pods app=GG-CORE"),
    cause("pods-down", "oom-killed", "Containers OOMKilled", "Raise the memory limit above what the model needs, or load a smaller model"),
    cause("pods-down", "image-pull-failure", "Image cannot be pulled", "Verify registry access, check image tag"),
    cause("pods-down", "unschedulable", "Pods cannot be scheduled", "Free or add node capacity, or relax the pods' constraints"),
    cause("canary-no-traffic", "traffic-weight-zero", "Traffic weight = 0", "Set trafficWeight > 0 in VeritasCanary spec"),
    cause("canary-no-traffic", "pod-labels-wrong", "Pod labels wrong", "Verify pods have deployment=canary label"),
    cause("canary-no-traffic", "service-selector-mismatch", "Service selector mismatch", "Update service selector or pod labels"),
    cause("canary-no-traffic", "service-mesh-misconfigured", "Service mesh misconfigured", "Update VirtualService traffic split"),
    cause("canary-no-traffic", "networkpolicy-blocking", "NetworkPolicy blocking", "Add rule allowing traffic to canary"),
    cause("no-metrics", "metrics-endpoint-down", "Metrics endpoint down", "Restart pod, check telemetry config"),
    cause("no-metrics", "servicemonitor-missing", "ServiceMonitor missing", "Create ServiceMonitor for canary"),
    cause("no-metrics", "label-selector-wrong", "Label selector wrong", "Fix namespaceSelector or matchLabels"),
    cause("no-metrics", "port-mismatch", "Port mismatch", "Verify port in ServiceMonitor matches pod"),
    cause("no-metrics", "rbac-issue", "RBAC issue", "Grant Prometheus permission to scrape namespace"),
    cause("no-metrics", "networkpolicy-blocking", "NetworkPolicy blocking", "Add an ingress rule allowing Prometheus to reach the metrics port"),
    cause("canary-failing", "threshold-too-strict", "Threshold too strict", "Increase error-rate threshold"),
    cause("canary-failing", "analysis-interval-too-short", "Analysis interval too short", "Extend interval for stability"),
    cause("canary-failing", "canary-has-real-bug", "Canary has real bug", "Fix the bug before redeploying"),
    cause("canary-failing", "traffic-too-low", "Traffic too low", "Ensure minimum traffic for statistical significance"),
    cause("canary-failing", "baseline-metrics-wrong", "Baseline metrics wrong", "Recalibrate thresholds from stable"),
    cause("promotion-stuck", "auto-promotion-disabled", "Auto-promotion disabled", "Enable spec.promotion.auto=true"),
    cause("promotion-stuck", "paused-at-step", "Paused at step", "Resume or wait for pause duration"),
    cause("promotion-stuck", "controller-unhealthy", "Controller unhealthy", "Restart veritas-controller"),
    cause("promotion-stuck", "successlimit-not-met", "successLimit not met", "Wait for more successful analyses"),
    cause("promotion-stuck", "manual-approval-required", "Manual approval required", "Approve via kubectl annotate"),
    cause("switch-stuck", "health-check-failing", "Health check failing", "Fix target env health issues"),
    cause("switch-stuck", "timeout-too-short", "Timeout too short", "Increase switch.healthCheck.timeout"),
    cause("switch-stuck", "minreadyseconds-not-met", "minReadySeconds not met", "Wait or reduce requirement"),
    cause("switch-stuck", "service-update-failed", "Service update failed", "Manually update service selector"),
    cause("switch-stuck", "controller-crashed", "Controller crashed", "Restart controller, check state"),
    cause("env-drift", "configmap-not-synced", "ConfigMap not synced", "Apply same ConfigMap to both envs"),
    cause("env-drift", "model-mount-different", "Model mount different", "Verify PVC mounts identical"),
    cause("env-drift", "secrets-mismatch", "Secrets mismatch", "Sync secrets between namespaces"),
    cause("env-drift", "environment-variable-drift", "Environment variable drift", "Update deployment manifests"),
    cause("standby-unhealthy", "resource-exhaustion", "Resource exhaustion", "Scale nodes or reduce standby replicas"),
    cause("standby-unhealthy", "image-pull-failure", "Image pull failure", "Verify registry access, check image tag"),
    cause("standby-unhealthy", "config-error", "Config error", "Fix configuration in standby env"),
    cause("standby-unhealthy", "pvc-not-bound", "PVC not bound", "Check storage class and PVC status"),
    cause("standby-unhealthy", "init-container-failing", "Init container failing", "Check init logs, fix prerequisites"),
    hidden(
        "dns-stale",
        "dns-cache-stale",
        "DNS cache stale",
        "Wait TTL or restart CoreDNS",
        "CoreDNS caches are not visible through the API; with --dns-server the plugin compares a real lookup with the endpoints",
    ),
    cause("dns-stale", "endpoints-not-updated", "Endpoints not updated", "Verify pod readiness gates"),
    cause("dns-stale", "service-selector-wrong", "Service selector wrong", "Fix selector to match new pods"),
    hidden(
        "dns-stale",
        "external-dns-lag",
        "External DNS lag",
        "Wait for propagation or flush",
        "external DNS providers are outside the cluster",
    ),
    hidden(
        "dns-stale",
        "client-side-caching",
        "Client-side caching",
        "Restart client applications",
        "client caches live in the client applications",
    ),
    cause("high-latency", "p99-latency-high", "p99 latency above threshold", "Find the slow path: resources, batch size, model"),
    cause("high-latency", "resource-contention", "Resource contention", "Raise CPU limits or move pods off contended nodes"),
    cause("high-latency", "memory-pressure", "Memory pressure", "Raise the memory limit or reduce the batch size and KV cache"),
    cause("rollback-failed", "rollback-image-issue", "Rollback image issue", "Make the previous image pullable, or pin the rollback to a known-good digest"),
    cause("rollback-failed", "rollback-state-issue", "Rollback state issue", "Restore the previous revision's state and retry the rollback"),
    cause("runtime-unhealthy", "health-endpoint-failing", "Health endpoint failing (GG-CORE health exits 1)", "Fix what /health reports, then restart the pod"),
    cause("runtime-unhealthy", "ipc-not-ready", "IPC not ready (GG-CORE ready times out or exits 1)", "Restart the CORE Runtime; check the socket path and its permissions"),
    code("e1001", "E1001 IPC_CONNECTION_FAILED", "Restart the CORE Runtime if not running; check directory permissions on the socket path"),
    code("e1002", "E1002 IPC_TIMEOUT", "Check the runtime's load and the IPC timeout"),
    code("e1003", "E1003 IPC_PROTOCOL_ERROR", "Check that client and runtime versions match"),
    code("e2001", "E2001 MODEL_LOAD_FAILED", "Verify the model file is not corrupted and that enough memory is available"),
    code("e2002", "E2002 MODEL_NOT_FOUND", "Check the model id and the model registry"),
    code("e2003", "E2003 MODEL_VERSION_MISMATCH", "Deploy a model version the runtime supports"),
    code("e3001", "E3001 SANDBOX_INIT_FAILED", "Verify the seccomp profile is available and check the container security context"),
    code("e3002", "E3002 SANDBOX_VIOLATION", "Review AppArmor/SELinux logs and the security context"),
    code("e3003", "E3003 RESOURCE_LIMIT_EXCEEDED", "Raise the memory or CPU limit"),
    code("e4001", "E4001 INFERENCE_FAILED", "Check the runtime log around the failing request"),
    code("e4002", "E4002 TOKENIZER_ERROR", "Check that the tokenizer matches the model"),
    code("e4003", "E4003 CONTEXT_OVERFLOW", "Shorten the input or raise the context window"),
    code("e5001", "E5001 DEPLOYMENT_FAILED", "Check cluster resources, image pull secrets and conflicting deployments"),
    code("e5003", "E5003 HEALTH_CHECK_FAILED", "Check what the health probe reports"),
];
