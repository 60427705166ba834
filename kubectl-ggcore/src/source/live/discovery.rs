//! Finds which resource serves a kind: built-in kinds by group, custom resources by kind in any
//! group. Uses aggregated discovery (two requests) and falls back to per-group discovery on
//! servers older than Kubernetes 1.26.

use kube::Client;
use kube::discovery::{ApiCapabilities, ApiResource, Discovery, Scope};

use crate::source::{KindQuery, ReadError};

/// A kind's REST resource.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Group, version, kind and plural.
    pub api: ApiResource,
    /// True for namespaced kinds.
    pub namespaced: bool,
}

impl Resource {
    /// Returns `plural.group` (or `plural` for core), as RBAC and kubectl name resources.
    pub fn qualified(&self) -> String {
        if self.api.group.is_empty() { self.api.plural.clone() } else { format!("{}.{}", self.api.plural, self.api.group) }
    }

    /// Returns the URL path of the collection, in a namespace or across all of them.
    pub fn collection_path(&self, namespace: Option<&str>) -> String {
        let prefix = if self.api.group.is_empty() { format!("/api/{}", self.api.version) } else { format!("/apis/{}/{}", self.api.group, self.api.version) };
        match namespace.filter(|_| self.namespaced) {
            Some(namespace) => format!("{prefix}/namespaces/{namespace}/{}", self.api.plural),
            None => format!("{prefix}/{}", self.api.plural),
        }
    }
}

/// Runs discovery once.
///
/// # Errors
///
/// Returns `unavailable` when neither discovery form answers.
pub async fn discover(client: &Client) -> Result<Discovery, ReadError> {
    match Discovery::new(client.clone()).run_aggregated().await {
        Ok(discovery) => Ok(discovery),
        Err(error) => {
            tracing::debug!("aggregated discovery failed ({error}); falling back to per-group discovery");
            Discovery::new(client.clone()).run().await.map_err(|e| ReadError::Unavailable(format!("API discovery failed: {e}")))
        }
    }
}

/// Finds the resource of a kind, preferring the group's recommended version.
pub fn find(discovery: &Discovery, kind: &KindQuery) -> Option<Resource> {
    let mut candidates: Vec<(ApiResource, ApiCapabilities)> = Vec::new();
    for group in discovery.groups_alphabetical() {
        if kind.group.as_deref().is_some_and(|g| g != group.name()) {
            continue;
        }
        candidates.extend(group.recommended_resources().into_iter().filter(|(r, _)| r.kind == kind.kind));
    }
    // Core `Event` and `events.k8s.io` both serve `Event`; a request without a group means core.
    candidates.sort_by_key(|(r, _)| !r.group.is_empty());
    candidates
        .into_iter()
        .find(|(_, caps)| caps.supports_operation("list"))
        .map(|(api, caps)| Resource { api, namespaced: caps.scope == Scope::Namespaced })
}
