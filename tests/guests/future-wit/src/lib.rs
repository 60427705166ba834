//! A probe built against `ggcore:probe@0.9.0`, a WIT version the host does not serve: the
//! host must refuse it before running anything, naming both versions.
//!
//! The WIT is a cut-down copy of `wit/probe.wit` with another version: enough for a real
//! component whose imports carry `@0.9.0`.

wit_bindgen::generate!({
    inline: r#"
        package ggcore:probe@0.9.0;

        interface types {
            record finding {
                symptom: string,
                summary: string,
            }
        }

        interface log {
            write: func(message: string);
        }

        world probe {
            import log;
            use types.{finding};

            export describe: func() -> string;
            export run: func() -> list<finding>;
        }
    "#,
});

use ggcore::probe::log;

struct FutureWit;

impl Guest for FutureWit {
    fn describe() -> String {
        "guest-future-wit".to_string()
    }

    fn run() -> Vec<Finding> {
        log::write("running");
        vec![Finding { symptom: "pods-down".into(), summary: "built for 0.9.0".into() }]
    }
}

export!(FutureWit);
