use super::*;

/// Parses NetworkPolicies from multi-document YAML.
fn policies(yaml: &str) -> Vec<NetworkPolicy> {
    serde_yaml::Deserializer::from_str(yaml)
        .map(|document| NetworkPolicy::deserialize(document).expect("test policy parses"))
        .collect()
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn pod(namespace: &str, pairs: &[(&str, &str)]) -> PolicyPod {
    PolicyPod {
        description: format!("pod in `{namespace}`"),
        namespace: namespace.to_string(),
        labels: labels(pairs),
        ips: Some(vec!["10.42.0.9".parse().unwrap()]),
        ports: vec![
            ContainerPort { name: Some("serving".into()), container_port: 8001, protocol: None },
            ContainerPort { name: Some("metrics".into()), container_port: 9090, protocol: Some("TCP".into()) },
        ],
    }
}

fn canary() -> PolicyPod {
    pod("veritas", &[("app", "GG-CORE"), ("deployment", "canary")])
}

fn gateway() -> PolicyPod {
    pod("istio-system", &[("istio", "ingressgateway")])
}

fn serving() -> TargetPort {
    TargetPort { number: 8001, protocol: "TCP".into() }
}

/// Namespace labels as read from Namespace objects.
fn namespaces() -> Namespaces {
    let objects: Vec<ObjectMeta> = [("veritas", "ml-serving"), ("istio-system", "platform"), ("monitoring", "platform")]
        .iter()
        .map(|(name, team)| ObjectMeta { name: name.to_string(), labels: labels(&[("team", team)]), ..ObjectMeta::default() })
        .collect();
    Namespaces::from_objects(&objects)
}

fn ingress(policy_yaml: &str, peer: &PolicyPod) -> Verdict {
    evaluate(&policies(policy_yaml), &namespaces(), Direction::Ingress, &canary(), peer, &serving())
}

const DEFAULT_DENY: &str = r#"
metadata: {name: default-deny, namespace: veritas}
spec: {podSelector: {}, policyTypes: [Ingress]}
"#;

#[test]
fn no_policy_leaves_pod_open() {
    assert_eq!(evaluate(&[], &namespaces(), Direction::Ingress, &canary(), &gateway(), &serving()), Verdict::NotIsolated);
}

#[test]
fn policy_of_other_namespace_does_not_isolate() {
    let verdict = ingress("metadata: {name: deny, namespace: other}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n", &gateway());
    assert_eq!(verdict, Verdict::NotIsolated);
}

#[test]
fn default_deny_is_named_and_denies() {
    let Verdict::Denied(isolations) = ingress(DEFAULT_DENY, &gateway()) else { panic!("expected a denial") };
    assert_eq!(isolations.len(), 1);
    assert!(isolations[0].default_deny);
    assert_eq!(
        isolations[0].lines[0],
        "NetworkPolicy `veritas/default-deny` is a default-deny for ingress (podSelector {}, policyTypes [Ingress], no ingress rules)"
    );
}

#[test]
fn egress_only_policy_does_not_isolate_ingress() {
    let verdict = ingress("metadata: {name: e, namespace: veritas}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  ingress: [{from: [{podSelector: {matchLabels: {x: y}}}]}]\n", &gateway());
    assert_eq!(verdict, Verdict::NotIsolated);
}

#[test]
fn missing_policy_types_still_isolate_ingress() {
    let policy = "metadata: {name: e, namespace: veritas}\nspec:\n  podSelector: {}\n  egress: [{to: [{podSelector: {}}]}]\n";
    assert!(matches!(ingress(policy, &gateway()), Verdict::Denied(_)));
}

#[test]
fn missing_policy_types_isolate_egress_only_with_rules() {
    let without = &policies("metadata: {name: a, namespace: veritas}\nspec: {podSelector: {}}\n")[0];
    let with = &policies("metadata: {name: b, namespace: veritas}\nspec:\n  podSelector: {}\n  egress: [{ports: [{port: 53, protocol: UDP}]}]\n")[0];
    assert!(!without.affects(Direction::Egress));
    assert!(with.affects(Direction::Egress));
    assert!(with.affects(Direction::Ingress));
}

#[test]
fn rule_without_from_admits_every_source() {
    let policy = "metadata: {name: open, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 8001}]}]\n";
    let Verdict::Allowed(rules) = ingress(policy, &gateway()) else { panic!("expected an allowance") };
    assert_eq!(rules[0].policy, "veritas/open");
    assert_eq!(rules[0].rule, 1);
    assert_eq!(rules[0].admits, "from every source on ports 8001/TCP");
}

#[test]
fn rule_without_ports_admits_every_port() {
    let policy = "metadata: {name: gw, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {}}]}]\n";
    assert!(ingress(policy, &gateway()).is_allowed());
}

#[test]
fn pod_selector_alone_means_own_namespace() {
    let policy = "metadata: {name: p, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{from: [{podSelector: {matchLabels: {istio: ingressgateway}}}]}]\n";
    assert!(matches!(ingress(policy, &gateway()), Verdict::Denied(_)), "a gateway in another namespace is not admitted");
    let local = pod("veritas", &[("istio", "ingressgateway")]);
    assert!(ingress(policy, &local).is_allowed());
}

#[test]
fn namespace_selector_alone_admits_every_pod_there() {
    let policy = "metadata: {name: n, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: istio-system}}}]}]\n";
    assert!(ingress(policy, &pod("istio-system", &[("anything", "x")])).is_allowed());
    assert!(!ingress(policy, &pod("monitoring", &[])).is_allowed());
}

#[test]
fn pod_and_namespace_selector_must_both_match() {
    let policy = r#"
metadata: {name: both, namespace: veritas}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: platform}}
      podSelector: {matchLabels: {istio: ingressgateway}}
