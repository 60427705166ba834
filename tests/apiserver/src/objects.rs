//! Reads of objects: list (with label and field selectors, `limit` and `continue`), get, and
//! watch, each returned as JSON, a `Table` or `PartialObjectMetadata`, as the `Accept` header
//! requests.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use hyper::body::{Body as HttpBody, Frame};
use serde_json::{Value, json};

use crate::request::{Params, Representation};
use crate::resources::ResourceType;
use crate::selectors::{FieldSelector, LabelSelector, selectable_fields};
use crate::status::ApiError;
use crate::store::{Store, Stored};
use crate::table::{IncludeObject, partial_metadata, table};

/// A page of a list: the items, the continue token and the count of items after the page.
#[derive(Debug)]
pub struct Page<'a> {
    /// The items of this page.
    pub items: Vec<&'a Stored>,
    /// The token that requests the next page, `None` on the last page.
    pub continue_token: Option<String>,
    /// How many items follow this page.
    pub remaining: usize,
}

/// Returns the objects of a list request that its selectors select, in key order.
///
/// # Errors
///
/// Returns 400 for a selector that does not parse or a field a field selector cannot use.
pub fn select<'a>(store: &'a Store, resource: &ResourceType, namespace: Option<&'a str>, params: &Params) -> Result<Vec<&'a Stored>, ApiError> {
    let labels = LabelSelector::parse(params.get("labelSelector").unwrap_or("")).map_err(|e| ApiError::bad_request(e.message))?;
    let fields = FieldSelector::parse(params.get("fieldSelector").unwrap_or("")).map_err(|e| ApiError::bad_request(e.message))?;
    let allowed = selectable_fields(&resource.group, &resource.kind);
    for term in fields.terms() {
        let field = term.field.as_str();
        if !matches!(field, "metadata.name" | "metadata.namespace") && !allowed.contains(&field) {
            return Err(ApiError::bad_request(format!("field label not supported: {field}")));
        }
    }
    Ok(store.list(resource, namespace).filter(|o| labels.matches(&o.labels) && fields.matches(&o.value)).collect())
}

/// Cuts one page from the selected items: those after the continue token's key, at most
/// `limit` of them (all for 0).
///
/// # Errors
///
/// Returns 400 for a continue token the server did not issue.
pub fn page<'a>(items: Vec<&'a Stored>, limit: usize, continue_token: Option<&str>, resource_version: u64) -> Result<Page<'a>, ApiError> {
    let start = match continue_token.filter(|t| !t.is_empty()) {
        Some(token) => Some(decode_continue(token)?),
        None => None,
    };
    let mut rest: Vec<&Stored> = items.into_iter().filter(|o| start.as_ref().is_none_or(|s| o.key.as_str() > s.as_str())).collect();
    if limit == 0 || rest.len() <= limit {
        return Ok(Page { items: rest, continue_token: None, remaining: 0 });
    }
    let remaining = rest.split_off(limit);
    let last = rest.last().map(|o| o.key.clone()).unwrap_or_default();
    Ok(Page { items: rest, continue_token: Some(encode_continue(&last, resource_version)), remaining: remaining.len() })
}

/// Encodes a continue token as kube-apiserver does: URL-safe base64 of
/// `{"v":"meta.k8s.io/v1","rv":N,"start":"<key>\u0000"}`, where `start` is the first key the
/// next page may hold.
pub fn encode_continue(last_key: &str, resource_version: u64) -> String {
    let token = json!({"v": "meta.k8s.io/v1", "rv": resource_version, "start": format!("{last_key}\u{0}")});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token.to_string())
}

/// Decodes a continue token into the last key of the previous page.
fn decode_continue(token: &str) -> Result<String, ApiError> {
    let invalid = |why: &str| ApiError::bad_request(format!("continue key is not valid: {why}"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid("not base64"))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid("not JSON"))?;
    if value["v"] != "meta.k8s.io/v1" {
        return Err(invalid("incorrect encoded start resourceVersion (version meta.k8s.io/v1)"));
    }
    let start = value["start"].as_str().ok_or_else(|| invalid("no start key"))?;
    Ok(start.trim_end_matches('\u{0}').to_string())
}

