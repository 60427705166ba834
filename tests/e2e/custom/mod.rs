//! Probes written outside the plugin: the Python and JavaScript examples built from source,
//! `probe new` projects in the three languages, `probe test` with expectations files, WIT
//! version refusal, and Python probes that break their caps.

mod caps;
mod examples;
mod probe_test;
mod scaffold;
mod toolchains;
mod wit_version;
