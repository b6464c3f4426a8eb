/**
 * The order in which objects are applied: what others depend on first. Close to Helm's install
 * order (helm/pkg/releaseutil/kind_sorter.go), with the custom resources we emit placed next to
 * what they serve. Within a kind, the caller's order is kept.
 */
import type { KubeObject } from '../types.js';

/** Kinds in apply order. A kind not listed goes after all of them. */
export const APPLY_ORDER: readonly string[] = [
  // Where everything else lives, and the kinds other objects are made of.
  'Namespace',
  'CustomResourceDefinition',
  'PriorityClass',
  'StorageClass',
  // Restrictions first, so no pod ever runs without them (Helm does the same).
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodDisruptionBudget',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  // What pods mount or read at start: the secret store before the ExternalSecret that uses it,
  // which makes the Secret the Deployment reads.
  'ClusterSecretStore',
  'SecretStore',
  'ExternalSecret',
  'Secret',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'ConfigMap',
  'Service',
  'StatefulSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'Job',
  'CronJob',
  // Longhorn's backup job after the PVCs it reaches, so its first run finds them labelled.
  'RecurringJob',
  // Traffic in: the certificate and the Middleware before the Ingress or IngressRoute that names
  // them, so Traefik never serves a route that refers to a missing middleware.
  'Certificate',
  'Middleware',
  'IngressClass',
  'Ingress',
  'IngressRoute',
  // Monitoring last: it watches what is already there.
  'ServiceMonitor',
  'PodMonitor',
  'PrometheusRule',
];

const RANK = new Map(APPLY_ORDER.map((kind, i) => [kind, i]));

function rank(obj: KubeObject): number {
  return RANK.get(obj.kind) ?? APPLY_ORDER.length;
}

/** The objects in apply order; a new array, stable within a kind. */
export function sortForApply<T extends KubeObject>(objects: readonly T[]): T[] {
  return objects
    .map((obj, index) => ({ obj, index }))
    .sort((a, b) => rank(a.obj) - rank(b.obj) || a.index - b.index)
    .map(({ obj }) => obj);
}
