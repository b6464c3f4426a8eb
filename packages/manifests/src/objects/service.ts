/** The ClusterIP Service (roadmap service.yaml). */
import type { V1Service } from '@kubernetes/client-node';
import type { StemeDeploymentConfig } from '../config.js';
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
