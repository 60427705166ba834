//! Typed views of the Kubernetes objects probes read most.
//!
//! Each view holds only the fields the troubleshooting guide looks at, every one optional or
//! defaulted, so that an object from any cluster version parses. Fields that a cluster may
//! send as `null` (`ports: null` on an EndpointSlice) read as empty. For anything not here,
//! list the kind as [`serde_json::Value`].

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::selector::{LabelSelector, Labels};
use crate::units;

/// A kind of object: API group and kind. A `None` group means "whatever group the cluster
/// serves this kind in", which is how custom resources are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kind {
    /// The API group; `Some("")` is the core group.
    pub group: Option<&'static str>,
    /// The kind, as in `kind:` fields.
    pub kind: &'static str,
}

impl Kind {
    /// Names a kind in a fixed API group (`""` for core).
    pub const fn new(group: &'static str, kind: &'static str) -> Kind {
        Kind { group: Some(group), kind }
    }

    /// Names a kind found in any API group, for custom resources.
    pub const fn any_group(kind: &'static str) -> Kind {
        Kind { group: None, kind }
    }
}

/// A view type that knows its kind, so that `cx.list::<Pod>(..)` needs no kind argument.
pub trait Resource: serde::de::DeserializeOwned {
    /// The kind this view reads.
    const KIND: Kind;
    /// The object's metadata.
    fn metadata(&self) -> &ObjectMeta;
}

/// Reads `null` as the type's default, for lists and maps that clusters send as `null`.
pub fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

macro_rules! resource {
    ($view:ident, $group:expr, $kind:literal) => {
        impl Resource for $view {
            const KIND: Kind = Kind { group: $group, kind: $kind };
            fn metadata(&self) -> &ObjectMeta {
                &self.metadata
            }
        }
    };
}

/// `metadata` of any object.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectMeta {
    /// The object's name.
    pub name: String,
    /// The namespace; `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// Labels.
    #[serde(deserialize_with = "null_default")]
    pub labels: Labels,
    /// Annotations.
    #[serde(deserialize_with = "null_default")]
    pub annotations: BTreeMap<String, String>,
    /// When the object was created (RFC 3339).
    pub creation_timestamp: Option<String>,
    /// When deletion was requested, if it was.
    pub deletion_timestamp: Option<String>,
    /// The spec's generation, compared with `status.observedGeneration`.
    pub generation: Option<i64>,
    /// The owners, such as the ReplicaSet of a pod.
    #[serde(deserialize_with = "null_default")]
    pub owner_references: Vec<OwnerReference>,
}

impl ObjectMeta {
    /// Returns the namespace, or `""` for cluster-scoped objects.
    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }

    /// Returns the object's age in seconds at `now` (Unix seconds), when it has a creation time.
    pub fn age(&self, now: i64) -> Option<i64> {
        self.creation_timestamp.as_deref().and_then(units::parse_time).map(|created| now - created)
    }
}

/// One entry of `metadata.ownerReferences`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OwnerReference {
    /// The owner's kind.
    pub kind: String,
    /// The owner's name.
    pub name: String,
    /// True for the managing controller.
    pub controller: Option<bool>,
}

/// A status condition, as most kinds and the two GG-CORE custom resources carry them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Condition {
    /// The condition type, such as `Ready`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// A CamelCase reason.
    pub reason: Option<String>,
    /// A human-readable message.
    pub message: Option<String>,
    /// When the status last changed.
    pub last_transition_time: Option<String>,
    /// When the condition was last updated (Deployments).
    pub last_update_time: Option<String>,
    /// The generation this condition was computed for.
    pub observed_generation: Option<i64>,
}

impl Condition {
    /// Reports whether the condition's status is `True`.
    pub fn is_true(&self) -> bool {
        self.status == "True"
    }

    /// Formats the condition as `Type=Status (Reason: message)` for evidence lines.
    pub fn describe(&self) -> String {
        let mut text = format!("{}={}", self.type_, self.status);
        match (&self.reason, &self.message) {
            (Some(reason), Some(message)) if !reason.is_empty() && !message.is_empty() => {
                text.push_str(&format!(" ({reason}: {message})"))
            }
            (Some(reason), _) if !reason.is_empty() => text.push_str(&format!(" ({reason})")),
            (_, Some(message)) if !message.is_empty() => text.push_str(&format!(" ({message})")),
            _ => {}
        }
        text
    }
}

