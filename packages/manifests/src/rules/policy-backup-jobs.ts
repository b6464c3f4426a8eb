/**
 * Backup jobs beside a single-writer database. The backup pod mounts the server's
 * ReadWriteOnce volume, which is attached to the server's node: unless the job is pinned to
 * that node (pod affinity to the server), it is scheduled elsewhere, waits forever for the
 * volume, and with concurrencyPolicy Forbid blocks every later backup too. Runs must never
 * overlap, must be bounded in time, and must be watched.
 */
import { arr, obj } from '../validate/json.js';
import { recurringJobs } from '../validate/longhorn.js';
import { joinPath } from '../validate/paths.js';
import { rwoClaims } from '../validate/relations.js';
import type { Rule } from '../validate/rule.js';
import { selects } from '../validate/selectors.js';
import { claimVolumes, type Workload } from '../validate/workloads.js';

const isBatch = (w: Workload) => w.kind === 'Job' || w.kind === 'CronJob';

/**
 * True when the pod must run on the same node as pods with `labels` (`podAffinity`), or, with
 * `podAntiAffinity`, must never run on theirs.
 */
function pinnedTo(
  w: Workload,
  labels: Record<string, string>,
  kind: 'podAffinity' | 'podAntiAffinity' = 'podAffinity',
): boolean {
  const terms = arr(obj(obj(w.pod.affinity)[kind]).requiredDuringSchedulingIgnoredDuringExecution);
  return terms.some((term) => {
    const t = obj(term);
    return t.topologyKey === 'kubernetes.io/hostname' && selects(t.labelSelector, labels);
  });
}

export const policyBackupRwoAffinity: Rule = {
  id: 'policy/backup-rwo-affinity',
  severity: 'error',
  description:
    "A Job/CronJob that mounts a ReadWriteOnce claim the server holds is pinned to the server's node by required pod affinity (or, to run only while the server is stopped, kept off it by required pod anti-affinity).",
  *check(context) {
    for (const job of context.workloads.filter(isBatch)) {
      for (const claim of rwoClaims(context, job)) {
        const holder = context.workloads.find(
          (w) =>
            !isBatch(w) &&
            w.namespace === job.namespace &&
            claimVolumes(w).some((c) => c.claimName === claim.claimName),
        );
        if (!holder) continue;
        if (claim.mode === 'ReadWriteOncePod') {
          yield {
            object: job.object,
            path: claim.path,
            message: `claim "${claim.claimName}" is ReadWriteOncePod and held by ${holder.kind} ${holder.object.metadata.name}: the job can never mount it`,
            fix: 'back up through the server (an API or a snapshot), or use a VolumeSnapshot instead of mounting the claim',
          };
          continue;
        }
        // Kept off the server's node, the job cannot attach the volume while the server
        // holds it: it runs only once the server is stopped (a restore that writes the claim).
        if (pinnedTo(job, holder.labels) || pinnedTo(job, holder.labels, 'podAntiAffinity'))
          continue;
        yield {
          object: job.object,
          path: joinPath(job.podPath, 'affinity', 'podAffinity'),
          message: `mounts ReadWriteOnce claim "${claim.claimName}", attached to the node of ${holder.kind} ${holder.object.metadata.name}; scheduled on any other node the job waits forever (Multi-Attach error)`,
          fix: `add ${joinPath(job.podPath, 'affinity', 'podAffinity', 'requiredDuringSchedulingIgnoredDuringExecution')}: [{ labelSelector: { matchLabels: ${JSON.stringify(holder.labels)} }, topologyKey: kubernetes.io/hostname }]`,
        };
      }
    }
  },
};

export const policyCronjobConcurrency: Rule = {
  id: 'policy/cronjob-concurrency',
  severity: 'error',
  description:
    'A CronJob that mounts persistent volumes (a backup) sets concurrencyPolicy: Forbid, so runs never overlap.',
  *check(context) {
    for (const w of context.workloads) {
      if (w.kind !== 'CronJob' || claimVolumes(w).length === 0) continue;
      const policy = obj(w.object.spec).concurrencyPolicy;
      if (policy === 'Forbid') continue;
      yield {
        object: w.object,
        path: 'spec.concurrencyPolicy',
        message: `concurrencyPolicy is ${policy === undefined ? 'Allow (the default)' : String(policy)}: a slow backup overlaps the next, two copies of the same files race to the bucket`,
        fix: 'set spec.concurrencyPolicy: Forbid',
      };
    }
  },
};

export const policyJobDeadline: Rule = {
  id: 'policy/job-deadline',
  severity: 'warning',
  description:
    'A CronJob bounds each run (activeDeadlineSeconds), so one hung run cannot block every later one.',
  *check(context) {
    for (const w of context.workloads) {
      if (w.kind !== 'CronJob') continue;
      const jobSpec = obj(obj(obj(w.object.spec).jobTemplate).spec);
      if (jobSpec.activeDeadlineSeconds !== undefined || w.pod.activeDeadlineSeconds !== undefined)
        continue;
      yield {
        object: w.object,
        path: 'spec.jobTemplate.spec.activeDeadlineSeconds',
        message:
          'runs have no deadline: a run that hangs (a volume that never attaches, a stalled upload) runs forever, and with concurrencyPolicy Forbid no later run starts',
        fix: 'set spec.jobTemplate.spec.activeDeadlineSeconds below the schedule interval (e.g. 3600 for a 6-hourly backup)',
      };
    }
  },
};

export const policyBackupUnmonitored: Rule = {
  id: 'policy/backup-unmonitored',
  severity: 'warning',
  description:
    'Some alert watches each CronJob and each Longhorn backup RecurringJob (its name appears in a PrometheusRule expression), so a failing backup pages someone.',
  *check(context) {
    const exprs = context
      .ofKind('PrometheusRule')
      .flatMap((rule) => arr(obj(rule.spec).groups).flatMap((g) => arr(obj(g).rules)))
      .map((r) => String(obj(r).expr ?? ''));
    for (const w of context.workloads) {
      if (w.kind !== 'CronJob') continue;
      const name = w.object.metadata.name;
      if (exprs.some((e) => e.includes(name))) continue;
      yield {
        object: w.object,
        path: 'metadata.name',
        message: `no alert mentions CronJob "${name}": if it fails every run, nobody finds out until a restore is needed`,
        fix: `alert on it, e.g. time() - kube_cronjob_status_last_successful_time{namespace="${w.namespace}", cronjob="${name}"} > 2 × the schedule interval (kube-state-metrics)`,
      };
    }
    for (const job of recurringJobs(context).filter((j) => j.backsUp)) {
      if (exprs.some((e) => e.includes(job.name))) continue;
      yield {
        object: job.object,
        path: 'spec.name',
        message: `no alert mentions RecurringJob "${job.name}": if its backups fail (an unreachable backup target, expired credentials), nobody finds out until a restore is needed`,
        fix: `alert when a volume has no new Completed backup for 2 × the schedule interval: longhorn_backup_state{recurring_job="${job.name}"} == 3, compared with itself offset by that age (see StemeDBBackupStale in stemedb-manifests)`,
      };
    }
  },
};
