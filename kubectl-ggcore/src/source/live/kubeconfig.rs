//! Connection settings as kubectl resolves them: `--kubeconfig`, else every file of
//! `KUBECONFIG` merged (the first file to set a value wins; missing files are skipped, as
//! kubectl does and kube-rs alone does not), else `~/.kube/config`, else the in-cluster
//! service account; then `--context`, `--cluster`, `--user`, impersonation, timeouts and TLS.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use kube::config::{Config, KubeConfigOptions, Kubeconfig};

/// The connection flags, as the user gave them.
#[derive(Debug, Default, Clone)]
pub struct ConnectionFlags {
    /// `--kubeconfig`.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`.
    pub context: Option<String>,
    /// `--cluster`.
    pub cluster: Option<String>,
    /// `--user`.
    pub user: Option<String>,
    /// `--as`.
    pub as_user: Option<String>,
    /// `--as-group`.
    pub as_groups: Vec<String>,
    /// `--request-timeout`; `None` or zero waits forever.
    pub request_timeout: Option<Duration>,
    /// `--insecure-skip-tls-verify`.
    pub insecure_skip_tls_verify: bool,
}

/// A resolved connection: the kube-rs config and what the error messages name.
pub struct Connection {
    /// The kube-rs configuration.
    pub config: Config,
    /// The context used, or `in-cluster`.
    pub context: String,
    /// The server's URL.
    pub server: String,
    /// The namespace the context sets, when it sets one.
    pub context_namespace: Option<String>,
}

/// Resolves the connection from the flags and the environment.
///
/// # Errors
///
/// Fails, naming the files and the context, when no kubeconfig can be found or parsed, when the
/// context, cluster or user does not exist, or when the in-cluster configuration is incomplete.
pub async fn resolve(flags: &ConnectionFlags) -> Result<Connection> {
    let Some(kubeconfig) = load_kubeconfig(flags)? else {
        if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
            let mut config = Config::incluster().context("reading the in-cluster service account configuration")?;
            let server = config.cluster_url.to_string();
            apply_overrides(&mut config, flags);
            let namespace = Some(config.default_namespace.clone());
            return Ok(Connection { config, context: "in-cluster".into(), server, context_namespace: namespace });
        }
        bail!("no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config (or pass --snapshot to read a saved snapshot)");
    };

    let context_name = flags.context.clone().or_else(|| kubeconfig.current_context.clone()).ok_or_else(|| {
        anyhow!("the kubeconfig sets no current-context; pass --context (contexts: {})", context_names(&kubeconfig))
    })?;
    let context = kubeconfig.contexts.iter().find(|c| c.name == context_name).ok_or_else(|| {
        anyhow!("context `{context_name}` does not exist in the kubeconfig (contexts: {})", context_names(&kubeconfig))
    })?;
    let context_namespace = context.context.as_ref().and_then(|c| c.namespace.clone());
    if let Some(cluster) = &flags.cluster {
        if !kubeconfig.clusters.iter().any(|c| &c.name == cluster) {
            bail!("cluster `{cluster}` does not exist in the kubeconfig");
        }
    }
    if let Some(user) = &flags.user {
        if !kubeconfig.auth_infos.iter().any(|u| &u.name == user) {
            bail!("user `{user}` does not exist in the kubeconfig");
        }
    }

    let options = KubeConfigOptions { context: Some(context_name.clone()), cluster: flags.cluster.clone(), user: flags.user.clone() };
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .with_context(|| format!("loading context `{context_name}` from the kubeconfig"))?;
    let server = config.cluster_url.to_string();
    apply_overrides(&mut config, flags);
    Ok(Connection { config, context: context_name, server, context_namespace })
}

fn context_names(kubeconfig: &Kubeconfig) -> String {
    let names: Vec<&str> = kubeconfig.contexts.iter().map(|c| c.name.as_str()).collect();
    if names.is_empty() { "none".into() } else { names.join(", ") }
}

/// Reads and merges the kubeconfig files in kubectl's order; `None` when there is none.
fn load_kubeconfig(flags: &ConnectionFlags) -> Result<Option<Kubeconfig>> {
    if let Some(path) = &flags.kubeconfig {
        // An explicit --kubeconfig must exist, as in kubectl.
        let config = Kubeconfig::read_from(path).with_context(|| format!("reading kubeconfig `{}`", path.display()))?;
        return Ok(Some(config));
    }
    if let Some(value) = std::env::var_os("KUBECONFIG") {
        let paths: Vec<PathBuf> = std::env::split_paths(&value).filter(|p| !p.as_os_str().is_empty()).collect();
        let mut merged: Option<Kubeconfig> = None;
        for path in &paths {
            if !path.exists() {
                tracing::debug!(path = %path.display(), "skipping a KUBECONFIG file that does not exist");
                continue;
            }
            let config = Kubeconfig::read_from(path).with_context(|| format!("reading kubeconfig `{}` (from KUBECONFIG)", path.display()))?;
            merged = Some(match merged {
                Some(first) => first.merge(config).with_context(|| format!("merging kubeconfig `{}`", path.display()))?,
                None => config,
            });
        }
        if merged.is_some() || !paths.is_empty() {
            return Ok(merged);
        }
    }
    let default = dirs::home_dir().map(|h| h.join(".kube").join("config"));
    match default {
        Some(path) if path.exists() => Ok(Some(Kubeconfig::read_from(&path).with_context(|| format!("reading kubeconfig `{}`", path.display()))?)),
        _ => Ok(None),
    }
}

