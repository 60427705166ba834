//! `kubectl ggcore explain`: the guide's reference for an error code, a symptom or a cause.

use std::fmt::Write as _;

use anyhow::anyhow;

use super::{CommandResult, usage};
use crate::catalog;
use crate::flags::args::ExplainArgs;

/// Prints what the topic means, its diagnostic steps and its resolution.
///
/// # Errors
///
/// Exit code 2 when the topic is no error code, symptom or cause.
pub fn run(args: &ExplainArgs) -> CommandResult {
    let topic = args.topic.trim();
    let text = explain(topic).ok_or_else(|| {
        usage(anyhow!(
            "`{topic}` is not an error code (E1001 to E5003), a symptom id or a cause id; `kubectl ggcore probes list` lists the ids"
        ))
    })?;
    print!("{text}");
    Ok(0)
}

/// Returns the reference text of a topic, or `None` when it is unknown.
pub fn explain(topic: &str) -> Option<String> {
    if let Some(code) = catalog::error_code(topic) {
        return Some(explain_code(code));
    }
    if let Some(symptom) = catalog::symptom(topic) {
        return Some(explain_symptom(symptom));
    }
    let causes: Vec<&catalog::Cause> = catalog::CAUSES.iter().filter(|c| c.id == topic).collect();
    if causes.is_empty() {
        return None;
    }
    let mut out = String::new();
    for cause in causes {
        let symptom = catalog::symptom(cause.symptom).expect("every cause has a symptom");
        let _ = writeln!(out, "{} ({})", cause.title, cause.id);
        let _ = writeln!(out, "  Symptom:    {} ({})", symptom.title, symptom.id);
        let _ = writeln!(out, "  Guide:      {}", symptom.section);
        let _ = writeln!(out, "  Resolution: {}", cause.resolution);
        if let Some(why) = cause.unobservable {
            let _ = writeln!(out, "  Not observable from the cluster: {why}.");
        }
        if let Some(code) = catalog::ERROR_CODES.iter().find(|e| e.cause == Some(cause.id)) {
            let _ = writeln!(out, "  Error code: {} {} ({})", code.code, code.name, code.severity);
        }
        out.push('\n');
    }
    Some(out)
}

fn explain_code(code: &catalog::ErrorCode) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", code.code, code.name);
    let _ = writeln!(out, "  Meaning:  {}", code.description);
    let _ = writeln!(out, "  Severity: {}", code.severity);
    let cause = code.cause.map(|c| format!(" / {c}")).unwrap_or_else(|| " / rollback-image-issue or rollback-state-issue".into());
    let _ = writeln!(out, "  Reported as: {}{cause}", code.symptom);
    if !code.steps.is_empty() {
        let _ = writeln!(out, "\nDiagnostic steps:");
        for (i, step) in code.steps.iter().enumerate() {
            let _ = writeln!(out, "  {}. {step}", i + 1);
        }
        if code.steps.iter().any(|step| !step.starts_with("kubectl")) {
            let _ = writeln!(
                out,
                "  Steps that are not kubectl commands run in the GG-CORE container\n  (kubectl exec -it <pod> -n veritas -- COMMAND), or on the node for kernel settings."
            );
        }
    }
    if !code.resolution.is_empty() {
        let _ = writeln!(out, "\nResolution:");
        for (i, step) in code.resolution.iter().enumerate() {
            let _ = writeln!(out, "  {}. {step}", i + 1);
        }
    } else if let Some(cause) = code.cause.and_then(|c| catalog::cause(code.symptom, c)) {
        let _ = writeln!(out, "\nResolution: {}", cause.resolution);
    }
    out
}

fn explain_symptom(symptom: &catalog::Symptom) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", symptom.title, symptom.id);
    let _ = writeln!(out, "  Guide:         {}", symptom.section);
    let _ = writeln!(out, "  Likely issue:  {}", symptom.likely_issue);
    let _ = writeln!(out, "  First command: {}", symptom.first_command_for(&crate::catalog::CommandNames::default()));
    let _ = writeln!(out, "\nSigns:");
    for sign in symptom.signs {
        let _ = writeln!(out, "  - {sign}");
    }
    let _ = writeln!(out, "\nDiagnostic steps:");
    for (i, step) in symptom.steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {step}", i + 1);
    }
    let _ = writeln!(out, "\nCauses and resolutions:");
    for cause in catalog::CAUSES.iter().filter(|c| c.symptom == symptom.id) {
        let _ = writeln!(out, "  {:<28} {}", cause.id, cause.resolution);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_e3001_with_steps_and_resolution() {
        let text = explain("E3001").unwrap();
        assert!(text.starts_with("E3001: SANDBOX_INIT_FAILED"), "{text}");
        assert!(text.contains("Verify seccomp profile is available"), "{text}");
        assert!(text.contains("kubectl logs <pod> -c sandbox-init"), "{text}");
    }

    #[test]
    fn explains_lower_case_code() {
        assert!(explain("e2001").unwrap().contains("MODEL_LOAD_FAILED"));
    }

    #[test]
    fn explains_a_cause_of_two_symptoms() {
        let text = explain("image-pull-failure").unwrap();
        assert!(text.contains("(pods-down)"), "{text}");
        assert!(text.contains("(standby-unhealthy)"), "{text}");
    }

    #[test]
    fn unknown_topic_is_none() {
        assert!(explain("E9999").is_none());
    }
}
