//! Runs probes: each in its own store under its own caps, all concurrently, each starting as
//! soon as its own component is compiled so that a slow compile holds up no other probe.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::Instrument;
use wasmtime::component::Component;
use wasmtime::{Store, Trap, UpdateDeadline};

use super::bindings::v0_1::{self, Descriptor, Finding, Profile};
use super::engine::ProbeEngine;
use super::limits::{Limits, MemoryCapExceeded, TICK};
use super::loader::{self, Origin, ProbeSource};
use super::state::{Grants, LogLine, ProbeState, Usage};
use crate::catalog;
use crate::source::Reader;

/// How a probe failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// It could not be loaded: not a component, wrong WIT version, link error.
    Load,
    /// Its `describe` answer is invalid.
    Describe,
    /// It trapped.
    Trap,
    /// It ran out of CPU budget.
    CpuBudget,
    /// It grew past its memory cap.
    Memory,
    /// It did not finish in its wall-clock time.
    Timeout,
    /// It returned more than the output cap.
    Output,
    /// It tried to read something it did not declare; the host denied the read, and the
    /// probe's verdicts are not trusted.
    UndeclaredRead,
}

/// A probe failure with a message for the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Failure {
    /// What kind of failure.
    pub kind: FailureKind,
    /// What happened, naming the cap that was hit.
    pub message: String,
}

/// What a probe run cost.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunStats {
    /// True when the compiled component came from the cache.
    pub cache_hit: bool,
    /// Time to compile or load from cache, in milliseconds.
    pub compile_ms: u64,
    /// Time from instantiation to the end of `run`, in milliseconds.
    pub run_ms: u64,
    /// The largest total linear memory, in bytes.
    pub peak_memory_bytes: usize,
    /// Time spent executing the probe's code, in [`TICK`]s of 10 ms.
    pub cpu_ticks: u64,
}

/// The result of one probe.
pub struct ProbeRun {
    /// The probe's source.
    pub source_name: String,
    /// Where it came from.
    pub origin: Origin,
    /// The WIT version it was built for, when it could be read.
    pub wit_version: Option<String>,
    /// The component's SHA-256.
    pub sha256: String,
    /// What it declared; `None` when it failed before `describe` answered.
    pub descriptor: Option<Descriptor>,
    /// Its findings; empty when it failed.
    pub findings: Vec<Finding>,
    /// How it failed, if it did.
    pub failure: Option<Failure>,
    /// Costs.
    pub stats: RunStats,
    /// Its log lines, stdout and stderr.
    pub logs: Vec<LogLine>,
    /// Bytes of log dropped past the cap.
    pub log_dropped: usize,
    /// What it read.
    pub usage: Usage,
}

impl ProbeRun {
    /// Returns the run of a probe that has not started: no descriptor, findings or costs yet.
    fn not_started(source: &ProbeSource) -> ProbeRun {
        ProbeRun {
            source_name: source.name.clone(),
            origin: source.origin.clone(),
            wit_version: None,
            sha256: source.sha256(),
            descriptor: None,
            findings: Vec::new(),
            failure: None,
            stats: RunStats::default(),
            logs: Vec::new(),
            log_dropped: 0,
            usage: Usage::default(),
        }
    }

    /// Returns the probe's id: the declared one, else the source name.
    pub fn id(&self) -> &str {
        self.descriptor.as_ref().map(|d| d.id.as_str()).unwrap_or(&self.source_name)
    }
}

/// Runs every probe concurrently and returns their results in the order given.
pub async fn run_all(engine: Arc<ProbeEngine>, sources: Vec<ProbeSource>, reader: Arc<Reader>, profile: Profile, limits: Limits) -> Vec<ProbeRun> {
    run_all_counted(engine, sources, reader, profile, limits, Arc::default()).await
}