fn apply_overrides(config: &mut Config, flags: &ConnectionFlags) {
    if let Some(user) = &flags.as_user {
        config.auth_info.impersonate = Some(user.clone());
    }
    if !flags.as_groups.is_empty() {
        config.auth_info.impersonate_groups = Some(flags.as_groups.clone());
    }
    if flags.insecure_skip_tls_verify {
        config.accept_invalid_certs = true;
        config.root_cert = None;
    }
    if let Some(timeout) = flags.request_timeout.filter(|t| !t.is_zero()) {
        config.read_timeout = Some(timeout);
        config.connect_timeout = Some(timeout);
    }
    // The plugin retries server errors itself, with back-off, and counts every request.
    config.default_retry = false;
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: &str = "apiVersion: v1\nkind: Config\ncurrent-context: first\nclusters:\n- name: shared\n  cluster: {server: 'http://127.0.0.1:1'}\ncontexts:\n- name: first\n  context: {cluster: shared, user: u, namespace: veritas}\nusers:\n- name: u\n  user: {token: one}\n";
    const SECOND: &str = "apiVersion: v1\nkind: Config\ncurrent-context: second\nclusters:\n- name: shared\n  cluster: {server: 'http://127.0.0.1:2'}\n- name: other\n  cluster: {server: 'http://127.0.0.1:3'}\ncontexts:\n- name: second\n  context: {cluster: other, user: u}\nusers:\n- name: u\n  user: {token: two}\n";

    fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Runs `resolve` with KUBECONFIG set; the tests in this module share the variable, so they
    /// hold a lock.
    async fn with_kubeconfig_env(value: &std::ffi::OsStr, flags: ConnectionFlags) -> Result<Connection> {
        static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        let _guard = LOCK.lock().await;
        // SAFETY: the lock above serialises every test that touches KUBECONFIG.
        unsafe { std::env::set_var("KUBECONFIG", value) };
        let result = resolve(&flags).await;
        unsafe { std::env::remove_var("KUBECONFIG") };
        result
    }

    #[tokio::test]
    async fn kubeconfig_files_merge_first_wins_and_missing_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let first = write(dir.path(), "first", FIRST);
        let second = write(dir.path(), "second", SECOND);
        let missing = dir.path().join("missing");
        let value = std::env::join_paths([missing, first, second]).unwrap();

        let connection = with_kubeconfig_env(&value, ConnectionFlags::default()).await.unwrap();
        assert_eq!(connection.context, "first");
        assert_eq!(connection.server, "http://127.0.0.1:1/");
        assert_eq!(connection.context_namespace.as_deref(), Some("veritas"));

        let other = with_kubeconfig_env(&value, ConnectionFlags { context: Some("second".into()), ..Default::default() }).await.unwrap();
        assert_eq!(other.server, "http://127.0.0.1:3/");
    }

    #[tokio::test]
    async fn unknown_context_names_the_existing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "config", FIRST);
        let flags = ConnectionFlags { kubeconfig: Some(path), context: Some("prod".into()), ..Default::default() };
        let error = resolve(&flags).await.err().unwrap().to_string();
        assert_eq!(error, "context `prod` does not exist in the kubeconfig (contexts: first)");
    }

    #[tokio::test]
    async fn flags_set_impersonation_and_tls() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "config", FIRST);
        let flags = ConnectionFlags {
            kubeconfig: Some(path),
            as_user: Some("jane".into()),
            as_groups: vec!["oncall".into()],
            insecure_skip_tls_verify: true,
            request_timeout: Some(Duration::from_secs(5)),
            ..Default::default()
        };
        let connection = resolve(&flags).await.unwrap();
        assert_eq!(connection.config.auth_info.impersonate.as_deref(), Some("jane"));
        assert_eq!(connection.config.auth_info.impersonate_groups, Some(vec!["oncall".to_string()]));
        assert!(connection.config.accept_invalid_certs);
        assert_eq!(connection.config.read_timeout, Some(Duration::from_secs(5)));
    }
}
