//! Picks the pods whose endpoints or logs a probe reads, when a namespace holds more pods than a
//! run can afford to ask one by one (each is a request through the API server). Pods that are
//! not ready come first, then ready pods spread over their blue-green environment and their
//! canary or stable track, so that every group is seen.

use std::collections::BTreeMap;

use crate::views::Pod;

/// The setting that overrides [`DEFAULT_MAX_PODS`].
pub const MAX_PODS_SETTING: &str = "pods.maxChecked";

/// How many pods a probe reads one by one when the setting is not given.
pub const DEFAULT_MAX_PODS: usize = 25;

/// The pods chosen, and how many were left out.
pub struct Sample<'a> {
    /// The pods to read, not ready ones first.
    pub pods: Vec<&'a Pod>,
    /// How many pods were not chosen.
    pub skipped: usize,
}

impl Sample<'_> {
    /// Returns an evidence line saying what was left out, or `None` when nothing was.
    pub fn note(&self) -> Option<String> {
        (self.skipped > 0).then(|| {
            format!(
                "read {} of {} pods: every pod that is not ready, then ready pods from each environment and track; --set {MAX_PODS_SETTING}=N reads more",
                self.pods.len(),
                self.pods.len() + self.skipped
            )
        })
    }
}

/// Chooses at most `max` of `pods`: all pods that are not ready (up to `max`), then ready pods
/// taken in turn from each (environment, track) group.
pub fn sample_pods<'a>(pods: &[&'a Pod], max: usize) -> Sample<'a> {
    if pods.len() <= max {
        return Sample { pods: pods.to_vec(), skipped: 0 };
    }
    let mut chosen: Vec<&Pod> = pods.iter().filter(|p| !p.is_ready()).take(max).copied().collect();

    let mut groups: BTreeMap<(String, String), Vec<&Pod>> = BTreeMap::new();
    for pod in pods.iter().filter(|p| p.is_ready()) {
        let label = |key: &str| pod.metadata.labels.get(key).cloned().unwrap_or_default();
        groups.entry((label("environment"), label("deployment"))).or_default().push(pod);
    }
    let mut round = 0;
    while chosen.len() < max {
        let mut took = false;
        for members in groups.values() {
            if let Some(pod) = members.get(round) {
                if chosen.len() < max {
                    chosen.push(pod);
                    took = true;
                }
            }
        }
        if !took {
            break;
        }
        round += 1;
    }
    let skipped = pods.len() - chosen.len();
    Sample { pods: chosen, skipped }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, environment: &str, track: &str, ready: bool) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "labels": {"environment": environment, "deployment": track}},
            "status": {"conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}
        }))
        .unwrap()
    }

    #[test]
    fn small_sets_are_read_whole() {
        let pods = [pod("a", "blue", "stable", true), pod("b", "blue", "stable", false)];
        let refs: Vec<&Pod> = pods.iter().collect();
        let sample = sample_pods(&refs, 5);
        assert_eq!(sample.pods.len(), 2);
        assert_eq!(sample.skipped, 0);
        assert!(sample.note().is_none());
    }

    #[test]
    fn unready_pods_come_first_then_every_group() {
        let mut pods: Vec<Pod> = (0..50).map(|i| pod(&format!("blue-{i}"), "blue", "stable", true)).collect();
        pods.push(pod("green-0", "green", "stable", true));
        pods.push(pod("canary-0", "blue", "canary", true));
        pods.push(pod("broken", "blue", "stable", false));
        let refs: Vec<&Pod> = pods.iter().collect();

        let sample = sample_pods(&refs, 4);
        let names: Vec<&str> = sample.pods.iter().map(|p| p.metadata.name.as_str()).collect();
        assert_eq!(names[0], "broken");
        assert!(names.contains(&"green-0"), "{names:?}");
        assert!(names.contains(&"canary-0"), "{names:?}");
        assert_eq!(sample.skipped, 49);
        assert!(sample.note().unwrap().contains("read 4 of 53 pods"));
    }
}
