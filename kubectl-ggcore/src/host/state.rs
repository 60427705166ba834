//! The per-probe store data: what the probe declared, what it may read, its limits and the
//! log it writes, plus an empty WASI context for guests whose toolchain imports WASI.

use std::collections::BTreeSet;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use wasmtime::component::ResourceTable;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::v0_1::{Capability, Descriptor, HostError, KindRef};
use super::limits::{Limits, MemoryLimiter};
use crate::source::{KindQuery, Reader};

/// What a probe declared in `describe`: the only reads the host serves it.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    kinds: Vec<KindQuery>,
    capabilities: BTreeSet<String>,
}

impl Grants {
    /// Builds the grants from a descriptor.
    pub fn from_descriptor(descriptor: &Descriptor) -> Grants {
        Grants {
            kinds: descriptor.needs.kinds.iter().map(|k| KindQuery { group: k.group.clone(), kind: k.kind.clone() }).collect(),
            capabilities: descriptor.needs.capabilities.iter().map(|c| capability_name(*c).to_string()).collect(),
        }
    }

    /// Returns the declared kind a request for `kind` is served as. A request without a group
    /// takes the declared group; a declaration without a group accepts any.
    fn kind(&self, kind: &KindRef) -> Option<KindQuery> {
        self.kinds.iter().find(|declared| {
            declared.kind == kind.kind
                && match (&declared.group, &kind.group) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        }).map(|declared| KindQuery { group: kind.group.clone().or_else(|| declared.group.clone()), kind: kind.kind.clone() })
    }

    fn has(&self, capability: Capability) -> bool {
        self.capabilities.contains(capability_name(capability))
    }
}

/// Returns the WIT name of a capability.
pub fn capability_name(capability: Capability) -> &'static str {
    match capability {
        Capability::Logs => "logs",
        Capability::SecretDigests => "secret-digests",
        Capability::Http => "http",
        Capability::Metrics => "metrics",
        Capability::Dns => "dns",
    }
}

/// A log line a probe wrote, or a line of its stdout or stderr.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LogLine {
    /// `debug`, `info`, `warn`, `stdout` or `stderr`.
    pub level: &'static str,
    /// The text.
    pub message: String,
}

/// Log lines kept up to a byte cap; the rest is counted, not kept.
#[derive(Debug, Default)]
pub struct LogBuffer {
    /// The lines kept.
    pub lines: Vec<LogLine>,
    /// Bytes kept so far.
    pub bytes: usize,
    /// Bytes dropped past the cap.
    pub dropped: usize,
}

impl LogBuffer {
    /// Keeps a line if it fits under `cap` bytes in total.
    pub fn push(&mut self, level: &'static str, message: String, cap: usize) {
        if self.bytes + message.len() > cap {
            self.dropped += message.len();
            return;
        }
        self.bytes += message.len();
        self.lines.push(LogLine { level, message });
    }
}

/// Reads counted per kind, for `probe test`'s report of what a probe used.
#[derive(Debug, Default, Clone)]
pub struct Usage {
    /// `list`/`get` calls per kind.
    pub reads: std::collections::BTreeMap<String, usize>,
    /// Log reads, proxied GETs, queries and lookups.
    pub other_calls: std::collections::BTreeMap<&'static str, usize>,
    /// Reads the host denied.
    pub denied: Vec<String>,
}

/// The data of one probe's store.
pub struct ProbeState {
    /// The probe's id: its file name until `describe` answers, then the declared id.
    pub id: String,
    /// The declared reads; `None` while `describe` runs, when nothing is served.
    pub grants: Option<Grants>,
    /// The descriptor, once `describe` answered; kept for the report when `run` fails.
    pub descriptor: Option<Descriptor>,
    /// The run's shared read path.
    pub reader: Arc<Reader>,
    /// The caps.
    pub limits: Limits,
    /// The memory limiter.
    pub memory: MemoryLimiter,
    /// Epoch ticks spent executing the probe's code.
    pub ticks: u64,
    /// What the probe logged.
    pub log: LogBuffer,
    /// What the probe read.
    pub usage: Usage,
    /// Captured stdout and stderr.
    pub output: CapturedOutput,
    wasi: WasiCtx,
    table: ResourceTable,
}

impl ProbeState {
    /// Creates the state of a probe about to be instantiated.
    pub fn new(id: String, reader: Arc<Reader>, limits: Limits, observed_at: i64) -> ProbeState {
        let output = CapturedOutput::new(limits.log_bytes);
        // The context grants nothing: no files, no network, no environment, no arguments.
        // Clocks read the run's observation time, so that a probe sees the same `now` as its
        // profile says and cannot measure the host.
        let wasi = WasiCtx::builder()
            .stdout(output.stream("stdout"))
            .stderr(output.stream("stderr"))
            .wall_clock(FixedClock { unix_seconds: observed_at.max(0) as u64 })
            .monotonic_clock(CountingClock::default())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        ProbeState {
            id,
            grants: None,
            descriptor: None,
            reader,
            memory: MemoryLimiter::new(&limits),
            limits,
            ticks: 0,
            log: LogBuffer::default(),
            usage: Usage::default(),
            output,
            wasi,
            table: ResourceTable::new(),
        }
    }

