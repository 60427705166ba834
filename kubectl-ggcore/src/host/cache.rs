//! The on-disk cache of compiled probes, so that a second run compiles nothing.
//!
//! Entries are keyed by the component's SHA-256 and the engine's compatibility hash, so a
//! wasmtime upgrade or a changed setting misses instead of loading incompatible code. Entries
//! are written to a temporary file and renamed, so a crash leaves no half-written entry.

use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context as _, Result};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where compiled probes are kept.
#[derive(Debug, Clone)]
pub struct ComponentCache {
    dir: Option<PathBuf>,
}

/// How a component was obtained, for logs and `probe test`.
#[derive(Debug, Clone, Copy)]
pub struct CompileStats {
    /// True when it came from the cache.
    pub cache_hit: bool,
    /// Time spent compiling or loading.
    pub duration: std::time::Duration,
}

impl ComponentCache {
    /// Uses `dir`, or the user's cache directory (`$XDG_CACHE_HOME/ggcore/components`);
    /// `None` when neither exists, which disables caching.
    pub fn new(dir: Option<PathBuf>) -> ComponentCache {
        let dir = dir.or_else(|| dirs::cache_dir().map(|d| d.join("ggcore").join("components")));
        ComponentCache { dir }
    }

    /// Returns a compiled component, from the cache when it holds one.
    ///
    /// # Errors
    ///
    /// Fails when the bytes are not a valid component. Cache read and write failures are
    /// logged and fall back to compiling.
    pub fn load(&self, engine: &Engine, bytes: &[u8], sha256: &str, name: &str) -> Result<(Component, CompileStats)> {
        let started = Instant::now();
        let path = self.dir.as_ref().map(|dir| dir.join(format!("{sha256}-{:016x}.cwasm", engine_fingerprint(engine))));

        if let Some(path) = path.as_ref().filter(|p| p.exists()) {
            // SAFETY: the file was written by `Component::serialize` of this cache, under the
            // user's own cache directory, and its name carries the engine's compatibility
            // hash. Deserialising it trusts that directory as much as the plugin binary itself.
            match unsafe { Component::deserialize_file(engine, path) } {
                Ok(component) => {
                    tracing::debug!(probe = name, path = %path.display(), "loaded compiled probe from cache");
                    return Ok((component, CompileStats { cache_hit: true, duration: started.elapsed() }));
                }
                Err(error) => tracing::debug!(probe = name, "ignoring unreadable cache entry: {error:#}"),
            }
        }

        let component = compile_in_own_pool(engine, bytes).map_err(|e| e.context(format!("compiling probe `{name}`")))?;
        let duration = started.elapsed();
        tracing::debug!(probe = name, ms = duration.as_millis() as u64, "compiled probe (not in cache)");
        if let Some(path) = &path {
            if let Err(error) = store(&component, path) {
                tracing::debug!(probe = name, "could not write cache entry `{}`: {error:#}", path.display());
            }
        }
        Ok((component, CompileStats { cache_hit: false, duration }))
    }
}

/// Compiles a component in a rayon pool of its own. wasmtime compiles functions in parallel
/// on the current rayon pool. On the shared global pool, the thousands of functions of a
/// Python or JavaScript component would queue ahead of a small probe's few, and every probe
/// would wait for the slowest compile. With a pool per compile, the operating system shares
/// the cores between the compiles.
fn compile_in_own_pool(engine: &Engine, bytes: &[u8]) -> Result<Component> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    match rayon::ThreadPoolBuilder::new().num_threads(threads).thread_name(|i| format!("ggcore-compile-{i}")).build() {
        Ok(pool) => pool.install(|| Component::new(engine, bytes)).map_err(anyhow::Error::from),
        Err(error) => {
            tracing::debug!("compiling on the shared pool: cannot start a compile pool: {error}");
            Component::new(engine, bytes).map_err(anyhow::Error::from)
        }
    }
}

fn store(component: &Component, path: &std::path::Path) -> Result<()> {
    let dir = path.parent().context("cache path has no parent")?;
    std::fs::create_dir_all(dir)?;
    let bytes = component.serialize()?;
    let temporary = dir.join(format!(".{}.{}.tmp", path.file_name().unwrap_or_default().to_string_lossy(), std::process::id()));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path)?;
    Ok(())
}

fn engine_fingerprint(engine: &Engine) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.finish()
}
