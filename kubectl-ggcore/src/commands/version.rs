//! `kubectl ggcore version`.

use super::{CommandResult, failed};
use crate::flags::args::{OutputFormat, VersionArgs};
use crate::report::aggregate::tool;

/// Prints the plugin version, the WIT versions it serves and the wasmtime version.
///
/// # Errors
///
/// Exit code 1 only when serialisation fails.
pub fn run(args: &VersionArgs) -> CommandResult {
    let tool = tool();
    match args.output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&tool).map_err(failed)?),
        OutputFormat::Yaml => print!("{}", serde_yaml::to_string(&tool).map_err(failed)?),
        OutputFormat::Table | OutputFormat::Wide => {
            println!("kubectl-ggcore {}", tool.version);
            let wit: Vec<String> = tool.wit_versions.iter().map(|v| format!("ggcore:probe@{v}.x")).collect();
            println!("WIT versions served: {}", wit.join(", "));
            println!("wasmtime {}", tool.wasmtime);
        }
    }
    Ok(0)
}
