//! NetworkPolicy semantics (`networking.k8s.io/v1`), as pure functions over parsed objects.
//!
//! The probe hands [`evaluate`] one connection (a source pod, a destination pod and the
//! destination port) and gets back whether the policies of the cluster allow it, with the
//! policies and rules that decide it, for evidence. The rules followed are those of the
//! Kubernetes API reference:
//!
//! - A pod is isolated for a direction only when some policy in its namespace selects it and
//!   has that direction among its `policyTypes`. Without `policyTypes`, every policy counts for
//!   ingress, and for egress only when its `egress` list is not empty.
//! - Policies are additive: a connection is allowed when any rule of any policy that selects
//!   the pod allows it. Traffic needs both the destination's ingress and the source's egress.
//! - `podSelector: {}` selects every pod of the policy's namespace. A rule without peers
//!   admits every peer; a rule without ports admits every port.
//! - A peer with only `podSelector` means pods of the policy's own namespace. A peer with only
//!   `namespaceSelector` means every pod of the matching namespaces, and one with both means
//!   pods matching the pod selector inside the matching namespaces. `ipBlock` matches
//!   addresses in its CIDR and outside its exceptions.
//! - A port is a number, a number range (`endPort`), or a container port name resolved against
//!   the destination pod's containers; the protocol defaults to TCP.
//!
//! Namespace selectors need namespace labels. When the Namespace objects are not available,
//! only `kubernetes.io/metadata.name` is known (the API server always sets it), and a selector
//! on any other key gives [`Verdict::Unknown`] instead of a guess.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ggcore_probe_sdk::selector::{LabelSelector, Labels, Requirement};
use ggcore_probe_sdk::views::{ContainerPort, IntOrString, ObjectMeta, null_default};
use serde::Deserialize;

/// The label the API server sets on every Namespace to its name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A NetworkPolicy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NetworkPolicy {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// The spec.
    pub spec: PolicySpec,
}

/// `spec` of a NetworkPolicy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicySpec {
    /// The pods the policy applies to; missing reads as `{}`, every pod of the namespace.
    pub pod_selector: Option<LabelSelector>,
    /// `Ingress`, `Egress` or both; empty means the default described in the module docs.
    #[serde(deserialize_with = "null_default")]
    pub policy_types: Vec<String>,
    /// The ingress rules.
    #[serde(deserialize_with = "null_default")]
    pub ingress: Vec<Rule>,
    /// The egress rules.
    #[serde(deserialize_with = "null_default")]
    pub egress: Vec<Rule>,
}

/// An ingress rule (`from`) or an egress rule (`to`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Rule {
    /// The peers; empty admits every peer.
    #[serde(rename = "from", alias = "to", deserialize_with = "null_default")]
    pub peers: Vec<Peer>,
    /// The ports; empty admits every port.
    #[serde(deserialize_with = "null_default")]
    pub ports: Vec<PolicyPort>,
}

/// A peer of a rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Peer {
    /// Pods by label.
    pub pod_selector: Option<LabelSelector>,
    /// Namespaces by label.
    pub namespace_selector: Option<LabelSelector>,
    /// Addresses by CIDR.
    pub ip_block: Option<IpBlock>,
}

/// An `ipBlock` peer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IpBlock {
    /// The range, such as `10.0.0.0/8`.
    pub cidr: String,
    /// Ranges inside `cidr` that are left out.
    #[serde(deserialize_with = "null_default")]
    pub except: Vec<String>,
}

/// A port of a rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicyPort {
    /// `TCP`, `UDP` or `SCTP`; missing means TCP.
    pub protocol: Option<String>,
    /// A number or a container port name; missing means every port of the protocol.
    pub port: Option<IntOrString>,
    /// The last port of a range starting at `port`.
    pub end_port: Option<i64>,
}

/// The direction of traffic a policy controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Traffic into the selected pods.
    Ingress,
    /// Traffic out of the selected pods.
    Egress,
}

impl Direction {
    /// Returns the name used in `policyTypes`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }

