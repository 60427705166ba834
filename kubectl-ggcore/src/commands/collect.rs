//! `kubectl ggcore collect`: run every probe against the cluster and save what they read as a
//! snapshot, so that the same diagnosis can be replayed offline (air-gapped support, bug
//! reports) with `diagnose --snapshot`.

use anyhow::anyhow;

use super::diagnose::probe_sources;
use super::session::Session;
use super::{CommandResult, failed, usage};
use crate::flags::args::{CollectArgs, GlobalArgs};
use crate::flags::settings;

/// Runs the probes live with recording on and writes the snapshot.
///
/// # Errors
///
/// Exit code 2 for bad flags or an output path that exists, 1 when the cluster cannot be
/// reached or the snapshot cannot be written.
pub async fn run(global: &GlobalArgs, args: &CollectArgs) -> CommandResult {
    if args.source.snapshot.is_some() {
        return Err(usage(anyhow!("`collect` reads the live cluster; --snapshot is for `diagnose`")));
    }
    if args.output.exists() && !is_empty_dir(&args.output) {
        return Err(usage(anyhow!("`{}` exists; choose a new directory or .tar.gz file so that no data is overwritten", args.output.display())));
    }
    let name = args.output.to_string_lossy();
    let archive = name.ends_with(".tar.gz") || name.ends_with(".tgz");
    if !archive && [".tar", ".gz", ".zip", ".tar.bz2", ".tar.xz"].iter().any(|suffix| name.ends_with(suffix)) {
        return Err(usage(anyhow!("cannot write `{name}`: the snapshot is written as a directory or as a .tar.gz file; name the output DIR or FILE.tar.gz")));
    }
    let limits = settings::limits(&args.limits).map_err(usage)?;
    // A bundle that fails its checks is named on stderr by probe_sources and left out.
    let (sources, _rejected) = probe_sources(&args.probes)?;
    let session = Session::open(global, &args.source, true).await?;
    let namespaces = session.namespaces(global.all_namespaces).await;
    let runs: Vec<_> = session.diagnose(&namespaces, &sources, &limits).await?.into_iter().flat_map(|(runs, _)| runs).collect();

    let mut recording = session.reader.take_recording().ok_or_else(|| failed(anyhow!("the run kept no recording")))?;
    recording.queries = session.reader.query_records();
    recording.write(&args.output, &session.source.observed_at, &session.source.location).map_err(failed)?;
    let failed_probes = runs.iter().filter(|r| r.failure.is_some()).count();
    eprintln!(
        "wrote snapshot `{}`: {} objects, {} logs, from {} probes ({failed_probes} failed); replay it with `kubectl ggcore diagnose --snapshot {}`",
        args.output.display(),
        recording.object_count(),
        recording.log_count(),
        runs.len(),
        args.output.display()
    );
    Ok(0)
}

fn is_empty_dir(path: &std::path::Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}