/// Finds the condition of type `type_` in a condition list.
pub fn condition<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// An integer or a string, as in `targetPort` and NetworkPolicy ports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    /// A number.
    Int(i64),
    /// A name, or a number written as text.
    String(String),
}

impl std::fmt::Display for IntOrString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IntOrString::Int(n) => write!(f, "{n}"),
            IntOrString::String(s) => f.write_str(s),
        }
    }
}

impl IntOrString {
    /// Returns the number, also for a string made only of digits.
    pub fn as_number(&self) -> Option<i64> {
        match self {
            IntOrString::Int(n) => Some(*n),
            IntOrString::String(s) => s.parse().ok(),
        }
    }
}

// ---- Pods ----------------------------------------------------------------------------------

/// A Pod.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Pod {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The spec.
    pub spec: PodSpec,
    /// The status.
    pub status: PodStatus,
}
resource!(Pod, Some(""), "Pod");

/// `spec` of a Pod or a pod template.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodSpec {
    /// The containers.
    #[serde(deserialize_with = "null_default")]
    pub containers: Vec<Container>,
    /// The init containers.
    #[serde(deserialize_with = "null_default")]
    pub init_containers: Vec<Container>,
    /// The node the pod is bound to.
    pub node_name: Option<String>,
    /// The node selector.
    #[serde(deserialize_with = "null_default")]
    pub node_selector: BTreeMap<String, String>,
    /// The service account.
    pub service_account_name: Option<String>,
    /// The volumes.
    #[serde(deserialize_with = "null_default")]
    pub volumes: Vec<Volume>,
    /// Readiness gates.
    #[serde(deserialize_with = "null_default")]
    pub readiness_gates: Vec<serde_json::Value>,
    /// The pod-level security context, kept as JSON.
    pub security_context: Option<serde_json::Value>,
    /// Image pull secrets.
    #[serde(deserialize_with = "null_default")]
    pub image_pull_secrets: Vec<LocalObjectReference>,
}

/// A reference by name within the same namespace.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LocalObjectReference {
    /// The name.
    pub name: String,
}

/// A container of a pod spec.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Container {
    /// The container name.
    pub name: String,
    /// The image reference.
    pub image: String,
    /// The declared ports.
    #[serde(deserialize_with = "null_default")]
    pub ports: Vec<ContainerPort>,
    /// Environment variables.
    #[serde(deserialize_with = "null_default")]
    pub env: Vec<EnvVar>,
    /// Sources of environment variables.
    #[serde(deserialize_with = "null_default")]
    pub env_from: Vec<EnvFromSource>,
    /// Requests and limits.
    pub resources: Resources,
    /// Volume mounts.
    #[serde(deserialize_with = "null_default")]
    pub volume_mounts: Vec<VolumeMount>,
    /// The readiness probe, kept as JSON.
    pub readiness_probe: Option<serde_json::Value>,
    /// The liveness probe, kept as JSON.
    pub liveness_probe: Option<serde_json::Value>,
    /// The container security context, kept as JSON.
    pub security_context: Option<serde_json::Value>,
    /// Arguments.
    #[serde(deserialize_with = "null_default")]
    pub args: Vec<String>,
    /// The entry point.
    #[serde(deserialize_with = "null_default")]
    pub command: Vec<String>,
}

impl Container {
    /// Finds the port with this name.
    pub fn port_named(&self, name: &str) -> Option<&ContainerPort> {
        self.ports.iter().find(|p| p.name.as_deref() == Some(name))
    }

    /// Returns the memory limit in bytes, if set.
    pub fn memory_limit(&self) -> Option<f64> {
        self.resources.limits.get("memory").and_then(|q| units::parse_quantity(q))
    }

    /// Returns the memory request in bytes, if set.
    pub fn memory_request(&self) -> Option<f64> {
        self.resources.requests.get("memory").and_then(|q| units::parse_quantity(q))
    }
}

/// A container port.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerPort {
    /// The port's name, which a Service's `targetPort` may refer to.
    pub name: Option<String>,
    /// The port number.
    pub container_port: i64,
    /// `TCP`, `UDP` or `SCTP`; `None` means TCP.
    pub protocol: Option<String>,
}

/// An environment variable.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvVar {
    /// The name.
    pub name: String,
    /// A literal value.
    pub value: Option<String>,
    /// A reference to a ConfigMap key, Secret key or field, kept as JSON.
    pub value_from: Option<serde_json::Value>,
}