    fn rule_field(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

impl NetworkPolicy {
    /// Returns `namespace/name` for evidence.
    pub fn id(&self) -> String {
        format!("{}/{}", self.metadata.namespace(), self.metadata.name)
    }

    /// Returns the pod selector, a missing one read as `{}`.
    pub fn pod_selector(&self) -> LabelSelector {
        self.spec.pod_selector.clone().unwrap_or_default()
    }

    /// Reports whether the policy controls `direction`, applying the API server's default for
    /// an empty `policyTypes`.
    pub fn affects(&self, direction: Direction) -> bool {
        if self.spec.policy_types.is_empty() {
            return match direction {
                Direction::Ingress => true,
                Direction::Egress => !self.spec.egress.is_empty(),
            };
        }
        self.spec.policy_types.iter().any(|t| t == direction.name())
    }

    /// Returns the rules of `direction`.
    pub fn rules(&self, direction: Direction) -> &[Rule] {
        match direction {
            Direction::Ingress => &self.spec.ingress,
            Direction::Egress => &self.spec.egress,
        }
    }

    /// Reports whether the policy selects `pod`: same namespace, and its pod selector matches.
    pub fn selects(&self, pod: &PolicyPod) -> bool {
        self.metadata.namespace() == pod.namespace && self.pod_selector().matches(&pod.labels)
    }

    /// Reports whether the policy denies every connection of `direction` for every pod of its
    /// namespace: it selects all pods, controls the direction and has no rule for it.
    pub fn is_default_deny(&self, direction: Direction) -> bool {
        self.pod_selector().is_empty() && self.affects(direction) && self.rules(direction).is_empty()
    }

    /// Describes what the policy isolates, naming a default-deny as such.
    pub fn describe_isolation(&self, direction: Direction) -> String {
        let types = if self.spec.policy_types.is_empty() {
            format!("no policyTypes, so {} by default", direction.name())
        } else {
            format!("policyTypes [{}]", self.spec.policy_types.join(", "))
        };
        if self.is_default_deny(direction) {
            return format!(
                "NetworkPolicy `{}` is a default-deny for {} (podSelector {{}}, {types}, no {} rules)",
                self.id(),
                direction.rule_field(),
                direction.rule_field()
            );
        }
        format!(
            "NetworkPolicy `{}` selects it (podSelector {}, {types}) with {} {} rule(s)",
            self.id(),
            self.pod_selector(),
            self.rules(direction).len(),
            direction.rule_field()
        )
    }
}

/// A pod as the policies see it: its namespace, labels, addresses and container ports.
#[derive(Debug, Clone, Default)]
pub struct PolicyPod {
    /// The pod's name in evidence, for example ``pod `istio-system/istio-ingressgateway-7d9f` ``.
    pub description: String,
    /// The namespace.
    pub namespace: String,
    /// The labels.
    pub labels: Labels,
    /// The pod's addresses; `None` when unknown, as for a pod assumed rather than read.
    pub ips: Option<Vec<IpAddr>>,
    /// The container ports, which named policy ports resolve against.
    pub ports: Vec<ContainerPort>,
}

/// A port on the destination pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetPort {
    /// The container port number.
    pub number: i64,
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: String,
}

impl std::fmt::Display for TargetPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.number, self.protocol)
    }
}

/// The labels of the namespaces, from Namespace objects when they were read.
#[derive(Debug, Clone, Default)]
pub struct Namespaces {
    /// Labels by namespace name; a namespace missing here has only its name label.
    pub labels: BTreeMap<String, Labels>,
}

