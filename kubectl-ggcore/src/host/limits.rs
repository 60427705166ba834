//! The caps every probe runs under, and the limiter that enforces the memory cap.
//!
//! A probe that hits a cap is stopped and reported as a probe error; the other probes and the
//! report are unaffected.

use std::time::Duration;

use wasmtime::ResourceLimiter;

/// The length of one epoch tick: the granularity of the CPU budget.
pub const TICK: Duration = Duration::from_millis(10);

/// Per-probe caps.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Total linear memory of all the probe's core instances, in bytes. Default 256 MiB.
    /// Growing past it traps the probe ("exceeded its memory cap").
    pub memory_bytes: usize,
    /// Time the probe may spend executing WebAssembly, counted in [`TICK`]s while its code
    /// runs. Default 10 s. Past it the probe traps ("exceeded its CPU budget").
    pub cpu_time: Duration,
    /// Wall-clock time for the whole probe, host calls included. Default 60 s. Past it the
    /// probe is dropped ("timed out"); this also ends a probe stuck in a slow host call.
    pub wall_time: Duration,
    /// Size of the findings a probe returns, as JSON, in bytes. Default 1 MiB. A larger
    /// result is discarded and the probe reported as an error.
    pub output_bytes: usize,
    /// Number of findings a probe may return. Default 1000; more is a probe error.
    pub findings: usize,
    /// Bytes of log lines, stdout and stderr kept per probe. Default 64 KiB; the rest is
    /// dropped and counted.
    pub log_bytes: usize,
    /// Core instances, tables and memories per probe. Default 200: a Python component has
    /// about 38 core instances, a Rust one 3.
    pub instances: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            memory_bytes: 256 << 20,
            cpu_time: Duration::from_secs(10),
            wall_time: Duration::from_secs(60),
            output_bytes: 1 << 20,
            findings: 1000,
            log_bytes: 64 << 10,
            instances: 200,
        }
    }
}

impl Limits {
    /// Returns the CPU budget in epoch ticks.
    pub fn cpu_ticks(&self) -> u64 {
        (self.cpu_time.as_millis() / TICK.as_millis()).max(1) as u64
    }
}

/// The error a memory grow past the cap raises; it travels in the trap's error chain.
#[derive(Debug, thiserror::Error)]
#[error("exceeded its memory cap of {cap} MiB (asked to grow to {requested} MiB in total)")]
pub struct MemoryCapExceeded {
    /// The cap, in MiB.
    pub cap: usize,
    /// The total the probe asked for, in MiB.
    pub requested: usize,
}

/// Enforces [`Limits::memory_bytes`] on the sum of all linear memories of a probe, which
/// wasmtime's own `StoreLimits` cannot: it caps each memory separately.
#[derive(Debug)]
pub struct MemoryLimiter {
    cap: usize,
    instances: usize,
    total: usize,
    /// The largest total reached, in bytes.
    pub peak: usize,
}

impl MemoryLimiter {
    /// Creates a limiter for the given caps.
    pub fn new(limits: &Limits) -> MemoryLimiter {
        MemoryLimiter { cap: limits.memory_bytes, instances: limits.instances, total: 0, peak: 0 }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let total = self.total + desired.saturating_sub(current);
        if total > self.cap {
            return Err(MemoryCapExceeded { cap: self.cap >> 20, requested: total >> 20 }.into());
        }
        self.total = total;
        self.peak = self.peak.max(total);
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        // Tables hold function references; a million is far beyond any real guest.
        Ok(desired <= 1_000_000)
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn tables(&self) -> usize {
        self.instances
    }

    fn memories(&self) -> usize {
        self.instances
    }
}