/// Runs every probe like [`run_all`], counting finished probes in `done` for a progress line.
pub async fn run_all_counted(
    engine: Arc<ProbeEngine>,
    sources: Vec<ProbeSource>,
    reader: Arc<Reader>,
    profile: Profile,
    limits: Limits,
    done: Arc<std::sync::atomic::AtomicUsize>,
) -> Vec<ProbeRun> {
    let mut tasks = tokio::task::JoinSet::new();
    for (index, source) in sources.into_iter().enumerate() {
        let engine = engine.clone();
        let reader = reader.clone();
        let profile = profile.clone();
        let limits = limits.clone();
        let span = tracing::debug_span!("probe", probe = %source.name);
        let done = done.clone();
        tasks.spawn(
            async move {
                let run = run_one(engine, source, reader, Some(profile), limits).await;
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                (index, run)
            }
            .instrument(span),
        );
    }

    let mut runs: Vec<(usize, ProbeRun)> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(run) => runs.push(run),
            // A panic here is a host bug; the probe's result is lost but the others stand.
            Err(error) => tracing::error!("a probe task failed: {error}"),
        }
    }
    runs.sort_by_key(|(index, _)| *index);
    let mut runs: Vec<ProbeRun> = runs.into_iter().map(|(_, run)| run).collect();
    reject_duplicate_ids(&mut runs);
    runs
}

/// Turns every probe that declares the id of an earlier probe into a failed run without
/// findings. Sources come built-ins first, then bundles, then files, so a `--probe` file or a
/// bundle cannot pass its findings off as a built-in probe's.
fn reject_duplicate_ids(runs: &mut [ProbeRun]) {
    let mut owners: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for run in runs.iter_mut() {
        let id = run.id().to_string();
        match owners.get(&id) {
            Some(owner) => {
                run.findings.clear();
                run.failure = Some(Failure {
                    kind: FailureKind::Describe,
                    message: format!("declares the id `{id}`, which {owner} already uses; give the probe an id of its own"),
                });
            }
            None => {
                owners.insert(id, describe_origin(&run.origin));
            }
        }
    }
}

/// Names where a probe came from, for messages.
fn describe_origin(origin: &Origin) -> String {
    match origin {
        Origin::Builtin => "a built-in probe".to_string(),
        Origin::File { path } => format!("the probe file `{}`", path.display()),
        Origin::Bundle { bundle, .. } => format!("a probe of bundle `{bundle}`"),
    }
}

/// Compiles (or loads from cache) and runs one probe; with no profile, only `describe` is called.
pub async fn run_one(engine: Arc<ProbeEngine>, source: ProbeSource, reader: Arc<Reader>, profile: Option<Profile>, limits: Limits) -> ProbeRun {
    let mut run = ProbeRun::not_started(&source);

    let component = match compile(&engine, &source, &run.sha256).await {
        Ok((version, component, stats)) => {
            run.wit_version = Some(version);
            run.stats.cache_hit = stats.cache_hit;
            run.stats.compile_ms = stats.duration.as_millis() as u64;
            component
        }
        Err(message) => {
            run.failure = Some(Failure { kind: FailureKind::Load, message });
            return run;
        }
    };

    let observed_at = reader.observed_at();
    let mut store = Store::new(&engine.engine, ProbeState::new(source.name.clone(), reader, limits.clone(), observed_at));
    store.limiter(|state| &mut state.memory);
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|mut context| {
        let state = context.data_mut();
        state.ticks += 1;
        if state.ticks > state.limits.cpu_ticks() {
            return Ok(UpdateDeadline::Interrupt);
        }
        // Yield to the executor every tick, so that other probes and the wall-clock timeout
        // get their turn even while this probe computes.
        Ok(UpdateDeadline::Yield(1))
    });

    let started = Instant::now();
    let outcome = tokio::time::timeout(limits.wall_time, call(&engine, &component, &mut store, profile.as_ref())).await;
    run.stats.run_ms = started.elapsed().as_millis() as u64;

    match outcome {
        Ok(Ok((descriptor, findings))) => {
            match check_findings(&descriptor, findings, &limits) {
                Ok(findings) => run.findings = findings,
                Err(failure) => run.failure = Some(failure),
            }
            run.descriptor = Some(descriptor);
        }
        Ok(Err(CallError::Describe(message))) => run.failure = Some(Failure { kind: FailureKind::Describe, message }),
        Ok(Err(CallError::Wasm(error, descriptor))) => {
            run.descriptor = descriptor;
            run.failure = Some(classify(&error, &limits));
        }
        Err(_elapsed) => {
            run.failure = Some(Failure {
                kind: FailureKind::Timeout,
                message: format!("did not finish within its wall-clock limit of {}", humantime(limits.wall_time)),
            });
        }
    }

    let state = store.into_data();
    if run.descriptor.is_none() {
        run.descriptor = state.descriptor.clone();
    }
    if let (None, Some(first)) = (&run.failure, state.usage.denied.first()) {
        run.findings.clear();
        run.failure = Some(Failure {
            kind: FailureKind::UndeclaredRead,
            message: format!("made {} read(s) it did not declare, which were denied; the first: {first}", state.usage.denied.len()),
        });
    }
    run.stats.peak_memory_bytes = state.memory.peak;
    run.stats.cpu_ticks = state.ticks;
    run.usage = state.usage;
    run.log_dropped = state.log.dropped;
    run.logs = state.log.lines;
    let (stdout, stderr, dropped) = state.output.take();
    run.log_dropped += dropped;
    run.logs.extend(stdout.lines().map(|l| LogLine { level: "stdout", message: l.to_string() }));
    run.logs.extend(stderr.lines().map(|l| LogLine { level: "stderr", message: l.to_string() }));
    let status = run.failure.as_ref().map_or("ok", |_| "error");
    tracing::debug!(probe = %run.id(), status, run_ms = run.stats.run_ms, findings = run.findings.len(), "probe finished");
    run
}

