//! A probe that imports WASI through Rust's standard library and reports what it got: the
//! host must run it and grant it nothing (no files, no environment, no arguments, and a
//! clock stopped at the run's observation time).

use ggcore_probe_sdk::prelude::*;

struct Wasi;

impl Probe for Wasi {
    fn describe() -> Descriptor {
        describe("guest-wasi").reports("pods-down", &["no-pods"]).build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let root = match std::fs::read_dir("/") {
            Ok(entries) => format!("read_dir(/): {} entries", entries.count()),
            Err(error) => format!("read_dir(/): error: {error}"),
        };
        let file = match std::fs::read_to_string("/etc/passwd") {
            Ok(text) => format!("read(/etc/passwd): {} bytes", text.len()),
            Err(error) => format!("read(/etc/passwd): error: {error}"),
        };
        let clock = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        println!("written to stdout");
        cx.report(
            pass("pods-down", "no-pods")
                .summary("reports what WASI granted")
                .evidence(format!("env: {} variables", std::env::vars().count()))
                .evidence(format!("args: {}", std::env::args().count()))
                .evidence(root)
                .evidence(file)
                .evidence(format!("clock: {clock}")),
        );
        Ok(())
    }
}

ggcore_probe_sdk::probe!(Wasi);
