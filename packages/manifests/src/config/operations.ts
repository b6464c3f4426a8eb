/**
 * Config sections for running the service: secrets from External Secrets, the backup (Longhorn
 * RecurringJob or rclone CronJob),
 * monitoring and alert thresholds, and the PodDisruptionBudget.
 */
import { Cron } from 'croner';
import { z } from 'zod';
import * as D from '../defaults.js';
import type { AlertThresholds } from '../objects/prometheus-rule.js';
import {
  dnsLabel,
  dnsName,
  duration,
  labelValue,
  pinnedImage,
  promDuration,
  resources,
} from './primitives.js';

/** The root API key's Secret Manager entry and the Secret it lands in. */
export const rootApiKeySchema = z
  .strictObject({
    /** @default 'stemedb-secrets' */
    secretName: dnsName.default(D.DEFAULT_ROOT_API_KEY.secretName),
    /** @default 'root-api-key' */
    secretKey: z
      .string()
      .regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key: a-z, A-Z, 0-9, "-", "_" and "."')
      .default(D.DEFAULT_ROOT_API_KEY.secretKey),
    /** @default 'stemedb-root-api-key' */
    remoteKey: z.string().min(1).default(D.DEFAULT_ROOT_API_KEY.remoteKey),
  })
  .prefault({});

/** The External Secrets store every ExternalSecret reads from. */
export const secretStoreSchema = z
  .strictObject({
    /** @default 'gcp-secret-manager' */
    name: dnsName.default(D.DEFAULT_SECRET_STORE.name),
    /** @default 'ClusterSecretStore' */
    kind: z.enum(['ClusterSecretStore', 'SecretStore']).default(D.DEFAULT_SECRET_STORE.kind),
    /** @default '1h' */
    refreshInterval: duration.default(D.DEFAULT_SECRET_STORE.refreshInterval),
  })
  .prefault({});

/** What croner finds wrong with a cron expression, or undefined when it parses. */
function cronProblem(expression: string): string | undefined {
  try {
    new Cron(expression, { paused: true }).stop();
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, '');
  }
}

/** Fields every backup method has. */
const backupShared = {
  /** @default true */
  enabled: z.boolean().default(D.DEFAULT_BACKUP.enabled),
  /** Five-field cron expression (UTC for Longhorn). @default '0 *\/6 * * *' */
  schedule: z
    .string()
    .regex(
      /^@(hourly|daily|weekly|monthly|yearly)$|^(\S+\s+){4}\S+$/,
      'must be a five-field cron expression',
    )
    // The shape above, the values here: croner's parser refuses `61 * * * *` or a weekday 8,
    // which Kubernetes and Longhorn would only refuse at apply time (or never run).
    .superRefine((schedule, ctx) => {
      const problem = cronProblem(schedule);
      if (problem)
        ctx.addIssue({ code: 'custom', message: `not a valid cron expression: ${problem}` });
    })
    .default(D.DEFAULT_BACKUP.schedule),
};

/** The Longhorn RecurringJob that backs up the StemeDB volumes. */
const longhornSchema = z
  .strictObject({
    /** Longhorn's namespace, where it reads RecurringJobs. @default 'longhorn-system' */
    namespace: dnsLabel.default(D.DEFAULT_LONGHORN_BACKUP.namespace),
    /**
     * Recurring-job group the PVCs are labelled with (`recurring-job-group.longhorn.io/<group>`).
     * Not `default`: Longhorn gives that group to every volume without recurring-job labels.
     * Derived from the namespace unless set, so that two instances' jobs reach only their own
     * volumes (`stemedb` for the default namespace).
     */
    group: z
      .string()
      // One pattern (not a refine) so that the JSON Schema refuses "default" too.
      .regex(
        /^(?!default$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
        'must be a DNS label other than "default" (Longhorn gives that group to every volume without recurring-job labels)',
      )
      .optional(),
    /** Backups kept per volume. @default 28 (one week at every 6 hours) */
    retain: z.number().int().min(1).max(100).default(D.DEFAULT_LONGHORN_BACKUP.retain),
    /** Volumes backed up at the same time: 2 snapshots WAL and DB together. @default 2 */
    concurrency: z.number().int().min(1).default(D.DEFAULT_LONGHORN_BACKUP.concurrency),
  })
  .prefault({});

/** `method: longhorn` (the default): Longhorn's crash-consistent snapshot backups. */
const longhornBackupSchema = z.strictObject({
  /** @default 'longhorn' */
  method: z.literal('longhorn').default(D.DEFAULT_BACKUP.method),
  ...backupShared,
  /** The RecurringJob. */
  longhorn: longhornSchema,
});

/** `method: rclone` (opt-in): the roadmap's CronJob copying live files to GCS. */
const rcloneBackupSchema = z.strictObject({
  method: z.literal('rclone'),
  ...backupShared,
  /** GCS bucket. @default 'stemedb-backups' */
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, 'must be a GCS bucket name')
    .default(D.DEFAULT_RCLONE_BACKUP.bucket),
  /** IANA time zone of the schedule. @default 'Etc/UTC' */
  timeZone: z.string().min(1).default(D.DEFAULT_RCLONE_BACKUP.timeZone),
  /** Pinned rclone image. @default 'rclone/rclone:1.68.2' */
  image: pinnedImage.default(D.DEFAULT_BACKUP_IMAGE),
  /** Secret with the rclone config, made by an ExternalSecret. @default 'rclone-gcs-config' */
  secretName: dnsName.default(D.DEFAULT_RCLONE_BACKUP.secretName),
  /** Secret Manager entry with the GCS service-account key (JSON). @default 'stemedb-backup-gcs-sa' */
  credentialsRemoteKey: z.string().min(1).default(D.DEFAULT_RCLONE_BACKUP.credentialsRemoteKey),
  /** @default { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1000m', memory: '512Mi' } } */
  resources: resources(D.DEFAULT_RCLONE_BACKUP.resources),
  /** Retention in the bucket. */
  rclone: z
    .strictObject({
      /**
       * Copies kept (each a DB copy and its WAL segments); older ones are removed after each
       * run. @default 28 (one week at every 6 hours)
       */
      keep: z.number().int().min(1).max(1000).default(D.DEFAULT_RCLONE_BACKUP.keep),
    })
    .prefault({}),
});

