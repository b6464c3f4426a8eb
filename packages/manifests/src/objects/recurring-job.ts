/**
 * `backup.method: longhorn` (the default): a Longhorn RecurringJob that backs up the StemeDB
 * volumes to the cluster's backup target. A Longhorn backup is made from a volume snapshot, a
 * crash-consistent image of the whole volume at one instant, which is what WAL replay after a
 * crash expects; the rclone CronJob copies live files one by one while compaction rewrites
 * them (docs/restore.md).
 */
import { backupOf, type StemeDeploymentConfig } from '../config/index.js';
import type { LonghornRecurringJob } from './crds.js';
import { backupMethod, type ObjectDescriptor } from './descriptor.js';
import { objectLabels, objectNames } from './meta.js';

/** PVC label without which Longhorn ignores a PVC's other recurring-job labels. */
export const RECURRING_JOB_SOURCE_LABEL = 'recurring-job.longhorn.io/source';

/** The PVC label that puts a volume into recurring-job group `group`. */
export function recurringJobGroupLabel(group: string): string {
  return `recurring-job-group.longhorn.io/${group}`;
}

/** The PVC label that attaches recurring job `name` to a volume directly. */
export function recurringJobLabel(name: string): string {
  return `recurring-job.longhorn.io/${name}`;
}

/**
 * Labels of a StemeDB PVC with the Longhorn backup. Longhorn copies recurring-job labels from a
 * PVC to its volume only when the PVC also carries `recurring-job.longhorn.io/source: enabled`;
 * with the group label alone the job selected no volume at all (a real incident, so rule
 * `ref/recurring-job-volumes` checks both).
 */
export function longhornPvcLabels(c: StemeDeploymentConfig): Record<string, string> {
  backupOf(c, 'longhorn');
  return {
    [RECURRING_JOB_SOURCE_LABEL]: 'enabled',
    [recurringJobGroupLabel(objectNames(c).recurringJobGroup)]: 'enabled',
  };
}

/**
 * The RecurringJob, in Longhorn's namespace (Longhorn reads them only there). Longhorn runs
 * `cron` in UTC. `retain` backups are kept per volume; each backup carries the labels below so
 * that the backups of this deployment can be told apart in the backup target.
 */
export function buildRecurringJob(c: StemeDeploymentConfig): LonghornRecurringJob {
  const b = backupOf(c, 'longhorn');
  const names = objectNames(c);
  const name = names.recurringJob;
  return {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'RecurringJob',
    metadata: {
      name,
      namespace: b.longhorn.namespace,
      labels: objectLabels(c, 'backup', names.backup),
    },
    spec: {
      name,
      task: 'backup',
      cron: b.schedule,
      retain: b.longhorn.retain,
      concurrency: b.longhorn.concurrency,
      groups: [names.recurringJobGroup],
      labels: { 'app.kubernetes.io/part-of': 'stemedb', 'stemedb.io/namespace': c.namespace },
    },
  };
}

/** Longhorn's backup job, after the claims it reaches, so its first run finds them labelled. */
export const recurringJobObject: ObjectDescriptor = {
  id: 'recurring-job',
  kind: 'RecurringJob',
  when: (c) => backupMethod(c) === 'longhorn',
  build: buildRecurringJob,
  invariants: [],
  docs: {
    object: 'Longhorn RecurringJob (`longhorn.io/v1beta2`, task `backup`), in `longhorn-system`',
    name: '`stemedb-backup`',
    when: '`backup.enabled`, `backup.method: longhorn` (default)',
    alternative: true,
  },
};
