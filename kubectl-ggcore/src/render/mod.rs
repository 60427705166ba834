//! Writes reports: a table for people, JSON and YAML for tools.

pub mod paint;
pub mod table;

use anyhow::Result;

use crate::flags::args::OutputFormat;
use crate::report::Report;

/// Renders the reports of several namespaces: one table after the other, or a
/// `DiagnosisList` in JSON and YAML.
///
/// # Errors
///
/// Fails only when serialisation fails, which would be a bug.
pub fn render_list(reports: &[Report], format: OutputFormat, color: bool) -> Result<String> {
    let list = serde_json::json!({"apiVersion": "ggcore.io/v1alpha1", "kind": "DiagnosisList", "items": reports});
    Ok(match format {
        OutputFormat::Table | OutputFormat::Wide => {
            let tables: Vec<String> = reports.iter().map(|r| table::render(r, format == OutputFormat::Wide, color)).collect();
            tables.join("\n")
        }
        OutputFormat::Json => serde_json::to_string_pretty(&list)? + "\n",
        OutputFormat::Yaml => serde_yaml::to_string(&list)?,
    })
}

/// Renders a report in the chosen format.
///
/// # Errors
///
/// Fails only when serialisation fails, which would be a bug.
pub fn render(report: &Report, format: OutputFormat, color: bool) -> Result<String> {
    Ok(match format {
        OutputFormat::Table => table::render(report, false, color),
        OutputFormat::Wide => table::render(report, true, color),
        OutputFormat::Json => serde_json::to_string_pretty(report)? + "\n",
        OutputFormat::Yaml => serde_yaml::to_string(report)?,
    })
}
