//! The set-up of every command that reads the cluster: the source of state (a snapshot, or the
//! live cluster of the kubeconfig), the profile and the probe engine. Loading errors map to
//! exit codes here.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::{CommandError, failed, usage};
use crate::flags::args::{GlobalArgs, SourceArgs};
use crate::flags::settings;
use crate::host::bindings::v0_1::Profile;
use crate::host::cache::ComponentCache;
use crate::host::engine::ProbeEngine;
use crate::profile;
use crate::report::RunInfo;
use crate::report::model::SourceInfo;
use crate::source::dns::Resolver;
use crate::source::live::LiveCluster;
use crate::source::live::kubeconfig::ConnectionFlags;
use crate::source::snapshot::Snapshot;
use crate::source::{Backend, Reader};

/// The state a run reads and the settings it runs with.
pub struct Session {
    /// The shared read path.
    pub reader: Arc<Reader>,
    /// The profile.
    pub profile: Profile,
    /// The diagnosed source, for the report.
    pub source: SourceInfo,
    /// Notices from loading.
    pub warnings: Vec<String>,
    /// Input that could not be read.
    pub errors: Vec<String>,
}

impl Session {
    /// Opens the snapshot given with `--snapshot`, or else the cluster of the kubeconfig, and
    /// builds the profile. With `record`, the reader keeps everything read, for `collect`.
    ///
    /// # Errors
    ///
    /// Exit code 1 when the state cannot be read at all (no snapshot, no cluster), 2 for a bad
    /// profile or flag.
    pub async fn open(global: &GlobalArgs, args: &SourceArgs, record: bool) -> Result<Session, CommandError> {
        let now_flag = args.now.as_deref().map(settings::now).transpose().map_err(usage)?;
        let file = match &args.profile {
            Some(path) => profile::read_file(path).map_err(usage)?,
            None => profile::ProfileFile::default(),
        };

        let (backend, mut source, context_namespace, warnings, errors, observed_at) = match &args.snapshot {
            Some(path) => {
                let snapshot = Snapshot::load(path).map_err(|e| failed(e.context(format!("cannot read snapshot `{}`", path.display()))))?;
                for warning in &snapshot.warnings {
                    tracing::debug!("{warning}");
                }
                for error in &snapshot.errors {
                    eprintln!("error: {error} (the rest of the snapshot is read; the report is partial)");
                }
                let observed_at = now_flag.or(snapshot.observed_at).unwrap_or_else(unix_now);
                let source = SourceInfo {
                    mode: "snapshot",
                    location: snapshot.origin.clone(),
                    layout: serde_json::to_value(snapshot.layout).ok().and_then(|v| v.as_str().map(str::to_string)),
                    observed_at: String::new(),
                };
                let warnings = snapshot.warnings.clone();
                let errors = snapshot.errors.iter().map(ToString::to_string).collect();
                (Backend::Snapshot(Arc::new(snapshot)), source, None, warnings, errors, observed_at)
            }
            None => {
                let flags = connection_flags(global)?;
                let cluster = LiveCluster::connect(&flags).await.map_err(failed)?;
                let source = SourceInfo {
                    mode: "live",
                    location: format!("context {} ({})", cluster.context, cluster.server),
                    layout: None,
                    observed_at: String::new(),
                };
                let namespace = cluster.context_namespace.clone();
                (Backend::Live(Arc::new(cluster)), source, namespace, Vec::new(), Vec::new(), now_flag.unwrap_or_else(unix_now))
            }
        };
        source.observed_at = ggcore_probe_sdk::units::format_time(observed_at);

        // The namespace: -n first, then the profile file, then the namespace the kubeconfig
        // context sets (as kubectl does), then the GG-CORE default.
        let namespace = global.namespace.clone().or_else(|| file.namespace.clone()).or(context_namespace);
        let profile = profile::build(file, namespace, &args.settings, observed_at).map_err(usage)?;

        let live = matches!(backend, Backend::Live(_));
        let mut reader = Reader::new(backend);
        reader.observed_at_override = Some(observed_at);
        reader.prometheus = settings::prometheus(args.prometheus_url.as_deref(), global.request_timeout.as_deref()).map_err(usage)?;
        reader.resolver = Resolver::for_run(args.dns_server.as_deref(), live).map_err(usage)?;
        if record {
            reader = reader.record();
        }
        Ok(Session { reader: Arc::new(reader), profile, source, warnings, errors })
    }

    /// Returns the report's run information, with what the probes could not see.
    pub fn run_info(&self) -> RunInfo {
        RunInfo {
            source: SourceInfo {
                mode: self.source.mode,
                location: self.source.location.clone(),
                layout: self.source.layout.clone(),
                observed_at: self.source.observed_at.clone(),
            },
            namespace: self.profile.namespace.clone(),
            names: crate::catalog::CommandNames {
                namespace: self.profile.namespace.clone(),
                app_selector: self.profile.app_selector.clone(),
                service: self.profile.service.clone(),
                metrics_port: self.profile.metrics_port,
            },
            observations: self.reader.observations(),
            warnings: self.warnings.clone(),
            errors: self.errors.clone(),
        }
    }

