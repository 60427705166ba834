//! Label and field selector parsing and matching, with the semantics of
//! `k8s.io/apimachinery`: `!=` and `notin` hold when the label is absent, a missing field
//! reads as `""`.

use std::collections::BTreeMap;

use ggcore_test_apiserver::{FieldSelector, LabelSelector, Requirement};
use serde_json::json;

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn parse(text: &str) -> Vec<Requirement> {
    LabelSelector::parse(text).unwrap_or_else(|e| panic!("`{text}` does not parse: {e}")).requirements().to_vec()
}

#[test]
fn equality_operators_parse() {
    let values = |v: &str| vec![v.to_string()];
    assert_eq!(parse("app=GG-CORE"), [Requirement::In("app".into(), values("GG-CORE"))]);
    assert_eq!(parse("app == GG-CORE"), [Requirement::In("app".into(), values("GG-CORE"))]);
    assert_eq!(parse("track!=canary"), [Requirement::NotIn("track".into(), values("canary"))]);
    assert_eq!(parse("tier="), [Requirement::In("tier".into(), values(""))]);
}

#[test]
fn set_operators_parse() {
    assert_eq!(
        parse("environment in (blue, green),track notin (canary)"),
        [
            Requirement::In("environment".into(), vec!["blue".into(), "green".into()]),
            Requirement::NotIn("track".into(), vec!["canary".into()]),
        ]
    );
}

#[test]
fn existence_operators_parse() {
    assert_eq!(
        parse("veritas.ggcore.io/pool, !legacy"),
        [Requirement::Exists("veritas.ggcore.io/pool".into()), Requirement::DoesNotExist("legacy".into())]
    );
}

#[test]
fn numeric_comparisons_parse() {
    assert_eq!(parse("replicas>2,shard<8"), [Requirement::GreaterThan("replicas".into(), 2), Requirement::LessThan("shard".into(), 8)]);
}

#[test]
fn empty_selector_selects_everything() {
    let selector = LabelSelector::parse("").unwrap();
    assert!(selector.matches(&labels(&[])));
    assert!(selector.matches(&labels(&[("app", "x")])));
}

#[test]
fn malformed_selectors_are_rejected() {
    for text in ["app in ()", "app in (a", "app=(x)", "=x", "app=a b", "app notin blue", "-bad-=x", "app=a,", "replicas>two"] {
        assert!(LabelSelector::parse(text).is_err(), "`{text}` parsed");
    }
}

#[test]
fn empty_value_set_names_the_operator() {
    let error = LabelSelector::parse("app in ()").unwrap_err();
    assert_eq!(error.message, "unable to parse requirement: for `in` the set of values must not be empty");
}

#[test]
fn negations_hold_for_absent_labels() {
    let pod = labels(&[("app", "GG-CORE")]);
    assert!(LabelSelector::parse("track!=canary").unwrap().matches(&pod));
    assert!(LabelSelector::parse("track notin (canary)").unwrap().matches(&pod));
    assert!(LabelSelector::parse("!track").unwrap().matches(&pod));
    assert!(!LabelSelector::parse("track").unwrap().matches(&pod));
    assert!(!LabelSelector::parse("track in (stable)").unwrap().matches(&pod));
}

#[test]
fn every_requirement_must_hold() {
    let selector = LabelSelector::parse("app=GG-CORE,environment in (blue,green),deployment!=canary").unwrap();
    assert!(selector.matches(&labels(&[("app", "GG-CORE"), ("environment", "green"), ("deployment", "stable")])));
    assert!(!selector.matches(&labels(&[("app", "GG-CORE"), ("environment", "green"), ("deployment", "canary")])));
    assert!(!selector.matches(&labels(&[("app", "GG-CORE"), ("environment", "red")])));
}

#[test]
fn field_selector_reads_dotted_paths() {
    let event = json!({"kind": "Event", "metadata": {"name": "e1"}, "involvedObject": {"kind": "Pod", "name": "gg-core-a"}, "type": "Warning"});
    assert!(FieldSelector::parse("involvedObject.kind=Pod,involvedObject.name==gg-core-a").unwrap().matches(&event));
    assert!(FieldSelector::parse("type!=Normal").unwrap().matches(&event));
    assert!(!FieldSelector::parse("involvedObject.kind=Node").unwrap().matches(&event));
}

#[test]
fn missing_field_reads_as_empty() {
    let pod = json!({"kind": "Pod", "metadata": {"name": "p"}, "spec": {}});
    assert!(FieldSelector::parse("spec.nodeName=").unwrap().matches(&pod));
    assert!(FieldSelector::parse("status.phase!=Running").unwrap().matches(&pod));
}

#[test]
fn field_selector_reads_booleans_as_text() {
    let pod = json!({"kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostNetwork": true}});
    assert!(FieldSelector::parse("spec.hostNetwork=true").unwrap().matches(&pod));
}

#[test]
fn field_selector_without_operator_is_rejected() {
    assert!(FieldSelector::parse("metadata.name").is_err());
    assert!(FieldSelector::parse("=x").is_err());
    assert!(FieldSelector::parse(r"metadata.name=a\q").is_err());
}