/// A source of environment variables.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvFromSource {
    /// A ConfigMap whose keys become variables.
    pub config_map_ref: Option<LocalObjectReference>,
    /// A Secret whose keys become variables.
    pub secret_ref: Option<LocalObjectReference>,
    /// A prefix for the names.
    pub prefix: Option<String>,
}

/// Resource requests and limits, as quantities.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Resources {
    /// Requests by resource name.
    #[serde(deserialize_with = "null_default")]
    pub requests: BTreeMap<String, String>,
    /// Limits by resource name.
    #[serde(deserialize_with = "null_default")]
    pub limits: BTreeMap<String, String>,
}

/// A volume mount.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VolumeMount {
    /// The volume's name.
    pub name: String,
    /// Where it is mounted.
    pub mount_path: String,
    /// True when mounted read-only.
    pub read_only: Option<bool>,
    /// A sub-path of the volume.
    pub sub_path: Option<String>,
}

/// A volume of a pod spec; only the sources the guide cares about are typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Volume {
    /// The volume's name.
    pub name: String,
    /// A PersistentVolumeClaim source.
    pub persistent_volume_claim: Option<ClaimSource>,
    /// A ConfigMap source.
    pub config_map: Option<LocalObjectReference>,
    /// A Secret source.
    pub secret: Option<SecretVolumeSource>,
    /// Every other source (`emptyDir`, `hostPath`, `nfs`, `csi`, ...), by field name, kept as JSON.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

/// A PersistentVolumeClaim volume source.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClaimSource {
    /// The claim's name.
    pub claim_name: String,
    /// True when mounted read-only.
    pub read_only: Option<bool>,
}

/// A Secret volume source.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretVolumeSource {
    /// The Secret's name.
    pub secret_name: String,
}

/// `status` of a Pod.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodStatus {
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
    pub phase: Option<String>,
    /// Conditions (`PodScheduled`, `Initialized`, `ContainersReady`, `Ready`).
    #[serde(deserialize_with = "null_default")]
    pub conditions: Vec<Condition>,
    /// Statuses of the containers.
    #[serde(deserialize_with = "null_default")]
    pub container_statuses: Vec<ContainerStatus>,
    /// Statuses of the init containers.
    #[serde(deserialize_with = "null_default")]
    pub init_container_statuses: Vec<ContainerStatus>,
    /// The pod's IP.
    #[serde(rename = "podIP")]
    pub pod_ip: Option<String>,
    /// When the kubelet started the pod.
    pub start_time: Option<String>,
    /// A reason for the phase, such as `Evicted`.
    pub reason: Option<String>,
    /// A message for the phase.
    pub message: Option<String>,
}

impl Pod {
    /// Reports whether the pod's `Ready` condition is `True`.
    pub fn is_ready(&self) -> bool {
        condition(&self.status.conditions, "Ready").is_some_and(Condition::is_true)
    }

    /// Returns the phase, `Unknown` when missing.
    pub fn phase(&self) -> &str {
        self.status.phase.as_deref().unwrap_or("Unknown")
    }

    /// Finds the spec of the container named `name`.
    pub fn container(&self, name: &str) -> Option<&Container> {
        self.spec.containers.iter().find(|c| c.name == name)
    }

    /// Returns how long the pod has been Ready at `now`, from the `Ready` condition's last
    /// transition.
    pub fn ready_for(&self, now: i64) -> Option<i64> {
        let ready = condition(&self.status.conditions, "Ready").filter(|c| c.is_true())?;
        ready.last_transition_time.as_deref().and_then(units::parse_time).map(|t| now - t)
    }

    /// Returns the sum of the container restarts.
    pub fn restarts(&self) -> i64 {
        self.status.container_statuses.iter().map(|s| s.restart_count).sum()
    }
}

/// The status of one container.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerStatus {
    /// The container's name.
    pub name: String,
    /// True when the container passes its readiness probe.
    pub ready: bool,
    /// True once the container has started.
    pub started: Option<bool>,
    /// How often the container restarted.
    pub restart_count: i64,
    /// The current state.
    pub state: ContainerState,
    /// The state of the previous instance.
    pub last_state: ContainerState,
    /// The image as the kubelet resolved it.
    pub image: Option<String>,
    /// The image digest; empty while the image has not been pulled.
    #[serde(rename = "imageID")]
    pub image_id: Option<String>,
}

