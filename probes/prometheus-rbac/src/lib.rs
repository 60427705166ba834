//! `prometheus-rbac`: may Prometheus discover GG-CORE's scrape targets?
//!
//! Implements the Cause row "RBAC issue" of "Metrics Not Reporting". Prometheus finds the
//! targets of a ServiceMonitor through the API: it needs `get`, `list` and `watch` on
//! `services`, `endpoints` (or `endpointslices` in `discovery.k8s.io`, which newer Prometheus
//! versions use instead) and `pods` in GG-CORE's namespace. The probe finds the ServiceAccount
//! Prometheus runs as (`spec.serviceAccountName` of each Prometheus resource, else the service
//! account of the pods matching the profile's Prometheus selector) and checks with [`rbac`] what the
//! Roles and ClusterRoles bound to it grant there.
//!
//! A missing grant is a `fail` naming the verbs and resources, with a Role and RoleBinding that
//! would grant them. A missing grant is `inconclusive` instead when the RBAC objects
//! cannot be read, or when a bound role is not among the objects read. It is also inconclusive
//! when no ClusterRoleBinding was read at all: a cluster that authorizes with RBAC always has
//! the `system:` ones, so a snapshot without them did not collect RBAC.

mod rbac;

use ggcore_probe_sdk::backend::ListOptions;
use ggcore_probe_sdk::prelude::*;

use rbac::{Access, Account, Rbac, Request};

const SYMPTOM: &str = "no-metrics";
const RBAC_ISSUE: &str = "rbac-issue";

const ROLE: Kind = Kind::new("rbac.authorization.k8s.io", "Role");
const CLUSTER_ROLE: Kind = Kind::new("rbac.authorization.k8s.io", "ClusterRole");
const ROLE_BINDING: Kind = Kind::new("rbac.authorization.k8s.io", "RoleBinding");
const CLUSTER_ROLE_BINDING: Kind = Kind::new("rbac.authorization.k8s.io", "ClusterRoleBinding");

/// The verbs service discovery uses on each resource.
const VERBS: [&str; 3] = ["get", "list", "watch"];

/// The resources Prometheus must read, as `(group, resource)`; endpoints and endpointslices
/// are alternatives.
const SERVICES: (&str, &str) = ("", "services");
const PODS: (&str, &str) = ("", "pods");
const ENDPOINTS: (&str, &str) = ("", "endpoints");
const ENDPOINT_SLICES: (&str, &str) = ("discovery.k8s.io", "endpointslices");

struct PrometheusRbac;

impl Probe for PrometheusRbac {
    fn describe() -> Descriptor {
        describe("prometheus-rbac")
            .title("Prometheus's ServiceAccount may discover targets in the GG-CORE namespace")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Metrics Not Reporting: RBAC issue")
            .reads(&[Prometheus::KIND, Pod::KIND, ROLE, CLUSTER_ROLE, ROLE_BINDING, CLUSTER_ROLE_BINDING])
            .reports(SYMPTOM, &[RBAC_ISSUE])
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let (accounts, notes) = find_accounts(cx);
        if accounts.is_empty() {
            cx.report(
                inconclusive(SYMPTOM, Some(RBAC_ISSUE))
                    .summary(format!(
                        "cannot tell which ServiceAccount Prometheus runs as: no Prometheus resource, and no pod matches `{}`",
                        cx.profile().prometheus_selector
                    ))
                    .evidence_lines(notes),
            );
            return Ok(());
        }

        let rbac = match read_rbac(cx) {
            Ok(rbac) => rbac,
            Err(error) => {
                for (account, source) in &accounts {
                    cx.report(
                        inconclusive(SYMPTOM, Some(RBAC_ISSUE))
                            .summary(format!("cannot read the RBAC objects, so the permissions of ServiceAccount `{account}` are unknown"))
                            .evidence(source.clone())
                            .evidence(error.clone())
                            .object_named("ServiceAccount", Some(&account.namespace), &account.name),
                    );
                }
                return Ok(());
            }
        };
        for (account, source) in &accounts {
            check_account(cx, &rbac, account, source);
        }
        Ok(())
    }
}

