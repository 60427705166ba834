//! `kubectl ggcore probes list`: every probe with the symptoms and causes it can report.

use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;

use super::session;
use super::{CommandResult, failed};
use crate::flags::args::OutputFormat;
use crate::host::bindings::v0_1::Descriptor;
use crate::host::limits::Limits;
use crate::host::loader::{Origin, ProbeSource};
use crate::host::runner::{self, ProbeRun};
use crate::host::state::capability_name;
use crate::source::{Backend, Reader};

/// One probe as `probes list -o json` writes it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeListing {
    /// The id.
    pub id: String,
    /// The title.
    pub title: String,
    /// The version.
    pub version: String,
    /// The guide section it implements.
    pub section: String,
    /// Where it comes from.
    pub origin: Origin,
    /// The WIT version it was built for.
    pub wit_version: Option<String>,
    /// The symptoms it feeds.
    pub symptoms: Vec<String>,
    /// The symptom and cause pairs it can report.
    pub causes: Vec<CauseRef>,
    /// The kinds it reads.
    pub kinds: Vec<String>,
    /// The host interfaces it uses.
    pub capabilities: Vec<String>,
    /// Why it could not be listed, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A symptom and cause pair.
#[derive(Debug, Serialize)]
pub struct CauseRef {
    /// The symptom id.
    pub symptom: String,
    /// The cause id.
    pub cause: String,
}

/// Describes each probe and returns the listings.
pub async fn describe_all(sources: Vec<ProbeSource>) -> Result<Vec<ProbeListing>, super::CommandError> {
    let engine = session::engine()?;
    let reader = Arc::new(Reader::new(Backend::Nothing));
    let mut listings = Vec::new();
    for source in sources {
        let run = runner::run_one(engine.clone(), source, reader.clone(), None, Limits::default()).await;
        listings.push(listing(&run));
    }
    Ok(listings)
}

fn listing(run: &ProbeRun) -> ProbeListing {
    let empty = Descriptor {
        id: run.source_name.clone(),
        title: String::new(),
        version: String::new(),
        section: String::new(),
        symptoms: Vec::new(),
        causes: Vec::new(),
        needs: crate::host::bindings::v0_1::ggcore::probe::types::Needs { kinds: Vec::new(), capabilities: Vec::new() },
    };
    let descriptor = run.descriptor.as_ref().unwrap_or(&empty);
    ProbeListing {
        id: descriptor.id.clone(),
        title: descriptor.title.clone(),
        version: descriptor.version.clone(),
        section: descriptor.section.clone(),
        origin: run.origin.clone(),
        wit_version: run.wit_version.clone(),
        symptoms: descriptor.symptoms.clone(),
        causes: descriptor.causes.iter().map(|c| CauseRef { symptom: c.symptom.clone(), cause: c.cause.clone() }).collect(),
        kinds: descriptor
            .needs
            .kinds
            .iter()
            .map(|k| match k.group.as_deref() {
                Some("") | None => k.kind.clone(),
                Some(group) => format!("{}.{group}", k.kind),
            })
            .collect(),
        capabilities: descriptor.needs.capabilities.iter().map(|c| capability_name(*c).to_string()).collect(),
        error: run.failure.as_ref().map(|f| f.message.clone()),
    }
}

/// Prints the built-in probes and those of installed bundles.
///
/// # Errors
///
/// Exit code 2 when an installed bundle fails its checks, or is unsigned and
/// `allow_unsigned` is false; 1 when the engine cannot be set up.
pub async fn list_installed(output: OutputFormat, allow_unsigned: bool) -> CommandResult {
    let mut sources = crate::host::builtin::sources();
    sources.extend(super::bundle::installed_sources(allow_unsigned)?);
    list(output, sources).await
}

/// Prints the probes.
///
/// # Errors
///
/// Exit code 1 when the engine cannot be set up.
pub async fn list(output: OutputFormat, sources: Vec<ProbeSource>) -> CommandResult {
    let listings = describe_all(sources).await?;
    match output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&listings).map_err(failed)?),
        OutputFormat::Yaml => print!("{}", serde_yaml::to_string(&listings).map_err(failed)?),
        OutputFormat::Table | OutputFormat::Wide => print!("{}", table(&listings, output == OutputFormat::Wide)),
    }
    Ok(if listings.iter().any(|l| l.error.is_some()) { 1 } else { 0 })
}

fn table(listings: &[ProbeListing], wide: bool) -> String {
    let origins: Vec<String> = listings
        .iter()
        .map(|listing| match &listing.origin {
            Origin::Builtin => "built-in".to_string(),
            Origin::File { .. } => "file (unsigned)".to_string(),
            Origin::Bundle { bundle, key_id: None, .. } => format!("{bundle} (unsigned)"),
            Origin::Bundle { bundle, .. } => bundle.clone(),
        })
        .collect();
    let id_width = listings.iter().map(|l| l.id.len()).chain(["PROBE".len()]).max().unwrap_or(0);
    let version_width = listings.iter().map(|l| l.version.len()).chain(["VERSION".len()]).max().unwrap_or(0);
    let origin_width = origins.iter().map(String::len).chain(["ORIGIN".len()]).max().unwrap_or(0);

    let mut out = String::new();
    let _ = writeln!(out, "{:<id_width$}  {:<version_width$}  {:<origin_width$}  SYMPTOM: CAUSES", "PROBE", "VERSION", "ORIGIN");
    for (listing, origin) in listings.iter().zip(&origins) {
        if let Some(error) = &listing.error {
            let _ = writeln!(out, "{:<id_width$}  {:<version_width$}  {origin:<origin_width$}  error: {error}", listing.id, "-");
            continue;
        }
        for (i, symptom) in listing.symptoms.iter().enumerate() {
            let causes: Vec<&str> = listing.causes.iter().filter(|c| &c.symptom == symptom).map(|c| c.cause.as_str()).collect();
            let (id, version, origin) = if i == 0 { (listing.id.as_str(), listing.version.as_str(), origin.as_str()) } else { ("", "", "") };
            let _ = writeln!(out, "{id:<id_width$}  {version:<version_width$}  {origin:<origin_width$}  {symptom}: {}", causes.join(", "));
        }
        if wide {
            let indent = id_width + version_width + origin_width + 6;
            let _ = writeln!(out, "{:<indent$}reads: {}; uses: {}", "", listing.kinds.join(", "), listing.capabilities.join(", "));
        }
    }
    out
}
