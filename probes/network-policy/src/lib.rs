//! `network-policy`: do NetworkPolicies let the canary's traffic in, and Prometheus reach the
//! metrics port of every GG-CORE pod?
//!
//! Implements the Cause row "NetworkPolicy blocking" of "Canary Not Receiving Traffic" and of
//! "Metrics Not Reporting". The probe reads every NetworkPolicy, pairs the canary pods with
//! their clients (the mesh's ingress gateway, other pods of the namespace) on the serving
//! port, and every GG-CORE pod with the Prometheus servers on the metrics port, and evaluates
//! with [`policy`] whether the destination's ingress and the client's egress allow each pair.
//!
//! Verdicts for `canary-no-traffic`: `fail` when no rule admits the canary's serving port at
//! all, when the ingress gateway is denied, or (without a gateway) when a pod that reaches the
//! stable pods is denied at the canary; `warn` for that last case beside a working gateway.
//! For `no-metrics`: `fail` when some pod's metrics port is closed to every Prometheus, `warn`
//! when only some Prometheus servers are denied. A verdict that needs labels or addresses the
//! snapshot lacks is `inconclusive`; no NetworkPolicy at all is a `pass`.

mod policy;
mod traffic;

use ggcore_probe_sdk::backend::ListOptions;
use ggcore_probe_sdk::prelude::*;
use serde_json::Value;

use policy::{Connection, Direction, Namespaces, NetworkPolicy, PolicyPod, Verdict, closed_to_all, near_misses};
use traffic::{Client, ResolvedPort, Role, distinct_by_labels, is_finished, policy_pod, resolve_port};

const CANARY_SYMPTOM: &str = "canary-no-traffic";
const METRICS_SYMPTOM: &str = "no-metrics";
const BLOCKING: &str = "networkpolicy-blocking";

/// The most denied connections a finding explains in full; the rest are counted.
const EXPLAINED: usize = 3;

impl Resource for NetworkPolicy {
    const KIND: Kind = Kind::new("networking.k8s.io", "NetworkPolicy");

    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
}

struct NetworkPolicyProbe;

impl Probe for NetworkPolicyProbe {
    fn describe() -> Descriptor {
        describe("network-policy")
            .title("NetworkPolicies let traffic reach the canary and Prometheus reach the metrics port")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Canary Not Receiving Traffic and Metrics Not Reporting: NetworkPolicy blocking")
            .reads(&[NetworkPolicy::KIND, Pod::KIND, Namespace::KIND, Service::KIND, Prometheus::KIND, VirtualService::KIND])
            .reports(CANARY_SYMPTOM, &[BLOCKING])
            .reports(METRICS_SYMPTOM, &[BLOCKING])
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let policies: Vec<NetworkPolicy> = match cx.list_in(None, None) {
            Ok(policies) => policies,
            Err(error) => {
                report_unreadable(cx, "NetworkPolicies", &error);
                return Ok(());
            }
        };
        if policies.is_empty() {
            for symptom in [CANARY_SYMPTOM, METRICS_SYMPTOM] {
                cx.report(pass(symptom, BLOCKING).summary("no NetworkPolicy in any namespace, so no pod is isolated"));
            }
            return Ok(());
        }

        let pods: Vec<Pod> = match cx.list(None) {
            Ok(pods) => pods,
            Err(error) => {
                report_unreadable(cx, "Pods", &error);
                return Ok(());
            }
        };
        let (namespaces, namespace_note) = match cx.list_in::<Namespace>(None, None) {
            Ok(list) if !list.is_empty() => (Namespaces::from_objects(list.iter().map(|n| &n.metadata)), None),
            Ok(_) => (Namespaces::default(), Some("no Namespace objects were read, so namespace selectors see only the label kubernetes.io/metadata.name".to_string())),
            Err(error) => (
                Namespaces::default(),
                Some(format!("Namespace objects are not readable ({}), so namespace selectors see only the label kubernetes.io/metadata.name", error.message())),
            ),
        };
        let services: Vec<Service> = cx.list(None).unwrap_or_else(|error| {
            cx.warn(format!("cannot read Services, so ports resolve from container ports only: {}", error.message()));
            Vec::new()
        });

        let world = World { policies, namespaces, namespace_note, pods, services };
        check_canary(cx, &world);
        check_metrics(cx, &world);
        Ok(())
    }
}

