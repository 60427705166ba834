"""`{{id}}`: warns when a GG-CORE pod has restarted more often than a threshold.

A probe built with componentize-py. The class `WitWorld` implements the world `probe` of
`wit/probe.wit`: `describe` declares what the probe reports and reads (the host denies every
other read), `run` reads through the host's imports and returns findings. Replace the check
with your own; keep reporting `pass` when it finds nothing wrong, so that the report shows
the cause as checked.
"""

import json

import wit_world
from componentize_py_types import Err
from wit_world.imports import cluster, log
from wit_world.imports.types import (
    Descriptor,
    Finding,
    KindRef,
    Needs,
    ObjectRef,
    Outcome,
    Profile,
    ReportRef,
)

PROBE_ID = "{{id}}"
# The symptom this probe feeds: one of the ids `kubectl ggcore probes list` shows.
SYMPTOM = "pods-down"
# A custom cause id under that symptom; the report labels it with this probe's id.
CAUSE = "frequent-restarts"
# The restart count above which a pod is reported; `--set max-restarts=N` overrides it.
DEFAULT_MAX_RESTARTS = 5
POD = KindRef(group="", kind="Pod")


class WitWorld(wit_world.WitWorld):
    """The probe: the exports of the world `probe`."""

    def describe(self) -> Descriptor:
        return Descriptor(
            id=PROBE_ID,
            title="GG-CORE pods restart rarely",
            version="0.1.0",
            section="Custom check: pod restarts",
            symptoms=[SYMPTOM],
            causes=[ReportRef(symptom=SYMPTOM, cause=CAUSE)],
            needs=Needs(kinds=[POD], capabilities=[]),
        )

    def run(self, profile: Profile) -> list[Finding]:
        max_restarts = int_setting(profile, "max-restarts", DEFAULT_MAX_RESTARTS)
        try:
            pods = list_objects(POD, profile.namespace, profile.app_selector)
        except Err as error:
            # A denied or unavailable read makes the check undecided, never healthy.
            return [finding(Outcome.INCONCLUSIVE, f"cannot list the GG-CORE pods: {host_error(error)}")]
        log.write(log.Level.DEBUG, f"{len(pods)} pods match `{profile.app_selector}`")

        if not pods:
            return [finding(Outcome.SKIP, f"no pod matches `{profile.app_selector}` in namespace `{profile.namespace}`")]

        restarted = [pod for pod in pods if restarts(pod) > max_restarts]
        if not restarted:
            return [finding(Outcome.PASS, f"none of {len(pods)} GG-CORE pods restarted more than {max_restarts} times")]

        first = restarted[0]["metadata"]["name"]
        return [
            finding(
                Outcome.WARN,
                f"{len(restarted)} of {len(pods)} GG-CORE pods restarted more than {max_restarts} times",
                evidence=[f"pod {pod['metadata']['name']}: {restarts(pod)} restarts" for pod in restarted],
                objects=[
                    ObjectRef(
                        kind="Pod",
                        namespace=pod["metadata"].get("namespace"),
                        name=pod["metadata"]["name"],
                        field="status.containerStatuses[*].restartCount",
                    )
                    for pod in restarted
                ],
                resolution="Find why the containers restart: read the previous container's log and the pod's events",
                next_command=f"kubectl logs {first} -n {profile.namespace} --previous",
            )
        ]


def list_objects(kind: KindRef, namespace: str | None, label_selector: str | None) -> list[dict]:
    """Lists objects of one kind as dicts; raises `Err` with the host's error when refused."""
    options = cluster.ListOptions(namespace=namespace, label_selector=label_selector, field_selector=None)
    return json.loads(cluster.list_objects(kind, options))


def restarts(pod: dict) -> int:
    """Returns the sum of the restart counts of a pod's containers."""
    statuses = pod.get("status", {}).get("containerStatuses") or []
    return sum(status.get("restartCount", 0) for status in statuses)


def int_setting(profile: Profile, key: str, default: int) -> int:
    """Returns a `--set key=value` setting as an integer, or `default` when unset or invalid."""
    for name, value in profile.settings:
        if name == key:
            try:
                return int(value)
            except ValueError:
                return default
    return default


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
