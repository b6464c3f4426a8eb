/** The PodDisruptionBudget (roadmap pdb.yaml), changed so that nodes can be drained. */
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { StemeDeploymentConfig } from '../config/index.js';
import { refSelectorMatchesNothing } from '../rules/ref-selectors.js';
import type { ObjectDescriptor } from './descriptor.js';
import { type Built, namespacedMeta, objectNames, selectorLabels } from './meta.js';

/**
 * The roadmap's `maxUnavailable: 0` on a single replica forbids every eviction: `kubectl drain`
 * (and k3s upgrades, and Longhorn's node drain policy) would wait forever. With one replica no
 * budget can keep the service up through a drain; the outage is the Recreate restart either way.
 * So the budget allows one disruption, which documents the intent and satisfies tools that want
 * a PDB, and `unhealthyPodEvictionPolicy: AlwaysAllow` (GA in Kubernetes 1.31) lets a
 * crash-looping pod be evicted at once.
 */
export function buildPodDisruptionBudget(c: StemeDeploymentConfig): Built<V1PodDisruptionBudget> {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: namespacedMeta(c, objectNames(c).app, 'server'),
    spec: {
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: { matchLabels: selectorLabels(c) },
    },
  };
}

/** The PodDisruptionBudget: it selects the server's pods. */
export const podDisruptionBudgetObject: ObjectDescriptor = {
  id: 'pod-disruption-budget',
  kind: 'PodDisruptionBudget',
  when: (c) => c.podDisruptionBudget.enabled,
  build: buildPodDisruptionBudget,
  invariants: [refSelectorMatchesNothing],
  docs: {
    object: 'PodDisruptionBudget (`maxUnavailable: 1`)',
    name: '`stemedb-api`',
    when: '`podDisruptionBudget.enabled`',
  },
};