/// The objects both checks read.
struct World {
    policies: Vec<NetworkPolicy>,
    namespaces: Namespaces,
    namespace_note: Option<String>,
    pods: Vec<Pod>,
    services: Vec<Service>,
}

/// One checked connection: a client, a destination pod and port, and the verdict.
struct Checked<'a> {
    client: &'a Client,
    target: PolicyPod,
    port: ResolvedPort,
    connection: Connection,
}

impl Checked<'_> {
    fn is_denied(&self) -> bool {
        self.connection.is_denied()
    }

    fn is_unknown(&self) -> bool {
        !self.connection.is_allowed() && !self.connection.is_denied()
    }
}

fn report_unreadable(cx: &mut Context, objects: &str, error: &HostError) {
    for symptom in [CANARY_SYMPTOM, METRICS_SYMPTOM] {
        cx.report(
            inconclusive(symptom, Some(BLOCKING))
                .summary(format!("cannot read {objects}, so NetworkPolicy isolation cannot be judged"))
                .evidence(error.message()),
        );
    }
}

// ---- canary-no-traffic ---------------------------------------------------------------------

fn check_canary(cx: &mut Context, world: &World) {
    let namespace = cx.namespace().to_string();
    let profile = cx.profile().clone();
    let canary_selector = match Selector::parse(&profile.canary_selector) {
        Ok(selector) => selector,
        Err(error) => {
            cx.report(inconclusive(CANARY_SYMPTOM, Some(BLOCKING)).summary(format!("the profile's canary selector does not parse: {error}")));
            return;
        }
    };
    let canaries: Vec<&Pod> = world.pods.iter().filter(|p| !is_finished(p) && canary_selector.matches(&p.metadata.labels)).collect();
    if canaries.is_empty() {
        cx.report(skip(CANARY_SYMPTOM, Some(BLOCKING)).summary(format!("no pod matches `{}` in `{namespace}`: no canary to reach", profile.canary_selector)));
        return;
    }

    let (clients, mut notes) = serving_clients(cx, world, &canary_selector);
    let stable_selector = Selector::parse(&profile.stable_selector).unwrap_or_default();
    let stables: Vec<&Pod> = distinct_by_labels(world.pods.iter().filter(|p| !is_finished(p) && stable_selector.matches(&p.metadata.labels)));
    let has_gateway = clients.iter().any(|c| c.role == Role::Gateway);

    let mut closed = Vec::new();
    let mut checked = Vec::new();
    for pod in distinct_by_labels(canaries.iter().copied()) {
        let port = resolve_port(pod, &world.services, profile.http_port, "http");
        let target = policy_pod(pod, "canary pod");
        if closed_to_all(&world.policies, &target, &port.target) {
            closed.push((target.clone(), port.clone()));
        }
        for client in &clients {
            let connection = Connection::evaluate(&world.policies, &world.namespaces, &client.pod, &target, &port.target);
            checked.push(Checked { client, target: target.clone(), port: port.clone(), connection });
        }
    }

    // A pod denied at the canary matters when it reaches a stable pod: the policies then treat
    // the canary differently from the stable pods it should mirror.
    let reaches_stable = |client: &Client| {
        stables.iter().any(|stable| {
            let port = resolve_port(stable, &world.services, profile.http_port, "http");
            Connection::evaluate(&world.policies, &world.namespaces, &client.pod, &policy_pod(stable, "stable pod"), &port.target).is_allowed()
        })
    };
    let denied: Vec<&Checked> = checked.iter().filter(|c| c.is_denied()).collect();
    let gateway_denied: Vec<&Checked> = denied.iter().copied().filter(|c| c.client.role == Role::Gateway).collect();
    let neighbours_denied: Vec<&Checked> = denied.iter().copied().filter(|c| c.client.role == Role::Neighbour && reaches_stable(c.client)).collect();
    let unknown: Vec<&Checked> = checked.iter().filter(|c| c.is_unknown()).collect();
    if let Some(note) = &world.namespace_note {
        notes.push(note.clone());
    }

    let mut evidence = Vec::new();
    for (target, port) in &closed {
        evidence.push(format!("{} is isolated for ingress and no rule admits its serving port {port} from any source", target.description));
        evidence.extend(isolation_lines(world, target));
    }
    let explained: Vec<&Checked> = gateway_denied.iter().chain(&neighbours_denied).copied().collect();
    evidence.extend(explain_all(world, &explained));

    let canary_names = names(&canaries);
    let finding = if !closed.is_empty() || !gateway_denied.is_empty() || (!neighbours_denied.is_empty() && !has_gateway) {
        let summary = if let Some((target, port)) = closed.first() {
            format!("NetworkPolicies close the serving port {} of {} to every client", port.target, target.description)
        } else if let Some(first) = gateway_denied.first() {
            format!("NetworkPolicies deny {} to {} on port {}", first.client.pod.description, first.target.description, first.port.target)
        } else {
            let first = neighbours_denied[0];
            format!("NetworkPolicies deny {} to the canary but let it reach the stable pods", first.client.pod.description)
        };
        fail(CANARY_SYMPTOM, BLOCKING).summary(summary)
    } else if !neighbours_denied.is_empty() {
        let first = neighbours_denied[0];
        warn(CANARY_SYMPTOM, BLOCKING).summary(format!(
            "the ingress gateway reaches the canary, but NetworkPolicies deny {} to the canary while it reaches the stable pods",
            first.client.pod.description
        ))
    } else if !unknown.is_empty() {
        evidence.extend(unknown.iter().flat_map(|c| unknown_lines(c)));
        inconclusive(CANARY_SYMPTOM, Some(BLOCKING)).summary(format!("cannot tell whether NetworkPolicies admit every client of canary pods {canary_names}"))
    } else {
        evidence.extend(allowed_lines(&checked));
        pass(CANARY_SYMPTOM, BLOCKING).summary(format!("NetworkPolicies admit the canary's clients on the serving port of {canary_names}"))
    };

    let blocked_first = closed.first().map(|(t, p)| (t.clone(), p.clone(), None)).or_else(|| explained.first().map(|c| (c.target.clone(), c.port.clone(), Some(c))));
    let mut finding = finding.evidence_lines(evidence).evidence_lines(notes);
    for pod in &canaries {
        finding = finding.object("Pod", &pod.metadata);
    }
    if let Some((target, port, checked)) = blocked_first {
        let snippet = match checked {
            Some(c) if matches!(c.connection.ingress, Verdict::Denied(_)) || !matches!(c.connection.egress, Verdict::Denied(_)) => {
                ingress_snippet("allow-gg-core-canary", &namespace, &traffic::match_labels(&profile.canary_selector, &target.labels), Some(c.client), &port)
            }
            Some(c) => egress_snippet(c.client, &target, &port),
            None => ingress_snippet("allow-gg-core-canary", &namespace, &traffic::match_labels(&profile.canary_selector, &target.labels), clients.first(), &port),
        };
        finding = finding
            .resolution(format!("Add rule allowing traffic to canary, for example:\n{snippet}"))
            .next_command(format!("kubectl get networkpolicy -n {namespace} -o yaml"));
    }
    cx.report(finding);
}