/// Builds the body of a list: a `<Kind>List`, a `Table` or a `PartialObjectMetadataList`.
pub fn list_body(resource: &ResourceType, page: &Page<'_>, filtered: bool, store: &Store, representation: &Representation, params: &Params) -> Value {
    let mut metadata = json!({"resourceVersion": store.resource_version.to_string()});
    if let Some(token) = &page.continue_token {
        metadata["continue"] = json!(token);
        // The API server counts the remaining items only when no selector filters them.
        if !filtered {
            metadata["remainingItemCount"] = json!(page.remaining);
        }
    }
    let values: Vec<&Value> = page.items.iter().map(|o| &o.value).collect();
    match representation {
        Representation::Table(version) => {
            let include = IncludeObject::from_parameter(params.get("includeObject"));
            table(resource, &values, store.now(), include, version, metadata)
        }
        Representation::Metadata(version) => json!({
            "kind": "PartialObjectMetadataList",
            "apiVersion": format!("meta.k8s.io/{version}"),
            "metadata": metadata,
            "items": values.iter().map(|v| partial_metadata(v)).collect::<Vec<_>>(),
        }),
        _ => json!({
            "kind": format!("{}List", resource.kind),
            "apiVersion": resource.api_version(),
            "metadata": metadata,
            "items": values,
        }),
    }
}

/// Builds the body of a get: the object, a one-row `Table` or its `PartialObjectMetadata`.
pub fn object_body(resource: &ResourceType, object: &Stored, store: &Store, representation: &Representation, params: &Params) -> Value {
    match representation {
        Representation::Table(version) => {
            let include = IncludeObject::from_parameter(params.get("includeObject"));
            let metadata = json!({"resourceVersion": object.value["metadata"]["resourceVersion"]});
            table(resource, &[&object.value], store.now(), include, version, metadata)
        }
        Representation::Metadata(version) => {
            let mut metadata = partial_metadata(&object.value);
            metadata["apiVersion"] = json!(format!("meta.k8s.io/{version}"));
            metadata
        }
        _ => object.value.clone(),
    }
}

/// The maximum time a watch stays open, in seconds, when `timeoutSeconds` requests longer or is
/// absent. kube-apiserver picks a time between 30 and 60 minutes.
const MAX_WATCH_SECONDS: u64 = 1800;

/// The body of a watch: the events as JSON lines, then nothing until the timeout, because the
/// fixtures never change. The client's disconnect or the server's shutdown ends it sooner.
pub struct WatchBody {
    events: Option<Bytes>,
    until: Pin<Box<tokio::time::Sleep>>,
}

impl WatchBody {
    /// Builds a watch of selected items.
    ///
    /// With no `resourceVersion` (or `0`), the items come as `ADDED` events, as the API server
    /// replays its state. With `sendInitialEvents=true` a `BOOKMARK` marks the end of them.
    /// With any other resource version, no event comes.
    pub fn new(items: &[&Stored], resource: &ResourceType, params: &Params, resource_version: u64) -> WatchBody {
        let mut events = String::new();
        let replay = matches!(params.get("resourceVersion"), None | Some("" | "0")) || params.is_true("sendInitialEvents");
        if replay {
            for item in items {
                events.push_str(&json!({"type": "ADDED", "object": item.value}).to_string());
                events.push('\n');
            }
        }
        if params.is_true("sendInitialEvents") {
            let bookmark = json!({
                "type": "BOOKMARK",
                "object": {
                    "kind": resource.kind,
                    "apiVersion": resource.api_version(),
                    "metadata": {"resourceVersion": resource_version.to_string(), "annotations": {"k8s.io/initial-events-end": "true"}}
                }
            });
            events.push_str(&bookmark.to_string());
            events.push('\n');
        }
        let seconds = params.get("timeoutSeconds").and_then(|s| s.parse::<u64>().ok()).filter(|s| *s > 0).unwrap_or(MAX_WATCH_SECONDS).min(MAX_WATCH_SECONDS);
        WatchBody {
            events: (!events.is_empty()).then(|| Bytes::from(events)),
            until: Box::pin(tokio::time::sleep(Duration::from_secs(seconds))),
        }
    }
}

impl HttpBody for WatchBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(events) = self.events.take() {
            return Poll::Ready(Some(Ok(Frame::data(events))));
        }
        match self.until.as_mut().poll(context) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
