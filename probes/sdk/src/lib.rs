//! Guest SDK for `kubectl ggcore` probes.
//!
//! A probe is a WebAssembly component that checks one part of a GG-CORE deployment against the
//! deployment troubleshooting guide. With this crate a probe is its checks and little else:
//!
//! ```
//! use ggcore_probe_sdk::prelude::*;
//!
//! /// Fails when the canary Service is missing.
//! struct CanaryService;
//!
//! impl Probe for CanaryService {
//!     fn describe() -> Descriptor {
//!         describe("canary-service")
//!             .title("The canary Service exists")
//!             .reads(&[Service::KIND])
//!             .reports("canary-no-traffic", &["service-selector-mismatch"])
//!             .build()
//!     }
//!
//!     fn run(cx: &mut Context) -> Result<(), HostError> {
//!         let name = cx.profile().canary_service.clone();
//!         let service: Option<Service> = cx.get(Some(cx.namespace()), &name)?;
//!         let finding = match service {
//!             Some(service) => pass("canary-no-traffic", "service-selector-mismatch")
//!                 .summary(format!("Service `{name}` exists"))
//!                 .object("Service", &service.metadata),
//!             None => fail("canary-no-traffic", "service-selector-mismatch")
//!                 .summary(format!("Service `{name}` does not exist"))
//!                 .resolution("Create the canary Service"),
//!         };
//!         cx.report(finding);
//!         Ok(())
//!     }
//! }
//!
//! ggcore_probe_sdk::probe!(CanaryService);
//! ```
//!
//! `run` returns `Err` with the host's error when a read fails; the SDK then reports an
//! `inconclusive` finding for each symptom the probe declared, naming the error, so that a
//! missing permission makes the report partial instead of wrong. A probe that wants finer
//! control handles the error itself.
//!
//! # From a new probe to a finding
//!
//! `kubectl ggcore probe new NAME --lang rust` creates a crate with this SDK copied into
//! `ggcore-probe-sdk/` and a sample check. Then:
//!
//! - `cargo test` runs the probe's unit tests on the build machine, against a
//!   [`testing::Fixture`] (feature `testing`).
//! - `cargo build --release --target wasm32-wasip2` (or the project's `build.sh`) builds the
//!   component, `target/wasm32-wasip2/release/NAME.wasm`.
//! - `kubectl ggcore probe test NAME.wasm --snapshot DIR --expect expect.yaml` runs it in the
//!   host's sandbox and shows its findings, reads and costs.
//! - `kubectl ggcore diagnose --snapshot DIR --allow-unsigned --probe NAME.wasm` runs it beside
//!   the built-in probes.
//!
//! # What is here
//!
//! - [`Probe`] and [`probe!`]: the two exports, `describe` and `run`.
//! - [`Context`]: the profile, typed reads ([`Context::list`], [`Context::get`], logs, HTTP,
//!   PromQL, DNS) and the findings reported so far.
//! - [`describe`] and the finding builders [`pass`], [`warn`], [`fail`], [`inconclusive`],
//!   [`skip`].
//! - [`views`]: typed views of the Kubernetes objects probes read most; [`selector`] label
//!   selectors; [`fields`] field selectors; [`units`] quantities, durations and times;
//!   [`defaults`] the GG-CORE naming conventions.
//! - [`testing`]: the fixture host for unit tests (feature `testing`).
//! - [`bindings`] and [`backend`]: the generated WIT bindings and the seam between them and
//!   the fixtures.

#![warn(missing_docs)]

pub mod analysis;
pub mod bluegreen;
pub mod compare;
pub mod defaults;
pub mod fields;
pub mod image_pull;
pub mod promql;
pub mod redact;
pub mod sample;
pub mod scheduling;
pub mod selector;
pub mod units;
pub mod views;

#[cfg(feature = "guest")]
pub mod backend;
// The generated items carry the WIT's documentation, except the world's type aliases, its
// `Guest` trait and the package module, which the WIT has no doc comments for.
#[cfg(feature = "guest")]
#[allow(missing_docs)]
pub mod bindings;
#[cfg(feature = "guest")]
mod context;
#[cfg(feature = "guest")]
mod report;
#[cfg(feature = "testing")]
pub mod testing;

pub use views::Kind;

#[cfg(feature = "guest")]
pub use context::Context;
#[cfg(feature = "guest")]
pub use report::{DescriptorBuilder, FindingBuilder, describe, fail, inconclusive, pass, skip, warn};

/// Everything a probe usually needs, for `use ggcore_probe_sdk::prelude::*`.
#[cfg(feature = "guest")]
pub mod prelude {
    pub use crate::Probe;
    pub use crate::bindings::{Capability, Descriptor, Finding, HostError, Outcome, Profile};
    pub use crate::context::Context;
    pub use crate::report::{describe, fail, inconclusive, pass, skip, warn};
    pub use crate::selector::{LabelSelector, Labels, Selector, format_labels};
    pub use crate::units::{format_bytes, format_duration, parse_duration, parse_quantity, parse_time};
    pub use crate::views::*;
    pub use crate::scheduling::{Node, PersistentVolumeClaim, StorageClass};
}

/// A probe: what it is, and its checks.
#[cfg(feature = "guest")]
pub trait Probe {
    /// Returns the probe's id, title, version, the symptoms and causes it reports and what it reads.
    fn describe() -> bindings::Descriptor;

    /// Runs the checks and reports findings through `cx`.
    ///
    /// # Errors
    ///
    /// Returns a host error that stopped the checks; the SDK turns it into `inconclusive`
    /// findings for the probe's symptoms.
    fn run(cx: &mut Context) -> Result<(), bindings::HostError>;
}

/// Runs a probe against a backend; used by [`probe!`] and the fixtures.
#[cfg(feature = "guest")]
#[doc(hidden)]
pub fn run_probe<P: Probe>(profile: bindings::Profile, backend: &dyn backend::Backend) -> Vec<bindings::Finding> {
    let descriptor = P::describe();
    let mut cx = Context::new(profile, backend);
    if let Err(error) = P::run(&mut cx) {
        for symptom in &descriptor.symptoms {
            cx.report(
                inconclusive(symptom, None)
                    .summary(format!("probe `{}` could not finish its checks: {}", descriptor.id, error.message()))
                    .evidence(error.message()),
            );
        }
    }
    cx.into_findings()
}

/// Exports a type implementing [`Probe`] as the component's `describe` and `run`.
#[cfg(feature = "guest")]
#[macro_export]
macro_rules! probe {
    ($probe:ty) => {
        #[doc(hidden)]
        pub struct __GgcoreProbeExport;

        impl $crate::bindings::Guest for __GgcoreProbeExport {
            fn describe() -> $crate::bindings::Descriptor {
                <$probe as $crate::Probe>::describe()
            }

            fn run(profile: $crate::bindings::Profile) -> ::std::vec::Vec<$crate::bindings::Finding> {
                $crate::run_probe::<$probe>(profile, &$crate::backend::Imports)
            }
        }

        $crate::bindings::export!(__GgcoreProbeExport with_types_in $crate::bindings);
    };
}
