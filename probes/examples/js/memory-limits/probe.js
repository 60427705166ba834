// `memory-limits`: every GG-CORE container sets a memory request and a memory limit.
//
// A platform team's check, written in JavaScript and built with componentize-js. A container
// without a memory request can be scheduled onto a node without room for the model. A
// container without a memory limit can take a node's memory from its neighbours. Either turns
// into memory pressure and latency under load, so the probe reports them under `high-latency`
// with a cause of its own. Init containers are checked too: they load the model on some
// deployments.
//
// How WIT values look in JavaScript: records are objects with camelCase keys, enums are
// strings (`'warn'`), and an `option` is the value or `undefined`. A host function whose result
// is an error throws an error whose `payload` is the host error (`{ tag: 'denied', val: '...' }`).

import { listObjects } from 'ggcore:probe/cluster@0.1.0';
import { write } from 'ggcore:probe/log@0.1.0';

const PROBE_ID = 'memory-limits';
const SYMPTOM = 'high-latency';
// A custom cause under the contract's symptom `high-latency`.
const CAUSE = 'memory-requests-limits-unset';
const POD = { group: '', kind: 'Pod' };

/** Returns what the probe is, what it reports and what it reads. */
export function describe() {
  return {
    id: PROBE_ID,
    title: 'GG-CORE containers set memory requests and limits',
    version: '0.1.0',
    section: 'Quick Reference: High latency (custom check: memory requests and limits)',
    symptoms: [SYMPTOM],
    causes: [{ symptom: SYMPTOM, cause: CAUSE }],
    needs: { kinds: [POD], capabilities: [] },
  };
}

/** Checks every container of every GG-CORE pod and returns one finding. */
export function run(profile) {
  let pods;
  try {
    pods = JSON.parse(listObjects(POD, { namespace: profile.namespace, labelSelector: profile.appSelector, fieldSelector: undefined }));
  } catch (error) {
    return [finding('inconclusive', `cannot list the GG-CORE pods: ${hostError(error)}`)];
  }
  if (pods.length === 0) {
    return [finding('skip', `no pod matches \`${profile.appSelector}\` in namespace \`${profile.namespace}\``)];
  }

  const problems = [];
  let containers = 0;
  for (const pod of pods) {
    const spec = pod.spec || {};
    for (const [field, list] of [['containers', spec.containers], ['initContainers', spec.initContainers]]) {
      (list || []).forEach((container, index) => {
        containers += 1;
        const missing = missingSettings(container);
        if (missing.length > 0) {
          problems.push({ pod, field: `spec.${field}[${index}].resources`, line: `pod ${pod.metadata.name} container ${container.name}: no memory ${missing.join(' and no memory ')}` });
        }
      });
    }
  }
  write('debug', `checked ${containers} containers of ${pods.length} pods`);

  if (problems.length === 0) {
    return [finding('pass', `all ${containers} containers of ${pods.length} GG-CORE pods set memory requests and limits`)];
  }
  return [
    finding('warn', `${problems.length} of ${containers} GG-CORE containers run without a memory request or limit`, {
      evidence: problems.map((problem) => problem.line),
      objects: problems.map((problem) => ({
        kind: 'Pod',
        namespace: problem.pod.metadata.namespace,
        name: problem.pod.metadata.name,
        field: problem.field,
      })),
      resolution: 'Set resources.requests.memory and resources.limits.memory on every GG-CORE container, sized for the model',
      nextCommand: `kubectl get pods -n ${profile.namespace} -l ${profile.appSelector} -o custom-columns=NAME:.metadata.name,REQUESTS:.spec.containers[*].resources.requests.memory,LIMITS:.spec.containers[*].resources.limits.memory`,
    }),
  ];
}

/** Returns `request` and `limit` for each memory setting a container lacks. */
function missingSettings(container) {
  const resources = container.resources || {};
  const missing = [];
  if (!(resources.requests && resources.requests.memory)) missing.push('request');
  if (!(resources.limits && resources.limits.memory)) missing.push('limit');
  return missing;
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