/// Finds the clients of the canary's serving port: the ingress gateway pods (assumed from the
/// VirtualServices' gateways when none is in the snapshot) and the other pods of the namespace.
fn serving_clients(cx: &Context, world: &World, canary: &Selector) -> (Vec<Client>, Vec<String>) {
    let namespace = cx.namespace().to_string();
    let mut notes = Vec::new();
    let mut gateways: Vec<Pod> = Vec::new();
    for selector in traffic::GATEWAY_SELECTORS {
        match cx.list_in::<Pod>(None, Some(selector)) {
            Ok(found) => {
                for pod in found {
                    if !gateways.iter().any(|g| g.metadata.name == pod.metadata.name && g.metadata.namespace == pod.metadata.namespace) {
                        gateways.push(pod);
                    }
                }
            }
            Err(error) => notes.push(format!("cannot list ingress gateway pods ({selector}): {}", error.message())),
        }
    }

    let mut clients: Vec<Client> = distinct_by_labels(gateways.iter().filter(|p| !is_finished(p)))
        .into_iter()
        .map(|pod| Client { pod: policy_pod(pod, "ingress gateway pod"), role: Role::Gateway, assumed: false })
        .collect();
    if clients.is_empty() {
        let options = ListOptions { namespace: Some(namespace.clone()), label_selector: None, field_selector: None };
        match cx.list_kind::<Value>(VirtualService::KIND, &options) {
            Ok(virtual_services) => {
                for gateway_namespace in traffic::gateway_namespaces(&virtual_services) {
                    notes.push(format!("no ingress gateway pod is in the snapshot; a VirtualService routes through a gateway in `{gateway_namespace}`, so a pod with Istio's default gateway labels is assumed there"));
                    clients.push(traffic::assumed_gateway(&gateway_namespace));
                }
            }
            Err(error) => notes.push(format!("cannot read VirtualServices to find the ingress gateway: {}", error.message())),
        }
    }

    let neighbours = world.pods.iter().filter(|p| !is_finished(p) && !canary.matches(&p.metadata.labels));
    for pod in distinct_by_labels(neighbours) {
        clients.push(Client { pod: policy_pod(pod, "pod"), role: Role::Neighbour, assumed: false });
    }
    (clients, notes)
}

