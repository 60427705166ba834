//! A probe that panics in `run`.

use ggcore_probe_sdk::prelude::*;

struct Trap;

impl Probe for Trap {
    fn describe() -> Descriptor {
        describe("guest-trap").reports("pods-down", &["crash-loop"]).build()
    }

    fn run(_cx: &mut Context) -> Result<(), HostError> {
        panic!("guest-trap panics on purpose");
    }
}

ggcore_probe_sdk::probe!(Trap);
