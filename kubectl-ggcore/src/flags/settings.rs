//! Resolves raw flags into validated settings, with one commented decision per implied default.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use ggcore_probe_sdk::units;

use super::args::{ColorWhen, LimitArgs};
use crate::host::limits::Limits;
use crate::source::prometheus::{self, Prometheus};

/// Decides whether to colour stdout.
pub fn use_color(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        // Colour only on a terminal, and never when NO_COLOR is set to anything non-empty
        // (https://no-color.org).
        ColorWhen::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// Parses a duration flag (`30s`, `1m`, `500ms`, or bare seconds).
///
/// # Errors
///
/// Fails with the flag's name when the value is not a duration or not positive.
pub fn duration(flag: &str, text: &str) -> Result<Duration> {
    let seconds = units::parse_duration(text).with_context(|| format!("invalid value `{text}` for `--{flag}`: expected a duration such as `30s` or `2m`"))?;
    if seconds <= 0.0 {
        bail!("invalid value `{text}` for `--{flag}`: the duration must be positive");
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Resolves the per-probe caps from their flags over the defaults.
///
/// # Errors
///
/// Fails when a value does not parse.
pub fn limits(args: &LimitArgs) -> Result<Limits> {
    let memory = units::parse_quantity(&args.probe_memory)
        .filter(|m| *m >= 1.0)
        .with_context(|| format!("invalid value `{}` for `--probe-memory`: expected a quantity such as `256Mi`", args.probe_memory))?;
    Ok(Limits {
        wall_time: duration("probe-timeout", &args.probe_timeout)?,
        cpu_time: duration("probe-cpu", &args.probe_cpu)?,
        memory_bytes: memory as usize,
        ..Limits::default()
    })
}

/// Parses `--now`.
///
/// # Errors
///
/// Fails when the value is not an RFC 3339 time.
pub fn now(text: &str) -> Result<i64> {
    units::parse_time(text).with_context(|| format!("invalid value `{text}` for `--now`: expected an RFC 3339 time such as `2026-12-04T10:30:00Z`"))
}

/// Builds the client of `--prometheus-url`, with `--request-timeout` as the time each query may
/// take (`0` means no limit, as in kubectl).
///
/// # Errors
///
/// Fails when the URL or the timeout does not parse.
pub fn prometheus(url: Option<&str>, request_timeout: Option<&str>) -> Result<Option<Prometheus>> {
    let Some(url) = url else { return Ok(None) };
    let timeout = match request_timeout {
        Some("0") => Duration::MAX,
        Some(text) => duration("request-timeout", text)?,
        None => prometheus::DEFAULT_TIMEOUT,
    };
    Prometheus::new(url, timeout).map(Some).map_err(anyhow::Error::msg)
}