/// A container state: exactly one of the three is set.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerState {
    /// Waiting to start, with the reason (`CrashLoopBackOff`, `ImagePullBackOff`).
    pub waiting: Option<StateWaiting>,
    /// Running since a time.
    pub running: Option<StateRunning>,
    /// Terminated, with reason and exit code (`OOMKilled`, 137).
    pub terminated: Option<StateTerminated>,
}

/// The waiting state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StateWaiting {
    /// Why the container waits.
    pub reason: Option<String>,
    /// Details.
    pub message: Option<String>,
}

/// The running state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StateRunning {
    /// When the container started.
    pub started_at: Option<String>,
}

/// The terminated state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StateTerminated {
    /// Why it ended (`OOMKilled`, `Error`, `Completed`).
    pub reason: Option<String>,
    /// The termination message.
    pub message: Option<String>,
    /// The exit code.
    pub exit_code: i64,
    /// The signal, if killed by one.
    pub signal: Option<i64>,
    /// When it started.
    pub started_at: Option<String>,
    /// When it ended.
    pub finished_at: Option<String>,
}

// ---- Workloads -----------------------------------------------------------------------------

/// A pod template.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PodTemplate {
    /// Template metadata: the labels and annotations the pods get.
    pub metadata: ObjectMeta,
    /// The pod spec.
    pub spec: PodSpec,
}

/// A Deployment.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Deployment {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The spec.
    pub spec: DeploymentSpec,
    /// The status.
    pub status: DeploymentStatus,
}
resource!(Deployment, Some("apps"), "Deployment");

/// `spec` of a Deployment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeploymentSpec {
    /// Desired replicas; `None` means 1.
    pub replicas: Option<i64>,
    /// The pod selector.
    pub selector: LabelSelector,
    /// The pod template.
    pub template: PodTemplate,
    /// Seconds a new pod must be ready before it counts as available.
    pub min_ready_seconds: Option<i64>,
    /// Seconds before the rollout is reported as stalled.
    pub progress_deadline_seconds: Option<i64>,
}

/// `status` of a Deployment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeploymentStatus {
    /// Pods of any revision.
    pub replicas: Option<i64>,
    /// Ready pods.
    pub ready_replicas: Option<i64>,
    /// Available pods.
    pub available_replicas: Option<i64>,
    /// Unavailable pods.
    pub unavailable_replicas: Option<i64>,
    /// Pods of the current revision.
    pub updated_replicas: Option<i64>,
    /// The generation the status describes.
    pub observed_generation: Option<i64>,
    /// Conditions (`Available`, `Progressing`).
    #[serde(deserialize_with = "null_default")]
    pub conditions: Vec<Condition>,
}

// ---- Services and endpoints ----------------------------------------------------------------

/// A Service.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Service {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The spec.
    pub spec: ServiceSpec,
}
resource!(Service, Some(""), "Service");

/// `spec` of a Service.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceSpec {
    /// The pod selector; `None` for a Service whose endpoints are managed by hand.
    pub selector: Option<Labels>,
    /// The ports.
    #[serde(deserialize_with = "null_default")]
    pub ports: Vec<ServicePort>,
    /// `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// The cluster IP; `None` (headless) for `ClusterIP: None`.
    #[serde(rename = "clusterIP")]
    pub cluster_ip: Option<String>,
    /// Whether not-ready pods are published too.
    pub publish_not_ready_addresses: Option<bool>,
}

/// A Service port.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServicePort {
    /// The port's name; required when a Service has more than one port.
    pub name: Option<String>,
    /// The Service's port number.
    pub port: i64,
    /// The pod port: a number, or a container port name resolved per pod. `None` means the
    /// same number as `port`.
    pub target_port: Option<IntOrString>,
    /// `TCP`, `UDP` or `SCTP`; `None` means TCP.
    pub protocol: Option<String>,
}

impl ServicePort {
    /// Returns the name as the endpoint controllers write it: `""` for an unnamed port.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }

    /// Returns the target port, defaulted to `port` as the API server does.
    pub fn target(&self) -> IntOrString {
        self.target_port.clone().unwrap_or(IntOrString::Int(self.port))
    }

    /// Resolves the target port against a pod, as the endpoint controllers do: a number is
    /// used as is; a name must match a container port of the pod with the same protocol.
    pub fn resolve(&self, pod: &Pod) -> Option<i64> {
        let protocol = self.protocol.as_deref().unwrap_or("TCP");
        match self.target() {
            IntOrString::Int(number) => Some(number),
            IntOrString::String(text) => match text.parse::<i64>() {
                Ok(number) => Some(number),
                Err(_) => pod
                    .spec
                    .containers
                    .iter()
                    .flat_map(|c| &c.ports)
                    .find(|p| p.name.as_deref() == Some(text.as_str()) && p.protocol.as_deref().unwrap_or("TCP") == protocol)
                    .map(|p| p.container_port),
            },
        }
    }
}