/** Keys only `method: rclone` has, to say so when one is given with Longhorn. */
export const RCLONE_ONLY_BACKUP_KEYS: readonly string[] = Object.keys(
  rcloneBackupSchema.shape,
).filter((k) => !(k in longhornBackupSchema.shape));

/**
 * The backup (roadmap Phase 2), by method: `longhorn` (default) or `rclone`. A missing method
 * is `longhorn`, so a config that sets only `enabled` or `schedule` stays valid.
 */
export const backupSchema = z
  .discriminatedUnion('method', [longhornBackupSchema, rcloneBackupSchema], {
    error:
      'must be "longhorn" (the default: crash-consistent Longhorn backups) or "rclone" (a file copy of live files)',
  })
  .prefault({});

const ratio = z
  .number()
  .gt(0, 'must be a fraction between 0 and 1, e.g. 0.75')
  .lt(1, 'must be a fraction between 0 and 1, e.g. 0.75');

/**
 * Alert thresholds, typed against the alerts module's `AlertThresholds` so they cannot drift,
 * plus the backup alert's maximum age (passed to the alerts module as `backup.maxAgeSeconds`).
 */
const alertsSchema = z
  .strictObject({
    /** WAL fsync p99 above which StemeDBWALLatencyHigh fires. @default 0.05 */
    walFsyncP99Seconds: z
      .number()
      .positive()
      .default(D.DEFAULT_ALERT_THRESHOLDS.walFsyncP99Seconds),
    /** PVC used/capacity above which StemeDBDataVolumeNearlyFull fires. @default 0.75 */
    volumeUsedRatio: ratio.default(D.DEFAULT_ALERT_THRESHOLDS.volumeUsedRatio),
    /** 429s per second above which StemeDBRateLimitSaturating fires. @default 1 */
    rateLimited429PerSecond: z
      .number()
      .nonnegative()
      .default(D.DEFAULT_ALERT_THRESHOLDS.rateLimited429PerSecond),
    /** 5xx ratio above which StemeDBErrorRateHigh fires. @default 0.01 */
    errorRatio: ratio.default(D.DEFAULT_ALERT_THRESHOLDS.errorRatio),
    /** How long the target may be absent before StemeDBPodNotRunning fires. @default '2m' */
    podAbsentFor: promDuration.default(D.DEFAULT_ALERT_THRESHOLDS.podAbsentFor),
    /**
     * Seconds since the backup CronJob's last success above which StemeDBBackupStale fires
     * (only with `backup.enabled`). Keep it about 2 × the schedule interval: raise it when
     * `backup.schedule` runs less often than every 6 hours. @default 43200 (12 h)
     */
    backupMaxAgeSeconds: z
      .number()
      .int('must be a whole number of seconds, e.g. 43200')
      .positive()
      .default(D.DEFAULT_BACKUP_MAX_AGE_SECONDS),
  } satisfies { [K in keyof AlertThresholds]-?: z.ZodType<AlertThresholds[K]> } & {
    backupMaxAgeSeconds: z.ZodType<number>;
  })
  .prefault({});

/** ServiceMonitor and PrometheusRule (roadmap Phase 2 "Monitoring"). */
export const monitoringSchema = z
  .strictObject({
    /** @default true */
    enabled: z.boolean().default(D.DEFAULT_MONITORING.enabled),
    /** Value of the `release` label the Prometheus Operator selects on. @default 'prometheus' */
    releaseLabel: labelValue.default(D.DEFAULT_MONITORING.releaseLabel),
    /** Namespace Prometheus scrapes from, allowed in by the NetworkPolicy. @default 'monitoring' */
    prometheusNamespace: dnsLabel.default(D.DEFAULT_MONITORING.prometheusNamespace),
    /** @default '15s' */
    scrapeInterval: duration.default(D.DEFAULT_MONITORING.scrapeInterval),
    /** Alert thresholds; defaults from the roadmap's alert-rules.yaml. */
    alerts: alertsSchema,
  })
  .prefault({});

/** @default { enabled: true } */
export const podDisruptionBudgetSchema = z
  .strictObject({ enabled: z.boolean().default(D.DEFAULT_PDB.enabled) })
  .prefault({});
