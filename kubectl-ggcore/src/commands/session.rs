//! What every command that reads the cluster sets up: the source of state, the profile, the
//! probe engine. Loading errors map to exit codes here.

use std::sync::Arc;

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
use crate::source::snapshot::Snapshot;
use crate::source::{Backend, Reader};

/// The state a run reads and the settings it runs with.
pub struct Session {
    /// The shared read path.
    pub reader: Arc<Reader>,
    /// The profile.
    pub profile: Profile,
    /// What is being diagnosed, for the report.
    pub source: SourceInfo,
    /// Notices from loading.
    pub warnings: Vec<String>,
    /// Input that could not be read.
    pub errors: Vec<String>,
}

impl Session {
    /// Opens the snapshot or cluster and builds the profile.
    ///
    /// # Errors
    ///
    /// Exit code 1 when the state cannot be read at all, 2 for a bad profile or flag.
    pub fn open(global: &GlobalArgs, args: &SourceArgs) -> Result<Session, CommandError> {
        let Some(path) = &args.snapshot else {
            return Err(usage(anyhow::anyhow!(
                "no cluster state to read: pass --snapshot PATH (live clusters are not supported by this build)"
            )));
        };

        let snapshot = Snapshot::load(path).map_err(|e| failed(e.context(format!("cannot read snapshot `{}`", path.display()))))?;
        for warning in &snapshot.warnings {
            tracing::debug!("{warning}");
        }
        for error in &snapshot.errors {
            eprintln!("error: {error} (the rest of the snapshot is read; the report is partial)");
        }
        let observed_at = match &args.now {
            Some(text) => settings::now(text).map_err(usage)?,
            None => snapshot.observed_at.unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)),
        };

        let file = match &args.profile {
            Some(path) => profile::read_file(path).map_err(usage)?,
            None => profile::ProfileFile::default(),
        };
        let profile = profile::build(file, global.namespace.clone(), &args.settings, observed_at).map_err(usage)?;

        let source = SourceInfo {
            mode: "snapshot",
            location: snapshot.origin.clone(),
            layout: Some(serde_json::to_value(snapshot.layout).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()),
            observed_at: ggcore_probe_sdk::units::format_time(observed_at),
        };
        let warnings = snapshot.warnings.clone();
        let errors = snapshot.errors.iter().map(ToString::to_string).collect();
        let mut reader = Reader::new(Backend::Snapshot(Arc::new(snapshot)));
        reader.observed_at_override = args.now.as_ref().map(|_| observed_at);
        reader.resolver = Resolver::for_run(args.dns_server.as_deref(), false).map_err(usage)?;
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
            observations: self.reader.observations(),
            warnings: self.warnings.clone(),
            errors: self.errors.clone(),
        }
    }
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
