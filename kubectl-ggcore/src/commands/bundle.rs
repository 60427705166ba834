//! `kubectl ggcore bundle pack|sign|verify|install|list|remove`, and the installed bundles'
//! probes for `diagnose` and `probes list`. The logic is in `crate::bundle`; this file resolves
//! the arguments, maps bundle errors to exit codes and prints.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

use serde::Serialize;

use super::{CommandError, CommandResult, failed, session, usage};
use crate::bundle::archive;
use crate::bundle::manifest::ProbeEntry;
use crate::bundle::signature::{self, Password};
use crate::bundle::store::BundleStore;
use crate::bundle::trust::TrustStore;
use crate::bundle::verify::{self, Unsigned, Verified};
use crate::bundle::{BundleError, Home, pack};
use crate::flags::args::{BundleArgs, BundleCommand, OutputFormat};
use crate::host::builtin::BUILTIN_PROBES;
use crate::host::loader::ProbeSource;

/// The environment variable with the password of an encrypted signing key.
pub const PASSWORD_VARIABLE: &str = "GGCORE_SIGNING_PASSWORD";

/// Runs a `bundle` subcommand.
///
/// # Errors
///
/// Exit code 2 for a rejected bundle, key or argument, or an input file that does not exist; 1
/// when a file that exists cannot be read, or one cannot be written.
pub async fn run(args: &BundleArgs) -> CommandResult {
    match &args.command {
        BundleCommand::Pack { dir, output } => pack(dir, output).await,
        BundleCommand::Sign { file, key } => sign(file, key),
        BundleCommand::Verify { file, output } => verify(file, *output),
        BundleCommand::Install { file, allow_downgrade, allow_unsigned } => install(file, *allow_downgrade, *allow_unsigned),
        BundleCommand::List { output } => list(*output),
        BundleCommand::Remove { name } => remove(name),
    }
}

/// Returns the probes of every installed bundle, each bundle checked again: signature by a
/// trusted key, component digests and WIT versions.
///
/// # Errors
///
/// Exit code 2 naming the first bundle that fails a check, or one that is unsigned when
/// `allow_unsigned` is false.
pub fn installed_sources(allow_unsigned: bool) -> Result<Vec<ProbeSource>, CommandError> {
    let (sources, mut rejected) = usable_installed_sources(allow_unsigned)?;
    match rejected.is_empty() {
        true => Ok(sources),
        false => Err(rejected.remove(0)),
    }
}

/// Returns the probes of the installed bundles that pass their checks, and an error for each
/// bundle that does not. `diagnose` runs the rest and reports those errors.
///
/// # Errors
///
/// Exit code 1 when the bundles directory cannot be listed.
pub fn usable_installed_sources(allow_unsigned: bool) -> Result<(Vec<ProbeSource>, Vec<CommandError>), CommandError> {
    // Without a data directory nothing can have been installed, so `diagnose` runs the built-ins.
    let home = match Home::resolve() {
        Ok(home) => home,
        Err(error) => {
            tracing::debug!("no installed bundles: {error}");
            return Ok((Vec::new(), Vec::new()));
        }
    };
    let unsigned = if allow_unsigned { Unsigned::Allow } else { Unsigned::Reject };
    let context = || format!("cannot load the installed bundles in `{}`", home.bundles().display());
    let (bundles, rejected) =
        BundleStore::new(home.bundles()).load_usable(&TrustStore::new(home.trust()), unsigned, &builtin_ids()).map_err(|e| with_context(e, context()))?;
    for bundle in &bundles {
        let manifest = &bundle.verified.manifest;
        tracing::debug!(bundle = %manifest.name, version = %manifest.version, key = ?bundle.verified.key_id(), "loaded bundle");
    }
    let sources = bundles.iter().flat_map(|b| b.sources()).collect();
    Ok((sources, rejected.into_iter().map(|e| with_context(e, context())).collect()))
}

