//! End-to-end tests: the built plugin, run the way users run it.

mod canary_checks;
mod cases;
mod hostile;
mod live;
mod metrics;
mod plugin;
mod support;