// ---- no-metrics ----------------------------------------------------------------------------

fn check_metrics(cx: &mut Context, world: &World) {
    let namespace = cx.namespace().to_string();
    let profile = cx.profile().clone();
    let app = Selector::parse(&profile.app_selector).unwrap_or_default();
    let targets: Vec<&Pod> = world.pods.iter().filter(|p| !is_finished(p) && app.matches(&p.metadata.labels)).collect();
    if targets.is_empty() {
        cx.report(skip(METRICS_SYMPTOM, Some(BLOCKING)).summary(format!("no pod matches `{}` in `{namespace}`: no metrics port to reach", profile.app_selector)));
        return;
    }

    let (clients, mut notes) = prometheus_clients(cx, &profile.prometheus_selector);
    if let Some(note) = &world.namespace_note {
        notes.push(note.clone());
    }
    if clients.is_empty() {
        cx.report(
            inconclusive(METRICS_SYMPTOM, Some(BLOCKING))
                .summary(format!("no pod matches `{}` and no Prometheus resource exists, so the scraping client is unknown", profile.prometheus_selector))
                .evidence_lines(notes),
        );
        return;
    }

    let mut closed = Vec::new();
    let mut checked = Vec::new();
    for pod in distinct_by_labels(targets.iter().copied()) {
        let port = resolve_port(pod, &world.services, profile.metrics_port, "metrics");
        let target = policy_pod(pod, "pod");
        if closed_to_all(&world.policies, &target, &port.target) {
            closed.push((target.clone(), port.clone()));
        }
        for client in &clients {
            let connection = Connection::evaluate(&world.policies, &world.namespaces, &client.pod, &target, &port.target);
            checked.push(Checked { client, target: target.clone(), port: port.clone(), connection });
        }
    }

    // A pod denied to every Prometheus has no metrics at all. A pod denied to some of them is
    // missing only from the instances that cannot reach it.
    let mut cut_off: Vec<&PolicyPod> = Vec::new();
    let mut partly: Vec<&PolicyPod> = Vec::new();
    for (target, _) in &closed {
        cut_off.push(target);
    }
    for chunk in checked.chunks(clients.len()) {
        let target = &chunk[0].target;
        let denied = chunk.iter().filter(|c| c.is_denied()).count();
        if denied == chunk.len() && !cut_off.iter().any(|t| t.description == target.description) {
            cut_off.push(target);
        } else if denied > 0 && denied < chunk.len() {
            partly.push(target);
        }
    }
    let denied: Vec<&Checked> = checked.iter().filter(|c| c.is_denied()).collect();
    let unknown: Vec<&Checked> = checked.iter().filter(|c| c.is_unknown()).collect();

    let mut evidence = Vec::new();
    for (target, port) in &closed {
        evidence.push(format!("{} is isolated for ingress and no rule admits its metrics port {port} from any source", target.description));
        evidence.extend(isolation_lines(world, target));
    }
    evidence.extend(explain_all(world, &denied));

    let target_names = |pods: &[&PolicyPod]| pods.iter().map(|p| p.description.clone()).collect::<Vec<_>>().join(", ");
    let finding = if !cut_off.is_empty() {
        fail(METRICS_SYMPTOM, BLOCKING).summary(format!("NetworkPolicies deny every Prometheus access to the metrics port of {}", target_names(&cut_off)))
    } else if !partly.is_empty() {
        warn(METRICS_SYMPTOM, BLOCKING).summary(format!("NetworkPolicies deny some Prometheus servers access to the metrics port of {}", target_names(&partly)))
    } else if !unknown.is_empty() {
        evidence.extend(unknown.iter().flat_map(|c| unknown_lines(c)));
        inconclusive(METRICS_SYMPTOM, Some(BLOCKING)).summary("cannot tell whether NetworkPolicies admit Prometheus to every GG-CORE metrics port")
    } else {
        evidence.extend(allowed_lines(&checked));
        pass(METRICS_SYMPTOM, BLOCKING).summary(format!("NetworkPolicies admit Prometheus to the metrics port of every GG-CORE pod ({} checked)", targets.len()))
    };

    let mut finding = finding.evidence_lines(evidence).evidence_lines(notes);
    let first = closed.first().map(|(t, p)| (t.clone(), p.clone(), None)).or_else(|| denied.first().map(|c| (c.target.clone(), c.port.clone(), Some(*c))));
    if let Some((target, port, checked)) = first {
        let client = checked.map(|c| c.client).or(clients.first());
        let snippet = match checked {
            Some(c) if !matches!(c.connection.ingress, Verdict::Denied(_)) => egress_snippet(c.client, &target, &port),
            _ => ingress_snippet("allow-prometheus-scrape", &namespace, &traffic::match_labels(&profile.app_selector, &target.labels), client, &port),
        };
        finding = finding
            .resolution(format!("Add an ingress rule allowing Prometheus to reach the metrics port, for example:\n{snippet}"))
            .next_command(format!("kubectl get networkpolicy -n {namespace} -o yaml"));
    }
    cx.report(finding);
}

