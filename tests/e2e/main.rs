//! End-to-end tests: the built plugin, run the way users run it.

mod bluegreen;
mod cases;
mod hostile;
mod plugin;
mod support;
