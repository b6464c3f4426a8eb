/**
 * Every default of the deployment config, as named constants. Values come from the k3s deploy
 * roadmap (docs/operations/deployment/k8s-deploy-roadmap.md) unless a comment says why not.
 * There is deliberately no default host and no default image tag: both must be chosen.
 */
import type { AlertThresholds } from './objects/prometheus-rule.js';

/**
 * Namespace of every namespaced object.
 * @default 'stemedb'
 */
export const DEFAULT_NAMESPACE = 'stemedb';

/**
 * Name of the Deployment, Service, container and the `app.kubernetes.io/name` selector label.
 * @default 'stemedb-api'
 */
export const DEFAULT_APP_NAME = 'stemedb-api';

/**
 * Port the server listens on (`STEMEDB_BIND_ADDR=0.0.0.0:<port>`), named `http` everywhere.
 * @default 18180
 */
export const DEFAULT_PORT = 18180;

/**
 * Image registry (Google Artifact Registry, roadmap ship blocker 5).
 * @default 'us-central1-docker.pkg.dev/orchard9/docker-images'
 */
export const DEFAULT_IMAGE_REGISTRY = 'us-central1-docker.pkg.dev/orchard9/docker-images';

/**
 * Image repository within the registry.
 * @default 'stemedb-api'
 */
export const DEFAULT_IMAGE_REPOSITORY = 'stemedb-api';

/**
 * Pull policy; with a pinned tag or digest there is nothing to re-pull.
 * @default 'IfNotPresent'
 */
export const DEFAULT_IMAGE_PULL_POLICY = 'IfNotPresent';

/**
 * The image pull Secret (roadmap ship blocker 5: `imagePullSecrets: gcr-secret`). Pull Secrets
 * are per namespace and the roadmap creates none in `stemedb`, so by default an ExternalSecret
 * makes it from a Secret Manager entry holding the registry's `.dockerconfigjson`.
 * @default { name: 'gcr-secret', remoteKey: 'stemedb-image-pull-secret' }
 */
export const DEFAULT_PULL_SECRET = {
  name: 'gcr-secret',
  remoteKey: 'stemedb-image-pull-secret',
} as const;

/**
 * The Longhorn StorageClass we create for StemeDB's volumes. Our own name, because the
 * `longhorn` class belongs to the Longhorn install and StorageClass parameters are immutable.
 * Two replicas, not three, halve cross-node fsync amplification (roadmap pvc.yaml); best-effort
 * data locality keeps a replica beside the pod (roadmap risk register, where it is misspelt
 * `bestEffort`); Retain keeps the data when a PVC is deleted by mistake (Phase 2 item 6).
 * Its name is per instance ({@link defaultStorageClassName}).
 * @default { create: true, numberOfReplicas: 2, dataLocality: 'best-effort', reclaimPolicy: 'Retain' }
 */
export const DEFAULT_STORAGE_CLASS = {
  create: true,
  numberOfReplicas: 2,
  dataLocality: 'best-effort',
  reclaimPolicy: 'Retain',
} as const;

/**
 * Size of the WAL volume when WAL and DB have a volume each (roadmap pvc.yaml).
 * @default '20Gi'
 */
export const DEFAULT_WAL_SIZE = '20Gi';

/**
 * Size of the DB volume when WAL and DB have a volume each (roadmap pvc.yaml).
 * @default '50Gi'
 */
export const DEFAULT_DB_SIZE = '50Gi';

/**
 * Size of the single data volume (the deployed layout: "PVC (50Gi Longhorn)", ship blocker 4).
 * @default '50Gi'
 */
export const DEFAULT_DATA_SIZE = '50Gi';

/**
 * Server container resources (roadmap deployment.yaml), except the memory request: the roadmap
 * requests 1Gi under a 4Gi limit, which makes the only replica of the database the kubelet's
 * first eviction candidate whenever the node runs short of memory. Requesting the limit
 * reserves it, so the pod is evicted last (rule `policy/memory-request-below-limit`).
 * @default { requests: { cpu: '500m', memory: '4Gi' }, limits: { cpu: '2000m', memory: '4Gi' } }
 */
