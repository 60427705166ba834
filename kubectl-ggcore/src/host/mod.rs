//! The probe host: a wasmtime component host that runs each probe in a sandbox.
//!
//! `engine` builds the engine and linker, `loader` checks and compiles components (through
//! `cache`), `state` and `imports` are the host side of the WIT, `limits` the caps, and
//! `runner` runs the probes of a run concurrently.

pub mod bindings;
pub mod builtin;
pub mod cache;
pub mod engine;
mod imports;
pub mod limits;
pub mod loader;
pub mod runner;
pub mod state;
