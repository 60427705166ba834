//! `kubectl ggcore trust add|list|remove`: the public keys whose bundle signatures this
//! machine accepts. The store is `crate::bundle::trust`; this file resolves arguments and prints.

use std::fmt::Write as _;
use std::path::Path;

use super::bundle::exit_code;
use super::{CommandResult, failed};
use crate::bundle::Home;
use crate::bundle::error::{BundleError, invalid};
use crate::bundle::signature::PublicKeyFile;
use crate::bundle::trust::TrustStore;
use crate::flags::args::{OutputFormat, TrustArgs, TrustCommand};

/// Runs a `trust` subcommand.
///
/// # Errors
///
/// Exit code 2 for a bad key file, name or unknown key; 1 when the store cannot be written.
pub fn run(args: &TrustArgs) -> CommandResult {
    let home = Home::resolve().map_err(exit_code)?;
    let store = TrustStore::new(home.trust());
    match &args.command {
        TrustCommand::Add { key, name } => add(&store, key, name.as_deref()),
        TrustCommand::List { output } => list(&store, *output),
        TrustCommand::Remove { key } => remove(&store, key),
    }
}

fn add(store: &TrustStore, path: &Path, name: Option<&str>) -> CommandResult {
    let text = std::fs::read_to_string(path).map_err(|e| exit_code(BundleError::io("cannot read public key", path)(e)))?;
    let key = PublicKeyFile::parse(&text).map_err(|e| exit_code(invalid!("`{}`: {e}", path.display())))?;
    // The default name is the file's stem: `security-team.pub` is trusted as `security-team`.
    let default_name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let trusted = store.add(&key, name.unwrap_or(&default_name)).map_err(exit_code)?;
    println!("trusted key `{}` as `{}` ({})", trusted.key_id, trusted.name, trusted.path.display());
    Ok(0)
}

fn list(store: &TrustStore, output: OutputFormat) -> CommandResult {
    let keys = store.keys().map_err(exit_code)?;
    match output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&keys).map_err(failed)?),
        OutputFormat::Yaml => print!("{}", serde_yaml::to_string(&keys).map_err(failed)?),
        OutputFormat::Table | OutputFormat::Wide => {
            if keys.is_empty() {
                println!("no trusted keys: add one with `kubectl ggcore trust add KEY.pub`");
                return Ok(0);
            }
            let mut out = String::new();
            let _ = writeln!(out, "{:<18} {:<24} FILE", "KEY ID", "NAME");
            for key in &keys {
                let _ = writeln!(out, "{:<18} {:<24} {}", key.key_id, key.name, key.path.display());
            }
            print!("{out}");
        }
    }
    Ok(0)
}

fn remove(store: &TrustStore, id_or_name: &str) -> CommandResult {
    let removed = store.remove(id_or_name).map_err(exit_code)?;
    println!("removed key `{}` ({}) from the trust store; bundles it signed no longer load", removed.key_id, removed.name);
    Ok(0)
}
