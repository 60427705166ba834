//! The report: the findings of every probe, aggregated into the guide's symptom map and
//! Health Status Matrix, with the exit code a script acts on.
//!
//! `model` holds the serialisable report (the `-o json|yaml` contract), `aggregate` builds it
//! from probe runs, `status` holds the outcome and status rules.

pub mod aggregate;
pub mod model;
pub mod status;

pub use aggregate::{RunInfo, build};
pub use model::Report;
pub use status::{Outcome, Status};
