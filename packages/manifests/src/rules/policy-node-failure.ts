/**
 * A node failure with one replica on a ReadWriteOnce Longhorn volume: the pod must leave the dead
 * node quickly, and the volume must be released for its successor. Kubernetes keeps a pod on an
 * unreachable node for 300 s unless it says otherwise, and then leaves it Terminating with the
 * volume attached until the node returns; Longhorn's `node-down-pod-deletion-policy` (or the
 * `node.kubernetes.io/out-of-service` taint) ends that (docs/node-failure.md). Advisory: the
 * Longhorn setting lives in the cluster, so only what the manifests say can be judged.
 */
import { arr, isObject, num, obj, str } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';
import { claimVolumes } from '../validate/workloads.js';

const NODE_FAILURE_TAINTS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];
/** Kubernetes' own toleration for both taints, added to a pod that sets none. */
const KUBERNETES_DEFAULT_SECONDS = 300;

export const policyNodeFailure: Rule = {
  id: 'policy/node-failure',
  severity: 'warning',
  description:
    "A single-replica pod on a ReadWriteOnce volume leaves a failed node in well under Kubernetes' 300 s, and Longhorn's node-down pod deletion policy is not do-nothing.",
  *check(context) {
    for (const w of context.workloads) {
      if (w.replicas !== 1 || claimVolumes(w).length === 0) continue;
      const tolerations = arr(w.pod.tolerations);
      const tooLong: string[] = [];
      for (const taint of NODE_FAILURE_TAINTS) {
        const found = tolerations.find(
          (t) =>
            isObject(t) &&
            (str(t.key) === taint || (t.key === undefined && t.operator === 'Exists')),
        );
        const seconds = found ? num(obj(found).tolerationSeconds) : KUBERNETES_DEFAULT_SECONDS;
        if (seconds === undefined || seconds >= KUBERNETES_DEFAULT_SECONDS)
          tooLong.push(
            `${taint.split('/')[1]} for ${seconds === undefined ? 'ever' : `${seconds} s`}`,
          );
      }
      if (tooLong.length === 0) continue;
      yield {
        object: w.object,
        path: joinPath(w.podPath, 'tolerations'),
        message: `the only pod of its volumes stays bound to a failed node (${tooLong.join(', ')}): every second of it is an outage`,
        fix: 'tolerate node.kubernetes.io/not-ready and node.kubernetes.io/unreachable (NoExecute) for a short time, e.g. tolerationSeconds: 30; then let Longhorn release the volume (node-down-pod-deletion-policy: delete-both-statefulset-and-deployment-pod)',
      };
    }
    for (const setting of context.ofKind('Setting', 'longhorn.io')) {
      if (setting.metadata?.name !== 'node-down-pod-deletion-policy') continue;
      if (str((setting as { value?: unknown }).value) !== 'do-nothing') continue;
      yield {
        object: setting,
        path: 'value',
        message:
          "Longhorn's node-down pod deletion policy is do-nothing: after a node failure the server pod stays Terminating with its volume attached until someone force-deletes it",
        fix: 'set it to delete-both-statefulset-and-deployment-pod, or taint the dead node node.kubernetes.io/out-of-service (docs/node-failure.md)',
      };
    }
  },
};