/// An Endpoints object.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Endpoints {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The subsets; empty when no pod backs the Service.
    #[serde(deserialize_with = "null_default")]
    pub subsets: Vec<EndpointSubset>,
}
resource!(Endpoints, Some(""), "Endpoints");

/// A subset of an Endpoints object: addresses sharing a set of ports.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EndpointSubset {
    /// Ready addresses.
    #[serde(deserialize_with = "null_default")]
    pub addresses: Vec<EndpointAddress>,
    /// Addresses of pods that are not ready.
    #[serde(deserialize_with = "null_default")]
    pub not_ready_addresses: Vec<EndpointAddress>,
    /// The ports.
    #[serde(deserialize_with = "null_default")]
    pub ports: Vec<EndpointPort>,
}

/// An address of an Endpoints subset.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EndpointAddress {
    /// The IP.
    pub ip: String,
    /// The pod behind it.
    pub target_ref: Option<ObjectReference>,
    /// The node.
    pub node_name: Option<String>,
}

/// A port of an Endpoints subset or an EndpointSlice.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EndpointPort {
    /// The Service port's name (`""` for an unnamed port).
    pub name: Option<String>,
    /// The resolved pod port.
    pub port: Option<i64>,
    /// The protocol.
    pub protocol: Option<String>,
}

/// An EndpointSlice.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EndpointSlice {
    /// Metadata; the label `kubernetes.io/service-name` names the Service.
    pub metadata: ObjectMeta,
    /// `IPv4`, `IPv6` or `FQDN`.
    pub address_type: Option<String>,
    /// The endpoints.
    #[serde(deserialize_with = "null_default")]
    pub endpoints: Vec<SliceEndpoint>,
    /// The ports; `null` when the Service port resolves on no pod.
    #[serde(deserialize_with = "null_default")]
    pub ports: Vec<EndpointPort>,
}
resource!(EndpointSlice, Some("discovery.k8s.io"), "EndpointSlice");

impl EndpointSlice {
    /// Returns the Service this slice belongs to.
    pub fn service_name(&self) -> Option<&str> {
        self.metadata.labels.get("kubernetes.io/service-name").map(String::as_str)
    }
}

/// An endpoint of an EndpointSlice.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SliceEndpoint {
    /// The addresses.
    #[serde(deserialize_with = "null_default")]
    pub addresses: Vec<String>,
    /// Readiness.
    pub conditions: EndpointConditions,
    /// The pod behind it.
    pub target_ref: Option<ObjectReference>,
    /// The node.
    pub node_name: Option<String>,
}

/// The conditions of a slice endpoint; `None` for `ready` means ready.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EndpointConditions {
    /// Ready to receive traffic.
    pub ready: Option<bool>,
    /// Serving, even while terminating.
    pub serving: Option<bool>,
    /// Terminating.
    pub terminating: Option<bool>,
}

/// A reference to another object, as in `targetRef` and `involvedObject`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectReference {
    /// The kind.
    pub kind: Option<String>,
    /// The name.
    pub name: Option<String>,
    /// The namespace.
    pub namespace: Option<String>,
    /// A field path inside the object, such as `spec.containers{gg-core}`.
    pub field_path: Option<String>,
}

// ---- Events and config ---------------------------------------------------------------------

/// An Event (core `v1`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Event {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The object the event is about.
    pub involved_object: ObjectReference,
    /// A CamelCase reason such as `BackOff` or `FailedScheduling`.
    pub reason: Option<String>,
    /// The message.
    pub message: Option<String>,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// How often it happened.
    pub count: Option<i64>,
    /// When it first happened.
    pub first_timestamp: Option<String>,
    /// When it last happened.
    pub last_timestamp: Option<String>,
    /// When it happened (events.k8s.io style).
    pub event_time: Option<String>,
}
resource!(Event, Some(""), "Event");

impl Event {
    /// Returns the newest time the event carries.
    pub fn time(&self) -> Option<&str> {
        self.last_timestamp.as_deref().or(self.event_time.as_deref()).or(self.first_timestamp.as_deref())
    }