impl Namespaces {
    /// Builds the index from Namespace objects, adding the name label where it is missing.
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a ObjectMeta>) -> Namespaces {
        let mut labels = BTreeMap::new();
        for metadata in objects {
            let mut own = metadata.labels.clone();
            own.entry(NAMESPACE_NAME_LABEL.to_string()).or_insert_with(|| metadata.name.clone());
            labels.insert(metadata.name.clone(), own);
        }
        Namespaces { labels }
    }

    /// Matches a namespace selector against a namespace. A namespace missing from the index has
    /// only its name label; a requirement on another key is then unknown.
    fn matches(&self, selector: &LabelSelector, namespace: &str) -> Tri {
        if let Some(labels) = self.labels.get(namespace) {
            return Tri::from(selector.matches(labels));
        }
        let known: Labels = [(NAMESPACE_NAME_LABEL.to_string(), namespace.to_string())].into();
        let Some(requirements) = selector.requirements() else { return Tri::No };
        let mut result = Tri::Yes;
        for requirement in requirements {
            if requirement_key(&requirement) == NAMESPACE_NAME_LABEL {
                if !requirement.matches(&known) {
                    return Tri::No;
                }
            } else {
                result = Tri::Unknown;
            }
        }
        result
    }
}

fn requirement_key(requirement: &Requirement) -> &str {
    match requirement {
        Requirement::Equals(key, _)
        | Requirement::NotEquals(key, _)
        | Requirement::In(key, _)
        | Requirement::NotIn(key, _)
        | Requirement::Exists(key)
        | Requirement::DoesNotExist(key) => key,
    }
}

/// A three-valued match: yes, no, or cannot tell from what was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    Unknown,
}

impl From<bool> for Tri {
    fn from(value: bool) -> Tri {
        if value { Tri::Yes } else { Tri::No }
    }
}

impl Tri {
    fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
            _ => Tri::Yes,
        }
    }
}

/// A rule that allows a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowing {
    /// The policy, as `namespace/name`.
    pub policy: String,
    /// The rule's position, counted from 1.
    pub rule: usize,
    /// The peers and ports the rule admits, for evidence.
    pub admits: String,
}

/// The reasons a policy that isolates the pod does not allow the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Isolation {
    /// The policy, as `namespace/name`.
    pub policy: String,
    /// True when the policy is a default-deny for the direction.
    pub default_deny: bool,
    /// One line on the policy, then one line per rule saying why it does not apply.
    pub lines: Vec<String>,
}

/// The verdict of the policies on one direction of one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No policy isolates the pod in this direction, so everything is allowed.
    NotIsolated,
    /// Allowed by these rules.
    Allowed(Vec<Allowing>),
    /// The pod is isolated and no rule allows the connection.
    Denied(Vec<Isolation>),
    /// No rule allows it for certain, and some rule's verdict needs namespace labels or
    /// addresses that were not read.
    Unknown {
        /// The policies that isolate the pod, with their rules.
        isolations: Vec<Isolation>,
        /// The rules that may admit the connection, each with the data that was missing to tell.
        reasons: Vec<String>,
    },
}

impl Verdict {
    /// Reports whether the connection is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Verdict::NotIsolated | Verdict::Allowed(_))
    }
}

/// Decides whether the policies allow `peer` to reach `subject` (ingress) or `subject` to
/// reach `peer` (egress) on `port`, a port of the destination pod.
pub fn evaluate(policies: &[NetworkPolicy], namespaces: &Namespaces, direction: Direction, subject: &PolicyPod, peer: &PolicyPod, port: &TargetPort) -> Verdict {
    let destination = match direction {
        Direction::Ingress => subject,
        Direction::Egress => peer,
    };
    let isolating: Vec<&NetworkPolicy> = policies.iter().filter(|p| p.affects(direction) && p.selects(subject)).collect();
    if isolating.is_empty() {
        return Verdict::NotIsolated;
    }

    let mut allowing = Vec::new();
    let mut isolations = Vec::new();
    let mut unknown = Vec::new();
    for policy in isolating {
        let mut lines = vec![policy.describe_isolation(direction)];
        for (index, rule) in policy.rules(direction).iter().enumerate() {
            let number = index + 1;
            let (peers, peer_reason) = match_peers(rule, policy, namespaces, peer);
            let ports = match_ports(rule, destination, port);
            match (peers, ports) {
                (Tri::Yes, true) => allowing.push(Allowing { policy: policy.id(), rule: number, admits: describe_rule(rule, policy, direction) }),
                (Tri::Unknown, true) => {
                    let reason = format!("rule {number} of NetworkPolicy `{}` may admit {}: {peer_reason}", policy.id(), peer.description);
                    lines.push(format!("rule {number} may admit it: {peer_reason}"));
                    unknown.push(reason);
                }
                (_, false) => lines.push(format!(
                    "rule {number} admits ports {}, not {port}{}",
                    describe_ports(&rule.ports),
                    if peers == Tri::No { format!(", and its peers do not match: {peer_reason}") } else { String::new() }
                )),
                (_, true) => lines.push(format!("rule {number}: {peer_reason}")),
            }
        }
        isolations.push(Isolation { policy: policy.id(), default_deny: policy.is_default_deny(direction), lines });
    }

    if !allowing.is_empty() {
        Verdict::Allowed(allowing)
    } else if !unknown.is_empty() {
        Verdict::Unknown { isolations, reasons: unknown }
    } else {
        Verdict::Denied(isolations)
    }
}

