/**
 * `runAsNonRoot: true` is only half of it: when the image's USER is a name ("stemedb") rather
 * than a number, the kubelet cannot prove it is not root and refuses to start the container
 * (CreateContainerConfigError: "image has non-numeric user … cannot verify user is non-root").
 * A numeric `runAsUser` makes the check decidable and the pod start.
 */
import { obj } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';

export const policyRunAsNonRoot: Rule = {
  id: 'policy/run-as-non-root',
  severity: 'error',
  description:
    'Every container runs as non-root with a numeric runAsUser (without one, an image with a named USER fails to start).',
  *check(context) {
    for (const w of context.workloads) {
      const pod = obj(w.pod.securityContext);
      for (const c of w.containers) {
        const own = obj(c.container.securityContext);
        const nonRoot = own.runAsNonRoot ?? pod.runAsNonRoot;
        const user = own.runAsUser ?? pod.runAsUser;
        const podPath = joinPath(w.podPath, 'securityContext');
        if (nonRoot !== true) {
          yield {
            object: w.object,
            path: joinPath(podPath, 'runAsNonRoot'),
            message: `container "${c.name}" may run as root (runAsNonRoot is not true)`,
            fix: `set ${podPath}.runAsNonRoot: true and ${podPath}.runAsUser to a non-zero UID (e.g. 1000)`,
          };
        } else if (typeof user !== 'number') {
          yield {
            object: w.object,
            path: joinPath(podPath, 'runAsUser'),
            message: `container "${c.name}" has runAsNonRoot but no numeric runAsUser: if the image's USER is a name, the kubelet cannot verify it and the container never starts`,
            fix: `set ${podPath}.runAsUser (and runAsGroup) to the image's numeric UID, e.g. 1000`,
          };
        } else if (user === 0) {
          yield {
            object: w.object,
            path: joinPath(podPath, 'runAsUser'),
            message: `container "${c.name}" sets runAsNonRoot with runAsUser 0: the kubelet refuses to start it`,
            fix: `set ${podPath}.runAsUser to a non-zero UID, e.g. 1000`,
          };
        }
      }
    }
  },
};