    /// Reports whether the event is about the object `kind`/`name`.
    pub fn is_about(&self, kind: &str, name: &str) -> bool {
        self.involved_object.kind.as_deref() == Some(kind) && self.involved_object.name.as_deref() == Some(name)
    }

    /// Formats the event like a line of `kubectl get events`.
    pub fn describe(&self) -> String {
        let count = self.count.filter(|c| *c > 1).map(|c| format!(" (x{c})")).unwrap_or_default();
        format!(
            "{} {}{}: {}",
            self.type_.as_deref().unwrap_or("Normal"),
            self.reason.as_deref().unwrap_or(""),
            count,
            self.message.as_deref().unwrap_or("").trim()
        )
    }
}

/// A ConfigMap.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConfigMap {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Text data.
    #[serde(deserialize_with = "null_default")]
    pub data: BTreeMap<String, String>,
    /// Binary data, base64.
    #[serde(deserialize_with = "null_default")]
    pub binary_data: BTreeMap<String, String>,
}
resource!(ConfigMap, Some(""), "ConfigMap");

/// A Namespace.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Namespace {
    /// Metadata; namespace selectors match its labels.
    pub metadata: ObjectMeta,
}
resource!(Namespace, Some(""), "Namespace");

// ---- Monitoring ----------------------------------------------------------------------------

/// A prometheus-operator ServiceMonitor.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServiceMonitor {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The spec.
    pub spec: ServiceMonitorSpec,
}
resource!(ServiceMonitor, Some("monitoring.coreos.com"), "ServiceMonitor");

/// `spec` of a ServiceMonitor.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceMonitorSpec {
    /// The Services to scrape, by label.
    pub selector: LabelSelector,
    /// The namespaces to look in; `None` means the ServiceMonitor's own namespace.
    pub namespace_selector: Option<NamespaceSelector>,
    /// The endpoints to scrape.
    #[serde(deserialize_with = "null_default")]
    pub endpoints: Vec<MonitorEndpoint>,
}

/// The `namespaceSelector` of a ServiceMonitor.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NamespaceSelector {
    /// All namespaces.
    pub any: bool,
    /// These namespaces.
    #[serde(deserialize_with = "null_default")]
    pub match_names: Vec<String>,
}

impl NamespaceSelector {
    /// Reports whether this selector (as prometheus-operator reads it) covers `namespace`,
    /// given the ServiceMonitor's own namespace.
    pub fn covers(selector: Option<&NamespaceSelector>, own: &str, namespace: &str) -> bool {
        match selector {
            Some(s) if s.any => true,
            Some(s) if !s.match_names.is_empty() => s.match_names.iter().any(|n| n == namespace),
            _ => own == namespace,
        }
    }
}

/// An endpoint of a ServiceMonitor.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MonitorEndpoint {
    /// The Service port name to scrape.
    pub port: Option<String>,
    /// The pod port, by name or number (deprecated in favour of `port`).
    pub target_port: Option<IntOrString>,
    /// The path, `/metrics` by default.
    pub path: Option<String>,
    /// The scrape interval.
    pub interval: Option<String>,
    /// `http` or `https`.
    pub scheme: Option<String>,
}

/// A prometheus-operator Prometheus resource.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Prometheus {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The spec.
    pub spec: PrometheusSpec,
}
resource!(Prometheus, Some("monitoring.coreos.com"), "Prometheus");

/// `spec` of a Prometheus resource.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PrometheusSpec {
    /// Which ServiceMonitors it loads; a missing selector loads none.
    pub service_monitor_selector: Option<LabelSelector>,
    /// The namespaces it loads ServiceMonitors from; missing means its own namespace only.
    pub service_monitor_namespace_selector: Option<LabelSelector>,
    /// The service account it scrapes with.
    pub service_account_name: Option<String>,
}

// ---- Service mesh --------------------------------------------------------------------------

/// An Istio VirtualService.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VirtualService {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The spec.
    pub spec: VirtualServiceSpec,
}
resource!(VirtualService, Some("networking.istio.io"), "VirtualService");

/// `spec` of a VirtualService.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VirtualServiceSpec {
    /// The hosts it routes for.
    #[serde(deserialize_with = "null_default")]
    pub hosts: Vec<String>,
    /// HTTP routes.
    #[serde(deserialize_with = "null_default")]
    pub http: Vec<HttpRoute>,
}

