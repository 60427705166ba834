//! The default target profile: the GG-CORE naming conventions. The host builds the profile a
//! run uses from these, overridden by flags and a profile file; the test fixtures use them as is.

/// The namespace GG-CORE runs in.
pub const NAMESPACE: &str = "veritas";
/// The label selector of all GG-CORE pods. `GG-CORE` is a valid label value.
pub const APP_SELECTOR: &str = "app=GG-CORE";
/// The label selector of canary pods.
pub const CANARY_SELECTOR: &str = "deployment=canary";
/// The label selector of stable pods.
pub const STABLE_SELECTOR: &str = "deployment=stable";
/// The label key naming a pod's blue-green environment.
pub const ENVIRONMENT_LABEL: &str = "environment";
/// The main Service. The guide writes `GG-CORE`, which is not a valid Service name.
pub const SERVICE: &str = "gg-core";
/// The canary Service.
pub const CANARY_SERVICE: &str = "gg-core-canary";
/// The blue environment's ConfigMap.
pub const BLUE_CONFIG_MAP: &str = "veritas-config-blue";
/// The green environment's ConfigMap.
pub const GREEN_CONFIG_MAP: &str = "veritas-config-green";
/// The label selector of the controller's pods.
pub const CONTROLLER_SELECTOR: &str = "app=veritas-controller";
/// The label selector of Prometheus pods.
pub const PROMETHEUS_SELECTOR: &str = "app=prometheus";
/// The port serving `/health`, `/ready` and `/live`.
pub const HTTP_PORT: u16 = 8080;
/// The port serving `/metrics`.
pub const METRICS_PORT: u16 = 9090;
/// The runtime's IPC socket.
pub const RUNTIME_SOCKET: &str = "/var/run/veritas/GG-CORE.sock";