async fn compile(engine: &Arc<ProbeEngine>, source: &ProbeSource, sha256: &str) -> Result<(String, Component, super::cache::CompileStats), String> {
    let version = loader::check(&source.name, &source.bytes).map_err(|e| e.to_string())?;
    let engine = engine.clone();
    let bytes = source.bytes.clone();
    let name = source.name.clone();
    let sha256 = sha256.to_string();
    let compiled = tokio::task::spawn_blocking(move || engine.cache.load(&engine.engine, &bytes, &sha256, &name))
        .await
        .map_err(|e| format!("compiling probe `{}` failed: {e}", source.name))?;
    let (component, stats) = compiled.map_err(|e| format!("{e:#}"))?;
    Ok((version, component, stats))
}

enum CallError {
    Describe(String),
    Wasm(wasmtime::Error, Option<Descriptor>),
}

async fn call(engine: &ProbeEngine, component: &Component, store: &mut Store<ProbeState>, profile: Option<&Profile>) -> Result<(Descriptor, Vec<Finding>), CallError> {
    let pre = engine.linker_v0_1.instantiate_pre(component).map_err(|e| CallError::Wasm(e, None))?;
    let pre = v0_1::ProbePre::new(pre).map_err(|e| CallError::Wasm(e, None))?;
    let probe = pre.instantiate_async(&mut *store).await.map_err(|e| CallError::Wasm(e, None))?;

    let descriptor = probe.call_describe(&mut *store).await.map_err(|e| CallError::Wasm(e, None))?;
    check_descriptor(&descriptor).map_err(CallError::Describe)?;
    store.data_mut().id = descriptor.id.clone();
    store.data_mut().grants = Some(Grants::from_descriptor(&descriptor));
    store.data_mut().descriptor = Some(descriptor.clone());

    let Some(profile) = profile else {
        return Ok((descriptor, Vec::new()));
    };
    match probe.call_run(&mut *store, profile).await {
        Ok(findings) => Ok((descriptor, findings)),
        Err(error) => Err(CallError::Wasm(error, Some(descriptor))),
    }
}

