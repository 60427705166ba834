use super::*;

/// Parses objects of one type from multi-document YAML.
fn parse<T: serde::de::DeserializeOwned>(yaml: &str) -> Vec<T> {
    serde_yaml::Deserializer::from_str(yaml).map(|document| T::deserialize(document).expect("test object parses")).collect()
}

fn prometheus() -> Account {
    Account { namespace: "monitoring".into(), name: "prometheus-k8s".into() }
}

const LIST: Request = Request { group: "", resource: "pods", verb: "list" };
const WATCH: Request = Request { group: "", resource: "pods", verb: "watch" };
const SLICES: Request = Request { group: "discovery.k8s.io", resource: "endpointslices", verb: "list" };

const SCRAPE_ROLE: &str = "metadata: {name: scrape}\nrules:\n- apiGroups: ['']\n  resources: [services, endpoints, pods]\n  verbs: [get, list, watch]\n";
const CLUSTER_BINDING: &str = "metadata: {name: prometheus}\nroleRef: {kind: ClusterRole, name: scrape}\nsubjects: [{kind: ServiceAccount, name: prometheus-k8s, namespace: monitoring}]\n";

fn rbac(cluster_roles: &str, cluster_role_bindings: &str, roles: &str, role_bindings: &str) -> Rbac {
    Rbac { roles: parse(roles), cluster_roles: parse(cluster_roles), role_bindings: parse(role_bindings), cluster_role_bindings: parse(cluster_role_bindings) }
}

#[test]
fn cluster_role_binding_grants_in_every_namespace() {
    let access = rbac(SCRAPE_ROLE, CLUSTER_BINDING, "", "").access(&prometheus(), "veritas", &[LIST]);
    assert!(access.allows(&LIST));
    assert_eq!(access.granted[&LIST], vec!["ClusterRole `scrape` rule 1 (bound by ClusterRoleBinding `prometheus`)"]);
    assert_eq!(access.bindings, vec!["ClusterRoleBinding `prometheus` binds ClusterRole `scrape` to ServiceAccount `monitoring/prometheus-k8s`"]);
}

#[test]
fn role_binding_grants_only_in_its_namespace() {
    let role = "metadata: {name: scrape, namespace: other}\nrules: [{apiGroups: [''], resources: [pods], verbs: [list]}]\n";
    let binding = "metadata: {name: prometheus, namespace: other}\nroleRef: {kind: Role, name: scrape}\nsubjects: [{kind: ServiceAccount, name: prometheus-k8s, namespace: monitoring}]\n";
    let objects = rbac("", "", role, binding);
    assert!(!objects.access(&prometheus(), "veritas", &[LIST]).allows(&LIST));
    assert!(objects.access(&prometheus(), "other", &[LIST]).allows(&LIST));
}

#[test]
fn role_binding_to_cluster_role_grants_in_namespace() {
    let binding = "metadata: {name: prometheus, namespace: veritas}\nroleRef: {kind: ClusterRole, name: scrape}\nsubjects: [{kind: ServiceAccount, name: prometheus-k8s, namespace: monitoring}]\n";
    let access = rbac(SCRAPE_ROLE, "", "", binding).access(&prometheus(), "veritas", &[LIST]);
    assert_eq!(access.granted[&LIST], vec!["ClusterRole `scrape` rule 1 (bound by RoleBinding `veritas/prometheus`)"]);
}

#[test]
fn other_account_is_not_granted() {
    let other = Account { namespace: "monitoring".into(), name: "grafana".into() };
    assert!(!rbac(SCRAPE_ROLE, CLUSTER_BINDING, "", "").access(&other, "veritas", &[LIST]).allows(&LIST));
    let elsewhere = Account { namespace: "default".into(), name: "prometheus-k8s".into() };
    assert!(!rbac(SCRAPE_ROLE, CLUSTER_BINDING, "", "").access(&elsewhere, "veritas", &[LIST]).allows(&LIST));
}

