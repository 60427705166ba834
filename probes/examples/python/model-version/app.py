"""`model-version`: every GG-CORE pod runs the model its environment's ConfigMap names.

A platform team's check, written in Python and built with componentize-py. GG-CORE pods carry
the model they loaded in the annotation `veritas.ggcore.io/model-version` (`MODEL_ID@REVISION`);
the blue and green ConfigMaps name the model each environment should run (`MODEL_ID`,
`MODEL_REVISION`). A pod whose annotation names another model serves a model its environment
was not configured for: the environments have drifted.

Settings: `--set model-version-annotation=KEY` reads another annotation.
"""

import json

import wit_world
from componentize_py_types import Err
from wit_world.imports import cluster, log
from wit_world.imports.types import (
    Descriptor,
    Finding,
    HostError_NotFound,
    KindRef,
    Needs,
    ObjectRef,
    Outcome,
    Profile,
    ReportRef,
)

PROBE_ID = "model-version"
SYMPTOM = "env-drift"
# A custom cause under the contract's symptom `env-drift`.
CAUSE = "model-version-mismatch"
DEFAULT_ANNOTATION = "veritas.ggcore.io/model-version"
POD = KindRef(group="", kind="Pod")
CONFIG_MAP = KindRef(group="", kind="ConfigMap")


class WitWorld(wit_world.WitWorld):
    """The probe: the exports of the world `probe`."""

    def describe(self) -> Descriptor:
        return Descriptor(
            id=PROBE_ID,
            title="GG-CORE pods run the model their environment's ConfigMap names",
            version="0.1.0",
            section="State Not Syncing (custom check: model version annotation)",
            symptoms=[SYMPTOM],
            causes=[ReportRef(symptom=SYMPTOM, cause=CAUSE)],
            needs=Needs(kinds=[POD, CONFIG_MAP], capabilities=[]),
        )

    def run(self, profile: Profile) -> list[Finding]:
        annotation = setting(profile, "model-version-annotation") or DEFAULT_ANNOTATION
        try:
            pods = list_objects(POD, profile.namespace, profile.app_selector)
            expected = {
                "blue": configured_model(profile.namespace, profile.blue_config_map),
                "green": configured_model(profile.namespace, profile.green_config_map),
            }
        except Err as error:
            return [finding(Outcome.INCONCLUSIVE, f"cannot read the GG-CORE pods or ConfigMaps: {host_error(error)}")]

        if not pods:
            return [finding(Outcome.SKIP, f"no pod matches `{profile.app_selector}` in namespace `{profile.namespace}`")]

        mismatched, unannotated, undecided, matched = [], [], [], []
        for pod in pods:
            name = pod["metadata"]["name"]
            environment = labels(pod).get(profile.environment_label)
            running = annotations(pod).get(annotation)
            config_map, model = expected.get(environment, (None, None))
            if running is None:
                unannotated.append((pod, f"pod {name} has no `{annotation}` annotation"))
            elif environment not in expected:
                undecided.append(f"pod {name} has no `{profile.environment_label}` label of blue or green")
            elif model is None:
                undecided.append(f"ConfigMap {config_map} is missing or lacks MODEL_ID and MODEL_REVISION")
            elif running != model:
                mismatched.append((pod, f"pod {name} ({environment}) runs {running}; ConfigMap {config_map} names {model}"))
            else:
                matched.append(name)
        log.write(log.Level.DEBUG, f"{len(matched)} of {len(pods)} pods run their environment's model")

        if mismatched:
            problems = mismatched + unannotated
            return [
                finding(
                    Outcome.FAIL,
                    f"{len(mismatched)} GG-CORE pods run another model than their environment's ConfigMap names",
                    evidence=[line for _, line in problems] + undecided,
                    objects=[pod_ref(pod, annotation) for pod, _ in problems],
                    resolution="Restart the pods so they load the configured model, or correct MODEL_ID and MODEL_REVISION in the environment's ConfigMap",
                    next_command=f"kubectl get pods -n {profile.namespace} -l {profile.app_selector} -L {profile.environment_label}",
                )
            ]
        if unannotated:
            return [
                finding(
                    Outcome.WARN,
                    f"{len(unannotated)} GG-CORE pods do not say which model they run",
                    evidence=[line for _, line in unannotated] + undecided,
                    objects=[pod_ref(pod, annotation) for pod, _ in unannotated],
                    resolution=f"Set the `{annotation}` annotation in the pod template to MODEL_ID@MODEL_REVISION",
                )
            ]
        if undecided:
            return [finding(Outcome.INCONCLUSIVE, "cannot compare every pod's model with its environment's ConfigMap", evidence=undecided)]
        return [
            finding(
                Outcome.PASS,
                f"all {len(matched)} GG-CORE pods run the model their environment's ConfigMap names",
                evidence=[f"{environment}: {model}" for environment, (_, model) in sorted(expected.items())],
            )
        ]


def configured_model(namespace: str, name: str) -> tuple[str, str | None]:
    """Returns a ConfigMap's name and its `MODEL_ID@MODEL_REVISION`, `None` when it has none."""
    try:
        config_map = json.loads(cluster.get_object(CONFIG_MAP, namespace, name))
    except Err as error:
        if isinstance(error.value, HostError_NotFound):
            return name, None
        raise
    data = config_map.get("data") or {}
    if "MODEL_ID" not in data or "MODEL_REVISION" not in data:
        return name, None
    return name, f"{data['MODEL_ID']}@{data['MODEL_REVISION']}"


def list_objects(kind: KindRef, namespace: str | None, label_selector: str | None) -> list[dict]:
    """Lists objects of one kind as dicts; raises `Err` with the host's error when refused."""
    options = cluster.ListOptions(namespace=namespace, label_selector=label_selector, field_selector=None)
    return json.loads(cluster.list_objects(kind, options))


def labels(obj: dict) -> dict:
    return obj["metadata"].get("labels") or {}


def annotations(obj: dict) -> dict:
    return obj["metadata"].get("annotations") or {}


def pod_ref(pod: dict, annotation: str) -> ObjectRef:
    return ObjectRef(
        kind="Pod",
        namespace=pod["metadata"].get("namespace"),
        name=pod["metadata"]["name"],
        field=f"metadata.annotations[{annotation}]",
    )


def setting(profile: Profile, key: str) -> str | None:
    """Returns a `--set key=value` setting, or `None` when unset."""
    return next((value for name, value in profile.settings if name == key), None)


def host_error(error: Err) -> str:
    """Formats a host error as `kind: text`, for example `denied: ...`."""
    kind = type(error.value).__name__.removeprefix("HostError_")
    return f"{kind.lower()}: {error.value.value}"


def finding(
    outcome: Outcome,
    summary: str,
    evidence: list[str] | None = None,
    objects: list[ObjectRef] | None = None,
    resolution: str | None = None,
    next_command: str | None = None,
) -> Finding:
    """Builds a finding about this probe's cause."""
    return Finding(
        outcome=outcome,
        symptom=SYMPTOM,
        cause=CAUSE,
        summary=summary,
        evidence=evidence or [],
        objects=objects or [],
        resolution=resolution,
        error_code=None,
        next_command=next_command,
    )
