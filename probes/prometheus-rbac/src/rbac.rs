//! RBAC authorization (`rbac.authorization.k8s.io/v1`) of one ServiceAccount in one namespace,
//! as pure functions over parsed objects.
//!
//! [`Rbac::access`] finds the bindings that apply to the account: the RoleBindings of the
//! namespace and every ClusterRoleBinding. It resolves the roles they name, where an aggregated
//! ClusterRole gets the rules of the ClusterRoles its `aggregationRule` selects besides its
//! own. It returns, for each requested resource and verb, the rules that grant it. The rules follow the RBAC
//! authorizer:
//!
//! - A subject matches as the ServiceAccount itself, as the user
//!   `system:serviceaccount:<namespace>:<name>`, or as one of its groups
//!   (`system:serviceaccounts`, `system:serviceaccounts:<namespace>`, `system:authenticated`).
//! - A rule grants a request when its `apiGroups`, `resources` and `verbs` contain the request's
//!   or `*`. A rule with `resourceNames` grants only requests for those objects, so never a
//!   `list` or `watch` of all of them; it is reported apart as a near miss.
//! - A RoleBinding grants in its own namespace, a ClusterRoleBinding in every namespace.

use std::collections::BTreeMap;

use ggcore_probe_sdk::selector::LabelSelector;
use ggcore_probe_sdk::views::{ObjectMeta, null_default};
use serde::Deserialize;

/// A Role or a ClusterRole.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Role {
    /// Metadata; ClusterRoles have no namespace.
    pub metadata: ObjectMeta,
    /// The rules.
    #[serde(deserialize_with = "null_default")]
    pub rules: Vec<PolicyRule>,
    /// For a ClusterRole that takes the rules of other ClusterRoles.
    pub aggregation_rule: Option<AggregationRule>,
}

/// The `aggregationRule` of a ClusterRole.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AggregationRule {
    /// ClusterRoles whose labels match any of these selectors lend their rules.
    #[serde(deserialize_with = "null_default")]
    pub cluster_role_selectors: Vec<LabelSelector>,
}

/// A rule of a role.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicyRule {
    /// API groups; `""` is the core group.
    #[serde(deserialize_with = "null_default")]
    pub api_groups: Vec<String>,
    /// Resources, such as `pods` or `pods/log`.
    #[serde(deserialize_with = "null_default")]
    pub resources: Vec<String>,
    /// Verbs.
    #[serde(deserialize_with = "null_default")]
    pub verbs: Vec<String>,
    /// Object names the rule is limited to.
    #[serde(deserialize_with = "null_default")]
    pub resource_names: Vec<String>,
}

/// A RoleBinding or a ClusterRoleBinding.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Binding {
    /// Metadata; ClusterRoleBindings have no namespace.
    pub metadata: ObjectMeta,
    /// The subjects bound.
    #[serde(deserialize_with = "null_default")]
    pub subjects: Vec<Subject>,
    /// The role granted.
    pub role_ref: RoleRef,
}

/// A subject of a binding.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Subject {
    /// `ServiceAccount`, `User` or `Group`.
    pub kind: String,
    /// The name.
    pub name: String,
    /// The namespace of a ServiceAccount.
    pub namespace: Option<String>,
}

/// The `roleRef` of a binding.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoleRef {
    /// `Role` or `ClusterRole`.
    pub kind: String,
    /// The role's name.
    pub name: String,
}

/// A ServiceAccount, by namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Account {
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
}

impl std::fmt::Display for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

impl Account {
    /// Returns how a subject of a binding in `binding_namespace` names this account, if it does.
    pub fn matched_by(&self, subject: &Subject, binding_namespace: Option<&str>) -> Option<String> {
        match subject.kind.as_str() {
            "ServiceAccount" => {
                // A ServiceAccount subject without a namespace is taken in the binding's own.
                let namespace = subject.namespace.as_deref().filter(|n| !n.is_empty()).or(binding_namespace);
                (subject.name == self.name && namespace == Some(self.namespace.as_str())).then(|| format!("ServiceAccount `{self}`"))
            }
            "User" => (subject.name == format!("system:serviceaccount:{}:{}", self.namespace, self.name)).then(|| format!("User `{}`", subject.name)),
            "Group" => {
                let groups = ["system:serviceaccounts".to_string(), format!("system:serviceaccounts:{}", self.namespace), "system:authenticated".to_string()];
                groups.contains(&subject.name).then(|| format!("Group `{}`", subject.name))
            }
            _ => None,
        }
    }
}

/// A request to authorize: a verb on a resource of an API group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Request {
    /// The API group, `""` for core.
    pub group: &'static str,
    /// The resource.
    pub resource: &'static str,
    /// The verb.
    pub verb: &'static str,
}

/// A rule's verdict on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// The rule grants it.
    Yes,
    /// The rule would grant it, but only for the objects named in `resourceNames`.
    OnlyNamed,
    /// The rule does not grant it.
    No,
}

