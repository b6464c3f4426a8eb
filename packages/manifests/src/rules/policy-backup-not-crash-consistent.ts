/**
 * A backup job that mounts the claim a running database writes and copies its files one by one
 * (the roadmap's rclone CronJob) reads a moving target: an LSM store compacts and rotates files
 * underneath the copy, so the copy can be a set of files that never existed together, a backup
 * that fails on the day it is needed. A snapshot-based backup (Longhorn's, or a
 * CSI VolumeSnapshot) captures the whole volume at one instant instead, as a crash would leave
 * it, which WAL replay is made for. Not reported when a Longhorn backup RecurringJob reaches the
 * same volume too: the file copy is then a second copy, not the one a restore depends on.
 */
import { namespaceOf } from '../validate/context.js';
import { reaches, recurringJobs } from '../validate/longhorn.js';
import type { Rule } from '../validate/rule.js';
import { claimVolumes } from '../validate/workloads.js';

const isBatch = (kind: string) => kind === 'Job' || kind === 'CronJob';

export const policyBackupNotCrashConsistent: Rule = {
  id: 'policy/backup-not-crash-consistent',
  severity: 'warning',
  description:
    'A CronJob does not copy the files of a claim a long-running workload writes (not crash-consistent) unless a Longhorn backup also covers that volume.',
  *check(context) {
    const backups = recurringJobs(context).filter((j) => j.backsUp);
    for (const job of context.workloads.filter((w) => w.kind === 'CronJob')) {
      for (const claim of claimVolumes(job)) {
        const writer = context.workloads.find(
          (w) =>
            !isBatch(w.kind) &&
            w.namespace === job.namespace &&
            claimVolumes(w).some((c) => c.claimName === claim.claimName),
        );
        if (!writer) continue;
        const pvc = context.find('PersistentVolumeClaim', job.namespace, claim.claimName);
        if (pvc && backups.some((b) => reaches(b, pvc))) continue;
        yield {
          object: job.object,
          path: claim.path,
          message: `copies claim "${claim.claimName}" while ${writer.kind} ${writer.object.metadata.name} writes it: a file-by-file copy of a live database is not crash-consistent (compaction rewrites files under the copy), so the backup may not restore`,
          fix: `use Longhorn backups instead (stemedb-manifests: backup.method: longhorn; a longhorn.io/v1beta2 RecurringJob with task backup, and the PVC labelled recurring-job.longhorn.io/source: enabled plus its group label), or back up a VolumeSnapshot in ${namespaceOf(job.object)}`,
        };
      }
    }
  },
};
