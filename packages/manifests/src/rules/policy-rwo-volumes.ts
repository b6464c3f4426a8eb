import { obj, str } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import { rwoClaims } from '../validate/relations.js';
import type { Rule } from '../validate/rule.js';
import { claimVolumes } from '../validate/workloads.js';

export const policyRollingUpdateRwo: Rule = {
  id: 'policy/rolling-update-rwo',
  severity: 'error',
  description:
    'A Deployment that mounts a ReadWriteOnce volume uses strategy Recreate: RollingUpdate (the default) deadlocks on the volume.',
  *check(context) {
    for (const w of context.workloads) {
      if (w.kind !== 'Deployment') continue;
      const claims = rwoClaims(context, w);
      if (claims.length === 0) continue;
      const type = str(obj(obj(w.object.spec).strategy).type) ?? 'RollingUpdate';
      if (type !== 'RollingUpdate') continue;
      yield {
        object: w.object,
        path: 'spec.strategy.type',
        message: `strategy is ${type}${obj(w.object.spec).strategy === undefined ? ' (the default)' : ''} but the pod mounts ReadWriteOnce claim "${claims[0]!.claimName}": the new pod cannot attach it while the old one holds it, and the rollout hangs`,
        fix: 'set spec.strategy: { type: Recreate } (a deploy is then a short outage, which a single writer needs anyway)',
      };
    }
  },
};

export const policyRwoMultipleReplicas: Rule = {
  id: 'policy/rwo-multiple-replicas',
  severity: 'error',
  description:
    'A workload that mounts a ReadWriteOnce claim runs one replica: all replicas would share the claim.',
  *check(context) {
    for (const w of context.workloads) {
      if (w.replicas === undefined || w.replicas <= 1) continue;
      const claims = rwoClaims(context, w);
      if (claims.length === 0) continue;
      yield {
        object: w.object,
        path: 'spec.replicas',
        message: `${w.replicas} replicas share ReadWriteOnce claim "${claims[0]!.claimName}": replicas on other nodes never start, and those on the same node are concurrent writers to one database`,
        fix: 'set spec.replicas: 1 (an embedded store has exactly one writer)',
      };
    }
  },
};

export const policyFsgroupChangePolicy: Rule = {
  id: 'policy/fsgroup-change-policy',
  severity: 'warning',
  description:
    'A pod with fsGroup on a persistent volume sets fsGroupChangePolicy: OnRootMismatch, so startup does not re-chown every file.',
  *check(context) {
    for (const w of context.workloads) {
      const security = obj(w.pod.securityContext);
      if (security.fsGroup === undefined || security.fsGroupChangePolicy !== undefined) continue;
      if (claimVolumes(w).length === 0) continue;
      yield {
        object: w.object,
        path: joinPath(w.podPath, 'securityContext', 'fsGroupChangePolicy'),
        message:
          'fsGroup is set without fsGroupChangePolicy: on every start the kubelet recursively changes ownership of every file on the volume, which on a large database outlasts the startup probe',
        fix: `set ${joinPath(w.podPath, 'securityContext', 'fsGroupChangePolicy')}: OnRootMismatch`,
      };
    }
  },
};
