//! End-to-end tests: the built plugin, run the way users run it.

mod bluegreen;
mod bundles;
mod canary_checks;
mod cases;
mod coverage;
mod custom;
mod dns;
mod guide;
mod hostile;
mod krew;
mod live;
mod metrics;
mod plugin;
mod support;
