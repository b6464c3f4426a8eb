/** The ClusterIP Service (roadmap service.yaml). */
import type { V1Service } from '@kubernetes/client-node';
import type { StemeDeploymentConfig } from '../config/index.js';
import { refSelectorMatchesNothing } from '../rules/ref-selectors.js';
import { refServiceTargetPort } from '../rules/ref-service-ports.js';
import type { ObjectDescriptor } from './descriptor.js';
import { type Built, namespacedMeta, objectNames, selectorLabels } from './meta.js';

/**
 * The roadmap's Service port has no name, yet its ServiceMonitor scrapes `port: "18180"`, which
 * a ServiceMonitor reads as a port *name*, so nothing would be scraped. The port is named
 * `http` and targets the container port by that name.
 */
export function buildService(c: StemeDeploymentConfig): Built<V1Service> {
  const n = objectNames(c);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: namespacedMeta(c, n.app, 'server'),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(c),
      ports: [{ name: n.port, port: c.port, targetPort: n.port, protocol: 'TCP' }],
    },
  };
}

/** The Service: it selects the server's pods and targets their named port. */
export const serviceObject: ObjectDescriptor = {
  id: 'service',
  kind: 'Service',
  when: () => true,
  build: buildService,
  invariants: [refSelectorMatchesNothing, refServiceTargetPort],
  docs: {
    object: 'Service (ClusterIP, port named `http`)',
    name: '`stemedb-api`',
    when: 'always',
  },
};
