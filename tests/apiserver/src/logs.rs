//! `GET .../pods/<name>/log`: a container's log from the fixtures, with the parameters
//! `container`, `previous`, `tailLines` and `limitBytes`, and the errors the kubelet path of
//! the API server gives for a missing or ambiguous container.

use serde_json::Value;

use crate::request::Params;
use crate::status::ApiError;
use crate::store::{Store, Stored};

/// Returns the log text a request selects.
///
/// NOTE: `timestamps`, `sinceSeconds` and `sinceTime` are ignored, because fixture logs carry
/// no timestamps; `follow` returns the log and ends, as for a terminated container.
///
/// # Errors
///
/// Returns 400 when the container is not named on a pod with several, is not in the pod, has
/// no previous terminated container, or is waiting to start without having run; 400 for a
/// parameter that is not a number.
pub fn read(store: &Store, pod: &Stored, params: &Params) -> Result<String, ApiError> {
    let containers = container_names(&pod.value);
    let container = match params.get("container").filter(|c| !c.is_empty()) {
        Some(container) => container.to_string(),
        None => match pod.value["spec"]["containers"].as_array().map(Vec::as_slice) {
            Some([only]) => only["name"].as_str().unwrap_or("").to_string(),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "a container name must be specified for pod {}, choose one of: [{}]",
                    pod.name,
                    containers.join(" ")
                )));
            }
        },
    };
    if !containers.contains(&container) {
        return Err(ApiError::bad_request(format!("container {container} is not valid for pod {}", pod.name)));
    }

    let previous = params.is_true("previous");
    let text = select_log(store, pod, &container, previous)?;

    let text = match number(params, "tailLines")? {
        Some(lines) => tail(&text, lines),
        None => text,
    };
    Ok(match number(params, "limitBytes")? {
        Some(limit) if limit < text.len() => String::from_utf8_lossy(&text.as_bytes()[..limit]).into_owned(),
        _ => text,
    })
}

fn container_names(pod: &Value) -> Vec<String> {
    let spec = &pod["spec"];
    ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|field| spec[*field].as_array().into_iter().flatten())
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect()
}

/// Picks the log the kubelet would read, following its `validateContainerLogStatus`.
///
/// The previous log needs a terminated previous container. The current log of a container
/// that waits after a crash (`CrashLoopBackOff`) is the log of that last terminated
/// container, which fixtures store as `<container>.previous.log`. A container that waits
/// without having run has no log.
fn select_log(store: &Store, pod: &Stored, container: &str, previous: bool) -> Result<String, ApiError> {
    let status = container_status(&pod.value, container);
    let state = status.map(|s| &s["state"]);
    let has_previous = status.is_some_and(|s| s["lastState"]["terminated"].is_object());
    let current = store.log(&pod.namespace, &pod.name, container, false);
    let last = store.log(&pod.namespace, &pod.name, container, true);

    if previous {
        return match (last, has_previous) {
            (Some(text), _) => Ok(text.to_string()),
            (None, true) => Ok(String::new()),
            (None, false) => Err(ApiError::bad_request(format!("previous terminated container \"{container}\" in pod \"{}\" not found", pod.name))),
        };
    }
    let running_or_done = state.is_some_and(|s| s["running"].is_object() || s["terminated"].is_object());
    match (current, state) {
        (Some(text), _) => Ok(text.to_string()),
        (None, _) if running_or_done => Ok(String::new()),
        (None, _) if has_previous => Ok(last.unwrap_or("").to_string()),
        (None, Some(state)) if state["waiting"].is_object() => {
            let reason = match state["waiting"]["reason"].as_str().unwrap_or("") {
                "ErrImagePull" => "image can't be pulled".to_string(),
                "ImagePullBackOff" => "trying and failing to pull image".to_string(),
                reason => reason.to_string(),
            };
            Err(ApiError::bad_request(format!("container \"{container}\" in pod \"{}\" is waiting to start: {reason}", pod.name)))
        }
        (None, _) => Ok(String::new()),
    }
}

fn container_status<'a>(pod: &'a Value, container: &str) -> Option<&'a Value> {
    let status = &pod["status"];
    ["containerStatuses", "initContainerStatuses"]
        .iter()
        .flat_map(|field| status[*field].as_array().into_iter().flatten())
        .find(|s| s["name"] == container)
}

fn number(params: &Params, name: &str) -> Result<Option<usize>, ApiError> {
    match params.get(name) {
        None => Ok(None),
        Some(text) => match text.parse::<i64>() {
            Ok(value) if value >= 0 => Ok(Some(value as usize)),
            Ok(value) => Err(ApiError::bad_request(format!("{name} must be non-negative, found {value}"))),
            Err(_) => Err(ApiError::bad_request(format!("{name} must be an integer, found `{text}`"))),
        },
    }
}

/// Keeps the last `lines` lines, each with its newline.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.split_inclusive('\n').collect();
    all[all.len().saturating_sub(lines)..].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc\n");
        assert_eq!(tail("a\nb", 5), "a\nb");
        assert_eq!(tail("a\nb\n", 0), "");
    }
}