/// Decides whether a rule grants a request.
pub fn rule_grants(rule: &PolicyRule, request: &Request) -> Grant {
    let covers = |list: &[String], value: &str| list.iter().any(|item| item == "*" || item == value);
    if !covers(&rule.api_groups, request.group) || !covers(&rule.resources, request.resource) || !covers(&rule.verbs, request.verb) {
        return Grant::No;
    }
    if rule.resource_names.is_empty() { Grant::Yes } else { Grant::OnlyNamed }
}

/// All RBAC objects the decision needs.
#[derive(Debug, Clone, Default)]
pub struct Rbac {
    /// Roles of the target namespace.
    pub roles: Vec<Role>,
    /// Every ClusterRole.
    pub cluster_roles: Vec<Role>,
    /// RoleBindings of the target namespace.
    pub role_bindings: Vec<Binding>,
    /// Every ClusterRoleBinding.
    pub cluster_role_bindings: Vec<Binding>,
}

/// The permissions of an account, request by request.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// For each granted request, the rules that grant it, described.
    pub granted: BTreeMap<Request, Vec<String>>,
    /// Rules that would grant a request but are limited by `resourceNames`, described.
    pub named_only: Vec<String>,
    /// The bindings that apply to the account, described.
    pub bindings: Vec<String>,
    /// Bindings whose role is not among the objects read, described.
    pub unresolved: Vec<String>,
}

impl Access {
    /// Reports whether a request is granted.
    pub fn allows(&self, request: &Request) -> bool {
        self.granted.contains_key(request)
    }
}

impl Rbac {
    /// Finds what `account` may do in `namespace` for each of `requests`.
    pub fn access(&self, account: &Account, namespace: &str, requests: &[Request]) -> Access {
        let mut access = Access::default();
        let namespaced = self.role_bindings.iter().filter(|b| b.metadata.namespace() == namespace);
        for binding in namespaced.chain(&self.cluster_role_bindings) {
            let binding_namespace = binding.metadata.namespace.as_deref();
            let Some(how) = binding.subjects.iter().find_map(|s| account.matched_by(s, binding_namespace)) else { continue };
            let binding_name = match binding_namespace {
                Some(ns) => format!("RoleBinding `{ns}/{}`", binding.metadata.name),
                None => format!("ClusterRoleBinding `{}`", binding.metadata.name),
            };
            let role_name = format!("{} `{}`", binding.role_ref.kind, binding.role_ref.name);
            access.bindings.push(format!("{binding_name} binds {role_name} to {how}"));

            let Some(rules) = self.rules_of(binding) else {
                access.unresolved.push(format!("{binding_name} binds {role_name}, which is not among the objects read"));
                continue;
            };
            for (holder, index, rule) in rules {
                for request in requests {
                    let via = format!("{holder} rule {} (bound by {binding_name})", index + 1);
                    match rule_grants(rule, request) {
                        Grant::Yes => access.granted.entry(*request).or_default().push(via),
                        Grant::OnlyNamed => access.named_only.push(format!(
                            "{via} grants {} on {} only for resourceNames [{}], which does not allow listing them all",
                            request.verb,
                            request.resource,
                            rule.resource_names.join(", ")
                        )),
                        Grant::No => {}
                    }
                }
            }
        }
        access.named_only.dedup();
        access
    }

    /// Returns the rules of the role a binding names, each with the role that contains it and its
    /// position there; `None` when the role is not among the objects read.
    fn rules_of(&self, binding: &Binding) -> Option<Vec<(String, usize, &PolicyRule)>> {
        match binding.role_ref.kind.as_str() {
            "Role" => {
                let namespace = binding.metadata.namespace.as_deref()?;
                let role = self.roles.iter().find(|r| r.metadata.name == binding.role_ref.name && r.metadata.namespace() == namespace)?;
                let holder = format!("Role `{namespace}/{}`", role.metadata.name);
                Some(role.rules.iter().enumerate().map(|(i, r)| (holder.clone(), i, r)).collect())
            }
            "ClusterRole" => {
                let role = self.cluster_roles.iter().find(|r| r.metadata.name == binding.role_ref.name)?;
                Some(self.cluster_role_rules(role))
            }
            _ => None,
        }
    }

    /// Returns a ClusterRole's own rules and, for an aggregated one, the rules of every
    /// ClusterRole its selectors match.
    fn cluster_role_rules<'a>(&'a self, role: &'a Role) -> Vec<(String, usize, &'a PolicyRule)> {
        let holder = format!("ClusterRole `{}`", role.metadata.name);
        let mut rules: Vec<(String, usize, &PolicyRule)> = role.rules.iter().enumerate().map(|(i, r)| (holder.clone(), i, r)).collect();
        let Some(aggregation) = &role.aggregation_rule else { return rules };
        for source in &self.cluster_roles {
            if source.metadata.name == role.metadata.name {
                continue;
            }
            if aggregation.cluster_role_selectors.iter().any(|s| s.matches(&source.metadata.labels)) {
                let holder = format!("ClusterRole `{}` (aggregated into `{}`)", source.metadata.name, role.metadata.name);
                rules.extend(source.rules.iter().enumerate().map(|(i, r)| (holder.clone(), i, r)));
            }
        }
        rules
    }
}

#[cfg(test)]
mod tests;
