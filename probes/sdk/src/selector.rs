//! Label selectors, in the two forms Kubernetes uses them.
//!
//! The string form (`app=GG-CORE,deployment in (canary),!legacy`) is what `kubectl -l` and the
//! list API take; the host filters lists with it and probes pass it to `cluster.list-objects`. The
//! structured form (`matchLabels` plus `matchExpressions`) is what Deployments, ServiceMonitors,
//! NetworkPolicies and the Prometheus resource carry; probes match it against labels with
//! [`LabelSelector::matches`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::views::null_default;

/// Labels of an object, sorted by key.
pub type Labels = BTreeMap<String, String>;

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// `key=value` or `key==value`.
    Equals(String, String),
    /// `key!=value`: the label is absent or has another value.
    NotEquals(String, String),
    /// `key in (a,b)`.
    In(String, Vec<String>),
    /// `key notin (a,b)`: the label is absent or has none of the values.
    NotIn(String, Vec<String>),
    /// `key`: the label is present.
    Exists(String),
    /// `!key`: the label is absent.
    DoesNotExist(String),
}

impl Requirement {
    /// Reports whether `labels` satisfy this requirement.
    pub fn matches(&self, labels: &Labels) -> bool {
        match self {
            Requirement::Equals(key, value) => labels.get(key) == Some(value),
            Requirement::NotEquals(key, value) => labels.get(key) != Some(value),
            Requirement::In(key, values) => labels.get(key).is_some_and(|v| values.contains(v)),
            Requirement::NotIn(key, values) => labels.get(key).is_none_or(|v| !values.contains(v)),
            Requirement::Exists(key) => labels.contains_key(key),
            Requirement::DoesNotExist(key) => !labels.contains_key(key),
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Equals(key, value) => write!(f, "{key}={value}"),
            Requirement::NotEquals(key, value) => write!(f, "{key}!={value}"),
            Requirement::In(key, values) => write!(f, "{key} in ({})", values.join(",")),
            Requirement::NotIn(key, values) => write!(f, "{key} notin ({})", values.join(",")),
            Requirement::Exists(key) => write!(f, "{key}"),
            Requirement::DoesNotExist(key) => write!(f, "!{key}"),
        }
    }
}

/// A parsed string-form label selector; every requirement must hold. The empty selector
/// matches every object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// The requirements, in the order written.
    pub requirements: Vec<Requirement>,
}

/// An error in a string-form label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError {
    /// The selector as given.
    pub selector: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid label selector `{}`: {}", self.selector, self.reason)
    }
}

impl std::error::Error for SelectorError {}

impl Selector {
    /// Parses a selector in the syntax of `kubectl get -l`.
    ///
    /// # Errors
    ///
    /// Returns [`SelectorError`] when a requirement has no key, an unknown operator or an
    /// unterminated value list.
    pub fn parse(text: &str) -> Result<Selector, SelectorError> {
        let error = |reason: &str| SelectorError { selector: text.to_string(), reason: reason.to_string() };
        let mut requirements = Vec::new();

        for part in split_requirements(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let requirement = if let Some(key) = part.strip_prefix('!') {
                Requirement::DoesNotExist(checked_key(key.trim()).map_err(|r| error(&r))?)
            } else if let Some((key, value)) = part.split_once("!=") {
                Requirement::NotEquals(checked_key(key.trim()).map_err(|r| error(&r))?, value.trim().to_string())
            } else if let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) {
                Requirement::Equals(checked_key(key.trim()).map_err(|r| error(&r))?, value.trim().to_string())
            } else if let Some((key, values)) = split_set_operator(part, " notin ") {
                Requirement::NotIn(checked_key(key).map_err(|r| error(&r))?, parse_values(values).map_err(|r| error(&r))?)
            } else if let Some((key, values)) = split_set_operator(part, " in ") {
                Requirement::In(checked_key(key).map_err(|r| error(&r))?, parse_values(values).map_err(|r| error(&r))?)
            } else {
                Requirement::Exists(checked_key(part).map_err(|r| error(&r))?)
            };
            requirements.push(requirement);
        }
        Ok(Selector { requirements })
    }

    /// Reports whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.requirements.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

/// Splits at commas that are not inside a `( ... )` value list.
fn split_requirements(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn split_set_operator<'a>(part: &'a str, operator: &str) -> Option<(&'a str, &'a str)> {
    let at = part.find(operator)?;
    Some((part[..at].trim(), part[at + operator.len()..].trim()))
}

fn parse_values(values: &str) -> Result<Vec<String>, String> {
    let inner = values
        .strip_prefix('(')
        .and_then(|v| v.strip_suffix(')'))
        .ok_or_else(|| format!("expected a value list in parentheses, found `{values}`"))?;
    Ok(inner.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect())
}

fn checked_key(key: &str) -> Result<String, String> {
    if key.is_empty() {
        return Err("a requirement has no key".to_string());
    }
    if key.contains(char::is_whitespace) || key.contains(['(', ')', '=', '!']) {
        return Err(format!("`{key}` is not a label key"));
    }
    Ok(key.to_string())
}

