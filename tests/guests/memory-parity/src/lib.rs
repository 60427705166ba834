//! `memory-parity`: a probe as a platform team would ship it in a bundle. It compares the
//! largest container memory limit of the blue and the green GG-CORE Deployments, because a
//! standby with less memory than the active side is OOM-killed when it loads the model.
//!
//! Reports `standby-unhealthy` / `resource-exhaustion`: `warn` naming both limits when one
//! environment has less memory than the other, `pass` when they are equal, `skip` when either
//! environment has no Deployment or no memory limit.

use ggcore_probe_sdk::prelude::*;

const SYMPTOM: &str = "standby-unhealthy";
const CAUSE: &str = "resource-exhaustion";

struct MemoryParity;

/// The largest memory limit of one environment, with the Deployment that sets it.
struct Largest {
    deployment: String,
    bytes: f64,
}

impl Probe for MemoryParity {
    fn describe() -> Descriptor {
        describe("memory-parity")
            .title("Blue and green have the same memory limit")
            .version(env!("CARGO_PKG_VERSION"))
            .section("Standby Environment Unhealthy: resource exhaustion")
            .reads(&[Deployment::KIND])
            .reports(SYMPTOM, &[CAUSE])
            .build()
    }

    fn run(cx: &mut Context) -> Result<(), HostError> {
        let label = cx.profile().environment_label.clone();
        let app_selector = cx.profile().app_selector.clone();
        let deployments: Vec<Deployment> = cx.list(Some(&app_selector))?;

        let blue = largest(&deployments, &label, "blue");
        let green = largest(&deployments, &label, "green");
        let (Some(blue), Some(green)) = (blue, green) else {
            cx.report(skip(SYMPTOM, Some(CAUSE)).summary("blue or green has no Deployment with a memory limit to compare"));
            return Ok(());
        };

        let finding = if blue.bytes == green.bytes {
            pass(SYMPTOM, CAUSE).summary(format!("blue and green both limit memory to {}", format_bytes(blue.bytes)))
        } else {
            let (low, high) = if blue.bytes < green.bytes { (&blue, &green) } else { (&green, &blue) };
            warn(SYMPTOM, CAUSE)
                .summary(format!(
                    "Deployment `{}` limits memory to {}, but `{}` to {}",
                    low.deployment,
                    format_bytes(low.bytes),
                    high.deployment,
                    format_bytes(high.bytes)
                ))
                .resolution("Give both environments the same memory limit, so that either can load the model")
        };
        cx.report(finding);
        Ok(())
    }
}

/// Finds the largest container memory limit among one environment's Deployments.
fn largest(deployments: &[Deployment], label: &str, environment: &str) -> Option<Largest> {
    deployments
        .iter()
        .filter(|d| d.metadata.labels.get(label).map(String::as_str) == Some(environment))
        .flat_map(|d| d.spec.template.spec.containers.iter().filter_map(|c| c.memory_limit()).map(|bytes| Largest { deployment: d.metadata.name.clone(), bytes }))
        // The first of equal limits wins, so that the summary names the environment's main
        // Deployment before a canary that shares its label.
        .reduce(|best, next| if next.bytes > best.bytes { next } else { best })
}

ggcore_probe_sdk::probe!(MemoryParity);