async fn pack(dir: &Path, output: &Path) -> CommandResult {
    // A signed bundle at that path would lose its signature, so it is never replaced.
    if output.exists() {
        return Err(super::usage(anyhow::anyhow!("`{}` exists; choose a new file name, or remove it first", output.display())));
    }
    let engine = session::engine()?;
    let contents = pack::pack(dir, engine).await.map_err(exit_code)?;
    let manifest = verify::check_unsigned(&contents).map_err(exit_code)?;
    archive::write_file(output, &archive::to_bytes(&contents)).map_err(exit_code)?;

    let count = manifest.probes.len();
    println!(
        "packed bundle `{}` {} with {count} probe{} into `{}`; it is unsigned: sign it with `kubectl ggcore bundle sign {} --key KEY`",
        manifest.name,
        manifest.version,
        if count == 1 { "" } else { "s" },
        output.display(),
        output.display()
    );
    Ok(0)
}

fn sign(file: &Path, key: &Path) -> CommandResult {
    let mut contents = archive::read(file).map_err(exit_code)?;
    let manifest = verify::check_unsigned(&contents).map_err(exit_code)?;

    // The password comes from the environment when set; otherwise ask only on a terminal, so
    // that a script never hangs on a prompt.
    let password = match std::env::var(PASSWORD_VARIABLE) {
        Ok(password) => Password::Given(password),
        Err(_) if std::io::stdin().is_terminal() => Password::Prompt,
        Err(_) => Password::Unavailable,
    };
    let secret_key = signature::load_secret_key(key, password).map_err(exit_code)?;
    let timestamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let trusted_comment = format!("timestamp:{timestamp}\tfile:{}\tbundle:{}@{}", archive::MANIFEST, manifest.name, manifest.version);
    let (text, key_id) = signature::sign(&contents.manifest, &secret_key, &trusted_comment).map_err(exit_code)?;

    let replaced = contents.signature.replace(text).is_some();
    archive::write_file(file, &archive::to_bytes(&contents)).map_err(exit_code)?;
    println!(
        "signed bundle `{}` {} with key `{key_id}`{}",
        manifest.name,
        manifest.version,
        if replaced { ", replacing its previous signature" } else { "" }
    );
    Ok(0)
}

/// The output of `bundle verify -o json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyReport<'a> {
    name: &'a str,
    version: &'a str,
    key_id: Option<String>,
    key_name: Option<String>,
    trusted_comment: Option<String>,
    probes: &'a [ProbeEntry],
}

fn verify(file: &Path, output: OutputFormat) -> CommandResult {
    let home = Home::resolve().map_err(exit_code)?;
    let contents = archive::read(file).map_err(exit_code)?;
    let verified = verify::verify(&contents, &TrustStore::new(home.trust()), Unsigned::Reject).map_err(exit_code)?;

    let manifest = &verified.manifest;
    let report = VerifyReport {
        name: &manifest.name,
        version: &manifest.version,
        key_id: verified.key_id(),
        key_name: verified.signer.as_ref().map(|k| k.name.clone()),
        trusted_comment: verified.trusted_comment.clone(),
        probes: &manifest.probes,
    };
    match output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&report).map_err(failed)?),
        OutputFormat::Yaml => print!("{}", serde_yaml::to_string(&report).map_err(failed)?),
        OutputFormat::Table | OutputFormat::Wide => {
            println!("bundle `{}` {}: verified, {}", manifest.name, manifest.version, signer(&verified));
            print!("{}", probe_table(&manifest.probes));
        }
    }
    Ok(0)
}

fn install(file: &Path, allow_downgrade: bool, allow_unsigned: bool) -> CommandResult {
    let home = Home::resolve().map_err(exit_code)?;
    let contents = archive::read(file).map_err(exit_code)?;
    let unsigned = if allow_unsigned { Unsigned::Allow } else { Unsigned::Reject };
    let verified = verify::verify(&contents, &TrustStore::new(home.trust()), unsigned).map_err(exit_code)?;
    let outcome = BundleStore::new(home.bundles()).install(&contents, &verified, allow_downgrade, &builtin_ids()).map_err(exit_code)?;

    let manifest = &verified.manifest;
    let replaced = outcome.replaced.map(|v| format!(", replacing {v}")).unwrap_or_default();
    println!("installed bundle `{}` {} ({}){replaced} into `{}`", manifest.name, manifest.version, signer(&verified), outcome.dir.display());
    if verified.signer.is_none() {
        eprintln!("warning: bundle `{}` is unsigned: `diagnose` runs its probes only with --allow-unsigned", manifest.name);
    }
    print!("{}", probe_table(&manifest.probes));
    Ok(0)
}

