//! Why an image pull failed, read from the kubelet's messages (container `waiting.message` and
//! the pod's `Failed` events).
//!
//! The registry's response decides the fix: a tag that does not exist needs a push or a fixed
//! tag, an authentication failure needs a pull secret, a network failure needs registry access.
//! Container runtimes word these differently (containerd: `code = NotFound ... not found`;
//! Docker: `manifest unknown`, `pull access denied`); the patterns below cover containerd,
//! CRI-O and Docker.

/// The container waiting reasons that mean the image could not be pulled.
pub const PULL_REASONS: [&str; 5] = ["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable"];

/// The registry's response, as the kubelet reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullFailure {
    /// The tag or repository does not exist.
    NotFound,
    /// The registry rejected the credentials, or there were none.
    Unauthorized,
    /// Docker's response that does not distinguish the two: "repository does not exist or may
    /// require 'docker login'".
    NotFoundOrUnauthorized,
    /// The registry limited the pull rate.
    RateLimited,
    /// The registry could not be reached (DNS, TCP, TLS).
    Unreachable,
    /// The image reference does not parse.
    InvalidName,
    /// The image is not on the node and the pull policy is `Never`.
    NeverPull,
    /// No message gives the reason.
    Unknown,
}

impl PullFailure {
    /// Describes the failure in a few words for evidence lines.
    pub fn describe(self) -> &'static str {
        match self {
            PullFailure::NotFound => "not found: the tag or repository does not exist in the registry",
            PullFailure::Unauthorized => "unauthorized: the registry rejected the pull credentials",
            PullFailure::NotFoundOrUnauthorized => "the repository does not exist or needs credentials (the registry does not say which)",
            PullFailure::RateLimited => "rate limited by the registry",
            PullFailure::Unreachable => "the registry could not be reached",
            PullFailure::InvalidName => "the image reference is not valid",
            PullFailure::NeverPull => "the image is not on the node and imagePullPolicy is Never",
            PullFailure::Unknown => "the kubelet's messages do not say why",
        }
    }

    /// Returns what to do about it, for `image`.
    pub fn resolution(self, image: &str) -> String {
        match self {
            PullFailure::NotFound => format!(
                "Image `{image}` does not exist in the registry: push it, or fix the tag in the pod template (pin by digest where possible)"
            ),
            PullFailure::Unauthorized => {
                format!("The registry refused to serve `{image}`: check the imagePullSecrets of the pod and the service account, and the credentials in them")
            }
            PullFailure::NotFoundOrUnauthorized => {
                format!("Check that `{image}` exists in the registry, and that the pod's imagePullSecrets grant access to it")
            }
            PullFailure::RateLimited => format!("The registry limits pulls of `{image}`: authenticate pulls or use a mirror"),
            PullFailure::Unreachable => format!("Nodes cannot reach the registry of `{image}`: check DNS, network policies, proxies and certificates"),
            PullFailure::InvalidName => format!("Fix the image reference `{image}` in the pod template"),
            PullFailure::NeverPull => format!("Pre-load `{image}` on the nodes or change imagePullPolicy"),
            PullFailure::Unknown => format!("Verify registry access and the image tag of `{image}`"),
        }
    }
}

/// Classifies a pull failure from the container's waiting reason and the kubelet's messages.
pub fn classify<'a>(reason: &str, messages: impl IntoIterator<Item = &'a str>) -> PullFailure {
    match reason {
        "InvalidImageName" => return PullFailure::InvalidName,
        "ErrImageNeverPull" => return PullFailure::NeverPull,
        _ => {}
    }
    let text: String = messages.into_iter().map(str::to_ascii_lowercase).collect::<Vec<_>>().join("\n");
    let has = |patterns: &[&str]| patterns.iter().any(|p| text.contains(p));

    if has(&["pull access denied"]) && has(&["does not exist", "may require"]) {
        PullFailure::NotFoundOrUnauthorized
    } else if has(&["unauthorized", "authentication required", "no basic auth credentials", "access to the resource is denied", "forbidden", "denied:"]) {
        PullFailure::Unauthorized
    } else if has(&["notfound", "not found", "manifest unknown", "name unknown", "does not exist"]) {
        PullFailure::NotFound
    } else if has(&["toomanyrequests", "too many requests", "rate limit"]) {
        PullFailure::RateLimited
    } else if has(&["i/o timeout", "no such host", "connection refused", "dial tcp", "network is unreachable", "x509", "tls:", "context deadline exceeded"]) {
        PullFailure::Unreachable
    } else {
        PullFailure::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containerd_not_found_is_not_found() {
        let message = "Failed to pull image \"registry.example.internal/veritas/gg-core:1.9.0-rc1\": rpc error: code = NotFound desc = failed to pull and unpack image: failed to resolve reference: registry.example.internal/veritas/gg-core:1.9.0-rc1: not found";
        assert_eq!(classify("ImagePullBackOff", [message]), PullFailure::NotFound);
    }

    #[test]
    fn unauthorized_answer_is_unauthorized() {
        let message = "failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized";
        assert_eq!(classify("ErrImagePull", [message]), PullFailure::Unauthorized);
    }

    #[test]
    fn docker_pull_access_denied_is_ambiguous() {
        let message = "pull access denied for gg-core, repository does not exist or may require 'docker login'";
        assert_eq!(classify("ErrImagePull", [message]), PullFailure::NotFoundOrUnauthorized);
    }

    #[test]
    fn dns_failure_is_unreachable() {
        let message = "dial tcp: lookup registry.example.internal: no such host";
        assert_eq!(classify("ErrImagePull", [message]), PullFailure::Unreachable);
    }

    #[test]
    fn back_off_alone_is_unknown() {
        assert_eq!(classify("ImagePullBackOff", ["Back-off pulling image \"gg-core:1\""]), PullFailure::Unknown);
    }
}
