//! Turns API server answers that are not data into read errors that say what failed, and,
//! for a 403, which permission is missing and the RBAC rule that would grant it.

use crate::source::ReadError;

/// What was being read, for messages.
pub struct Attempt<'a> {
    /// The verb: `list`, `get`.
    pub verb: &'a str,
    /// `plural.group`, or a subresource such as `pods/log`.
    pub resource: &'a str,
    /// The API group, for the RBAC rule.
    pub group: &'a str,
    /// The namespace; `None` for all namespaces or cluster-scoped kinds.
    pub namespace: Option<&'a str>,
}

impl Attempt<'_> {
    fn scope(&self) -> String {
        match self.namespace {
            Some(namespace) => format!("in namespace `{namespace}`"),
            None => "across all namespaces".to_string(),
        }
    }
}

/// Maps an error status to a read error. `message` is the `Status` message the server sent.
pub fn from_status(status: u16, message: &str, attempt: &Attempt<'_>) -> ReadError {
    let what = format!("{} {} {}", attempt.verb, attempt.resource, attempt.scope());
    let plural = attempt.resource.split('.').next().unwrap_or(attempt.resource);
    match status {
        401 => ReadError::Denied(format!("{what}: unauthorized (401): the credentials were rejected; log in again or check the kubeconfig user")),
        403 => {
            let (kind, binding) = match attempt.namespace {
                Some(namespace) => ("Role", format!("a RoleBinding in `{namespace}`")),
                None => ("ClusterRole", "a ClusterRoleBinding".to_string()),
            };
            ReadError::Denied(format!(
                "forbidden: {what} (403: {}); grant it with a {kind} rule {{apiGroups: [\"{}\"], resources: [\"{plural}\"], verbs: [\"get\", \"list\"]}} and {binding}",
                message.trim(),
                attempt.group
            ))
        }
        404 => ReadError::NotFound(format!("{what}: not found")),
        408 | 504 => ReadError::Timeout(format!("{what}: the API server timed out ({status})")),
        _ => ReadError::Unavailable(format!("{what}: the API server answered {status}: {}", message.trim())),
    }
}

/// Reports whether a status is worth retrying: server errors and throttling.
pub fn is_retryable(status: u16) -> bool {
    status == 429 || status >= 500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_names_permission_and_rule() {
        let attempt = Attempt { verb: "list", resource: "servicemonitors.monitoring.coreos.com", group: "monitoring.coreos.com", namespace: Some("veritas") };
        let error = from_status(403, "servicemonitors is forbidden", &attempt).to_string();
        assert!(error.contains("list servicemonitors.monitoring.coreos.com in namespace `veritas`"), "{error}");
        assert!(error.contains("resources: [\"servicemonitors\"]"), "{error}");
        assert!(error.starts_with("denied: forbidden"), "{error}");
    }

    #[test]
    fn server_errors_are_retryable_client_errors_not() {
        assert!(is_retryable(500));
        assert!(is_retryable(429));
        assert!(!is_retryable(403));
    }
}