/// Matches a rule's peers against `peer`, with a reason for evidence when not a plain yes.
fn match_peers(rule: &Rule, policy: &NetworkPolicy, namespaces: &Namespaces, peer: &PolicyPod) -> (Tri, String) {
    if rule.peers.is_empty() {
        return (Tri::Yes, "it admits every source".to_string());
    }
    let mut result = Tri::No;
    let mut reasons = Vec::new();
    for candidate in &rule.peers {
        let (matched, reason) = match_peer(candidate, policy, namespaces, peer);
        match matched {
            Tri::Yes => return (Tri::Yes, reason),
            Tri::Unknown => result = Tri::Unknown,
            Tri::No => {}
        }
        reasons.push(reason);
    }
    (result, reasons.join("; "))
}

fn match_peer(candidate: &Peer, policy: &NetworkPolicy, namespaces: &Namespaces, peer: &PolicyPod) -> (Tri, String) {
    let described = describe_peer(candidate, policy);
    let peer_name = &peer.description;

    if let Some(block) = &candidate.ip_block {
        // NOTE: the API leaves it to the network plugin whether ipBlock applies to traffic
        // between pods. This matches the pod's own address, so a plugin that sees a rewritten
        // source address may decide otherwise.
        return match &peer.ips {
            Some(ips) => {
                let inside = ips.iter().any(|ip| ip_block_contains(block, *ip));
                let listed: Vec<String> = ips.iter().map(ToString::to_string).collect();
                let addresses = if listed.is_empty() { "no address".to_string() } else { listed.join(", ") };
                let verb = if inside { "is inside" } else { "is not inside" };
                (Tri::from(inside), format!("{peer_name} ({addresses}) {verb} {described}"))
            }
            None if block.except.is_empty() && cidr_prefix(&block.cidr) == Some(0) => (Tri::Yes, format!("{described} covers every address")),
            None => (Tri::Unknown, format!("the address of {peer_name} is not known, so {described} cannot be matched")),
        };
    }

    let namespace_match = match &candidate.namespace_selector {
        None if candidate.pod_selector.is_none() => return (Tri::No, "a peer without podSelector, namespaceSelector or ipBlock admits nothing".to_string()),
        None => Tri::from(peer.namespace == policy.metadata.namespace()),
        Some(selector) => namespaces.matches(selector, &peer.namespace),
    };
    let pod_match = match &candidate.pod_selector {
        None => Tri::Yes,
        Some(selector) => Tri::from(selector.matches(&peer.labels)),
    };
    let matched = namespace_match.and(pod_match);
    let reason = match (namespace_match, pod_match) {
        (Tri::Yes, Tri::Yes) => format!("{described} matches {peer_name}"),
        (Tri::No, _) => format!("{described} does not include namespace `{}`", peer.namespace),
        (_, Tri::No) => {
            let unmet: Vec<String> = candidate.pod_selector.as_ref().map(|s| s.unmet(&peer.labels)).unwrap_or_default().iter().map(ToString::to_string).collect();
            format!("{described} does not match {peer_name} (labels {}; misses {})", ggcore_probe_sdk::selector::format_labels(&peer.labels), unmet.join(", "))
        }
        _ => format!("{described} needs labels of namespace `{}`, which were not read", peer.namespace),
    };
    (matched, reason)
}

