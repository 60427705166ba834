//! End-to-end tests: the built plugin, run the way users run it.

mod bundles;
mod cases;
mod hostile;
mod krew;
mod plugin;
mod support;
