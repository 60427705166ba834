//! The commands. Each takes its resolved arguments and returns the exit code; errors carry
//! the exit code they map to, so that scripts can tell bad input (2) from a tool failure (1).


pub mod bluegreen;
pub mod bluegreen_diff;
pub mod bundle;
pub mod canary;
pub mod checks;
pub mod collect;
pub mod deployment;
pub mod diagnose;
pub mod explain;
pub mod health;
pub mod live;
pub mod metrics;
pub mod probe;
pub mod probes;
pub mod ready;
pub mod session;
pub mod trust;
pub mod version;

use crate::report::status::exit;

/// An error with the exit code it maps to.
#[derive(Debug)]
pub struct CommandError {
    /// The exit code.
    pub code: i32,
    /// What went wrong.
    pub error: anyhow::Error,
}

impl CommandError {
    /// Returns the error and its causes joined by `: `, leaving out a cause whose text is
    /// already part of the message before it (many library errors repeat their cause in their
    /// own message).
    pub fn message(&self) -> String {
        let mut message = String::new();
        for cause in self.error.chain() {
            let text = cause.to_string();
            if message.is_empty() {
                message = text;
            } else if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
        }
        message
    }
}

/// Marks an error as invalid usage or input (exit code 2).
pub fn usage(error: impl Into<anyhow::Error>) -> CommandError {
    CommandError { code: exit::USAGE, error: error.into() }
}

/// Marks an error as a failure of the tool itself (exit code 1).
pub fn failed(error: impl Into<anyhow::Error>) -> CommandError {
    CommandError { code: exit::TOOL_FAILED, error: error.into() }
}

/// The result of a command: an exit code, or an error with one.
pub type CommandResult = Result<i32, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_leaves_out_repeated_causes() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        #[derive(Debug, thiserror::Error)]
        #[error("failed to read `x`: {0}")]
        struct Wrapping(#[source] std::io::Error);
        let error = failed(anyhow::Error::new(Wrapping(io)).context("reading kubeconfig `x`"));
        assert_eq!(error.message(), "reading kubeconfig `x`: failed to read `x`: No such file or directory");
    }

    #[test]
    fn message_keeps_distinct_causes() {
        let error = usage(anyhow::anyhow!("bad port").context("reading `--dns-server`"));
        assert_eq!(error.message(), "reading `--dns-server`: bad port");
    }
}
