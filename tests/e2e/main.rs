//! End-to-end tests: the built plugin, run the way users run it.

mod cases;
mod custom;
mod hostile;
mod plugin;
mod support;
