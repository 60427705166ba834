//! The wasmtime engine shared by all probes of a run: its configuration, the epoch ticker
//! that drives CPU budgets, and the linker with every host interface.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Config, Engine, OptLevel};

use super::bindings::v0_1;
use super::cache::ComponentCache;
use super::limits::TICK;
use super::state::ProbeState;

/// The engine, its linker and the compile cache.
pub struct ProbeEngine {
    /// The wasmtime engine.
    pub engine: Engine,
    /// The linker of `ggcore:probe@0.1` probes, with WASI that grants nothing.
    pub linker_v0_1: Linker<ProbeState>,
    /// The compile cache.
    pub cache: ComponentCache,
    ticker: Ticker,
}

impl ProbeEngine {
    /// Creates the engine and starts its epoch ticker.
    ///
    /// # Errors
    ///
    /// Fails when wasmtime rejects the configuration or a host interface cannot be linked.
    pub fn new(cache: ComponentCache) -> Result<ProbeEngine> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        config.cranelift_opt_level(OptLevel::Speed);
        let engine = Engine::new(&config)?;

        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        v0_1::Probe::add_to_linker::<_, HasSelf<ProbeState>>(&mut linker, |state| state)?;

        let ticker = Ticker::start(engine.clone());
        Ok(ProbeEngine { engine, linker_v0_1: linker, cache, ticker })
    }

    /// Returns the wasmtime version the plugin was built with.
    pub fn wasmtime_version() -> &'static str {
        WASMTIME_VERSION
    }
}

impl Drop for ProbeEngine {
    fn drop(&mut self) {
        self.ticker.stop.store(true, Ordering::Relaxed);
    }
}

/// The wasmtime version in Cargo.lock, recorded by the build script.
const WASMTIME_VERSION: &str = env!("GGCORE_WASMTIME_VERSION");

/// Advances the engine's epoch every [`TICK`]; each store's deadline counts these ticks.
struct Ticker {
    stop: Arc<AtomicBool>,
}

impl Ticker {
    fn start(engine: Engine) -> Ticker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("ggcore-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the epoch thread");
        Ticker { stop }
    }
}
