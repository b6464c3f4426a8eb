/** The server Deployment (roadmap deployment.yaml, with its defects fixed). */
import type { V1Deployment, V1EnvVar, V1Probe } from '@kubernetes/client-node';
import type { StemeDeploymentConfig } from '../config/index.js';
import { refProbePort } from '../rules/ref-probe-port.js';
import { refWorkloadSelector } from '../rules/ref-selectors.js';
import { refPvcNotProduced, refVolumeMount } from '../rules/ref-volumes.js';
import { formatImage } from '../shared/image.js';
import type { ObjectDescriptor } from './descriptor.js';
import { type Built, namespacedMeta, objectLabels, objectNames, selectorLabels } from './meta.js';
import { DB_DIR, dataVolumes, WAL_DIR } from './pvc.js';
import { containerSecurityContext, podSecurityContext, tmpVolume } from './security.js';

/** The server image reference: `registry/repository[:tag][@digest]`, never untagged. */
export function serverImage(c: StemeDeploymentConfig): string {
  const { registry, repository, tag, digest } = c.image;
  return formatImage({ repository: `${registry}/${repository}`, tag, digest });
}

/**
 * The server's environment. `STEMEDB_AUTH_ENABLED=true` is missing from the roadmap's spec;
 * without it the server runs the metering-only router with no auth (ship blocker 1), so it is
 * set from `server.authEnabled` (default true). Extra variables follow, sorted by name.
 */
export function serverEnv(c: StemeDeploymentConfig): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: 'STEMEDB_BIND_ADDR', value: `0.0.0.0:${c.port}` },
    { name: 'STEMEDB_WAL_DIR', value: WAL_DIR },
    { name: 'STEMEDB_DB_DIR', value: DB_DIR },
    { name: 'STEMEDB_AUTH_ENABLED', value: String(c.server.authEnabled) },
    { name: 'STEMEDB_METER_ENABLED', value: String(c.server.meterEnabled) },
  ];
  if (c.server.allowedOrigins.length > 0) {
    env.push({ name: 'STEMEDB_ALLOWED_ORIGINS', value: c.server.allowedOrigins.join(',') });
  }
  env.push({
    name: 'STEMEDB_ROOT_API_KEY',
    valueFrom: {
      secretKeyRef: { name: c.rootApiKey.secretName, key: c.rootApiKey.secretKey },
    },
  });
  for (const name of Object.keys(c.server.extraEnv).sort()) {
    env.push({ name, value: c.server.extraEnv[name] ?? '' });
  }
  return env;
}

function httpProbe(
  c: StemeDeploymentConfig,
  timing: { periodSeconds: number; failureThreshold: number; timeoutSeconds: number },
): V1Probe {
  return {
    httpGet: { path: c.probes.path, port: objectNames(c).port },
    periodSeconds: timing.periodSeconds,
    failureThreshold: timing.failureThreshold,
    timeoutSeconds: timing.timeoutSeconds,
  };
}

/** The taints a failed node gets, tolerated for `seconds` (NoExecute: then the pod is evicted). */
export const NODE_FAILURE_TAINTS = [
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
] as const;

function nodeFailureTolerations(seconds: number) {
  return NODE_FAILURE_TAINTS.map((key) => ({
    key,
    operator: 'Exists',
    effect: 'NoExecute',
    tolerationSeconds: seconds,
  }));
}

/**
 * One replica with the `Recreate` strategy, as the roadmap says: the embedded KV store needs
 * exclusive use of its ReadWriteOnce volumes, and a rolling update would start a second pod
 * that can never attach them. Neither is configurable.
 *
 * Changes from the roadmap: the container port is named `http` (probes, Service and
 * ServiceMonitor refer to it by name); the `prometheus.io/*` pod annotations are dropped, as the
 * ServiceMonitor is how Prometheus Operator finds the target and an annotation-based scrape
 * config would scrape it twice; service links are off, because a Service named `stemedb-api`
 * would otherwise inject `STEMEDB_API_*` variables into the server's own `STEMEDB_` namespace;
 * the pod gets no service-account token, since the server never calls the Kubernetes API.
 */
export function buildDeployment(c: StemeDeploymentConfig): Built<V1Deployment> {
  const n = objectNames(c);
  const volumes = dataVolumes(c);
  const tmp = tmpVolume();
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: namespacedMeta(c, n.app, 'server'),
    spec: {
      replicas: 1,
      revisionHistoryLimit: 5,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selectorLabels(c) },
      template: {
        metadata: { labels: objectLabels(c, 'server') },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: c.terminationGracePeriodSeconds,
          // Evicted from a failed node after seconds, not Kubernetes' default 5 minutes. The RWO
          // volume still has to be released for the new pod to start: Longhorn's node-down pod
          // deletion policy, or the out-of-service taint (docs/node-failure.md).
          tolerations: nodeFailureTolerations(c.server.nodeFailureTolerationSeconds),
          securityContext: podSecurityContext(c),
          ...(c.image.pullSecret ? { imagePullSecrets: [{ name: c.image.pullSecret.name }] } : {}),
          containers: [
            {
              name: n.app,
              image: serverImage(c),
              imagePullPolicy: c.image.pullPolicy,
              ports: [{ name: n.port, containerPort: c.port, protocol: 'TCP' }],
              env: serverEnv(c),
              resources: {
                requests: { ...c.resources.requests },
                limits: { ...c.resources.limits },
              },
              // WAL replay after a crash can take 60 s: the startup probe holds off liveness.
              startupProbe: httpProbe(c, c.probes.startup),
              livenessProbe: httpProbe(c, c.probes.liveness),
              readinessProbe: httpProbe(c, c.probes.readiness),
              securityContext: containerSecurityContext(),
              volumeMounts: [
                ...volumes.map((v) => ({ name: v.volumeName, mountPath: v.mountPath })),
                tmp.mount,
              ],
            },
          ],
          volumes: [
            ...volumes.map((v) => ({
              name: v.volumeName,
              persistentVolumeClaim: { claimName: v.claimName },
            })),
            tmp.volume,
          ],
        },
      },
    },
  };
}

/** The server: its selector matches its pods, and every claim and port it names is there. */
export const deploymentObject: ObjectDescriptor = {
  id: 'deployment',
  kind: 'Deployment',
  when: () => true,
  build: buildDeployment,
  invariants: [refWorkloadSelector, refPvcNotProduced, refVolumeMount, refProbePort],
  docs: {
    object: 'Deployment (1 replica, Recreate)',
    name: '`stemedb-api`',
    when: 'always',
  },
};
