/**
 * Every object of the deployment, built from one config, in the order they should be applied:
 * what others depend on comes first (namespace, storage, secrets, volumes, network policy),
 * then the workload, then what routes to and watches it.
 */
import {
  parseConfig,
  type StemeDeploymentConfig,
  type StemeDeploymentConfigInput,
} from './config.js';
import { CLUSTER_NAMESPACES } from './defaults.js';
import { buildBackupCronJob } from './objects/backup-cronjob.js';
import { buildCertificate } from './objects/certificate.js';
import { buildDeployment } from './objects/deployment.js';
import {
  buildPullSecretExternalSecret,
  buildRcloneExternalSecret,
  buildRootKeyExternalSecret,
} from './objects/external-secrets.js';
import { buildIngressRoute } from './objects/ingress-route.js';
import { assertBundleInvariants } from './objects/invariants.js';
import { objectLabels, objectNames, toKubeObject } from './objects/meta.js';
import { buildMiddleware } from './objects/middleware.js';
import { buildNamespace } from './objects/namespace.js';
import { buildBackupNetworkPolicy, buildServerNetworkPolicy } from './objects/network-policy.js';
import { buildPodDisruptionBudget } from './objects/pdb.js';
import { buildPrometheusRule } from './objects/prometheus-rule.js';
import { buildPvcs, dataVolumes } from './objects/pvc.js';
import { buildRecurringJob } from './objects/recurring-job.js';
import { buildService } from './objects/service.js';
import { buildServiceMonitor } from './objects/service-monitor.js';
import { buildStorageClass } from './objects/storage-class.js';
import type { KubeObject } from './types.js';

/** The PrometheusRule, from the alerts module, with names and labels that match our objects. */
function prometheusRule(c: StemeDeploymentConfig): KubeObject {
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

/**
 * Builds every object from a config (validated here, so a hand-written object is checked
 * too; parsing an already parsed config changes nothing). Throws `ConfigError` for a bad
 * config and `BundleInvariantError` if the objects do not fit together.
 */
export function buildBundle(
  input: StemeDeploymentConfig | StemeDeploymentConfigInput,
): KubeObject[] {
  const c = parseConfig(input);
  const objects: KubeObject[] = [toKubeObject(buildNamespace(c))];
  if (c.storage.storageClass.create) objects.push(toKubeObject(buildStorageClass(c)));

  objects.push(toKubeObject(buildRootKeyExternalSecret(c)));
  const pullSecret = buildPullSecretExternalSecret(c);
  if (pullSecret) objects.push(toKubeObject(pullSecret));
  const rclone = c.backup.enabled && c.backup.method === 'rclone';
  const longhorn = c.backup.enabled && c.backup.method === 'longhorn';
  if (rclone) objects.push(toKubeObject(buildRcloneExternalSecret(c)));

  objects.push(...buildPvcs(c).map(toKubeObject));

  // Policies before pods, so no pod ever runs unrestricted.
  if (c.networkPolicy.enabled) {
    objects.push(toKubeObject(buildServerNetworkPolicy(c)));
    if (rclone) objects.push(toKubeObject(buildBackupNetworkPolicy(c)));
  }

  objects.push(toKubeObject(buildService(c)), toKubeObject(buildDeployment(c)));
  if (c.podDisruptionBudget.enabled) objects.push(toKubeObject(buildPodDisruptionBudget(c)));

  // The certificate and the Middleware before the IngressRoute that refers to them.
  const certificate = buildCertificate(c);
  if (certificate) objects.push(toKubeObject(certificate));
  const middleware = c.rateLimit.enabled ? buildMiddleware(c) : undefined;
  if (middleware) objects.push(toKubeObject(middleware));
  objects.push(toKubeObject(buildIngressRoute(c, middleware)));

  if (rclone) objects.push(toKubeObject(buildBackupCronJob(c)));
  // After the PVCs it reaches, so its first run finds them labelled.
  if (longhorn) objects.push(toKubeObject(buildRecurringJob(c)));
  if (c.monitoring.enabled) {
    objects.push(toKubeObject(buildServiceMonitor(c)), prometheusRule(c));
  }

  // The RecurringJob lives in Longhorn's namespace, whatever the install calls it.
  const elsewhere = longhorn ? [...CLUSTER_NAMESPACES, c.backup.longhorn.namespace] : [];
  const existing = dataVolumes(c).flatMap((v) => (v.existing ? [v.claimName] : []));
  assertBundleInvariants(objects, c.namespace, elsewhere, existing);
  return objects;
}
