//! Colours for the table output, applied only when colour is on.

use owo_colors::OwoColorize;

use crate::report::{Outcome, Status};

/// Applies colours when enabled, and passes text through unchanged otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    /// True when colour is on.
    pub enabled: bool,
}

impl Paint {
    /// Colours a status word, padded to `width`.
    pub fn status(self, status: Status, width: usize) -> String {
        let text = format!("{:<width$}", status.as_str());
        if !self.enabled {
            return text;
        }
        match status {
            Status::Critical => text.red().bold().to_string(),
            Status::Degraded => text.yellow().bold().to_string(),
            Status::Healthy => text.green().to_string(),
            Status::Unknown => text.dimmed().to_string(),
        }
    }

    /// Colours an outcome tag (`FAIL`, `WARN`, ...).
    pub fn outcome(self, outcome: Outcome) -> String {
        let text = outcome.as_str().to_uppercase();
        if !self.enabled {
            return text;
        }
        match outcome {
            Outcome::Fail => text.red().bold().to_string(),
            Outcome::Warn => text.yellow().bold().to_string(),
            Outcome::Pass => text.green().to_string(),
            Outcome::Inconclusive | Outcome::Skip => text.dimmed().to_string(),
        }
    }

    /// Makes a heading bold.
    pub fn heading(self, text: &str) -> String {
        if self.enabled { text.bold().to_string() } else { text.to_string() }
    }

    /// Dims secondary text.
    pub fn dim(self, text: &str) -> String {
        if self.enabled { text.dimmed().to_string() } else { text.to_string() }
    }
}