export const DEFAULT_RESOURCES = {
  requests: { cpu: '500m', memory: '4Gi' },
  limits: { cpu: '2000m', memory: '4Gi' },
} as const;

/**
 * The expected worst case of WAL replay after a crash, in seconds: the roadmap's "can take 60s
 * after crash". The startup probe allows {@link MIN_STARTUP_MARGIN} times this.
 * @default 60
 */
export const DEFAULT_WAL_REPLAY_SECONDS = 60;

/**
 * How many times the expected replay the startup window must allow. The roadmap's window was
 * exactly the replay (5 s × 12 = 60 s), so a replay a little slower than the worst case seen
 * was killed and started again from the beginning: a crash loop while recovering.
 */
export const MIN_STARTUP_MARGIN = 2;

/**
 * The least a database's liveness probe must tolerate before it restarts the container: each
 * check may take this long to answer, and it fails only after this long without any answer.
 * Liveness answers "is the process stuck?", not "is it fast?": an I/O stall (compaction, a
 * Longhorn replica rebuild) makes a live database slow for tens of seconds, and a restart then
 * adds a WAL replay to the stall. Readiness takes a slow pod out of the Service instead.
 */
export const MIN_LIVENESS_TIMEOUT_SECONDS = 5;
export const MIN_LIVENESS_WINDOW_SECONDS = 60;

/**
 * Health probes, all on the health path (roadmap deployment.yaml) with different jobs:
 * startup allows twice the WAL replay (its failureThreshold is derived from `walReplaySeconds`
 * when not given: ceil(2 × 60 / 5) = 24, a 120 s window); readiness is tight (out of the
 * Service after 15 s of failed checks); liveness is loose (a 10 s answer is still alive, and it
 * restarts only after 2 minutes without one).
 * @default { path: '/v1/health', walReplaySeconds: 60, startup: { periodSeconds: 5, timeoutSeconds: 2 }, liveness: { periodSeconds: 20, failureThreshold: 6, timeoutSeconds: 10 }, readiness: { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 2 } }
 */
export const DEFAULT_PROBES = {
  path: '/v1/health',
  walReplaySeconds: DEFAULT_WAL_REPLAY_SECONDS,
  startup: { periodSeconds: 5, timeoutSeconds: 2 },
  liveness: { periodSeconds: 20, failureThreshold: 6, timeoutSeconds: 10 },
  readiness: { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 2 },
} as const;

/**
 * Time for in-flight WAL writes to complete on shutdown (roadmap deployment.yaml).
 * @default 30
 */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;

/**
 * Non-root identity of the server and backup pods (roadmap deployment.yaml).
 * @default { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 }
 */
export const DEFAULT_SECURITY_CONTEXT = {
  runAsUser: 1000,
  runAsGroup: 1000,
  fsGroup: 1000,
} as const;

/**
 * The path StemeDB serves Prometheus metrics on (CONTRACT: `GET /metrics`, on the API port; the
 * server has no separate metrics port). The ServiceMonitor scrapes it; the public route
 * excludes it.
 */
export const METRICS_PATH = '/metrics';

/**
 * The public route (a Traefik IngressRoute) through k3s's bundled Traefik, TLS from cert-manager (roadmap ingress.yaml).
 * @default { className: 'traefik', entryPoints: ['websecure'], clusterIssuer: 'letsencrypt-prod', tlsSecretName: 'stemedb-tls' }
 */
export const DEFAULT_INGRESS = {
  className: 'traefik',
  entryPoints: ['websecure'],
  clusterIssuer: 'letsencrypt-prod',
  tlsSecretName: 'stemedb-tls',
} as const;

/**
 * Traefik rate limit (roadmap middleware.yaml): 500 req/s on average, bursts of 1000. The
 * roadmap calls it global; Traefik limits per client IP unless told otherwise, so `global`
 * groups requests by host (`sourceCriterion.requestHost`).
 * @default { enabled: true, average: 500, burst: 1000, period: '1s', scope: 'global' }
 */
export const DEFAULT_RATE_LIMIT = {
  enabled: true,
  average: 500,
  burst: 1000,
  period: '1s',
  scope: 'global',
} as const;