    /// Returns the namespaces to diagnose: with `-A`, every namespace that contains a pod matching
    /// the profile's app selector (the profile's namespace when none does); else the profile's.
    pub async fn namespaces(&self, all: bool) -> Vec<String> {
        if !all {
            return vec![self.profile.namespace.clone()];
        }
        let kind = crate::source::KindQuery { group: Some(String::new()), kind: "Pod".into() };
        let found: std::collections::BTreeSet<String> = match self.reader.list(&kind, None, Some(&self.profile.app_selector), None).await {
            Ok(json) => serde_json::from_str::<Vec<serde_json::Value>>(&json)
                .unwrap_or_default()
                .iter()
                .filter_map(|pod| pod["metadata"]["namespace"].as_str().map(str::to_string))
                .collect(),
            Err(error) => {
                eprintln!("warning: cannot list pods across namespaces ({error}); diagnosing `{}` only", self.profile.namespace);
                Default::default()
            }
        };
        if found.is_empty() {
            return vec![self.profile.namespace.clone()];
        }
        found.into_iter().collect()
    }

    /// Runs the probes once per namespace and returns one report per namespace, showing a
    /// progress line on a terminal.
    pub async fn diagnose(
        &self,
        namespaces: &[String],
        sources: &[crate::host::loader::ProbeSource],
        limits: &crate::host::limits::Limits,
    ) -> Result<Vec<(Vec<crate::host::runner::ProbeRun>, crate::report::Report)>, CommandError> {
        let engine = engine()?;
        let mut results = Vec::new();
        for namespace in namespaces {
            let mut profile = self.profile.clone();
            profile.namespace = namespace.clone();
            let done = Arc::default();
            let progress = self.progress(sources.len(), Arc::clone(&done));
            let runs = crate::host::runner::run_all_counted(engine.clone(), sources.to_vec(), self.reader.clone(), profile, limits.clone(), done).await;
            if let Some(progress) = progress {
                progress.finish().await;
            }
            let mut info = self.run_info();
            info.namespace = namespace.clone();
            let report = crate::report::build(&runs, info);
            results.push((runs, report));
        }
        Ok(results)
    }

    /// Shows a progress line on stderr while probes run, when stderr is a terminal; returns a
    /// guard that clears it.
    pub fn progress(&self, total: usize, done: Arc<AtomicUsize>) -> Option<Progress> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let backend = match self.reader.backend() {
            Backend::Live(cluster) => Some(cluster.clone()),
            _ => None,
        };
        let task = tokio::spawn(async move {
            while !flag.load(Ordering::Relaxed) {
                let reads = backend.as_ref().map(|c| format!(", {} requests", c.request_count())).unwrap_or_default();
                eprint!("\r\x1b[Kprobes {}/{total} done{reads}", done.load(Ordering::Relaxed));
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            eprint!("\r\x1b[K");
        });
        Some(Progress { stop, task })
    }
}

/// A running progress line; [`Progress::finish`] clears it.
pub struct Progress {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Progress {
    /// Stops the line and clears it.
    pub async fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.task.await;
    }
}

/// Resolves kubectl's connection flags.
///
/// # Errors
///
/// Exit code 2 for a `--request-timeout` that is not a duration.
pub fn connection_flags(global: &GlobalArgs) -> Result<ConnectionFlags, CommandError> {
    let request_timeout = match global.request_timeout.as_deref() {
        // kubectl takes `0` for "no timeout" and a bare number as seconds.
        Some("0") | None => None,
        Some(text) => Some(settings::duration("request-timeout", text).map_err(usage)?),
    };
    Ok(ConnectionFlags {
        kubeconfig: global.kubeconfig.clone(),
        context: global.context.clone(),
        cluster: global.cluster.clone(),
        user: global.user.clone(),
        as_user: global.as_user.clone(),
        as_groups: global.as_group.clone(),
        request_timeout,
        insecure_skip_tls_verify: global.insecure_skip_tls_verify,
    })
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Creates the probe engine with the user's compile cache (`GGCORE_CACHE_DIR` overrides it).
///
/// # Errors
///
/// Exit code 1 when wasmtime cannot be set up.
pub fn engine() -> Result<Arc<ProbeEngine>, CommandError> {
    let dir = std::env::var_os("GGCORE_CACHE_DIR").map(std::path::PathBuf::from);
    ProbeEngine::new(ComponentCache::new(dir)).map(Arc::new).map_err(failed)
}
