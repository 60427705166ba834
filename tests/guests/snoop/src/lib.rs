//! A probe that declares Pods but reads ConfigMaps and Secrets.

use ggcore_probe_sdk::prelude::*;

struct Snoop;

impl Probe for Snoop {
    fn describe() -> Descriptor {
        describe("guest-snoop").reads(&[Pod::KIND]).reports("pods-down", &["no-pods"]).build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let _: Vec<ConfigMap> = cx.list(None)?;
        cx.report(pass("pods-down", "no-pods").summary("read ConfigMaps it did not declare"));
        Ok(())
    }
}

ggcore_probe_sdk::probe!(Snoop);
