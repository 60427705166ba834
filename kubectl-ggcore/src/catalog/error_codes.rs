//! The guide's Error Code Reference: every code with its name, meaning and severity, and the
//! diagnostic steps and resolution the guide gives for it.

/// One GG-CORE error code.
#[derive(Debug)]
pub struct ErrorCode {
    /// The code, such as `E2001`.
    pub code: &'static str,
    /// The name, such as `MODEL_LOAD_FAILED`.
    pub name: &'static str,
    /// What it means.
    pub description: &'static str,
    /// The guide's severity: Critical, Error or Warning.
    pub severity: &'static str,
    /// The symptom a finding of this code feeds.
    pub symptom: &'static str,
    /// The cause id a finding of this code carries; `None` where the evidence decides
    /// (E5002 is a rollback image or state issue).
    pub cause: Option<&'static str>,
    /// The guide's diagnostic steps, where it gives them.
    pub steps: &'static [&'static str],
    /// The guide's resolution, where it gives one.
    pub resolution: &'static [&'static str],
}

const fn code(
    code: &'static str,
    name: &'static str,
    description: &'static str,
    severity: &'static str,
    cause: &'static str,
) -> ErrorCode {
    ErrorCode { code, name, description, severity, symptom: "runtime-unhealthy", cause: Some(cause), steps: &[], resolution: &[] }
}

/// The reference, in code order.
pub const ERROR_CODES: &[ErrorCode] = &[
    ErrorCode {
        steps: &[
            "ls -la /var/run/veritas/GG-CORE.sock (check the socket exists)",
            "pgrep -a GG-CORE (verify the runtime is running)",
            "stat /var/run/veritas/GG-CORE.sock (check socket permissions)",
            "GG-CORE health (test the connection)",
        ],
        resolution: &[
            "Restart the CORE Runtime if not running",
            "Check directory permissions on socket path",
            "Verify no other process holding socket",
            "Check SELinux/AppArmor policies",
        ],
        ..code("E1001", "IPC_CONNECTION_FAILED", "Cannot connect to runtime socket", "Critical", "e1001")
    },
    code("E1002", "IPC_TIMEOUT", "Request timed out waiting for response", "Warning", "e1002"),
    code("E1003", "IPC_PROTOCOL_ERROR", "Malformed IPC message", "Error", "e1003"),
    ErrorCode {
        steps: &[
            "ls -la /models/<model-name> (check the model file exists)",
            "sha256sum /models/<model-name>.gguf (verify file integrity)",
            "free -h (check available memory)",
            "GG-CORE models load <model-name> --verbose (view the detailed error)",
        ],
        resolution: &[
            "Verify model file is not corrupted",
            "Ensure sufficient memory available",
            "Check model format compatibility",
            "Verify read permissions on model directory",
        ],
        ..code("E2001", "MODEL_LOAD_FAILED", "Failed to load model file", "Critical", "e2001")
    },
    code("E2002", "MODEL_NOT_FOUND", "Requested model not in registry", "Error", "e2002"),
    code("E2003", "MODEL_VERSION_MISMATCH", "Model version incompatible", "Error", "e2003"),
    ErrorCode {
        steps: &[
            "cat /proc/sys/kernel/unprivileged_userns_clone (check kernel capabilities)",
            "grep SECCOMP /boot/config-$(uname -r) (verify seccomp support)",
            "kubectl describe pod <pod> | grep -A10 \"Security Context\" (check container runtime config)",
            "kubectl logs <pod> -c sandbox-init (view sandbox logs)",
        ],
        resolution: &[
            "Enable unprivileged user namespaces if needed",
            "Verify seccomp profile is available",
            "Check container security context",
            "Review AppArmor/SELinux logs",
        ],
        ..code("E3001", "SANDBOX_INIT_FAILED", "Sandbox initialization failed", "Critical", "e3001")
    },
    code("E3002", "SANDBOX_VIOLATION", "Security boundary violation attempted", "Critical", "e3002"),
    code("E3003", "RESOURCE_LIMIT_EXCEEDED", "Memory or CPU limit exceeded", "Error", "e3003"),
    code("E4001", "INFERENCE_FAILED", "Inference execution error", "Error", "e4001"),
    code("E4002", "TOKENIZER_ERROR", "Tokenization failed", "Error", "e4002"),
    code("E4003", "CONTEXT_OVERFLOW", "Input exceeds context window", "Warning", "e4003"),
    ErrorCode {
        steps: &[
            "GG-CORE deployment status --verbose (check deployment status)",
            "kubectl get events --sort-by=.lastTimestamp | grep veritas (view recent events)",
            "kubectl describe nodes | grep -A5 \"Allocated\" (check resource availability)",
            "kubectl logs -l app=veritas-controller --tail=50 (view controller logs)",
        ],
        resolution: &[
            "Check cluster resource availability",
            "Verify image pull secrets",
            "Review pod security policies",
            "Check for conflicting deployments",
        ],
        ..code("E5001", "DEPLOYMENT_FAILED", "Deployment operation failed", "Error", "e5001")
    },
    ErrorCode {
        symptom: "rollback-failed",
        cause: None,
        ..code("E5002", "ROLLBACK_FAILED", "Rollback operation failed", "Critical", "")
    },
    code("E5003", "HEALTH_CHECK_FAILED", "Health probe returned unhealthy", "Warning", "e5003"),
];