    /// Checks a read of `kind` against the declaration, first thing in every cluster import.
    pub fn check_kind(&mut self, verb: &str, kind: &KindRef) -> Result<KindQuery, HostError> {
        if kind.kind == "Secret" {
            let message = format!(
                "probe `{}` may not {verb} Secrets: their values never reach a probe; declare the `secret-digests` capability and call `cluster.secret-digests`",
                self.id
            );
            self.usage.denied.push(message.clone());
            return Err(HostError::Denied(message));
        }
        let Some(grants) = &self.grants else {
            return Err(HostError::Denied(format!("probe `{}` may not read the cluster while `describe` runs", self.id)));
        };
        match grants.kind(kind) {
            Some(query) => {
                *self.usage.reads.entry(query.to_string()).or_default() += 1;
                Ok(query)
            }
            None => {
                let message = format!(
                    "probe `{}` did not declare kind `{}` in `describe`; add it to `needs.kinds` to {verb} it",
                    self.id,
                    KindQuery { group: kind.group.clone(), kind: kind.kind.clone() }
                );
                tracing::warn!(probe = %self.id, kind = %kind.kind, "denied an undeclared read");
                self.usage.denied.push(message.clone());
                Err(HostError::Denied(message))
            }
        }
    }

    /// Checks the use of a capability against the declaration.
    pub fn check_capability(&mut self, capability: Capability) -> Result<(), HostError> {
        let granted = self.grants.as_ref().is_some_and(|g| g.has(capability));
        if granted {
            *self.usage.other_calls.entry(capability_name(capability)).or_default() += 1;
            return Ok(());
        }
        let message = format!(
            "probe `{}` did not declare the `{}` capability in `describe`; add it to `needs.capabilities`",
            self.id,
            capability_name(capability)
        );
        self.usage.denied.push(message.clone());
        Err(HostError::Denied(message))
    }
}

impl WasiView for ProbeState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// A wall clock stopped at the run's observation time.
struct FixedClock {
    unix_seconds: u64,
}

impl wasmtime_wasi::HostWallClock for FixedClock {
    fn resolution(&self) -> std::time::Duration {
        std::time::Duration::from_secs(1)
    }

    fn now(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.unix_seconds)
    }
}

/// A monotonic clock that advances one microsecond per reading: guest runtimes that need a
/// clock to start get one, and it tells nothing about the host.
#[derive(Default)]
struct CountingClock {
    ticks: std::sync::atomic::AtomicU64,
}

impl wasmtime_wasi::HostMonotonicClock for CountingClock {
    fn resolution(&self) -> u64 {
        1_000
    }

    fn now(&self) -> u64 {
        self.ticks.fetch_add(1_000, std::sync::atomic::Ordering::Relaxed)
    }
}

/// stdout and stderr of a probe, kept up to a cap and never failing the guest's writes.
#[derive(Clone)]
pub struct CapturedOutput {
    inner: Arc<Mutex<CapturedInner>>,
}

struct CapturedInner {
    cap: usize,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    dropped: usize,
}

impl CapturedOutput {
    fn new(cap: usize) -> CapturedOutput {
        CapturedOutput { inner: Arc::new(Mutex::new(CapturedInner { cap, stdout: Vec::new(), stderr: Vec::new(), dropped: 0 })) }
    }

    fn stream(&self, name: &'static str) -> CapturedStream {
        CapturedStream { output: self.clone(), name }
    }

    /// Returns stdout and stderr as text, and the bytes dropped past the cap.
    pub fn take(&self) -> (String, String, usize) {
        let inner = self.inner.lock().expect("output lock");
        (String::from_utf8_lossy(&inner.stdout).into_owned(), String::from_utf8_lossy(&inner.stderr).into_owned(), inner.dropped)
    }
}

#[derive(Clone)]
struct CapturedStream {
    output: CapturedOutput,
    name: &'static str,
}

impl IsTerminal for CapturedStream {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CapturedStream {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl tokio::io::AsyncWrite for CapturedStream {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, bytes: &[u8]) -> Poll<std::io::Result<usize>> {
        let mut inner = self.output.inner.lock().expect("output lock");
        let room = inner.cap.saturating_sub(inner.stdout.len() + inner.stderr.len());
        let kept = bytes.len().min(room);
        inner.dropped += bytes.len() - kept;
        let buffer = if self.name == "stdout" { &mut inner.stdout } else { &mut inner.stderr };
        buffer.extend_from_slice(&bytes[..kept]);
        // Report everything as written: a chatty probe loses output, not its run.
        Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
