//! Field selectors (`metadata.name=gg-core,status.phase!=Running`) evaluated on JSON objects.
//!
//! The API server supports a few fields per kind; snapshots and the test fixtures evaluate any
//! dotted path, which is a superset, so a selector that works live works offline too.

use serde_json::Value;

/// One term of a field selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRequirement {
    /// The dotted path, such as `involvedObject.name`.
    pub path: String,
    /// The value compared with.
    pub value: String,
    /// True for `!=`.
    pub negated: bool,
}

/// Parses a field selector; `Err` names the term that has no operator.
pub fn parse_field_selector(text: &str) -> Result<Vec<FieldRequirement>, String> {
    let mut requirements = Vec::new();
    for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let (path, value, negated) = if let Some((path, value)) = term.split_once("!=") {
            (path, value, true)
        } else if let Some((path, value)) = term.split_once("==").or_else(|| term.split_once('=')) {
            (path, value, false)
        } else {
            return Err(format!("invalid field selector `{text}`: `{term}` has no `=`, `==` or `!=`"));
        };
        requirements.push(FieldRequirement { path: path.trim().to_string(), value: value.trim().to_string(), negated });
    }
    Ok(requirements)
}

/// Reports whether `object` satisfies every requirement. A missing field compares as `""`,
/// as the API server treats unset fields.
pub fn matches_fields(object: &Value, requirements: &[FieldRequirement]) -> bool {
    requirements.iter().all(|r| {
        let actual = match lookup(object, &r.path) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        (actual == r.value) != r.negated
    })
}

/// Returns the value at a dotted path (`spec.nodeName`) inside `object`.
pub fn lookup<'a>(object: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(object, |value, key| value.get(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_equal_and_not_equal() {
        let event = serde_json::json!({"involvedObject": {"kind": "Pod", "name": "a"}, "type": "Warning"});
        let selector = parse_field_selector("involvedObject.kind=Pod,type!=Normal").unwrap();
        assert!(matches_fields(&event, &selector));
        let selector = parse_field_selector("involvedObject.name==b").unwrap();
        assert!(!matches_fields(&event, &selector));
    }

    #[test]
    fn missing_field_compares_as_empty() {
        let selector = parse_field_selector("spec.nodeName=").unwrap();
        assert!(matches_fields(&serde_json::json!({"spec": {}}), &selector));
    }

    #[test]
    fn rejects_term_without_operator() {
        assert!(parse_field_selector("metadata.name").is_err());
    }
}