/// Reports whether a rule admits `port`, resolving named ports against the destination pod.
fn match_ports(rule: &Rule, destination: &PolicyPod, port: &TargetPort) -> bool {
    rule.ports.is_empty() || rule.ports.iter().any(|p| port_admits(p, destination, port))
}

fn port_admits(policy_port: &PolicyPort, destination: &PolicyPod, port: &TargetPort) -> bool {
    let protocol = policy_port.protocol.as_deref().unwrap_or("TCP");
    if !protocol.eq_ignore_ascii_case(&port.protocol) {
        return false;
    }
    let Some(value) = &policy_port.port else { return true };
    match value.as_number() {
        Some(first) => match policy_port.end_port {
            Some(last) => (first..=last).contains(&port.number),
            None => first == port.number,
        },
        None => {
            let IntOrString::String(name) = value else { return false };
            destination
                .ports
                .iter()
                .filter(|p| p.name.as_deref() == Some(name.as_str()))
                .filter(|p| p.protocol.as_deref().unwrap_or("TCP").eq_ignore_ascii_case(protocol))
                .any(|p| p.container_port == port.number)
        }
    }
}

/// Describes a rule's peers and ports, for the evidence of an allowing rule.
pub fn describe_rule(rule: &Rule, policy: &NetworkPolicy, direction: Direction) -> String {
    let word = match direction {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    };
    let peers = if rule.peers.is_empty() {
        "every source".to_string()
    } else {
        rule.peers.iter().map(|p| describe_peer(p, policy)).collect::<Vec<_>>().join(" or ")
    };
    format!("{word} {peers} on ports {}", describe_ports(&rule.ports))
}

/// Describes a peer in words, naming the namespace a bare pod selector refers to.
pub fn describe_peer(peer: &Peer, policy: &NetworkPolicy) -> String {
    if let Some(block) = &peer.ip_block {
        return if block.except.is_empty() {
            format!("ipBlock {}", block.cidr)
        } else {
            format!("ipBlock {} except {}", block.cidr, block.except.join(", "))
        };
    }
    match (&peer.pod_selector, &peer.namespace_selector) {
        (Some(pods), None) => format!("pods {pods} in namespace `{}`", policy.metadata.namespace()),
        (None, Some(namespaces)) => format!("every pod in namespaces {namespaces}"),
        (Some(pods), Some(namespaces)) => format!("pods {pods} in namespaces {namespaces}"),
        (None, None) => "an empty peer".to_string(),
    }
}

/// Describes a rule's ports: `all` when there are none.
pub fn describe_ports(ports: &[PolicyPort]) -> String {
    if ports.is_empty() {
        return "all".to_string();
    }
    let described: Vec<String> = ports
        .iter()
        .map(|p| {
            let protocol = p.protocol.as_deref().unwrap_or("TCP");
            match (&p.port, p.end_port) {
                (None, _) => format!("all/{protocol}"),
                (Some(port), Some(last)) => format!("{port}-{last}/{protocol}"),
                (Some(port), None) => format!("{port}/{protocol}"),
            }
        })
        .collect();
    described.join(", ")
}

/// Reports whether `pod` is isolated for ingress and no rule of the policies that select it
/// admits `port` from any source, so no client at all can reach the port.
pub fn closed_to_all(policies: &[NetworkPolicy], pod: &PolicyPod, port: &TargetPort) -> bool {
    let isolating: Vec<&NetworkPolicy> = policies.iter().filter(|p| p.affects(Direction::Ingress) && p.selects(pod)).collect();
    !isolating.is_empty() && isolating.iter().all(|p| !p.rules(Direction::Ingress).iter().any(|rule| admits_anyone(rule, pod, port)))
}

