//! A probe whose `run` allocates memory without end.

use ggcore_probe_sdk::prelude::*;

struct Hog;

impl Probe for Hog {
    fn describe() -> Descriptor {
        describe("guest-hog").reports("pods-down", &["oom-killed"]).build()
    }

    fn run(_cx: &mut Context) -> Result<(), HostError> {
        let mut blocks: Vec<Vec<u8>> = Vec::new();
        loop {
            // Touch every page, so that the memory is really grown.
            blocks.push(vec![1u8; 8 << 20]);
            std::hint::black_box(&blocks);
        }
    }
}

ggcore_probe_sdk::probe!(Hog);