/// Checks a descriptor: a usable id and only the contract's symptom ids.
fn check_descriptor(descriptor: &Descriptor) -> Result<(), String> {
    let id = &descriptor.id;
    let valid_id = !id.is_empty()
        && id.len() <= 63
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-');
    if !valid_id {
        return Err(format!("declares the id `{id}`; an id is 1 to 63 lower-case letters, digits and dashes"));
    }
    for symptom in descriptor.symptoms.iter().chain(descriptor.causes.iter().map(|c| &c.symptom)) {
        if catalog::symptom(symptom).is_none() {
            let known: Vec<&str> = catalog::SYMPTOMS.iter().map(|s| s.id).collect();
            return Err(format!("`{id}` declares the unknown symptom `{symptom}`; the symptoms are: {}", known.join(", ")));
        }
    }
    Ok(())
}

/// Enforces the output caps and drops findings for symptoms the probe did not declare.
fn check_findings(descriptor: &Descriptor, findings: Vec<Finding>, limits: &Limits) -> Result<Vec<Finding>, Failure> {
    if findings.len() > limits.findings {
        return Err(Failure {
            kind: FailureKind::Output,
            message: format!("returned {} findings; the cap is {}", findings.len(), limits.findings),
        });
    }
    let size: usize = findings
        .iter()
        .map(|f| f.summary.len() + f.evidence.iter().map(String::len).sum::<usize>() + f.resolution.as_ref().map_or(0, String::len) + 64)
        .sum();
    if size > limits.output_bytes {
        return Err(Failure {
            kind: FailureKind::Output,
            message: format!("returned {} KiB of findings; the cap is {} KiB", size >> 10, limits.output_bytes >> 10),
        });
    }
    let (kept, dropped): (Vec<Finding>, Vec<Finding>) = findings.into_iter().partition(|f| descriptor.symptoms.contains(&f.symptom));
    for finding in dropped {
        tracing::warn!(probe = %descriptor.id, symptom = %finding.symptom, "dropped a finding for a symptom the probe did not declare");
    }
    Ok(kept)
}

/// Names the cap a failed call hit, or the trap it raised.
fn classify(error: &wasmtime::Error, limits: &Limits) -> Failure {
    if let Some(cap) = error.chain().find_map(|e| e.downcast_ref::<MemoryCapExceeded>()) {
        return Failure { kind: FailureKind::Memory, message: cap.to_string() };
    }
    if let Some(Trap::Interrupt) = error.downcast_ref::<Trap>() {
        return Failure {
            kind: FailureKind::CpuBudget,
            message: format!("exceeded its CPU budget of {}", humantime(limits.cpu_time)),
        };
    }
    let first = format!("{error:#}");
    let first = first.lines().next().unwrap_or("").to_string();
    let message = match error.downcast_ref::<Trap>() {
        Some(trap) => format!("trapped: {trap} ({first})"),
        None => format!("failed: {first}"),
    };
    Failure { kind: FailureKind::Trap, message }
}

fn humantime(duration: Duration) -> String {
    if duration.as_millis() % 1000 == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{}ms", duration.as_millis())
    }
}

/// The tick length, re-exported for the report's CPU figures.
pub const CPU_TICK: Duration = TICK;

#[cfg(test)]
mod tests {
    use super::*;

    fn finished(id: &str, origin: Origin) -> ProbeRun {
        ProbeRun::not_started(&ProbeSource { name: id.to_string(), origin, bytes: Arc::from(&[][..]) })
    }

    #[test]
    fn duplicate_id_fails_later_probe() {
        let file = Origin::File { path: "pod-health.wasm".into() };
        let bundle = Origin::Bundle { bundle: "team-probes".into(), version: "1.0.0".into(), key_id: None };
        let mut runs = vec![finished("pod-health", Origin::Builtin), finished("memory-parity", bundle), finished("pod-health", file.clone()), finished("memory-parity", file)];
        reject_duplicate_ids(&mut runs);

        assert!(runs[0].failure.is_none());
        assert!(runs[1].failure.is_none());
        let failure = runs[2].failure.as_ref().expect("the file's pod-health fails");
        assert_eq!(failure.kind, FailureKind::Describe);
        assert!(failure.message.contains("declares the id `pod-health`, which a built-in probe already uses"), "{}", failure.message);
        let failure = runs[3].failure.as_ref().expect("the file's memory-parity fails");
        assert!(failure.message.contains("which a probe of bundle `team-probes` already uses"), "{}", failure.message);
    }
}