/// Reports whether a rule admits `port` from some source: its ports match and it has no
/// peers (everyone) or a peer that is not empty.
fn admits_anyone(rule: &Rule, destination: &PolicyPod, port: &TargetPort) -> bool {
    let some_peer = rule.peers.is_empty() || rule.peers.iter().any(|p| p.pod_selector.is_some() || p.namespace_selector.is_some() || p.ip_block.is_some());
    some_peer && match_ports(rule, destination, port)
}

/// Returns the policies that would allow the connection if they selected `subject`, each with
/// the pod selector requirements the subject misses: the near misses behind a denial.
pub fn near_misses(policies: &[NetworkPolicy], namespaces: &Namespaces, direction: Direction, subject: &PolicyPod, peer: &PolicyPod, port: &TargetPort) -> Vec<String> {
    let destination = match direction {
        Direction::Ingress => subject,
        Direction::Egress => peer,
    };
    policies
        .iter()
        .filter(|p| p.metadata.namespace() == subject.namespace && p.affects(direction) && !p.selects(subject))
        .filter(|p| p.rules(direction).iter().any(|r| match_peers(r, p, namespaces, peer).0 == Tri::Yes && match_ports(r, destination, port)))
        .map(|p| {
            let selector = p.pod_selector();
            let unmet: Vec<String> = selector.unmet(&subject.labels).iter().map(ToString::to_string).collect();
            format!(
                "NetworkPolicy `{}` would allow it, but its podSelector {selector} does not select {} (misses {})",
                p.id(),
                subject.description,
                if unmet.is_empty() { "an expression with an unknown operator".to_string() } else { unmet.join(", ") }
            )
        })
        .collect()
}

/// Reports whether an address is inside an `ipBlock`: inside its CIDR and no exception.
/// A CIDR that does not parse contains nothing.
pub fn ip_block_contains(block: &IpBlock, ip: IpAddr) -> bool {
    cidr_contains(&block.cidr, ip) && !block.except.iter().any(|except| cidr_contains(except, ip))
}

fn cidr_prefix(cidr: &str) -> Option<u32> {
    cidr.split_once('/').and_then(|(_, prefix)| prefix.parse().ok())
}

/// Reports whether `ip` is inside `cidr` (`10.0.0.0/8`, `fd00::/8`); families must agree.
pub fn cidr_contains(cidr: &str, ip: IpAddr) -> bool {
    let Some((network, prefix)) = cidr.split_once('/') else { return false };
    let (Ok(network), Ok(prefix)) = (network.parse::<IpAddr>(), prefix.parse::<u32>()) else { return false };
    match (network, ip) {
        (IpAddr::V4(network), IpAddr::V4(ip)) if prefix <= 32 => {
            let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
            u32::from(network) & mask == u32::from(ip) & mask
        }
        (IpAddr::V6(network), IpAddr::V6(ip)) if prefix <= 128 => {
            let mask = if prefix == 0 { 0 } else { u128::MAX << (128 - prefix) };
            u128::from(network) & mask == u128::from(ip) & mask
        }
        _ => false,
    }
}

/// The result of both directions of one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The destination's ingress verdict.
    pub ingress: Verdict,
    /// The source's egress verdict.
    pub egress: Verdict,
}

impl Connection {
    /// Evaluates a connection from `source` to `destination` on `port`.
    pub fn evaluate(policies: &[NetworkPolicy], namespaces: &Namespaces, source: &PolicyPod, destination: &PolicyPod, port: &TargetPort) -> Connection {
        Connection {
            ingress: evaluate(policies, namespaces, Direction::Ingress, destination, source, port),
            egress: evaluate(policies, namespaces, Direction::Egress, source, destination, port),
        }
    }

    /// Reports whether both directions allow the connection.
    pub fn is_allowed(&self) -> bool {
        self.ingress.is_allowed() && self.egress.is_allowed()
    }

    /// Reports whether some direction denies the connection for certain.
    pub fn is_denied(&self) -> bool {
        matches!(self.ingress, Verdict::Denied(_)) || matches!(self.egress, Verdict::Denied(_))
    }
}

#[cfg(test)]
mod tests;