/// A structured label selector: `matchLabels` and `matchExpressions`, all of which must hold.
///
/// An empty selector (`{}`) matches everything. Whether a *missing* selector matches everything
/// or nothing depends on the field (a NetworkPolicy's `podSelector: {}` selects all pods, a
/// Prometheus resource's missing `serviceMonitorSelector` selects none), so callers decide that
/// before they get here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LabelSelector {
    /// Labels that must be present with exactly these values.
    #[serde(deserialize_with = "null_default")]
    pub match_labels: Labels,
    /// Set-based requirements.
    #[serde(deserialize_with = "null_default")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

/// One entry of `matchExpressions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LabelSelectorRequirement {
    /// The label key.
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// The values for `In` and `NotIn`.
    #[serde(deserialize_with = "null_default")]
    pub values: Vec<String>,
}

impl LabelSelector {
    /// Reports whether `labels` satisfy every label and expression. An unknown operator
    /// matches nothing, as the API server would reject it.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements().is_some_and(|requirements| requirements.iter().all(|r| r.matches(labels)))
    }

    /// Reports whether the selector has no requirement at all, and so selects everything.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Converts to the string form; `None` when an expression has an unknown operator.
    pub fn requirements(&self) -> Option<Vec<Requirement>> {
        let mut requirements: Vec<Requirement> =
            self.match_labels.iter().map(|(k, v)| Requirement::Equals(k.clone(), v.clone())).collect();
        for expression in &self.match_expressions {
            let key = expression.key.clone();
            requirements.push(match expression.operator.as_str() {
                "In" => Requirement::In(key, expression.values.clone()),
                "NotIn" => Requirement::NotIn(key, expression.values.clone()),
                "Exists" => Requirement::Exists(key),
                "DoesNotExist" => Requirement::DoesNotExist(key),
                _ => return None,
            });
        }
        Some(requirements)
    }

    /// Returns the requirements that `labels` do not satisfy, for evidence lines.
    pub fn unmet(&self, labels: &Labels) -> Vec<Requirement> {
        self.requirements().unwrap_or_default().into_iter().filter(|r| !r.matches(labels)).collect()
    }
}

impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.requirements() {
            Some(requirements) if requirements.is_empty() => f.write_str("{} (everything)"),
            Some(requirements) => f.write_str(&Selector { requirements }.to_string()),
            None => f.write_str("(an expression with an unknown operator)"),
        }
    }
}

/// Formats labels as `key=value,...`, the way `kubectl --show-labels` prints them.
pub fn format_labels(labels: &Labels) -> String {
    if labels.is_empty() {
        return "<none>".to_string();
    }
    labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_every_operator() {
        let selector = Selector::parse("app=GG-CORE, tier==web,env!=prod,track in (canary, stable),zone notin (a),ready,!legacy").unwrap();
        assert_eq!(
            selector.requirements,
            vec![
                Requirement::Equals("app".into(), "GG-CORE".into()),
                Requirement::Equals("tier".into(), "web".into()),
                Requirement::NotEquals("env".into(), "prod".into()),
                Requirement::In("track".into(), vec!["canary".into(), "stable".into()]),
                Requirement::NotIn("zone".into(), vec!["a".into()]),
                Requirement::Exists("ready".into()),
                Requirement::DoesNotExist("legacy".into()),
            ]
        );
    }

    #[test]
    fn empty_selector_matches_everything() {
        assert!(Selector::parse("").unwrap().matches(&labels(&[])));
    }

    #[test]
    fn not_equals_matches_absent_label() {
        let selector = Selector::parse("env!=prod").unwrap();
        assert!(selector.matches(&labels(&[])));
        assert!(!selector.matches(&labels(&[("env", "prod")])));
    }

    #[test]
    fn rejects_unterminated_value_list() {
        let error = Selector::parse("track in (canary").unwrap_err();
        assert!(error.reason.contains("parentheses"), "{error}");
    }

    #[test]
    fn label_selector_needs_all_labels_and_expressions() {
        let selector: LabelSelector = serde_json::from_str(
            r#"{"matchLabels":{"app":"GG-CORE"},"matchExpressions":[{"key":"track","operator":"In","values":["canary"]}]}"#,
        )
        .unwrap();
        assert!(selector.matches(&labels(&[("app", "GG-CORE"), ("track", "canary")])));
        assert!(!selector.matches(&labels(&[("app", "GG-CORE"), ("track", "stable")])));
        assert_eq!(selector.unmet(&labels(&[("app", "GG-CORE")])), vec![Requirement::In("track".into(), vec!["canary".into()])]);
    }

    #[test]
    fn label_selector_with_unknown_operator_matches_nothing() {
        let selector: LabelSelector =
            serde_json::from_str(r#"{"matchExpressions":[{"key":"a","operator":"Near"}]}"#).unwrap();
        assert!(!selector.matches(&labels(&[("a", "b")])));
    }

    #[test]
    fn null_fields_read_as_empty() {
        let selector: LabelSelector = serde_json::from_str(r#"{"matchLabels":null,"matchExpressions":null}"#).unwrap();
        assert!(selector.is_empty());
    }
}
