/**
 * The bundle's PrometheusRule: the alerts module's rules (prometheus-rule.ts, which knows no
 * config) given the names and labels of the objects they watch.
 */
import type { StemeDeploymentConfig } from '../config/index.js';
import type { KubeObject } from '../types.js';
import type { ObjectDescriptor } from './descriptor.js';
import { objectLabels, objectNames, toKubeObject } from './meta.js';
import { buildPrometheusRule } from './prometheus-rule.js';

/** The PrometheusRule of `c`, with names and labels that match our objects. */
export function buildBundlePrometheusRule(c: StemeDeploymentConfig): KubeObject {
  const n = objectNames(c);
  const { backupMaxAgeSeconds, ...thresholds } = c.monitoring.alerts;
  return toKubeObject(
    buildPrometheusRule({
      namespace: c.namespace,
      name: n.alerts,
      labels: { ...objectLabels(c, 'monitoring'), release: c.monitoring.releaseLabel },
      releaseLabel: c.monitoring.releaseLabel,
      appLabel: n.app,
      // prometheus-operator sets `job` to the Service name the ServiceMonitor selects.
      jobName: n.app,
      containerName: n.app,
      pvcNamePrefix: n.pvcPrefix,
      thresholds,
      // Not in the roadmap: without it nobody learns that every backup fails.
      ...(c.backup.enabled && {
        backup:
          c.backup.method === 'longhorn'
            ? {
                method: 'longhorn',
                recurringJobName: n.recurringJob,
                maxAgeSeconds: backupMaxAgeSeconds,
              }
            : { method: 'rclone', cronJobName: n.backup, maxAgeSeconds: backupMaxAgeSeconds },
      }),
    }),
  );
}

/** The alerts, last: they watch what is already there. */
export const prometheusRuleObject: ObjectDescriptor = {
  id: 'prometheus-rule',
  kind: 'PrometheusRule',
  when: (c) => c.monitoring.enabled,
  build: buildBundlePrometheusRule,
  invariants: [],
  docs: {
    object: "PrometheusRule with the roadmap's six alerts, plus StemeDBBackupStale for the method",
    name: '`stemedb-alerts`',
    when: '`monitoring.enabled` (StemeDBBackupStale: and `backup.enabled`)',
  },
};
