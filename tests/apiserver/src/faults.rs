//! Recording and fault injection: every request is recorded with its answer's status code,
//! and tests make chosen requests fail or wait.

use std::time::Duration;

use crate::request::{Params, RequestInfo};

/// A request the server responded to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method, such as `GET`.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, without `?`; empty when there is none.
    pub query: String,
    /// The status code of the response.
    pub status: u16,
}

impl RecordedRequest {
    /// Returns the decoded value of a query parameter, such as `labelSelector`.
    pub fn param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes()).find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
    }
}

/// Which requests a fault applies to: a resource, optionally narrowed to a namespace, a path
/// prefix and requests that carry a query parameter, and optionally to the first N matching
/// requests only.
///
/// The resource is the plural as RBAC names it: `pods` matches requests on pods themselves
/// (list, get, watch), `pods/log` and `pods/proxy` match those subresources. `*` matches every
/// request, discovery included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    resource: String,
    namespace: Option<String>,
    path_prefix: Option<String>,
    param: Option<String>,
    first: Option<usize>,
}

impl Matcher {
    /// Matches requests on a resource (`pods`), a subresource (`pods/log`), or every request
    /// (`*`).
    pub fn resource(resource: &str) -> Matcher {
        Matcher { resource: resource.to_string(), namespace: None, path_prefix: None, param: None, first: None }
    }

    /// Matches every request whose path starts with a prefix, such as `/apis`.
    pub fn path_prefix(prefix: &str) -> Matcher {
        Matcher::resource("*").with_path_prefix(prefix)
    }

    /// Narrows to requests in one namespace.
    pub fn namespace(mut self, namespace: &str) -> Matcher {
        self.namespace = Some(namespace.to_string());
        self
    }

    /// Narrows to requests whose path starts with a prefix.
    pub fn with_path_prefix(mut self, prefix: &str) -> Matcher {
        self.path_prefix = Some(prefix.to_string());
        self
    }

    /// Narrows to requests that carry a query parameter, such as `continue` for the pages
    /// after the first.
    pub fn with_param(mut self, name: &str) -> Matcher {
        self.param = Some(name.to_string());
        self
    }

    /// Applies the fault to the first `count` matching requests only. Later ones pass.
    pub fn first(mut self, count: usize) -> Matcher {
        self.first = Some(count);
        self
    }

    fn matches(&self, info: &RequestInfo, path: &str, params: &Params) -> bool {
        let resource_matches = self.resource == "*" || (!info.resource.is_empty() && self.resource == info.full_resource());
        let namespace_matches = self.namespace.as_ref().is_none_or(|n| info.namespace.as_ref() == Some(n));
        let path_matches = self.path_prefix.as_ref().is_none_or(|p| path.starts_with(p.as_str()));
        let param_matches = self.param.as_ref().is_none_or(|p| params.get(p).is_some());
        resource_matches && namespace_matches && path_matches && param_matches
    }
}

/// What a fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Respond with this status code and the `Status` the API server returns for it.
    Fail(u16),
    /// Wait this long, then respond as usual (or with a failure that also matches).
    Delay(Duration),
}

#[derive(Debug)]
struct Rule {
    matcher: Matcher,
    action: Action,
    remaining: Option<usize>,
}

/// The faults of one server, in the order added.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    rules: Vec<Rule>,
}

impl Faults {
    pub fn add(&mut self, matcher: Matcher, action: Action) {
        let remaining = matcher.first;
        self.rules.push(Rule { matcher, action, remaining });
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Returns the total delay and the first failure that apply to a request, and counts the
    /// request against each rule limited to its first N requests.
    pub fn apply(&mut self, info: &RequestInfo, path: &str, params: &Params) -> (Duration, Option<u16>) {
        let mut delay = Duration::ZERO;
        let mut failure = None;
        for rule in &mut self.rules {
            if rule.remaining == Some(0) || !rule.matcher.matches(info, path, params) {
                continue;
            }
            match rule.action {
                Action::Delay(duration) => delay += duration,
                Action::Fail(code) if failure.is_none() => failure = Some(code),
                Action::Fail(_) => continue,
            }
            if let Some(remaining) = &mut rule.remaining {
                *remaining -= 1;
            }
        }
        (delay, failure)
    }
}