/// An HTTP route of a VirtualService.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpRoute {
    /// The route's name.
    pub name: Option<String>,
    /// The match conditions, kept as JSON; an empty list matches all requests.
    #[serde(rename = "match", deserialize_with = "null_default")]
    pub match_: Vec<serde_json::Value>,
    /// The weighted destinations.
    #[serde(deserialize_with = "null_default")]
    pub route: Vec<RouteDestination>,
}

/// A weighted destination of a route.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RouteDestination {
    /// Where traffic goes.
    pub destination: Destination,
    /// The share of traffic in percent; `None` means all of it for a single destination.
    pub weight: Option<i64>,
}

/// A destination: a host and optionally a subset of a DestinationRule.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Destination {
    /// The Service host, short or fully qualified.
    pub host: String,
    /// A subset defined by a DestinationRule for this host.
    pub subset: Option<String>,
}

/// An Istio DestinationRule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DestinationRule {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The spec.
    pub spec: DestinationRuleSpec,
}
resource!(DestinationRule, Some("networking.istio.io"), "DestinationRule");

/// `spec` of a DestinationRule.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DestinationRuleSpec {
    /// The Service host.
    pub host: String,
    /// The subsets.
    #[serde(deserialize_with = "null_default")]
    pub subsets: Vec<Subset>,
}

/// A subset of a DestinationRule.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Subset {
    /// The subset's name.
    pub name: String,
    /// The pod labels that pick the subset.
    #[serde(deserialize_with = "null_default")]
    pub labels: Labels,
}

/// Reports whether a mesh host (`gg-core`, `gg-core.veritas`, `gg-core.veritas.svc.cluster.local`)
/// names the Service `service` in `namespace`, as Istio resolves short names from the
/// VirtualService's namespace.
pub fn host_is_service(host: &str, service: &str, namespace: &str) -> bool {
    let mut parts = host.split('.');
    let name = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    name == service && (rest.is_empty() || rest[0] == namespace)
}

// ---- GG-CORE custom resources --------------------------------------------------------------

/// A `VeritasCanary`, found by kind in whatever group the cluster serves it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VeritasCanary {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The spec.
    pub spec: CanarySpec,
    /// The status.
    pub status: CanaryStatus,
}
resource!(VeritasCanary, None, "VeritasCanary");

/// `spec` of a VeritasCanary.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CanarySpec {
    /// The share of traffic the canary gets, 0 to 100.
    pub traffic_weight: Option<i64>,
    /// Promotion settings.
    pub promotion: Promotion,
    /// Analysis settings.
    pub analysis: Analysis,
    /// The rollout steps.
    #[serde(deserialize_with = "null_default")]
    pub steps: Vec<CanaryStep>,
}

/// `spec.promotion` of a VeritasCanary.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Promotion {
    /// Promote automatically once analysis passes.
    pub auto: Option<bool>,
    /// Successful analyses needed before promotion.
    pub success_limit: Option<i64>,
    /// Wait for an approval annotation before promoting.
    pub require_approval: Option<bool>,
}

/// `spec.analysis` of a VeritasCanary.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Analysis {
    /// Time between analyses (`1m`).
    pub interval: Option<String>,
    /// Thresholds the canary must stay within.
    pub thresholds: Thresholds,
}

/// `spec.analysis.thresholds` of a VeritasCanary.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Thresholds {
    /// The highest error rate accepted, as a fraction (0.01) or a percentage string (`1%`).
    pub error_rate: Option<serde_json::Value>,
    /// The highest p99 latency accepted (`500ms`).
    pub latency_p99: Option<serde_json::Value>,
}

/// A step of a VeritasCanary.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CanaryStep {
    /// Set the traffic weight to this value.
    pub set_weight: Option<i64>,
    /// Pause for a duration, or until resumed when no duration is given.
    pub pause: Option<Pause>,
}

/// A pause step.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Pause {
    /// How long to pause; `None` pauses until resumed.
    pub duration: Option<String>,
}

/// `status` of a VeritasCanary.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CanaryStatus {
    /// `Progressing`, `Paused`, `Promoting`, `Succeeded`, `RollingBack` or `Failed`.
    pub phase: Option<String>,
    /// Conditions.
    #[serde(deserialize_with = "null_default")]
    pub conditions: Vec<Condition>,
    /// Successful analyses so far.
    pub success_count: Option<i64>,
    /// Past analyses, newest last, kept as JSON.
    #[serde(deserialize_with = "null_default")]
    pub analysis_history: Vec<serde_json::Value>,
    /// The generation the status describes.
    pub observed_generation: Option<i64>,
    /// The index of the current step.
    pub current_step: Option<i64>,
}

