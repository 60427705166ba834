//! The command line: `args` defines the flags as kubectl users expect them, `settings`
//! resolves the raw flags into validated settings in one place.

pub mod args;
pub mod settings;

pub use args::{Cli, Command};
