//! Turns the bytes of one snapshot file into single objects: YAML (multi-document) or JSON
//! (one value, or several back to back as `kubectl cluster-info dump` prints them), with
//! `List`s and bare arrays unpacked.

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

/// Parses a YAML stream and hands each object (Lists unpacked) to `sink`; empty documents
/// are dropped.
pub fn read_yaml(path: &str, bytes: &[u8], fallback: Option<(&str, &str)>, sink: &mut dyn FnMut(Value)) -> Result<(), ParseError> {
    for document in serde_yaml::Deserializer::from_slice(bytes) {
        match Value::deserialize(document) {
            Ok(Value::Null) => {}
            Ok(value) => unpack(value, fallback, sink),
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
    Ok(())
}

/// The head of a JSON `List`, with its items left unparsed.
#[derive(Deserialize)]
struct ListHead<'a> {
    kind: Option<String>,
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    #[serde(borrow)]
    items: Vec<&'a serde_json::value::RawValue>,
}

/// Parses one JSON value, or several separated by whitespace, and hands each object (Lists
/// unpacked) to `sink`. The items of a List are parsed one at a time, so that a large List
/// never exists as one parsed tree.
pub fn read_json(path: &str, text: &[u8], fallback: Option<(&str, &str)>, sink: &mut dyn FnMut(Value)) -> Result<(), ParseError> {
    let error = |e: serde_json::Error| ParseError { path: path.to_string(), line: Some(e.line()), column: Some(e.column()), message: strip_location(&e.to_string()) };
    for raw in serde_json::Deserializer::from_slice(text).into_iter::<&serde_json::value::RawValue>() {
        let raw = raw.map_err(error)?;
        let head = serde_json::from_str::<ListHead>(raw.get()).ok().filter(|h| h.kind.as_deref().is_none_or(|k| k.ends_with("List")));
        let Some(head) = head else {
            unpack(serde_json::from_str(raw.get()).map_err(error)?, fallback, sink);
            continue;
        };
        let item_kind = head.kind.as_deref().and_then(|k| k.strip_suffix("List")).filter(|k| !k.is_empty()).map(str::to_string);
        for item in head.items {
            let mut value: Value = serde_json::from_str(item.get()).map_err(error)?;
            fill_kind(&mut value, item_kind.as_deref(), head.api_version.as_deref().unwrap_or(""), fallback);
            unpack(value, fallback, sink);
        }
    }
    Ok(())
}

/// Gives an item without `kind` the kind its typed List names, or the fallback.
fn fill_kind(item: &mut Value, list_item_kind: Option<&str>, list_api_version: &str, fallback: Option<(&str, &str)>) {
    let Value::Object(fields) = item else { return };
    if fields.contains_key("kind") {
        return;
    }
    match (list_item_kind, fallback) {
        (Some(kind), _) => {
            fields.insert("kind".into(), Value::String(kind.into()));
            fields.entry("apiVersion").or_insert_with(|| Value::String(list_api_version.into()));
        }
        (None, Some((api, kind))) => {
            fields.insert("kind".into(), Value::String(kind.into()));
            fields.entry("apiVersion").or_insert_with(|| Value::String(api.into()));
        }
        (None, None) => {}
    }
}

/// Drops the " at line X column Y" that the parsers append, since the error carries both.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

/// Unpacks `List`s (including typed lists such as `PodList`, whose items carry no `kind`)
/// and bare arrays into the objects they hold, handing each to `sink`. `fallback` names the
/// kind of items that carry none, when the file's place in a known layout tells it.
pub fn unpack(value: Value, fallback: Option<(&str, &str)>, sink: &mut dyn FnMut(Value)) {
    match value {
        Value::Array(items) => {
            for item in items {
                unpack(item, fallback, sink);
            }
        }
        Value::Object(mut map) if map.get("items").is_some_and(Value::is_array) && !map.contains_key("spec") => {
            let list_kind = map.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
            let api_version = map.get("apiVersion").and_then(Value::as_str).unwrap_or("").to_string();
            let item_kind = list_kind.strip_suffix("List").filter(|k| !k.is_empty()).map(str::to_string);
            let Some(Value::Array(items)) = map.remove("items") else { return };
            for mut item in items {
                fill_kind(&mut item, item_kind.as_deref(), &api_version, fallback);
                unpack(item, fallback, sink);
            }
        }
        mut other => {
            let has_metadata = other.get("metadata").is_some();
            fill_kind(&mut other, None, "", fallback.filter(|_| has_metadata));
            sink(other);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect_json(path: &str, text: &[u8], fallback: Option<(&str, &str)>) -> Result<Vec<Value>, ParseError> {
        let mut values = Vec::new();
        read_json(path, text, fallback, &mut |v| values.push(v))?;
        Ok(values)
    }

    #[test]
    fn yaml_error_names_line() {
        let error = read_yaml("bad.yaml", b"kind: Pod\nmetadata:\n  name: [unclosed\n", None, &mut |_| {}).unwrap_err();
        assert_eq!(error.path, "bad.yaml");
        assert!(error.line.is_some(), "{error}");
        assert!(error.to_string().starts_with("bad.yaml:"), "{error}");
    }

    #[test]
    fn json_error_names_line_and_column() {
        let error = collect_json("pods.json", b"{\n  \"kind\": \"Pod\",\n  oops\n}", None).unwrap_err();
        assert_eq!(error.line, Some(3));
        assert_eq!(error.to_string(), format!("pods.json:3:{}: {}", error.column.unwrap(), error.message));
    }

    #[test]
    fn concatenated_json_values_parse() {
        let values = collect_json("dump", b"{\"a\":1}\n{\"b\":2}", None).unwrap();
        assert_eq!(values.len(), 2);
    }

    #[test]
    fn typed_list_items_get_their_kind() {
        let list = br#"{"apiVersion": "v1", "kind": "PodList", "items": [{"metadata": {"name": "a"}}]}"#;
        let out = collect_json("pods.json", list, None).unwrap();
        assert_eq!(out[0]["kind"], "Pod");
        assert_eq!(out[0]["apiVersion"], "v1");
    }

    #[test]
    fn bare_array_items_use_fallback_kind() {
        let array = serde_json::json!([{"metadata": {"name": "a"}}]);
        let mut out = Vec::new();
        unpack(array, Some(("apps/v1", "Deployment")), &mut |v| out.push(v));
        assert_eq!(out[0]["kind"], "Deployment");
    }
}