/// Finds the ServiceAccounts Prometheus runs as, each with the evidence line that names it.
fn find_accounts(cx: &Context) -> (Vec<(Account, String)>, Vec<String>) {
    let mut accounts: Vec<(Account, String)> = Vec::new();
    let mut notes = Vec::new();

    match cx.list_in::<Prometheus>(None, None) {
        Ok(resources) => {
            for resource in resources {
                let namespace = resource.metadata.namespace().to_string();
                let name = &resource.metadata.name;
                let source = match resource.spec.service_account_name.as_deref().filter(|n| !n.is_empty()) {
                    Some(account) => format!("Prometheus `{namespace}/{name}` runs as ServiceAccount `{account}` (spec.serviceAccountName)"),
                    None => format!("Prometheus `{namespace}/{name}` sets no spec.serviceAccountName, so its pods run as ServiceAccount `default`"),
                };
                let account = resource.spec.service_account_name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| "default".to_string());
                add_account(&mut accounts, Account { namespace, name: account }, source);
            }
        }
        Err(error) => notes.push(format!("cannot read Prometheus resources: {}", error.message())),
    }
    if !accounts.is_empty() {
        return (accounts, notes);
    }

    let selector = cx.profile().prometheus_selector.clone();
    match cx.list_in::<Pod>(None, Some(&selector)) {
        Ok(pods) => {
            for pod in pods {
                let namespace = pod.metadata.namespace().to_string();
                let account = pod.spec.service_account_name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| "default".to_string());
                let source = format!("pod `{namespace}/{}` (matching `{selector}`) runs as ServiceAccount `{account}`", pod.metadata.name);
                add_account(&mut accounts, Account { namespace, name: account }, source);
            }
        }
        Err(error) => notes.push(format!("cannot list pods matching `{selector}`: {}", error.message())),
    }
    (accounts, notes)
}

fn add_account(accounts: &mut Vec<(Account, String)>, account: Account, source: String) {
    if !accounts.iter().any(|(a, _)| a == &account) {
        accounts.push((account, source));
    }
}

/// Reads the Roles and RoleBindings of the GG-CORE namespace and every ClusterRole and
/// ClusterRoleBinding, or returns the first read error.
fn read_rbac(cx: &Context) -> Result<Rbac, String> {
    let namespace = cx.namespace().to_string();
    Ok(Rbac {
        roles: read(cx, ROLE, Some(&namespace))?,
        cluster_roles: read(cx, CLUSTER_ROLE, None)?,
        role_bindings: read(cx, ROLE_BINDING, Some(&namespace))?,
        cluster_role_bindings: read(cx, CLUSTER_ROLE_BINDING, None)?,
    })
}

fn read<T: serde::de::DeserializeOwned>(cx: &Context, kind: Kind, namespace: Option<&str>) -> Result<Vec<T>, String> {
    let options = ListOptions { namespace: namespace.map(str::to_string), label_selector: None, field_selector: None };
    cx.list_kind(kind, &options).map_err(|e| format!("cannot list {}s: {}", kind.kind, e.message()))
}

/// Builds the requests for one resource, one per verb.
fn requests_for((group, resource): (&'static str, &'static str)) -> Vec<Request> {
    VERBS.iter().map(|verb| Request { group, resource, verb }).collect()
}

/// Returns the verbs of `resource` that `access` does not grant.
fn missing_verbs(access: &Access, resource: (&'static str, &'static str)) -> Vec<&'static str> {
    requests_for(resource).into_iter().filter(|r| !access.allows(r)).map(|r| r.verb).collect()
}

