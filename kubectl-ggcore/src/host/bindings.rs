//! Host bindings of the WIT package `ggcore:probe`, one module per version the host serves.
//!
//! A new minor version gets its own frozen WIT folder and its own module here; the loader
//! reads the version from a component's import names and picks the module.

/// `ggcore:probe@0.1.0`, from the `wit/` folder at the top of the repository.
pub mod v0_1 {
    wasmtime::component::bindgen!({
        world: "probe",
        path: "../wit",
        imports: { default: async | trappable },
        exports: { default: async },
    });

    // `Descriptor`, `Finding` and `Profile` are already in scope: the exports use them.
    // `self::` because the library crate is also named `ggcore`, which doctests see as an extern.
    pub use self::ggcore::probe::types::{Capability, HostError, KindRef, Outcome};
}

/// The WIT versions (`major.minor`) the host serves, newest first.
pub const SERVED_VERSIONS: &[&str] = &["0.1"];
