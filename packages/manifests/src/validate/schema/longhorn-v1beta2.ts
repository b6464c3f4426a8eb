/**
 * OUR strict schema for Longhorn's `longhorn.io/v1beta2` RecurringJob (Longhorn ≥ 1.3), written
 * from the CRD's Go types (longhorn-manager `k8s/pkg/apis/longhorn/v1beta2/recurringjob.go`):
 * no kubernetes-models package covers Longhorn. Strict like the API server with a structural
 * schema: a field not listed here is reported as unknown. The bounds are those longhorn-manager's
 * admission webhook enforces (retain at most 100, concurrency at least 1).
 * If Longhorn adds a field we need, add it here.
 */
import { z } from 'zod';

const strMap = z.record(z.string(), z.string());

/** `RecurringJobType`: what the job does to each volume it reaches. */
export const RECURRING_JOB_TASKS = [
  'snapshot',
  'snapshot-force-create',
  'snapshot-cleanup',
  'snapshot-delete',
  'backup',
  'backup-force-create',
  'filesystem-trim',
  'system-backup',
] as const;

/** The tasks whose result leaves the cluster: a copy in the backup target. */
export const BACKUP_TASKS: readonly string[] = ['backup', 'backup-force-create'];

/** `longhorn.io/v1beta2` RecurringJob, without metadata (checked against ObjectMeta). */
export const recurringJobV1beta2 = z.strictObject({
  apiVersion: z.literal('longhorn.io/v1beta2'),
  kind: z.literal('RecurringJob'),
  metadata: z.unknown(),
  spec: z.strictObject({
    /** The job's name (Longhorn names its snapshots and backups after it). */
    name: z.string().optional(),
    /** Volumes labelled `recurring-job-group.longhorn.io/<group>: enabled` are reached. */
    groups: z.array(z.string()).optional(),
    task: z.enum(RECURRING_JOB_TASKS).optional(),
    /** Five-field cron, in UTC. */
    cron: z.string().optional(),
    /** Snapshots or backups kept per volume (webhook: at most 100). */
    retain: z.int().min(0).max(100).optional(),
    /** How long to keep them with `retentionPolicy: age-based`, e.g. `7d`. */
    retainAge: z.string().optional(),
    retentionPolicy: z.enum(['count-based', 'age-based']).optional(),
    /** Volumes the job works on at the same time (webhook: at least 1). */
    concurrency: z.int().min(1).optional(),
    /** Labels put on each snapshot or backup. */
    labels: strMap.optional(),
    /** Task parameters, e.g. `full-backup-interval` for backups. */
    parameters: strMap.optional(),
  }),
  status: z
    .strictObject({
      ownerID: z.string().optional(),
      executionCount: z.int().optional(),
    })
    .optional(),
});
