//! A probe whose `run` never ends.

use ggcore_probe_sdk::prelude::*;

struct Spin;

impl Probe for Spin {
    fn describe() -> Descriptor {
        describe("guest-spin").reports("pods-down", &["crash-loop"]).build()
    }

    fn run(_cx: &mut Context) -> Result<(), HostError> {
        let mut counter: u64 = 0;
        loop {
            counter = std::hint::black_box(counter.wrapping_add(1));
        }
    }
}

ggcore_probe_sdk::probe!(Spin);