#[test]
fn service_account_groups_and_user_name_match() {
    let account = prometheus();
    let subject = |kind: &str, name: &str| Subject { kind: kind.into(), name: name.into(), namespace: None };
    assert!(account.matched_by(&subject("Group", "system:serviceaccounts:monitoring"), None).is_some());
    assert!(account.matched_by(&subject("Group", "system:serviceaccounts"), None).is_some());
    assert!(account.matched_by(&subject("Group", "system:authenticated"), None).is_some());
    assert!(account.matched_by(&subject("Group", "system:serviceaccounts:veritas"), None).is_none());
    assert!(account.matched_by(&subject("User", "system:serviceaccount:monitoring:prometheus-k8s"), None).is_some());
}

#[test]
fn subject_without_namespace_is_in_binding_namespace() {
    let subject = Subject { kind: "ServiceAccount".into(), name: "prometheus-k8s".into(), namespace: None };
    assert!(prometheus().matched_by(&subject, Some("monitoring")).is_some());
    assert!(prometheus().matched_by(&subject, Some("veritas")).is_none());
}

#[test]
fn wildcards_grant_everything() {
    let admin = "metadata: {name: scrape}\nrules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n";
    let access = rbac(admin, CLUSTER_BINDING, "", "").access(&prometheus(), "veritas", &[LIST, SLICES]);
    assert!(access.allows(&LIST));
    assert!(access.allows(&SLICES));
}

#[test]
fn core_group_does_not_cover_discovery() {
    let access = rbac(SCRAPE_ROLE, CLUSTER_BINDING, "", "").access(&prometheus(), "veritas", &[SLICES]);
    assert!(!access.allows(&SLICES));
}

#[test]
fn subresource_does_not_grant_resource() {
    let logs = "metadata: {name: scrape}\nrules: [{apiGroups: [''], resources: [pods/log], verbs: [list]}]\n";
    assert!(!rbac(logs, CLUSTER_BINDING, "", "").access(&prometheus(), "veritas", &[LIST]).allows(&LIST));
}

#[test]
fn resource_names_do_not_grant_list() {
    let named = "metadata: {name: scrape}\nrules: [{apiGroups: [''], resources: [pods], verbs: [get, list], resourceNames: [gg-core-0]}]\n";
    let access = rbac(named, CLUSTER_BINDING, "", "").access(&prometheus(), "veritas", &[LIST]);
    assert!(!access.allows(&LIST));
    assert_eq!(
        access.named_only,
        vec!["ClusterRole `scrape` rule 1 (bound by ClusterRoleBinding `prometheus`) grants list on pods only for resourceNames [gg-core-0], which does not allow listing them all"]
    );
}

#[test]
fn verbs_are_checked_one_by_one() {
    let list_only = "metadata: {name: scrape}\nrules: [{apiGroups: [''], resources: [pods], verbs: [get, list]}]\n";
    let access = rbac(list_only, CLUSTER_BINDING, "", "").access(&prometheus(), "veritas", &[LIST, WATCH]);
    assert!(access.allows(&LIST));
    assert!(!access.allows(&WATCH));
}

#[test]
fn aggregated_cluster_role_takes_selected_rules() {
    let roles = "---\nmetadata: {name: scrape}\naggregationRule:\n  clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate-to-scrape: 'true'}}]\nrules: []\n---\nmetadata: {name: scrape-pods, labels: {rbac.example.com/aggregate-to-scrape: 'true'}}\nrules: [{apiGroups: [''], resources: [pods], verbs: [list]}]\n---\nmetadata: {name: unrelated}\nrules: [{apiGroups: [''], resources: [pods], verbs: [watch]}]\n";
    let access = rbac(roles, CLUSTER_BINDING, "", "").access(&prometheus(), "veritas", &[LIST, WATCH]);
    assert_eq!(access.granted[&LIST], vec!["ClusterRole `scrape-pods` (aggregated into `scrape`) rule 1 (bound by ClusterRoleBinding `prometheus`)"]);
    assert!(!access.allows(&WATCH), "a ClusterRole the selectors do not match lends nothing");
}

#[test]
fn missing_role_is_unresolved() {
    let access = rbac("", CLUSTER_BINDING, "", "").access(&prometheus(), "veritas", &[LIST]);
    assert!(!access.allows(&LIST));
    assert_eq!(access.unresolved, vec!["ClusterRoleBinding `prometheus` binds ClusterRole `scrape`, which is not among the objects read"]);
}
