/**
 * Container hardening, as Pod Security Standards "restricted" requires: no privilege escalation,
 * every capability dropped, a seccomp profile, a read-only root filesystem. A database needs
 * none of these powers; an exploited one should not gain them.
 */
import { arr, obj } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';

export const policyAllowPrivilegeEscalation: Rule = {
  id: 'policy/allow-privilege-escalation',
  severity: 'error',
  description:
    'Every container sets securityContext.allowPrivilegeEscalation: false (setuid binaries cannot gain root).',
  *check(context) {
    for (const w of context.workloads) {
      for (const c of w.containers) {
        if (obj(c.container.securityContext).allowPrivilegeEscalation === false) continue;
        yield {
          object: w.object,
          path: joinPath(c.path, 'securityContext', 'allowPrivilegeEscalation'),
          message: `container "${c.name}" may escalate privileges (allowPrivilegeEscalation is not false)`,
          fix: `set ${joinPath(c.path, 'securityContext', 'allowPrivilegeEscalation')}: false`,
        };
      }
    }
  },
};

export const policyCapabilitiesNotDropped: Rule = {
  id: 'policy/capabilities-not-dropped',
  severity: 'error',
  description:
    'Every container drops all Linux capabilities (securityContext.capabilities.drop: [ALL]).',
  *check(context) {
    for (const w of context.workloads) {
      for (const c of w.containers) {
        const drop = arr(obj(obj(c.container.securityContext).capabilities).drop);
        if (drop.includes('ALL')) continue;
        yield {
          object: w.object,
          path: joinPath(c.path, 'securityContext', 'capabilities', 'drop'),
          message: `container "${c.name}" keeps the runtime's default capabilities (drop does not include ALL)`,
          fix: `set ${joinPath(c.path, 'securityContext', 'capabilities', 'drop')}: [ALL] (add back only what is proven necessary)`,
        };
      }
    }
  },
};

export const policySeccompProfile: Rule = {
  id: 'policy/seccomp-profile',
  severity: 'warning',
  description:
    'Pods run with a seccomp profile (RuntimeDefault), as Pod Security "restricted" requires.',
  *check(context) {
    for (const w of context.workloads) {
      const podType = obj(obj(w.pod.securityContext).seccompProfile).type;
      const ok = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
      if (ok(podType)) continue;
      for (const c of w.containers) {
        if (ok(obj(obj(c.container.securityContext).seccompProfile).type)) continue;
        yield {
          object: w.object,
          path: joinPath(w.podPath, 'securityContext', 'seccompProfile'),
          message: `container "${c.name}" runs without a seccomp profile (Unconfined by default)`,
          fix: `set ${joinPath(w.podPath, 'securityContext', 'seccompProfile')}: { type: RuntimeDefault }`,
        };
      }
    }
  },
};

export const policyReadOnlyRootFilesystem: Rule = {
  id: 'policy/read-only-root-filesystem',
  severity: 'warning',
  description:
    'Containers mount their root filesystem read-only; data goes to volumes (a WAL on a PVC is writable whatever this says).',
  *check(context) {
    for (const w of context.workloads) {
      for (const c of w.containers) {
        if (obj(c.container.securityContext).readOnlyRootFilesystem === true) continue;
        yield {
          object: w.object,
          path: joinPath(c.path, 'securityContext', 'readOnlyRootFilesystem'),
          message: `container "${c.name}" can write to its root filesystem`,
          fix: `set ${joinPath(c.path, 'securityContext', 'readOnlyRootFilesystem')}: true; mount an emptyDir where it needs scratch space (mounted volumes such as /data stay writable)`,
        };
      }
    }
  },
};
