/**
 * Names and labels shared by every object, so that selectors, references and file names agree.
 * Labels follow the recommended `app.kubernetes.io/*` set; the one selector label is
 * `app.kubernetes.io/name` (the roadmap's `app: stemedb-api`, under its standard key).
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { StemeDeploymentConfig } from '../config/index.js';
import { defaultRecurringJobGroup, defaultStorageClassName } from '../defaults.js';
import type { KubeObject } from '../types.js';

/** Value of `app.kubernetes.io/part-of` on every object. */
export const PART_OF = 'stemedb';
/** Value of `app.kubernetes.io/managed-by` on every object. */
export const MANAGED_BY = 'stemedb-manifests';

/**
 * Names of the objects that reference one another, derived from the config in one place. The
 * cluster-scoped and shared-namespace ones (StorageClass, restore classes, the RecurringJob and
 * its group in Longhorn's namespace) are per instance: derived from the namespace unless the
 * config names them, so that two instances never write one object with different content.
 */
export function objectNames(c: StemeDeploymentConfig) {
  const group =
    ('longhorn' in c.backup ? c.backup.longhorn.group : undefined) ??
    defaultRecurringJobGroup(c.namespace);
  return {
    /** The StemeDB StorageClass; restore classes are `<storageClass>-restore-<volume>`. */
    storageClass: c.storage.storageClass.name ?? defaultStorageClassName(c.namespace),
    /** Longhorn recurring-job group the PVCs join. */
    recurringJobGroup: group,
    /** The RecurringJob in Longhorn's namespace (Longhorn names backups after it). */
    recurringJob: `${group}-backup`,
    /** Deployment, Service, container, Ingress, ServiceMonitor, NetworkPolicy, PDB. */
    app: c.name,
    /** PVC name prefix; the volume alerts match `<prefix>.*` (roadmap alert-rules.yaml). */
    pvcPrefix: 'stemedb-',
    walPvc: 'stemedb-wal',
    dbPvc: 'stemedb-db',
    dataPvc: 'stemedb-data',
    backup: 'stemedb-backup',
    alerts: 'stemedb-alerts',
    /** Traefik Middleware; the Ingress refers to it as `<namespace>-<name>@kubernetescrd`. */
    rateLimit: 'ratelimit',
    /** Named port of the container and the Service; the ServiceMonitor scrapes it by name. */
    port: 'http',
  } as const;
}

/** The labels that select the server's pods (Service, PDB, NetworkPolicy, ServiceMonitor). */
export function selectorLabels(c: StemeDeploymentConfig): Record<string, string> {
  return { 'app.kubernetes.io/name': c.name };
}

/**
 * The labels of an object. `name` is the app the object belongs to: the server's name for
 * everything but the backup, whose pods must not match the server's selector.
 */
export function objectLabels(
  c: StemeDeploymentConfig,
  component: string,
  name: string = c.name,
): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** Metadata of a namespaced object. */
export function namespacedMeta(
  c: StemeDeploymentConfig,
  name: string,
  component: string,
  extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): Meta {
  return {
    name,
    namespace: c.namespace,
    labels: { ...objectLabels(c, component), ...extra.labels },
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  };
}

/** Metadata with a name, which every object we emit has. */
export type Meta = V1ObjectMeta & { name: string };

/**
 * A client-node model (classes whose fields are all optional) with the fields every emitted
 * object sets made required.
 */
export type Built<T> = T & { apiVersion: string; kind: string; metadata: Meta };

/**
 * The object as a plain {@link KubeObject}. Client-node models are classes without an index
 * signature, so this is where they become the package's common shape; the check makes sure
 * nothing unnamed slips through.
 */
export function toKubeObject(obj: {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
}): KubeObject {
  if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
    throw new Error(`object without apiVersion, kind or metadata.name: ${JSON.stringify(obj)}`);
  }
  return obj as KubeObject;
}
