//! `kubectl ggcore diagnose`: run every probe and report.

use anyhow::anyhow;

use super::session::Session;
use super::{CommandError, CommandResult, failed, usage};
use crate::flags::args::{DiagnoseArgs, GlobalArgs, ProbeSelection};
use crate::flags::settings;
use crate::host::loader::{self, Origin, ProbeSource};
use crate::host::builtin;
use crate::render;
use crate::report;

/// Runs the diagnosis and prints the report; returns the contract's exit code. With `-A`, every
/// namespace holding GG-CORE pods gets its own report, and the exit code is the worst of them.
///
/// # Errors
///
/// Exit code 2 for bad flags, profile or probe files; 1 when the state cannot be read.
pub async fn run(global: &GlobalArgs, args: &DiagnoseArgs) -> CommandResult {
    let limits = settings::limits(&args.limits).map_err(usage)?;
    let (sources, rejected) = probe_sources(&args.probes)?;
    let mut session = Session::open(global, &args.source, false).await?;
    session.errors.extend(rejected);
    let namespaces = session.namespaces(global.all_namespaces).await;
    let results = session.diagnose(&namespaces, &sources, &limits).await?;
    let reports: Vec<report::Report> = results.into_iter().map(|(_, report)| report).collect();

    let color = settings::use_color(global.color);
    let text = if global.all_namespaces {
        render::render_list(&reports, args.output, color).map_err(failed)?
    } else {
        render::render(&reports[0], args.output, color).map_err(failed)?
    };
    print!("{text}");
    Ok(report::status::worst_exit(reports.iter().map(|r| r.exit_code)))
}

/// Collects the probes to run: the built-ins, the installed bundles' (checked again here), then
/// `--probe` files. An installed bundle that no longer passes its checks is left out, and
/// returned as a message for the report's errors, so that the other probes still run and the
/// report is marked partial.
///
/// # Errors
///
/// Exit code 2 for a probe file that cannot be read or is not allowed.
pub fn probe_sources(args: &ProbeSelection) -> Result<(Vec<ProbeSource>, Vec<String>), CommandError> {
    let mut sources = if args.no_builtin { Vec::new() } else { builtin::sources() };
    let mut rejected = Vec::new();
    if !args.no_builtin {
        let (installed, errors) = super::bundle::usable_installed_sources(args.allow_unsigned)?;
        sources.extend(installed);
        for error in errors {
            let message = format!("{}; its probes were not run", error.message());
            eprintln!("error: {message}");
            rejected.push(message);
        }
    }
    if !args.probes.is_empty() && !args.allow_unsigned {
        return Err(usage(anyhow!(
            "refusing to run `{}`: probes from files are not signed; pass --allow-unsigned to run them (the report marks them)",
            args.probes[0].display()
        )));
    }
    for path in &args.probes {
        let bytes = std::fs::read(path).map_err(|e| usage(anyhow!("cannot read probe `{}`: {e}", path.display())))?;
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
        // A file the host would refuse (not a component, a WIT version it does not serve) is
        // bad input: stop before any probe runs rather than report it as a probe error.
        loader::check(&name, &bytes).map_err(|e| usage(anyhow!("cannot run probe `{}`: {e}", path.display())))?;
        sources.push(ProbeSource { name, origin: Origin::File { path: path.clone() }, bytes: bytes.into() });
    }
    if sources.is_empty() {
        return Err(usage(anyhow!("no probes to run: --no-builtin needs at least one --probe")));
    }
    Ok((sources, rejected))
}