fn check_account(cx: &mut Context, rbac: &Rbac, account: &Account, source: &str) {
    let namespace = cx.namespace().to_string();
    let requests: Vec<Request> = [SERVICES, ENDPOINTS, PODS, ENDPOINT_SLICES].into_iter().flat_map(requests_for).collect();
    let access = rbac.access(account, &namespace, &requests);

    let mut evidence = vec![source.to_string()];
    if access.bindings.is_empty() {
        evidence.push(format!("no RoleBinding in `{namespace}` and no ClusterRoleBinding binds ServiceAccount `{account}`"));
    }
    evidence.extend(access.bindings.iter().cloned());

    // Endpoints and endpointslices are alternatives: either one complete set of verbs will do.
    let endpoints_missing = missing_verbs(&access, ENDPOINTS);
    let slices_missing = missing_verbs(&access, ENDPOINT_SLICES);
    let endpoints = if slices_missing.is_empty() && !endpoints_missing.is_empty() { ENDPOINT_SLICES } else { ENDPOINTS };

    let mut missing: Vec<String> = Vec::new();
    for resource in [SERVICES, endpoints, PODS] {
        let verbs = missing_verbs(&access, resource);
        let name = qualified(resource);
        if verbs.is_empty() {
            let via = access.granted.get(&Request { group: resource.0, resource: resource.1, verb: "list" }).and_then(|v| v.first()).cloned().unwrap_or_default();
            evidence.push(format!("get, list, watch on {name} in `{namespace}`: granted by {via}"));
        } else {
            evidence.push(format!("{} on {name} in `{namespace}`: not granted by any bound role", verbs.join(", ")));
            missing.push(format!("{} on {name}", verbs.join(", ")));
        }
    }
    if !endpoints_missing.is_empty() && !slices_missing.is_empty() {
        evidence.push(format!("{} on endpointslices.discovery.k8s.io would do instead of endpoints, and is not granted either", slices_missing.join(", ")));
    }
    evidence.extend(access.named_only.iter().cloned());
    evidence.extend(access.unresolved.iter().cloned());

    let collected = !rbac.cluster_role_bindings.is_empty();
    if !collected {
        evidence.push("no ClusterRoleBinding was read at all; a cluster that authorizes with RBAC always has the system: ones, so the RBAC objects were not collected".to_string());
    }

    let finding = if missing.is_empty() {
        pass(SYMPTOM, RBAC_ISSUE).summary(format!("ServiceAccount `{account}` may get, list and watch services, endpoints and pods in `{namespace}`"))
    } else if !collected || !access.unresolved.is_empty() {
        inconclusive(SYMPTOM, Some(RBAC_ISSUE)).summary(format!(
            "cannot confirm that ServiceAccount `{account}` may read scrape targets in `{namespace}`: the RBAC objects that could grant {} are not all among the objects read",
            missing.join("; ")
        ))
    } else {
        fail(SYMPTOM, RBAC_ISSUE)
            .summary(format!("ServiceAccount `{account}` of Prometheus may not {} in `{namespace}`, so Prometheus cannot discover GG-CORE's targets", missing.join("; ")))
            .resolution(format!("Grant Prometheus permission to scrape namespace, for example:\n{}", grant_snippet(account, &namespace)))
    };
    cx.report(
        finding
            .evidence_lines(evidence)
            .object_named("ServiceAccount", Some(&account.namespace), &account.name)
            .next_command(format!(
                "kubectl auth can-i list endpoints -n {namespace} --as=system:serviceaccount:{}:{}",
                account.namespace, account.name
            )),
    );
}

/// Names a resource with its group, as `kubectl` does: `pods`, `endpointslices.discovery.k8s.io`.
fn qualified((group, resource): (&str, &str)) -> String {
    if group.is_empty() { resource.to_string() } else { format!("{resource}.{group}") }
}

/// Formats a Role and a RoleBinding that grant what service discovery needs in `namespace`.
fn grant_snippet(account: &Account, namespace: &str) -> String {
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: prometheus-scrape\n  namespace: {namespace}\nrules:\n- apiGroups: [\"\"]\n  resources: [services, endpoints, pods]\n  verbs: [get, list, watch]\n- apiGroups: [discovery.k8s.io]\n  resources: [endpointslices]\n  verbs: [get, list, watch]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: prometheus-scrape\n  namespace: {namespace}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: prometheus-scrape\nsubjects:\n- kind: ServiceAccount\n  name: {}\n  namespace: {}",
        account.name, account.namespace
    )
}

ggcore_probe_sdk::probe!(PrometheusRbac);

#[cfg(test)]
mod tests;