/// Finds the Prometheus servers: pods matching the profile's selector in any namespace, and a
/// pod assumed for each Prometheus resource whose namespace contains none of them.
fn prometheus_clients(cx: &Context, selector: &str) -> (Vec<Client>, Vec<String>) {
    let mut notes = Vec::new();
    let pods: Vec<Pod> = cx.list_in(None, Some(selector)).unwrap_or_else(|error| {
        notes.push(format!("cannot list Prometheus pods ({selector}): {}", error.message()));
        Vec::new()
    });
    let mut clients: Vec<Client> = distinct_by_labels(pods.iter().filter(|p| !is_finished(p)))
        .into_iter()
        .map(|pod| Client { pod: policy_pod(pod, "Prometheus pod"), role: Role::Prometheus, assumed: false })
        .collect();

    let options = ListOptions { namespace: None, label_selector: None, field_selector: None };
    match cx.list_kind::<Value>(Prometheus::KIND, &options) {
        Ok(resources) => {
            for resource in &resources {
                let namespace = resource["metadata"]["namespace"].as_str().unwrap_or_default();
                if clients.iter().any(|c| c.pod.namespace == namespace) {
                    continue;
                }
                if let Some(client) = traffic::assumed_prometheus(resource) {
                    clients.push(client);
                }
            }
        }
        Err(error) => notes.push(format!("cannot read Prometheus resources: {}", error.message())),
    }
    (clients, notes)
}

// ---- evidence and snippets -----------------------------------------------------------------

fn names(pods: &[&Pod]) -> String {
    pods.iter().map(|p| format!("`{}`", p.metadata.name)).collect::<Vec<_>>().join(", ")
}

/// Lists the policies that isolate `target` for ingress and what each rule admits, for a
/// port closed to everyone.
fn isolation_lines(world: &World, target: &PolicyPod) -> Vec<String> {
    let mut lines = Vec::new();
    for policy in world.policies.iter().filter(|p| p.affects(Direction::Ingress) && p.selects(target)) {
        lines.push(format!("  {}", policy.describe_isolation(Direction::Ingress)));
        for (index, rule) in policy.rules(Direction::Ingress).iter().enumerate() {
            lines.push(format!("    rule {} admits {}", index + 1, policy::describe_rule(rule, policy, Direction::Ingress)));
        }
    }
    lines
}

fn indent_isolations(isolations: &[policy::Isolation], indent: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for isolation in isolations {
        for (index, line) in isolation.lines.iter().enumerate() {
            let extra = if index == 0 { "" } else { "  " };
            lines.push(format!("{indent}{extra}{line}"));
        }
    }
    lines
}

