//! Fixtures: the objects and container logs the server serves, loaded from the files that
//! `kubectl get -o yaml|json` writes. It reads the same inputs as the plugin's snapshot reader
//! for the plain layout: YAML (multi-document) or JSON files anywhere in a folder tree, `List`s
//! and typed lists such as `PodList` (whose items carry no `kind`), and container logs at
//! `logs/<namespace>/<pod>/<container>.log` (`<container>.previous.log` for the previous
//! container). The server turns the fixtures into its store when it starts.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize as _;
use serde_json::Value;

use crate::time;

/// The objects and logs a server serves.
#[derive(Debug, Clone, Default)]
pub struct Fixtures {
    pub(crate) objects: Vec<Value>,
    pub(crate) logs: BTreeMap<LogKey, String>,
    pub(crate) clock: Option<i64>,
    skipped: Vec<String>,
    /// Where each object's identity sits in `objects`, so that loading stays linear in the
    /// number of objects.
    positions: HashMap<Identity, usize>,
}

/// The group, kind, namespace and name that make an object unique on a server.
type Identity = (String, String, String, String);

/// Where a container log belongs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct LogKey {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub previous: bool,
}

/// A fixture file or value that could not be read.
#[derive(Debug)]
pub struct FixtureError {
    /// The file, or `<inline>` for text passed directly.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "reading fixture `{}`: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for FixtureError {}

/// The deepest folder nesting followed, so that a symlink loop ends.
const MAX_DEPTH: usize = 32;

impl Fixtures {
    /// Creates empty fixtures: the server then serves discovery and empty lists.
    pub fn new() -> Fixtures {
        Fixtures::default()
    }

    /// Loads every object and log under a folder, or the objects of one YAML or JSON file.
    ///
    /// # Errors
    ///
    /// Fails when the path cannot be read or a YAML or JSON file does not parse.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Fixtures, FixtureError> {
        let mut fixtures = Fixtures::new();
        fixtures.add_path(path)?;
        Ok(fixtures)
    }

    /// Adds every object and log under a folder, or the objects of one YAML or JSON file. An
    /// object already present (same `apiVersion` group, kind, namespace and name) is replaced.
    ///
    /// # Errors
    ///
    /// Fails when the path cannot be read or a YAML or JSON file does not parse.
    pub fn add_path(&mut self, path: impl AsRef<Path>) -> Result<&mut Fixtures, FixtureError> {
        let path = path.as_ref();
        let metadata = fs::metadata(path).map_err(|e| error(path, e))?;
        if metadata.is_dir() {
            self.add_folder(path, path, 0)?;
        } else {
            self.add_file(path, None)?;
        }
        Ok(self)
    }

    /// Adds the objects of YAML text (one or more documents, `List`s allowed).
    ///
    /// # Errors
    ///
    /// Fails when the text does not parse as YAML.
    pub fn add_yaml(&mut self, text: &str) -> Result<&mut Fixtures, FixtureError> {
        let values = parse_yaml(text.as_bytes()).map_err(|message| FixtureError { path: "<inline>".into(), message })?;
        self.add_values(values, "<inline>");
        Ok(self)
    }

    /// Adds one object, or a `List` of objects.
    pub fn add_object(&mut self, value: Value) -> &mut Fixtures {
        self.add_values(vec![value], "<inline>");
        self
    }

    /// Adds the log of a container; `previous` marks the log of the previous, terminated
    /// container, served for `previous=true`.
    pub fn add_log(&mut self, namespace: &str, pod: &str, container: &str, previous: bool, text: &str) -> &mut Fixtures {
        let key = LogKey { namespace: namespace.into(), pod: pod.into(), container: container.into(), previous };
        self.logs.insert(key, text.to_string());
        self
    }

    /// Sets the time the server takes as now, as RFC 3339 (`2026-12-04T10:30:00Z`), so that
    /// the ages in `kubectl get` tables do not change with the wall clock.
    ///
    /// # Errors
    ///
    /// Fails when the time is not RFC 3339.
    pub fn with_clock(mut self, now: &str) -> Result<Fixtures, FixtureError> {
        let seconds = time::parse_rfc3339(now).ok_or_else(|| FixtureError {
            path: "<clock>".into(),
            message: format!("invalid time `{now}`: expected RFC 3339 such as `2026-12-04T10:30:00Z`"),
        })?;
        self.clock = Some(seconds);
        Ok(self)
    }

    /// Returns the objects, each with `apiVersion` and `kind`.
    pub fn objects(&self) -> &[Value] {
        &self.objects
    }

    /// Returns the number of container logs.
    pub fn log_count(&self) -> usize {
        self.logs.len()
    }

    /// Returns the documents that were skipped because they are not Kubernetes objects (no
    /// `apiVersion`, `kind` or `metadata.name`), each with its file.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    fn add_folder(&mut self, root: &Path, dir: &Path, depth: usize) -> Result<(), FixtureError> {
        if depth > MAX_DEPTH {
            return Err(FixtureError { path: dir.into(), message: format!("nested deeper than {MAX_DEPTH} folders") });
        }
        let mut children: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(|e| error(dir, e))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(|e| error(dir, e))?;
        children.sort();

