/** The ServiceMonitor (roadmap service-monitor.yaml). */
import type { StemeDeploymentConfig } from '../config/index.js';
import { METRICS_PATH } from '../defaults.js';
import { refServicemonitorPort, refServicemonitorSelector } from '../rules/ref-service-monitor.js';
import type { ServiceMonitor } from './crds.js';
import type { ObjectDescriptor } from './descriptor.js';
import { namespacedMeta, objectNames, selectorLabels } from './meta.js';

/**
 * Scrapes the Service's `http` port by name. The roadmap's `port: "18180"` is read as a port
 * *name*; no port has that name, so Prometheus would scrape nothing. The `release` label is the
 * one the Prometheus Operator's `serviceMonitorSelector` matches (a kube-prometheus-stack install
 * named `prometheus` selects `release: prometheus`).
 */
export function buildServiceMonitor(c: StemeDeploymentConfig): ServiceMonitor {
  const n = objectNames(c);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: namespacedMeta(c, n.app, 'monitoring', {
      labels: { release: c.monitoring.releaseLabel },
    }),
    spec: {
      selector: { matchLabels: selectorLabels(c) },
      namespaceSelector: { matchNames: [c.namespace] },
      endpoints: [{ port: n.port, path: METRICS_PATH, interval: c.monitoring.scrapeInterval }],
    },
  };
}

/** The ServiceMonitor: it selects the Service and scrapes one of its named ports. */
export const serviceMonitorObject: ObjectDescriptor = {
  id: 'service-monitor',
  kind: 'ServiceMonitor',
  when: (c) => c.monitoring.enabled,
  build: buildServiceMonitor,
  invariants: [refServicemonitorSelector, refServicemonitorPort],
  docs: {
    object: 'ServiceMonitor',
    name: '`stemedb-api`',
    when: '`monitoring.enabled`',
  },
};
