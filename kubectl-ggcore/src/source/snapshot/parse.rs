//! Turns the bytes of one snapshot file into JSON values: YAML (multi-document) or JSON (one
//! value, or several back to back as `kubectl cluster-info dump` prints them), and unpacks
//! `List`s and bare arrays into single objects.

use serde::Deserialize;
use serde_json::Value;

/// A file that does not parse, with the position the parser stopped at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The file, relative to the snapshot's root.
    pub path: String,
    /// The line, from 1, when the parser knows it.
    pub line: Option<usize>,
    /// The column, from 1, when the parser knows it.
    pub column: Option<usize>,
    /// What the parser found wrong.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "{}:{line}:{column}: {}", self.path, self.message),
            (Some(line), None) => write!(f, "{}:{line}: {}", self.path, self.message),
            _ => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Parses a YAML stream into one value per document; empty documents are dropped.
pub fn parse_yaml(path: &str, bytes: &[u8]) -> Result<Vec<Value>, ParseError> {
    let mut values = Vec::new();
    for document in serde_yaml::Deserializer::from_slice(bytes) {
        match Value::deserialize(document) {
            Ok(Value::Null) => {}
            Ok(value) => values.push(value),
            Err(error) => {
                let location = error.location();
                return Err(ParseError {
                    path: path.to_string(),
                    line: location.as_ref().map(|l| l.line()),
                    column: location.as_ref().map(|l| l.column()),
                    message: strip_location(&error.to_string()),
                });
            }
        }
    }
    Ok(values)
}

/// Parses one JSON value, or several separated by whitespace.
pub fn parse_json(path: &str, text: &[u8]) -> Result<Vec<Value>, ParseError> {
    let mut values = Vec::new();
    for value in serde_json::Deserializer::from_slice(text).into_iter::<Value>() {
        match value {
            Ok(value) => values.push(value),
            Err(error) => {
                return Err(ParseError {
                    path: path.to_string(),
                    line: Some(error.line()),
                    column: Some(error.column()),
                    message: strip_location(&error.to_string()),
                });
            }
        }
    }
    Ok(values)
}

/// Drops the " at line X column Y" that the parsers append, since the error carries both.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

/// Unpacks `List`s (including typed lists such as `PodList`, whose items carry no `kind`)
/// and bare arrays into the objects they hold. `fallback` names the kind of items that carry
/// none, when the file's place in a known layout tells it.
pub fn unpack(value: Value, fallback: Option<(&str, &str)>, out: &mut Vec<Value>) {
    match value {
        Value::Array(items) => {
            for item in items {
                unpack(item, fallback, out);
            }
        }
        Value::Object(mut map) if map.get("items").is_some_and(Value::is_array) && !map.contains_key("spec") => {
            let list_kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
            let api_version = map.get("apiVersion").and_then(Value::as_str).unwrap_or("").to_string();
            let item_kind = list_kind.strip_suffix("List").filter(|k| !k.is_empty()).map(str::to_string);
            let Some(Value::Array(items)) = map.remove("items") else { return };
            for mut item in items {
                if let Value::Object(fields) = &mut item {
                    if !fields.contains_key("kind") {
                        match (&item_kind, fallback) {
                            (Some(kind), _) => {
                                fields.insert("kind".into(), Value::String(kind.clone()));
                                fields.entry("apiVersion").or_insert_with(|| Value::String(api_version.clone()));
                            }
                            (None, Some((api, kind))) => {
                                fields.insert("kind".into(), Value::String(kind.into()));
                                fields.entry("apiVersion").or_insert_with(|| Value::String(api.into()));
                            }
                            (None, None) => {}
                        }
                    }
                }
                unpack(item, fallback, out);
            }
        }
        Value::Object(mut map) => {
            if let Some((api, kind)) = fallback {
                if !map.contains_key("kind") && map.contains_key("metadata") {
                    map.insert("kind".into(), Value::String(kind.into()));
                    map.entry("apiVersion").or_insert_with(|| Value::String(api.into()));
                }
            }
            out.push(Value::Object(map));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_error_names_line() {
        let error = parse_yaml("bad.yaml", b"kind: Pod\nmetadata:\n  name: [unclosed\n").unwrap_err();
        assert_eq!(error.path, "bad.yaml");
        assert!(error.line.is_some(), "{error}");
        assert!(error.to_string().starts_with("bad.yaml:"), "{error}");
    }

    #[test]
    fn json_error_names_line_and_column() {
        let error = parse_json("pods.json", b"{\n  \"kind\": \"Pod\",\n  oops\n}").unwrap_err();
        assert_eq!(error.line, Some(3));
        assert_eq!(error.to_string(), format!("pods.json:3:{}: {}", error.column.unwrap(), error.message));
    }

    #[test]
    fn concatenated_json_values_parse() {
        let values = parse_json("dump", b"{\"a\":1}\n{\"b\":2}").unwrap();
        assert_eq!(values.len(), 2);
    }

    #[test]
    fn typed_list_items_get_their_kind() {
        let list = serde_json::json!({"apiVersion": "v1", "kind": "PodList", "items": [{"metadata": {"name": "a"}}]});
        let mut out = Vec::new();
        unpack(list, None, &mut out);
        assert_eq!(out[0]["kind"], "Pod");
        assert_eq!(out[0]["apiVersion"], "v1");
    }

    #[test]
    fn bare_array_items_use_fallback_kind() {
        let array = serde_json::json!([{"metadata": {"name": "a"}}]);
        let mut out = Vec::new();
        unpack(array, Some(("apps/v1", "Deployment")), &mut out);
        assert_eq!(out[0]["kind"], "Deployment");
    }
}