"#;
    assert!(ingress(policy, &gateway()).is_allowed());
    assert!(!ingress(policy, &pod("istio-system", &[("istio", "egressgateway")])).is_allowed(), "wrong pod labels");
    assert!(!ingress(policy, &pod("veritas", &[("istio", "ingressgateway")])).is_allowed(), "wrong namespace labels");
}

#[test]
fn separate_peers_are_alternatives() {
    let policy = r#"
metadata: {name: either, namespace: veritas}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: nobody}}
    - podSelector: {matchLabels: {istio: ingressgateway}}
      namespaceSelector: {}
"#;
    assert!(ingress(policy, &gateway()).is_allowed());
}

#[test]
fn ip_block_respects_exceptions() {
    let policy = "metadata: {name: ip, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.42.0.0/16, except: [10.42.0.0/24]}}]}]\n";
    let mut inside = gateway();
    inside.ips = Some(vec!["10.42.7.1".parse().unwrap()]);
    let mut excepted = gateway();
    excepted.ips = Some(vec!["10.42.0.9".parse().unwrap()]);
    assert!(ingress(policy, &inside).is_allowed());
    assert!(matches!(ingress(policy, &excepted), Verdict::Denied(_)));
}

#[test]
fn ip_block_with_unknown_address_is_unknown() {
    let policy = "metadata: {name: ip, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.42.0.0/16}}]}]\n";
    let mut assumed = gateway();
    assumed.ips = None;
    let Verdict::Unknown { reasons, .. } = ingress(policy, &assumed) else { panic!("expected an unknown verdict") };
    assert!(reasons[0].contains("address of pod in `istio-system` is not known"), "{reasons:?}");
}

#[test]
fn ip_block_of_everything_admits_unknown_address() {
    let policy = "metadata: {name: ip, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]\n";
    let mut assumed = gateway();
    assumed.ips = None;
    assert!(ingress(policy, &assumed).is_allowed());
}

#[test]
fn named_port_resolves_on_destination_pod() {
    let policy = "metadata: {name: named, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: serving}]}]\n";
    assert!(ingress(policy, &gateway()).is_allowed());
    let other = "metadata: {name: named, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: http}]}]\n";
    assert!(matches!(ingress(other, &gateway()), Verdict::Denied(_)), "no container port is named `http`");
}

#[test]
fn service_port_number_does_not_admit_container_port() {
    let policy = "metadata: {name: svc, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 8080}]}]\n";
    let Verdict::Denied(isolations) = ingress(policy, &gateway()) else { panic!("expected a denial") };
    assert_eq!(isolations[0].lines[1], "rule 1 admits ports 8080/TCP, not 8001/TCP");
}

#[test]
fn numeric_string_port_is_a_number() {
    let policy = "metadata: {name: text, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: '8001'}]}]\n";
    assert!(ingress(policy, &gateway()).is_allowed());
}

#[test]
fn protocol_must_match() {
    let policy = "metadata: {name: udp, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 8001, protocol: UDP}]}]\n";
    assert!(matches!(ingress(policy, &gateway()), Verdict::Denied(_)));
}

#[test]
fn end_port_admits_a_range() {
    let policy = "metadata: {name: range, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 8000, endPort: 8010}]}]\n";
    assert!(ingress(policy, &gateway()).is_allowed());
    let below = "metadata: {name: range, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 7000, endPort: 8000}]}]\n";
    assert!(!ingress(below, &gateway()).is_allowed());
}

#[test]
fn policies_are_additive() {
    let allow = "---\nmetadata: {name: allow-gateway, namespace: veritas}\nspec:\n  podSelector: {matchLabels: {app: GG-CORE}}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: istio-system}}}]}]\n";
    let Verdict::Allowed(rules) = ingress(&format!("{DEFAULT_DENY}{allow}"), &gateway()) else { panic!("expected an allowance") };
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].policy, "veritas/allow-gateway");
}

