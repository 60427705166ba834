// `{{id}}`: warns when a GG-CORE pod has restarted more often than a threshold.
//
// A probe built with componentize-js. The module's exports `describe` and `run` implement the
// world `probe` of `wit/probe.wit`: `describe` declares what the probe reports and reads (the
// host denies every other read), `run` reads through the host's imports and returns findings.
// Replace the check with your own; keep reporting `pass` when it finds nothing wrong, so that
// the report shows the cause as checked.
//
// How WIT values look in JavaScript: records are objects with camelCase keys, enums are
// strings (`'warn'`), and an `option` is the value or `undefined`. A host function whose result
// is an error throws an error whose `payload` is the host error (`{ tag: 'denied', val: '...' }`).

import { listObjects } from 'ggcore:probe/cluster@0.1.0';
import { write } from 'ggcore:probe/log@0.1.0';

const PROBE_ID = '{{id}}';
// The symptom this probe feeds: one of the ids `kubectl ggcore probes list` shows.
const SYMPTOM = 'pods-down';
// A custom cause id under that symptom; the report labels it with this probe's id.
const CAUSE = 'frequent-restarts';
// The restart count above which a pod is reported; `--set max-restarts=N` overrides it.
const DEFAULT_MAX_RESTARTS = 5;
const POD = { group: '', kind: 'Pod' };

/** Returns what the probe is, what it reports and what it reads. */
export function describe() {
  return {
    id: PROBE_ID,
    title: 'GG-CORE pods restart rarely',
    version: '0.1.0',
    section: 'Custom check: pod restarts',
    symptoms: [SYMPTOM],
    causes: [{ symptom: SYMPTOM, cause: CAUSE }],
    needs: { kinds: [POD], capabilities: [] },
  };
}

/** Runs the check against the profile and returns its findings. */
export function run(profile) {
  const maxRestarts = intSetting(profile, 'max-restarts', DEFAULT_MAX_RESTARTS);
  let pods;
  try {
    pods = list(POD, profile.namespace, profile.appSelector);
  } catch (error) {
    // A denied or unavailable read makes the check undecided, never healthy.
    return [finding('inconclusive', `cannot list the GG-CORE pods: ${hostError(error)}`)];
  }
  write('debug', `${pods.length} pods match \`${profile.appSelector}\``);

  if (pods.length === 0) {
    return [finding('skip', `no pod matches \`${profile.appSelector}\` in namespace \`${profile.namespace}\``)];
  }

  const restarted = pods.filter((pod) => restarts(pod) > maxRestarts);
  if (restarted.length === 0) {
    return [finding('pass', `none of ${pods.length} GG-CORE pods restarted more than ${maxRestarts} times`)];
  }

  return [
    finding('warn', `${restarted.length} of ${pods.length} GG-CORE pods restarted more than ${maxRestarts} times`, {
      evidence: restarted.map((pod) => `pod ${pod.metadata.name}: ${restarts(pod)} restarts`),
      objects: restarted.map((pod) => ({
        kind: 'Pod',
        namespace: pod.metadata.namespace,
        name: pod.metadata.name,
        field: 'status.containerStatuses[*].restartCount',
      })),
      resolution: "Find why the containers restart: read the previous container's log and the pod's events",
      nextCommand: `kubectl logs ${restarted[0].metadata.name} -n ${profile.namespace} --previous`,
    }),
  ];
}

/** Lists objects of one kind; throws the host's error when the read is refused. */
function list(kind, namespace, labelSelector) {
  return JSON.parse(listObjects(kind, { namespace, labelSelector, fieldSelector: undefined }));
}

/** Returns the sum of the restart counts of a pod's containers. */
function restarts(pod) {
  const statuses = (pod.status && pod.status.containerStatuses) || [];
  return statuses.reduce((sum, status) => sum + (status.restartCount || 0), 0);
}

/** Returns a `--set key=value` setting as an integer, or `fallback` when unset or invalid. */
function intSetting(profile, key, fallback) {
  const entry = profile.settings.find(([name]) => name === key);
  const value = entry ? Number.parseInt(entry[1], 10) : Number.NaN;
  return Number.isNaN(value) ? fallback : value;
}

/** Formats a host error as `kind: text`, for example `denied: ...`. */
function hostError(error) {
  const payload = error && error.payload;
  return payload ? `${payload.tag}: ${payload.val}` : String(error);
}

/** Builds a finding about this probe's cause. */
function finding(outcome, summary, details = {}) {
  return {
    outcome,
    symptom: SYMPTOM,
    cause: CAUSE,
    summary,
    evidence: details.evidence || [],
    objects: details.objects || [],
    resolution: details.resolution,
    errorCode: undefined,
    nextCommand: details.nextCommand,
  };
}
