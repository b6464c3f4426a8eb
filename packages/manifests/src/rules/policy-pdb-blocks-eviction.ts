/**
 * A PodDisruptionBudget that allows no disruption at all (`maxUnavailable: 0`, or
 * `minAvailable` equal to the replicas) makes `kubectl drain` wait forever: node upgrades and
 * k3s maintenance hang on the database's node. For a single-replica database, a drain means a
 * short outage either way; the PDB should say `maxUnavailable: 1` (or not exist).
 */
import { obj } from '../validate/json.js';
import type { Rule } from '../validate/rule.js';
import { selects } from '../validate/selectors.js';

/** An IntOrString count or percentage of `total`, rounded as Kubernetes does for each field. */
function resolve(value: unknown, total: number, roundUp: boolean): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+%$/.test(value)) {
    const exact = (Number.parseInt(value, 10) / 100) * total;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

export const policyPdbBlocksEviction: Rule = {
  id: 'policy/pdb-blocks-eviction',
  severity: 'error',
  description:
    'A PodDisruptionBudget allows at least one eviction: one that forbids every eviction makes node drains hang.',
  *check(context) {
    for (const pdb of context.ofKind('PodDisruptionBudget', 'policy')) {
      const spec = obj(pdb.spec);
      const namespace = pdb.metadata.namespace ?? 'default';
      const selected = context.workloads.filter(
        (w) =>
          w.namespace === namespace && w.replicas !== undefined && selects(spec.selector, w.labels),
      );
      const replicas = selected.reduce((sum, w) => sum + (w.replicas ?? 0), 0);
      const maxUnavailable = resolve(spec.maxUnavailable, replicas, true);
      const minAvailable = resolve(spec.minAvailable, replicas, true);
      const what = replicas === 1 ? 'the single replica' : `any of the ${replicas} replicas`;
      if (spec.maxUnavailable !== undefined && maxUnavailable === 0) {
        yield {
          object: pdb,
          path: 'spec.maxUnavailable',
          message: `maxUnavailable ${JSON.stringify(spec.maxUnavailable)} forbids evicting ${what}: kubectl drain (node upgrades, maintenance) waits forever`,
          fix: 'set spec.maxUnavailable: 1 (a drain then costs the short outage a single replica cannot avoid)',
        };
      } else if (
        spec.minAvailable !== undefined &&
        minAvailable !== undefined &&
        replicas > 0 &&
        minAvailable >= replicas
      ) {
        yield {
          object: pdb,
          path: 'spec.minAvailable',
          message: `minAvailable ${JSON.stringify(spec.minAvailable)} with ${replicas} replica(s) forbids every eviction: kubectl drain waits forever`,
          fix: 'use spec.maxUnavailable: 1 instead of minAvailable',
        };
      }
    }
  },
};