#[test]
fn selector_for_stable_only_leaves_canary_denied() {
    let allow = "---\nmetadata: {name: allow-stable, namespace: veritas}\nspec:\n  podSelector: {matchLabels: {deployment: stable}}\n  ingress: [{}]\n";
    let all = policies(&format!("{DEFAULT_DENY}{allow}"));
    let verdict = evaluate(&all, &namespaces(), Direction::Ingress, &canary(), &gateway(), &serving());
    assert!(matches!(verdict, Verdict::Denied(_)));
    let misses = near_misses(&all, &namespaces(), Direction::Ingress, &canary(), &gateway(), &serving());
    assert_eq!(
        misses,
        vec!["NetworkPolicy `veritas/allow-stable` would allow it, but its podSelector deployment=stable does not select pod in `veritas` (misses deployment=stable)"]
    );
}

#[test]
fn empty_peer_admits_nothing() {
    let policy = "metadata: {name: empty, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{from: [{}]}]\n";
    assert!(matches!(ingress(policy, &gateway()), Verdict::Denied(_)));
}

#[test]
fn unread_namespace_labels_make_verdict_unknown() {
    let policy = "metadata: {name: team, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {team: platform}}}]}]\n";
    let verdict = evaluate(&policies(policy), &Namespaces::default(), Direction::Ingress, &canary(), &gateway(), &serving());
    assert!(matches!(verdict, Verdict::Unknown { .. }), "{verdict:?}");
}

#[test]
fn name_label_is_known_without_namespace_objects() {
    let policy = "metadata: {name: named-ns, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: istio-system}}}]}]\n";
    let none = Namespaces::default();
    assert!(evaluate(&policies(policy), &none, Direction::Ingress, &canary(), &gateway(), &serving()).is_allowed());
    let from_monitoring = pod("monitoring", &[]);
    assert!(matches!(evaluate(&policies(policy), &none, Direction::Ingress, &canary(), &from_monitoring, &serving()), Verdict::Denied(_)));
}

#[test]
fn namespace_objects_always_carry_name_label() {
    let index = namespaces();
    assert_eq!(index.labels["veritas"].get(NAMESPACE_NAME_LABEL).map(String::as_str), Some("veritas"));
}

#[test]
fn match_expressions_select_pods() {
    let policy = r#"
metadata: {name: expr, namespace: veritas}
spec:
  podSelector:
    matchExpressions: [{key: deployment, operator: In, values: [canary, stable]}]
  policyTypes: [Ingress]
"#;
    assert!(matches!(ingress(policy, &gateway()), Verdict::Denied(_)));
    let notin = policy.replace("operator: In", "operator: NotIn");
    assert_eq!(ingress(&notin, &gateway()), Verdict::NotIsolated);
}

#[test]
fn egress_deny_of_source_blocks_connection() {
    let egress = "metadata: {name: no-egress, namespace: istio-system}\nspec: {podSelector: {}, policyTypes: [Egress]}\n";
    let connection = Connection::evaluate(&policies(egress), &namespaces(), &gateway(), &canary(), &serving());
    assert_eq!(connection.ingress, Verdict::NotIsolated);
    assert!(connection.is_denied());
    let Verdict::Denied(isolations) = &connection.egress else { panic!("expected an egress denial") };
    assert!(isolations[0].lines[0].contains("default-deny for egress"), "{:?}", isolations[0].lines);
}

#[test]
fn egress_named_port_resolves_on_destination() {
    let egress = "metadata: {name: to-serving, namespace: istio-system}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{namespaceSelector: {}}], ports: [{port: serving}]}]\n";
    let connection = Connection::evaluate(&policies(egress), &namespaces(), &gateway(), &canary(), &serving());
    assert!(connection.is_allowed(), "{connection:?}");
}

#[test]
fn cidrs_contain_addresses_of_their_family() {
    assert!(cidr_contains("10.0.0.0/8", "10.200.1.1".parse().unwrap()));
    assert!(!cidr_contains("10.0.0.0/8", "11.0.0.1".parse().unwrap()));
    assert!(cidr_contains("0.0.0.0/0", "192.0.2.1".parse().unwrap()));
    assert!(cidr_contains("fd00::/8", "fd12::1".parse().unwrap()));
    assert!(!cidr_contains("fd00::/8", "10.0.0.1".parse().unwrap()));
    assert!(!cidr_contains("not-a-cidr", "10.0.0.1".parse().unwrap()));
}

#[test]
fn default_deny_closes_port_to_everyone() {
    let all = policies(DEFAULT_DENY);
    assert!(closed_to_all(&all, &canary(), &serving()));
}

#[test]
fn rule_on_other_port_leaves_port_closed() {
    let other = policies("metadata: {name: other, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 9090}]}]\n");
    assert!(closed_to_all(&other, &canary(), &serving()));
    let open = policies("metadata: {name: open, namespace: veritas}\nspec:\n  podSelector: {}\n  ingress: [{from: [{podSelector: {}}]}]\n");
    assert!(!closed_to_all(&open, &canary(), &serving()));
}

#[test]
fn unselected_pod_is_not_closed() {
    let stable_only = policies("metadata: {name: s, namespace: veritas}\nspec: {podSelector: {matchLabels: {deployment: stable}}, policyTypes: [Ingress]}\n");
    assert!(!closed_to_all(&stable_only, &canary(), &serving()));
}