/// Explains the first denied connections in full and counts the rest.
fn explain_all(world: &World, denied: &[&Checked]) -> Vec<String> {
    let mut lines = Vec::new();
    for checked in denied.iter().take(EXPLAINED) {
        lines.extend(explain(world, checked));
    }
    if denied.len() > EXPLAINED {
        lines.push(format!("{} more denied connections are not shown", denied.len() - EXPLAINED));
    }
    lines
}

/// Explains one denied connection: which direction denies it, the isolating policies with why
/// each rule does not apply, and the policies that would allow it if they selected the pod.
fn explain(world: &World, checked: &Checked) -> Vec<String> {
    let client = &checked.client.pod;
    let target = &checked.target;
    let mut lines = vec![format!("{} cannot reach {} on port {}", client.description, target.description, checked.port)];
    if let Verdict::Denied(isolations) = &checked.connection.ingress {
        lines.push(format!("  ingress of {} is denied:", target.description));
        lines.extend(indent_isolations(isolations, "    "));
        let port = &checked.port.target;
        lines.extend(near_misses(&world.policies, &world.namespaces, Direction::Ingress, target, client, port).into_iter().map(|l| format!("    {l}")));
    }
    if let Verdict::Denied(isolations) = &checked.connection.egress {
        lines.push(format!("  egress of {} is denied:", client.description));
        lines.extend(indent_isolations(isolations, "    "));
        let port = &checked.port.target;
        lines.extend(near_misses(&world.policies, &world.namespaces, Direction::Egress, client, target, port).into_iter().map(|l| format!("    {l}")));
    }
    if checked.client.assumed {
        lines.push(format!("  {} is assumed, so the verdict rests on its assumed labels", client.description));
    }
    lines
}

fn unknown_lines(checked: &Checked) -> Vec<String> {
    let mut lines = Vec::new();
    for verdict in [&checked.connection.ingress, &checked.connection.egress] {
        if let Verdict::Unknown { reasons, .. } = verdict {
            lines.extend(reasons.iter().cloned());
        }
    }
    lines
}

/// Names the rules that let each client in, one line per allowed client and pod.
fn allowed_lines(checked: &[Checked]) -> Vec<String> {
    let mut lines = Vec::new();
    for c in checked.iter().filter(|c| c.connection.is_allowed()) {
        let allowed_by = match &c.connection.ingress {
            Verdict::Allowed(rules) => rules.iter().map(|r| format!("NetworkPolicy `{}` rule {} admits {}", r.policy, r.rule, r.admits)).collect::<Vec<_>>().join("; "),
            _ => "no NetworkPolicy isolates it for ingress".to_string(),
        };
        lines.push(format!("{} reaches {} on port {}: {allowed_by}", c.client.pod.description, c.target.description, c.port.target));
    }
    let alike = checked.iter().filter(|c| c.is_denied()).count();
    if alike > 0 {
        lines.push(format!("{alike} other connection(s) are denied at the canary and at the stable pods alike"));
    }
    lines
}

/// Formats a NetworkPolicy that admits `client` to the pods matching `pod_labels` on `port`.
fn ingress_snippet(name: &str, namespace: &str, pod_labels: &Labels, client: Option<&Client>, port: &ResolvedPort) -> String {
    let peer = match client {
        Some(c) if c.pod.namespace == namespace => "podSelector: {}".to_string(),
        Some(c) => format!("namespaceSelector: {{matchLabels: {{{}: {}}}}}", policy::NAMESPACE_NAME_LABEL, c.pod.namespace),
        None => "namespaceSelector: {}".to_string(),
    };
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  podSelector:\n    matchLabels: {}\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - {peer}\n    ports:\n    - {{port: {}, protocol: {}}}",
        traffic::flow_mapping(pod_labels),
        port.target.number,
        port.target.protocol
    )
}

/// Formats a NetworkPolicy that lets `client` send to `target` on `port`, for an egress denial.
fn egress_snippet(client: &Client, target: &PolicyPod, port: &ResolvedPort) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-egress-to-gg-core\n  namespace: {}\nspec:\n  podSelector:\n    matchLabels: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {{matchLabels: {{{}: {}}}}}\n    ports:\n    - {{port: {}, protocol: {}}}",
        client.pod.namespace,
        traffic::flow_mapping(&client.pod.labels),
        policy::NAMESPACE_NAME_LABEL,
        target.namespace,
        port.target.number,
        port.target.protocol
    )
}

ggcore_probe_sdk::probe!(NetworkPolicyProbe);

#[cfg(test)]
mod tests;