/**
 * Where External Secrets Operator reads secrets (roadmap external-secret.yaml).
 * @default { name: 'gcp-secret-manager', kind: 'ClusterSecretStore', refreshInterval: '1h' }
 */
export const DEFAULT_SECRET_STORE = {
  name: 'gcp-secret-manager',
  kind: 'ClusterSecretStore',
  refreshInterval: '1h',
} as const;

/**
 * The root API key: Secret Manager entry, and the Secret and key it lands in (pre-deploy step 2).
 * @default { secretName: 'stemedb-secrets', secretKey: 'root-api-key', remoteKey: 'stemedb-root-api-key' }
 */
export const DEFAULT_ROOT_API_KEY = {
  secretName: 'stemedb-secrets',
  secretKey: 'root-api-key',
  remoteKey: 'stemedb-root-api-key',
} as const;

/**
 * rclone image of the backup job, pinned (the roadmap's `rclone/rclone:latest` is not
 * reproducible). Alpine-based: its shell is busybox.
 * @default 'rclone/rclone:1.68.2'
 */
export const DEFAULT_BACKUP_IMAGE = 'rclone/rclone:1.68.2';

/**
 * What every backup method shares: on, every 6 hours (roadmap Phase 2 "Backup CronJob"), and
 * Longhorn's own backups as the method (crash-consistent; see docs/restore.md).
 * @default { enabled: true, method: 'longhorn', schedule: '0 *\/6 * * *' }
 */
export const DEFAULT_BACKUP = {
  enabled: true,
  method: 'longhorn',
  schedule: '0 */6 * * *',
} as const;

/**
 * `backup.method: longhorn`: one Longhorn `RecurringJob` in Longhorn's namespace that backs up
 * every volume of the group `group` to the cluster's backup target, keeping `retain` backups
 * per volume (28 = one week at every 6 hours). `concurrency: 2` so that the WAL and DB volumes
 * of the split layout are snapshotted together: one at a time, the second snapshot would wait
 * for the first volume's whole upload, and the pair would be minutes apart (docs/restore.md).
 * The group (and the job's name) are per instance ({@link defaultRecurringJobGroup}).
 * @default { namespace: 'longhorn-system', retain: 28, concurrency: 2 }
 */
export const DEFAULT_LONGHORN_BACKUP = {
  namespace: 'longhorn-system',
  retain: 28,
  concurrency: 2,
} as const;

/**
 * The StorageClass of an instance, when `storage.storageClass.name` is not set: a StorageClass
 * is cluster-scoped and its parameters are immutable, so two instances (a staging namespace
 * with one replica beside production with two) must not share one name. The instance is its
 * namespace; the default namespace gives the name used before names were per instance.
 * @default `longhorn-${namespace}` (`longhorn-stemedb`)
 */
export function defaultStorageClassName(namespace: string): string {
  return `longhorn-${namespace}`;
}

/**
 * The Longhorn recurring-job group of an instance, when `backup.longhorn.group` is not set, and
 * the stem of its RecurringJob's name (`<namespace>-backup`): both live in Longhorn's namespace,
 * shared by every instance, where one fixed name let two instances overwrite (and, deleted,
 * remove) each other's backup job.
 * @default the namespace (`stemedb`)
 */
export function defaultRecurringJobGroup(namespace: string): string {
  return namespace;
}

/**
 * `backup.method: rclone`, the roadmap's CronJob, now an explicit opt-in: it copies live files
 * (not crash-consistent) to a GCS bucket, with credentials from a Secret Manager entry holding
 * a GCS service-account key (JSON).
 * @default { bucket: 'stemedb-backups', timeZone: 'Etc/UTC', secretName: 'rclone-gcs-config', credentialsRemoteKey: 'stemedb-backup-gcs-sa', keep: 28, resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1000m', memory: '512Mi' } } }
 */
export const DEFAULT_RCLONE_BACKUP = {
  bucket: 'stemedb-backups',
  timeZone: 'Etc/UTC',
  secretName: 'rclone-gcs-config',
  credentialsRemoteKey: 'stemedb-backup-gcs-sa',
  keep: 28,
  resources: {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '1000m', memory: '512Mi' },
  },
} as const;

