//! `{{id}}`: warns when a GG-CORE pod has restarted more often than a threshold.
//!
//! A sample check written with the guest SDK in `ggcore-probe-sdk/`. `describe` declares what
//! the probe reports and reads (the host denies every other read), `run` lists the pods and
//! reports one finding. Replace it with your own check; keep reporting `pass` when the check
//! finds nothing wrong, so that the report shows the cause as checked.

use ggcore_probe_sdk::prelude::*;

/// The symptom this probe feeds: one of the ids `kubectl ggcore probes list` shows.
const SYMPTOM: &str = "pods-down";
/// A custom cause id under that symptom; the report labels it with this probe's id.
const CAUSE: &str = "frequent-restarts";
/// The restart count above which a pod is reported; `--set max-restarts=N` overrides it.
const DEFAULT_MAX_RESTARTS: f64 = 5.0;

/// The probe.
struct {{type}};

impl Probe for {{type}} {
    fn describe() -> Descriptor {
        describe("{{id}}")
            .title("GG-CORE pods restart rarely")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Custom check: pod restarts")
            .reads(&[Pod::KIND])
            .reports(SYMPTOM, &[CAUSE])
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let max_restarts = cx.setting_f64("max-restarts", DEFAULT_MAX_RESTARTS) as i64;
        let selector = cx.profile().app_selector.clone();
        let namespace = cx.namespace().to_string();
        let pods: Vec<Pod> = cx.list(Some(&selector))?;
        cx.debug(format!("{} pods match `{selector}`", pods.len()));

        if pods.is_empty() {
            cx.report(skip(SYMPTOM, Some(CAUSE)).summary(format!("no pod matches `{selector}` in namespace `{namespace}`")));
            return Ok(());
        }

        let restarted: Vec<&Pod> = pods.iter().filter(|pod| pod.restarts() > max_restarts).collect();
        let Some(first) = restarted.first() else {
            cx.report(
                pass(SYMPTOM, CAUSE).summary(format!("none of {} GG-CORE pods restarted more than {max_restarts} times", pods.len())),
            );
            return Ok(());
        };

        let mut finding = warn(SYMPTOM, CAUSE)
            .summary(format!("{} of {} GG-CORE pods restarted more than {max_restarts} times", restarted.len(), pods.len()))
            .resolution("Find why the containers restart: read the previous container's log and the pod's events")
            .next_command(format!("kubectl logs {} -n {namespace} --previous", first.metadata.name));
        for pod in &restarted {
            finding = finding
                .evidence(format!("pod {}: {} restarts", pod.metadata.name, pod.restarts()))
                .object_field("Pod", &pod.metadata, Some("status.containerStatuses[*].restartCount"));
        }
        cx.report(finding);
        Ok(())
    }
}

ggcore_probe_sdk::probe!({{type}});

#[cfg(test)]
mod tests {
    use ggcore_probe_sdk::prelude::*;
    use ggcore_probe_sdk::testing::Fixture;

    use super::{{type}};

    /// Returns the YAML of a GG-CORE pod in `veritas` whose container restarted `restarts` times.
    fn pod(name: &str, restarts: u32) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: veritas\n  labels:\n    app: GG-CORE\n\
             status:\n  containerStatuses:\n    - name: gg-core\n      restartCount: {restarts}\n---\n"
        )
    }

    #[test]
    fn warns_about_a_restarting_pod() {
        let findings = Fixture::yaml(&(pod("a", 0) + &pod("b", 9))).run::<{{type}}>();
        let finding = findings.assert_reported(Outcome::Warn, "pods-down", "frequent-restarts");
        assert_eq!(finding.evidence, vec!["pod b: 9 restarts".to_string()]);
    }

    #[test]
    fn passes_pods_below_the_threshold() {
        let findings = Fixture::yaml(&(pod("a", 0) + &pod("b", 5))).run::<{{type}}>();
        findings.assert_reported(Outcome::Pass, "pods-down", "frequent-restarts");
    }

    #[test]
    fn threshold_follows_the_setting() {
        let findings = Fixture::yaml(&pod("a", 2)).setting("max-restarts", "1").run::<{{type}}>();
        findings.assert_reported(Outcome::Warn, "pods-down", "frequent-restarts");
    }
}
