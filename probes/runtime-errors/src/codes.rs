//! The GG-CORE error codes this probe reports, and the text scans that find them: code tokens
//! in log lines and messages, and signs that an OOM kill struck while the model was loading.

/// How the guide's Error Code Reference rates a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The runtime cannot work: the finding fails.
    Critical,
    /// A request or operation failed: the finding fails when the pod no longer serves, and
    /// warns while it still does.
    Error,
    /// Degraded service: the finding warns.
    Warning,
}

/// One error code of the reference.
#[derive(Debug)]
pub struct Code {
    /// The code, such as `E2001`.
    pub code: &'static str,
    /// The name, such as `MODEL_LOAD_FAILED`.
    pub name: &'static str,
    /// The guide's severity.
    pub severity: Severity,
}

impl Code {
    /// Returns the cause id of this code: the code in lower case.
    pub fn cause(&self) -> String {
        self.code.to_ascii_lowercase()
    }
}

const fn code(code: &'static str, name: &'static str, severity: Severity) -> Code {
    Code { code, name, severity }
}

/// The codes of the `runtime-unhealthy` symptom, in code order. E5002 ROLLBACK_FAILED is left
/// out: it is a cause of `rollback-failed`, which the rollback probe reports.
pub const CODES: [Code; 14] = [
    code("E1001", "IPC_CONNECTION_FAILED", Severity::Critical),
    code("E1002", "IPC_TIMEOUT", Severity::Warning),
    code("E1003", "IPC_PROTOCOL_ERROR", Severity::Error),
    code("E2001", "MODEL_LOAD_FAILED", Severity::Critical),
    code("E2002", "MODEL_NOT_FOUND", Severity::Error),
    code("E2003", "MODEL_VERSION_MISMATCH", Severity::Error),
    code("E3001", "SANDBOX_INIT_FAILED", Severity::Critical),
    code("E3002", "SANDBOX_VIOLATION", Severity::Critical),
    code("E3003", "RESOURCE_LIMIT_EXCEEDED", Severity::Error),
    code("E4001", "INFERENCE_FAILED", Severity::Error),
    code("E4002", "TOKENIZER_ERROR", Severity::Error),
    code("E4003", "CONTEXT_OVERFLOW", Severity::Warning),
    code("E5001", "DEPLOYMENT_FAILED", Severity::Error),
    code("E5003", "HEALTH_CHECK_FAILED", Severity::Warning),
];

/// Finds a code by its text (`E2001`).
pub fn by_code(text: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code == text)
}

/// Returns the codes a line names, each once, in code order: as a code token (`E4001`) or, when
/// the line carries no code token for it, by name (`INFERENCE_FAILED`). Tokens must stand
/// alone: `XE4001` and `E40012` are not codes.
pub fn codes_in(line: &str) -> Vec<&'static Code> {
    let bytes = line.as_bytes();
    let mut found: Vec<&'static Code> = Vec::new();
    for (start, _) in line.match_indices('E') {
        let end = start + 5;
        let standalone = end <= bytes.len()
            && bytes[start + 1..end].iter().all(u8::is_ascii_digit)
            && (start == 0 || !bytes[start - 1].is_ascii_alphanumeric())
            && (end == bytes.len() || !bytes[end].is_ascii_alphanumeric());
        if let Some(code) = standalone.then(|| by_code(&line[start..end])).flatten() {
            found.push(code);
        }
    }
    for code in &CODES {
        if !found.iter().any(|f| f.code == code.code) && contains_word(line, code.name) {
            found.push(code);
        }
    }
    found.sort_by_key(|c| c.code);
    found.dedup_by_key(|c| c.code);
    found
}

/// Reports whether `word` occurs in `text` with no letter, digit or `_` on either side.
fn contains_word(text: &str, word: &str) -> bool {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    text.match_indices(word).any(|(start, _)| {
        let end = start + word.len();
        (start == 0 || !is_word(text.as_bytes()[start - 1])) && (end == text.len() || !is_word(text.as_bytes()[end]))
    })
}

/// Returns the line that shows the container was loading its model when it ended, or `None`
/// when the output shows no loading or shows the load completed after it (a `ready` or
/// `model ... loaded` line following the last loading line).
pub fn loading_line(output: &str) -> Option<&str> {
    let mut last_loading = None;
    for line in output.lines() {
        let lower = line.to_ascii_lowercase();
        if is_loading(&lower) {
            last_loading = Some(line.trim());
        } else if last_loading.is_some() && is_loaded(&lower) {
            last_loading = None;
        }
    }
    last_loading
}

fn is_loading(lower: &str) -> bool {
    ["loading model", "load model", "loading shard", "loaded shard", "loading weights", "loading checkpoint"]
        .iter()
        .any(|marker| lower.contains(marker))
}

fn is_loaded(lower: &str) -> bool {
    lower.contains("ready:") || lower.contains("serving on") || (lower.contains("model") && lower.contains(" loaded") && !lower.contains("loaded shard"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(line: &str) -> Vec<&'static str> {
        codes_in(line).iter().map(|c| c.code).collect()
    }

    #[test]
    fn code_tokens_are_found_once() {
        assert_eq!(ids("ERROR E4001 INFERENCE_FAILED request=9f3c2a"), ["E4001"]);
        assert_eq!(ids("E1001 then E2002 and E1001"), ["E1001", "E2002"]);
        assert_eq!(ids("(E3003)"), ["E3003"]);
    }

    #[test]
    fn glued_tokens_are_not_codes() {
        assert!(ids("XE4001 E40012 E9999 E1").is_empty());
    }

    #[test]
    fn names_alone_are_found() {
        assert_eq!(ids("fatal: MODEL_NOT_FOUND veritas-llm-70b"), ["E2002"]);
        assert!(ids("NOT_A_MODEL_NOT_FOUND_X").is_empty());
    }

    #[test]
    fn rollback_code_is_left_to_the_rollback_probe() {
        assert!(ids("E5002 ROLLBACK_FAILED").is_empty());
    }

    #[test]
    fn output_ending_in_shard_loading_is_a_load() {
        let output = "INFO loading model veritas-llm-34b-instruct@r2 (fp16, 14 shards)\nINFO loaded shard 8/14 (resident 44.1 GiB)\nINFO loading shard 9/14\n";
        assert_eq!(loading_line(output), Some("INFO loading shard 9/14"));
    }

    #[test]
    fn completed_load_is_not_a_load() {
        let output = "INFO loading model m@r7 (6 shards)\nINFO model m@r7 loaded (6 shards, resident 25.3 GiB)\nINFO ready: serving on :8080\n";
        assert_eq!(loading_line(output), None);
    }
}
