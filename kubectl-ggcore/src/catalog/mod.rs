//! The troubleshooting guide as data: its symptoms, their causes, and the error code
//! reference. Everything that prints or checks an id uses these tables: the aggregation, the
//! table output, `explain`, `probes list` and the coverage check.

mod causes;
mod error_codes;
mod symptoms;

pub use causes::{CAUSES, Cause};
pub use error_codes::{ERROR_CODES, ErrorCode};
pub use symptoms::{CommandNames, SYMPTOMS, Symptom};

/// Finds a symptom by id.
pub fn symptom(id: &str) -> Option<&'static Symptom> {
    SYMPTOMS.iter().find(|s| s.id == id)
}

/// Finds a cause of a symptom by id; the same cause id can belong to two symptoms
/// (`image-pull-failure`, `networkpolicy-blocking`).
pub fn cause(symptom: &str, id: &str) -> Option<&'static Cause> {
    CAUSES.iter().find(|c| c.symptom == symptom && c.id == id)
}

/// Finds an error code by its code, in any case (`E2001`, `e2001`).
pub fn error_code(code: &str) -> Option<&'static ErrorCode> {
    ERROR_CODES.iter().find(|e| e.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_symptoms_in_contract_order() {
        let ids: Vec<&str> = SYMPTOMS.iter().map(|s| s.id).collect();
        assert_eq!(
            ids,
            [
                "pods-down",
                "canary-no-traffic",
                "no-metrics",
                "canary-failing",
                "promotion-stuck",
                "switch-stuck",
                "env-drift",
                "standby-unhealthy",
                "dns-stale",
                "high-latency",
                "rollback-failed",
                "runtime-unhealthy"
            ]
        );
    }

    #[test]
    fn every_cause_belongs_to_a_symptom() {
        for cause in CAUSES {
            assert!(symptom(cause.symptom).is_some(), "cause `{}` names unknown symptom `{}`", cause.id, cause.symptom);
        }
    }

    #[test]
    fn every_error_code_is_a_runtime_or_rollback_cause() {
        for code in ERROR_CODES {
            if let Some(id) = code.cause {
                assert_eq!(id, code.code.to_lowercase());
                assert!(cause(code.symptom, id).is_some(), "error code {} has no cause `{id}` under `{}`", code.code, code.symptom);
            }
        }
        assert_eq!(error_code("E5002").unwrap().symptom, "rollback-failed");
        assert_eq!(ERROR_CODES.len(), 15);
    }

    #[test]
    fn contract_cause_counts_per_symptom() {
        let count = |s: &str| CAUSES.iter().filter(|c| c.symptom == s).count();
        assert_eq!(count("pods-down"), 6);
        assert_eq!(count("canary-no-traffic"), 5);
        assert_eq!(count("no-metrics"), 6);
        assert_eq!(count("canary-failing"), 5);
        assert_eq!(count("promotion-stuck"), 5);
        assert_eq!(count("switch-stuck"), 5);
        assert_eq!(count("env-drift"), 4);
        assert_eq!(count("standby-unhealthy"), 5);
        assert_eq!(count("dns-stale"), 5);
        assert_eq!(count("high-latency"), 3);
        assert_eq!(count("rollback-failed"), 2);
        // E5002 belongs to rollback-failed, so 14 of the 15 codes are runtime causes.
        assert_eq!(count("runtime-unhealthy"), 2 + 14);
    }
}