/// One installed bundle as `bundle list -o json` prints it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listing {
    name: String,
    version: Option<String>,
    key_id: Option<String>,
    key_name: Option<String>,
    probes: Vec<String>,
    /// `verified`, `unsigned`, or `invalid`.
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn list(output: OutputFormat) -> CommandResult {
    let home = Home::resolve().map_err(exit_code)?;
    let store = BundleStore::new(home.bundles());
    let trust = TrustStore::new(home.trust());
    let mut listings = Vec::new();
    for name in store.names().map_err(exit_code)? {
        let listing = match store.load(&name, &trust, Unsigned::Allow) {
            Ok(installed) => {
                let verified = installed.verified;
                Listing {
                    name,
                    version: Some(verified.manifest.version.clone()),
                    key_id: verified.key_id(),
                    key_name: verified.signer.as_ref().map(|k| k.name.clone()),
                    probes: verified.manifest.probes.iter().map(|p| p.id.clone()).collect(),
                    status: if verified.signer.is_some() { "verified" } else { "unsigned" },
                    error: None,
                }
            }
            Err(error) => {
                let manifest = store.manifest(&name);
                Listing {
                    name,
                    version: manifest.as_ref().map(|m| m.version.clone()),
                    key_id: None,
                    key_name: None,
                    probes: manifest.map(|m| m.probes.into_iter().map(|p| p.id).collect()).unwrap_or_default(),
                    status: "invalid",
                    error: Some(error.to_string()),
                }
            }
        };
        listings.push(listing);
    }

    match output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&listings).map_err(failed)?),
        OutputFormat::Yaml => print!("{}", serde_yaml::to_string(&listings).map_err(failed)?),
        OutputFormat::Table | OutputFormat::Wide => print!("{}", list_table(&listings)),
    }
    // An installed bundle that fails its checks stops `diagnose`, so it is an error here too.
    Ok(if listings.iter().any(|l| l.status == "invalid") { crate::report::status::exit::USAGE } else { 0 })
}

fn list_table(listings: &[Listing]) -> String {
    if listings.is_empty() {
        return "no bundles installed\n".to_string();
    }
    let mut out = String::new();
    let _ = writeln!(out, "{:<24} {:<10} {:<18} {:<10} PROBES", "NAME", "VERSION", "KEY", "STATUS");
    for listing in listings {
        let key = listing.key_id.as_deref().unwrap_or("-");
        let version = listing.version.as_deref().unwrap_or("-");
        let _ = writeln!(out, "{:<24} {version:<10} {key:<18} {:<10} {}", listing.name, listing.status, listing.probes.join(", "));
        if let Some(error) = &listing.error {
            let _ = writeln!(out, "  error: {error}");
        }
    }
    out
}

fn remove(name: &str) -> CommandResult {
    let home = Home::resolve().map_err(exit_code)?;
    BundleStore::new(home.bundles()).remove(name).map_err(exit_code)?;
    println!("removed bundle `{name}`");
    Ok(0)
}

/// Describes who signed a bundle, for messages.
fn signer(verified: &Verified) -> String {
    match &verified.signer {
        Some(key) => format!("signed by key `{}` ({})", key.key_id, key.name),
        None => "unsigned".to_string(),
    }
}

fn probe_table(probes: &[ProbeEntry]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{:<26} {:<9} {:<7} SHA256", "PROBE", "VERSION", "WIT");
    for probe in probes {
        let _ = writeln!(out, "{:<26} {:<9} {:<7} {}", probe.id, probe.version, probe.wit_version, probe.sha256);
    }
    out
}

/// Returns the ids of the built-in probes, which no bundle may reuse.
fn builtin_ids() -> Vec<&'static str> {
    BUILTIN_PROBES.iter().map(|(id, _)| *id).collect()
}

/// Maps a bundle error to its exit code: 1 when the machine failed, 2 when the input did.
pub fn exit_code(error: BundleError) -> CommandError {
    if error.is_io() && !error.is_missing_input() { failed(error) } else { usage(error) }
}

fn with_context(error: BundleError, context: String) -> CommandError {
    let mut mapped = exit_code(error);
    mapped.error = mapped.error.context(context);
    mapped
}