/**
 * Namespaces a cluster of the target kind always has, so objects may live there without the
 * bundle emitting a Namespace: Kubernetes' own, and Longhorn's (k3s with Longhorn installed),
 * where Longhorn reads its RecurringJobs. Shared by rule `ref/namespace-not-emitted` and the
 * bundle's invariants.
 */
export const CLUSTER_NAMESPACES: readonly string[] = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  DEFAULT_LONGHORN_BACKUP.namespace,
];

/**
 * Prometheus Operator wiring (roadmap service-monitor.yaml): the `release` label its selector
 * matches, the namespace Prometheus scrapes from, and the scrape interval.
 * @default { enabled: true, releaseLabel: 'prometheus', prometheusNamespace: 'monitoring', scrapeInterval: '15s' }
 */
export const DEFAULT_MONITORING = {
  enabled: true,
  releaseLabel: 'prometheus',
  prometheusNamespace: 'monitoring',
  scrapeInterval: '15s',
} as const;

/**
 * NetworkPolicy (roadmap network-policy.yaml). Traefik runs in kube-system on k3s. The server
 * gets no HTTPS egress by default: the roadmap's reasons for 443 (backup, secrets) are the
 * backup pod and the External Secrets controller, not the server.
 * @default { enabled: true, traefikNamespace: 'kube-system', allowHttpsEgress: false }
 */
export const DEFAULT_NETWORK_POLICY = {
  enabled: true,
  traefikNamespace: 'kube-system',
  allowHttpsEgress: false,
} as const;

/**
 * PodDisruptionBudget with `maxUnavailable: 1` (not the roadmap's 0, which blocks drains).
 * @default { enabled: true }
 */
export const DEFAULT_PDB = { enabled: true } as const;

/**
 * Server switches (roadmap ship blockers 1–3): auth on, metering on, no CORS origins.
 * `nodeFailureTolerationSeconds`: how long the server pod stays bound to a node that is
 * not-ready or unreachable before it is evicted (Kubernetes adds 300 s when a pod says nothing).
 * One replica on a ReadWriteOnce volume means every second of it is an outage; 30 s rides out a
 * kubelet restart without flapping (docs/node-failure.md).
 * @default { authEnabled: true, meterEnabled: true, allowedOrigins: [], extraEnv: {}, nodeFailureTolerationSeconds: 30 }
 */
export const DEFAULT_SERVER = {
  authEnabled: true,
  meterEnabled: true,
  allowedOrigins: [],
  extraEnv: {},
  nodeFailureTolerationSeconds: 30,
} as const;

/**
 * Alert thresholds of the PrometheusRule (roadmap alert-rules.yaml).
 * @default { walFsyncP99Seconds: 0.05, volumeUsedRatio: 0.75, rateLimited429PerSecond: 1, errorRatio: 0.01, podAbsentFor: '2m' }
 */
export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = Object.freeze({
  walFsyncP99Seconds: 0.05,
  volumeUsedRatio: 0.75,
  rateLimited429PerSecond: 1,
  errorRatio: 0.01,
  podAbsentFor: '2m',
});

/**
 * How old the last successful backup may get before StemeDBBackupStale fires: 12 h, twice the
 * default 6-hourly schedule (`0 *\/6 * * *`), so one failed run is tolerated and two are not.
 * Set it to about 2 × the interval when the schedule changes.
 * @default 43200
 */
export const DEFAULT_BACKUP_MAX_AGE_SECONDS = 43200;

/**
 * Hosts that cannot be real: template domains and RFC 2606/6761 reserved names. Here with the
 * defaults because two modules must share one list: the config refuses these hosts, and rule
 * `policy/placeholder-host` reports them in hand-written manifests.
 */
export const PLACEHOLDER_HOST =
  /(your-?domain|your-?company|yoursite|changeme|replace-?me|<[^>]*>|\{\{|\$\{|(^|\.)example\.(com|org|net)$|(^|\.)example$|\.invalid$|\.test$|\.localhost$|^localhost$|\.local$)/i;
