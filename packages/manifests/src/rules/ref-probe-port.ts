/**
 * A probe that names its port (`port: http`) needs a container port of that name. Without one
 * the kubelet cannot resolve it: the readiness probe never passes (no traffic) and the liveness
 * probe kills the container over and over, while the process itself is healthy.
 */
import { arr, obj } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';

const PROBES = ['startupProbe', 'livenessProbe', 'readinessProbe'] as const;

export const refProbePort: Rule = {
  id: 'ref/probe-port',
  severity: 'error',
  description:
    'A probe that names its port (httpGet/tcpSocket port: http) names a port of its container.',
  *check(context) {
    for (const w of context.workloads) {
      for (const c of w.containers) {
        const names = arr(c.container.ports).map((p) => obj(p).name);
        for (const field of PROBES) {
          const probe = obj(c.container[field]);
          for (const handler of ['httpGet', 'tcpSocket'] as const) {
            const port = obj(probe[handler]).port;
            if (typeof port !== 'string' || /^\d+$/.test(port) || names.includes(port)) continue;
            yield {
              object: w.object,
              path: joinPath(c.path, field, handler, 'port'),
              message: `${field} of container "${c.name}" uses port "${port}", but the container has no port of that name (${names.filter(Boolean).join(', ') || 'no named ports'}): the probe can never succeed`,
              fix: `name the container port (${joinPath(c.path, 'ports')}[*].name: ${port}) or use the port number`,
            };
          }
        }
      }
    }
  },
};
