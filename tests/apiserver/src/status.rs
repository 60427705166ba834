//! Error responses as the API server returns them: a `Status` object (`kind: Status`,
//! `status: Failure`, a `reason`, a `message` worded as kube-apiserver words it, `details` and
//! the `code`).

use serde_json::{Value, json};

use crate::request::RequestInfo;
use crate::resources::ResourceType;

/// The user name the server's messages name, the user of the kubeconfig it writes.
pub const USER: &str = "ggcore-test";

/// An error response.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status code.
    pub code: u16,
    /// The `reason`, such as `NotFound`.
    pub reason: &'static str,
    /// The `message`.
    pub message: String,
    /// The `details`, an empty object when there are none.
    pub details: Value,
}

impl ApiError {
    /// Builds the `Status` object.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "details": self.details,
            "code": self.code,
        });
        if self.reason.is_empty() {
            status.as_object_mut().map(|s| s.remove("reason"));
        }
        status
    }

    /// 404 for an object that does not exist: `pods "x" not found`.
    pub fn not_found(resource: &ResourceType, name: &str) -> ApiError {
        ApiError {
            code: 404,
            reason: "NotFound",
            message: format!("{} \"{name}\" not found", resource.qualified()),
            details: details(resource, Some(name)),
        }
    }

    /// 404 for a path that names no resource the server serves.
    pub fn no_such_path() -> ApiError {
        ApiError { code: 404, reason: "NotFound", message: "the server could not find the requested resource".into(), details: json!({}) }
    }

    /// 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError { code: 400, reason: "BadRequest", message: message.into(), details: json!({}) }
    }

    /// 405 for any method but GET: the server never changes anything.
    pub fn method_not_allowed() -> ApiError {
        ApiError {
            code: 405,
            reason: "MethodNotAllowed",
            message: "the server does not allow this method on the requested resource".into(),
            details: json!({}),
        }
    }

    /// 406 when the `Accept` header names no representation the server writes.
    pub fn not_acceptable() -> ApiError {
        ApiError {
            code: 406,
            reason: "NotAcceptable",
            message: "only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io".into(),
            details: json!({}),
        }
    }

    /// 503 from the proxy, whose message states why the backend could not be reached.
    pub fn service_unavailable(message: impl Into<String>) -> ApiError {
        ApiError { code: 503, reason: "ServiceUnavailable", message: message.into(), details: json!({}) }
    }
}

/// Builds the `details` of an error about a resource: name, group and kind (the plural, as
/// the API server puts it).
pub fn details(resource: &ResourceType, name: Option<&str>) -> Value {
    let mut details = serde_json::Map::new();
    if let Some(name) = name {
        details.insert("name".into(), json!(name));
    }
    if !resource.group.is_empty() {
        details.insert("group".into(), json!(resource.group));
    }
    details.insert("kind".into(), json!(resource.plural));
    Value::Object(details)
}

/// Builds the error for an injected status code, worded as the API server words that code.
pub fn injected(code: u16, info: &RequestInfo) -> ApiError {
    match code {
        403 => forbidden(info),
        401 => ApiError { code, reason: "Unauthorized", message: "Unauthorized".into(), details: json!({}) },
        404 => ApiError {
            code,
            reason: "NotFound",
            message: match &info.name {
                Some(name) if !info.resource.is_empty() => format!("{} \"{name}\" not found", info.qualified()),
                _ => "the server could not find the requested resource".into(),
            },
            details: if info.resource.is_empty() { json!({}) } else { info.resource_details() },
        },
        409 => ApiError { code, reason: "Conflict", message: "the object has been modified; please apply your changes to the latest version and try again".into(), details: info.resource_details() },
        410 => ApiError { code, reason: "Expired", message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.".into(), details: json!({}) },
        429 => ApiError {
            code,
            reason: "TooManyRequests",
            message: "the server has received too many requests and has asked us to try again later".into(),
            details: json!({"retryAfterSeconds": 1}),
        },
        500 => ApiError {
            code,
            reason: "InternalError",
            message: "Internal error occurred: injected fault".into(),
            details: json!({"causes": [{"message": "injected fault"}]}),
        },
        503 => ApiError { code, reason: "ServiceUnavailable", message: "the server is currently unable to handle the request".into(), details: json!({}) },
        504 => ApiError { code, reason: "Timeout", message: "the server was unable to return a response in the time allotted, but may still be processing the request".into(), details: json!({}) },
        _ => ApiError { code, reason: "", message: format!("injected fault with status code {code}"), details: json!({}) },
    }
}

/// 403 as the RBAC authorizer words it:
/// `pods "x" is forbidden: User "u" cannot get resource "pods/log" in API group "" in the namespace "veritas"`.
pub fn forbidden(info: &RequestInfo) -> ApiError {
    if info.resource.is_empty() {
        return ApiError {
            code: 403,
            reason: "Forbidden",
            message: format!("forbidden: User \"{USER}\" cannot {} path \"{}\"", info.verb, info.path),
            details: json!({}),
        };
    }
    let subject = match &info.name {
        Some(name) => format!("{} \"{name}\"", info.qualified()),
        None => info.qualified(),
    };
    let scope = match &info.namespace {
        Some(namespace) => format!("in the namespace \"{namespace}\""),
        None => "at the cluster scope".into(),
    };
    ApiError {
        code: 403,
        reason: "Forbidden",
        message: format!(
            "{subject} is forbidden: User \"{USER}\" cannot {} resource \"{}\" in API group \"{}\" {scope}",
            info.verb,
            info.full_resource(),
            info.group
        ),
        details: info.resource_details(),
    }
}