impl VeritasCanary {
    /// Returns the phase, `""` when the controller has not written one.
    pub fn phase(&self) -> &str {
        self.status.phase.as_deref().unwrap_or("")
    }
}

/// A `VeritasEnvironment`, found by kind in whatever group the cluster serves it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VeritasEnvironment {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The spec.
    pub spec: EnvironmentSpec,
    /// The status.
    pub status: EnvironmentStatus,
}
resource!(VeritasEnvironment, None, "VeritasEnvironment");

/// `spec` of a VeritasEnvironment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvironmentSpec {
    /// `blue` or `green`: the environment that should serve.
    pub active_environment: Option<String>,
    /// Switch settings.
    pub switch: SwitchSpec,
    /// Seconds the target's pods must be ready before the switch completes.
    pub min_ready_seconds: Option<i64>,
}

/// `spec.switch` of a VeritasEnvironment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SwitchSpec {
    /// The health check of the target environment.
    pub health_check: HealthCheck,
}

/// `spec.switch.healthCheck` of a VeritasEnvironment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HealthCheck {
    /// How long the switch waits for the target to become healthy (`10m`).
    pub timeout: Option<String>,
}

/// `status` of a VeritasEnvironment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvironmentStatus {
    /// `Stable`, `Switching` or `Failed`.
    pub phase: Option<String>,
    /// Progress of the switch in percent.
    pub switch_progress: Option<serde_json::Value>,
    /// Conditions.
    #[serde(deserialize_with = "null_default")]
    pub conditions: Vec<Condition>,
    /// The generation the status describes.
    pub observed_generation: Option<i64>,
    /// When the last switch started.
    pub last_switch_time: Option<String>,
    /// The environment serving now, as the controller sees it.
    pub active_environment: Option<String>,
}

impl VeritasEnvironment {
    /// Returns the phase, `""` when the controller has not written one.
    pub fn phase(&self) -> &str {
        self.status.phase.as_deref().unwrap_or("")
    }

    /// Returns the environment that is not `spec.activeEnvironment`: the standby.
    pub fn standby(&self) -> Option<&'static str> {
        match self.spec.active_environment.as_deref() {
            Some("blue") => Some("green"),
            Some("green") => Some("blue"),
            _ => None,
        }
    }
}

/// Reports whether a status written for `observed` is behind the spec's `generation`.
pub fn is_stale(generation: Option<i64>, observed: Option<i64>) -> bool {
    matches!((generation, observed), (Some(g), Some(o)) if o < g)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(json: &str) -> Pod {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn named_target_port_resolves_per_pod() {
        let port: ServicePort = serde_json::from_str(r#"{"name":"http","port":8080,"targetPort":"serving"}"#).unwrap();
        let stable = pod(r#"{"spec":{"containers":[{"name":"c","ports":[{"name":"serving","containerPort":8000}]}]}}"#);
        let canary = pod(r#"{"spec":{"containers":[{"name":"c","ports":[{"name":"serving","containerPort":8001}]}]}}"#);
        let renamed = pod(r#"{"spec":{"containers":[{"name":"c","ports":[{"name":"api","containerPort":8080}]}]}}"#);
        assert_eq!(port.resolve(&stable), Some(8000));
        assert_eq!(port.resolve(&canary), Some(8001));
        assert_eq!(port.resolve(&renamed), None);
    }

    #[test]
    fn missing_target_port_defaults_to_port() {
        let port: ServicePort = serde_json::from_str(r#"{"port":9090}"#).unwrap();
        assert_eq!(port.resolve(&Pod::default()), Some(9090));
    }

    #[test]
    fn null_ports_on_slice_read_as_empty() {
        let slice: EndpointSlice = serde_json::from_str(r#"{"metadata":{"name":"s"},"ports":null,"endpoints":null}"#).unwrap();
        assert!(slice.ports.is_empty());
        assert!(slice.endpoints.is_empty());
    }

    #[test]
    fn mesh_host_names_service_in_namespace() {
        assert!(host_is_service("gg-core", "gg-core", "veritas"));
        assert!(host_is_service("gg-core.veritas.svc.cluster.local", "gg-core", "veritas"));
        assert!(!host_is_service("gg-core.other.svc.cluster.local", "gg-core", "veritas"));
        assert!(!host_is_service("gg-core-canary", "gg-core", "veritas"));
    }
}