        for child in children {
            let metadata = fs::metadata(&child).map_err(|e| error(&child, e))?;
            if metadata.is_dir() {
                self.add_folder(root, &child, depth + 1)?;
            } else if metadata.is_file() {
                let relative = child.strip_prefix(root).unwrap_or(&child);
                let parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                self.add_file(&child, Some(&parts))?;
            }
        }
        Ok(())
    }

    /// Adds one file: a log when its path relative to the folder is a log path, objects when
    /// it is YAML or JSON, nothing otherwise (a README beside the objects is not an error).
    fn add_file(&mut self, path: &Path, relative: Option<&[String]>) -> Result<(), FixtureError> {
        if let Some(key) = relative.and_then(log_key) {
            let bytes = fs::read(path).map_err(|e| error(path, e))?;
            self.logs.insert(key, String::from_utf8_lossy(&bytes).into_owned());
            return Ok(());
        }

        let extension = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        let values = match extension.as_str() {
            "yaml" | "yml" => {
                let bytes = fs::read(path).map_err(|e| error(path, e))?;
                parse_yaml(&bytes).map_err(|message| FixtureError { path: path.into(), message })?
            }
            "json" => {
                let bytes = fs::read(path).map_err(|e| error(path, e))?;
                parse_json(&bytes).map_err(|message| FixtureError { path: path.into(), message })?
            }
            _ => return Ok(()),
        };
        self.add_values(values, &path.display().to_string());
        Ok(())
    }

    fn add_values(&mut self, values: Vec<Value>, origin: &str) {
        let mut unpacked = Vec::new();
        for value in values {
            unpack(value, &mut unpacked);
        }
        for value in unpacked {
            match identity(&value) {
                Some(id) => match self.positions.get(&id) {
                    Some(&at) => self.objects[at] = value,
                    None => {
                        self.positions.insert(id, self.objects.len());
                        self.objects.push(value);
                    }
                },
                None => self.skipped.push(format!("{origin}: a document without `apiVersion`, `kind` and `metadata.name`")),
            }
        }
    }
}

fn error(path: &Path, error: std::io::Error) -> FixtureError {
    FixtureError { path: path.into(), message: error.to_string() }
}

/// Recognises `logs/<namespace>/<pod>/<container>.log` and `<container>.previous.log`, at any
/// depth below the fixture folder.
fn log_key(parts: &[String]) -> Option<LogKey> {
    let at = parts.iter().rposition(|p| p == "logs")?;
    let [namespace, pod, file] = &parts[at + 1..] else { return None };
    let stem = file.strip_suffix(".log")?;
    let (container, previous) = match stem.strip_suffix(".previous") {
        Some(container) => (container, true),
        None => (stem, false),
    };
    Some(LogKey { namespace: namespace.clone(), pod: pod.clone(), container: container.into(), previous })
}

/// Returns the object's [`Identity`], when it has the fields that make one.
fn identity(value: &Value) -> Option<Identity> {
    let api_version = value.get("apiVersion")?.as_str()?;
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    let kind = value.get("kind")?.as_str()?;
    let metadata = value.get("metadata")?;
    let name = metadata.get("name")?.as_str()?;
    let namespace = metadata.get("namespace").and_then(Value::as_str).unwrap_or("");
    Some((group.into(), kind.into(), namespace.into(), name.into()))
}

fn parse_yaml(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let mut values = Vec::new();
    for document in serde_yaml::Deserializer::from_slice(bytes) {
        match Value::deserialize(document) {
            Ok(Value::Null) => {}
            Ok(value) => values.push(value),
            Err(error) => return Err(error.to_string()),
        }
    }
    Ok(values)
}

fn parse_json(bytes: &[u8]) -> Result<Vec<Value>, String> {
    serde_json::Deserializer::from_slice(bytes).into_iter::<Value>().collect::<Result<_, _>>().map_err(|e| e.to_string())
}

/// Unpacks `List`s, typed lists (`PodList` items get `kind: Pod` and the list's `apiVersion`)
/// and bare arrays into single objects.
fn unpack(value: Value, out: &mut Vec<Value>) {
    match value {
        Value::Array(items) => items.into_iter().for_each(|item| unpack(item, out)),
        Value::Object(mut map) if map.get("items").is_some_and(Value::is_array) && !map.contains_key("spec") => {
            let list_kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
            let item_kind = list_kind.strip_suffix("List").filter(|k| !k.is_empty()).map(str::to_string);
            let api_version = map.get("apiVersion").cloned();
            let Some(Value::Array(items)) = map.remove("items") else { return };
            for mut item in items {
                if let (Value::Object(fields), Some(kind)) = (&mut item, &item_kind)
                    && !fields.contains_key("kind")
                {
                    fields.insert("kind".into(), Value::String(kind.clone()));
                    if let Some(api_version) = &api_version {
                        fields.entry("apiVersion").or_insert_with(|| api_version.clone());
                    }
                }
                unpack(item, out);
            }
        }
        object @ Value::Object(_) => out.push(object),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_list_items_get_kind_and_api_version() {
        let mut fixtures = Fixtures::new();
        fixtures.add_object(serde_json::json!({"apiVersion": "v1", "kind": "PodList", "items": [{"metadata": {"name": "a"}}]}));
        assert_eq!(fixtures.objects()[0]["kind"], "Pod");
        assert_eq!(fixtures.objects()[0]["apiVersion"], "v1");
    }

    #[test]
    fn log_paths_name_container_and_previous() {
        let parts: Vec<String> = ["logs", "veritas", "gg-core-a", "gg-core.previous.log"].map(String::from).to_vec();
        let key = log_key(&parts).unwrap();
        assert_eq!(key, LogKey { namespace: "veritas".into(), pod: "gg-core-a".into(), container: "gg-core".into(), previous: true });
        assert!(log_key(&["pods.yaml".to_string()]).is_none());
    }

    #[test]
    fn same_object_twice_is_replaced() {
        let mut fixtures = Fixtures::new();
        fixtures.add_yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\ndata: {k: '1'}\n").unwrap();
        fixtures.add_yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\ndata: {k: '2'}\n").unwrap();
        assert_eq!(fixtures.objects().len(), 1);
        assert_eq!(fixtures.objects()[0]["data"]["k"], "2");
    }
}
