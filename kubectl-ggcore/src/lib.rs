//! `kubectl ggcore`: diagnoses GG-CORE deployments by running sandboxed WebAssembly probes,
//! one per check of the deployment troubleshooting guide, against a live cluster or a
//! snapshot, and aggregating their findings into the guide's symptom map.
//!
//! Data flows `source` -> `host` (probes) -> `report` (aggregation) -> `render`; `flags`
//! and `commands` are the command line around it.

pub mod bundle;
pub mod catalog;
pub mod commands;
pub mod flags;
pub mod host;
pub mod profile;
pub mod render;
pub mod report;
pub mod source;
