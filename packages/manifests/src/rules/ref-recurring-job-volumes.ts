/**
 * A Longhorn backup RecurringJob must reach every volume it is meant for. Longhorn attaches a
 * job to a volume through labels that it copies from the PVC only when the PVC also carries
 * `recurring-job.longhorn.io/source: enabled`: with the group label alone, a real job selected
 * zero volumes and backed up nothing, silently. And a database on two volumes (WAL and DB) is
 * restorable only if both are backed up: a server's claims are all reached or the backup is
 * not one.
 */
import { RECURRING_JOB_SOURCE_LABEL, recurringJobGroupLabel } from '../objects/recurring-job.js';
import type { KubeObject } from '../types.js';
import { namespaceOf } from '../validate/context.js';
import { labelFor, reaches, recurringJobs } from '../validate/longhorn.js';
import type { Issue, Rule } from '../validate/rule.js';
import { claimVolumes } from '../validate/workloads.js';

const isBatch = (kind: string) => kind === 'Job' || kind === 'CronJob';

export const refRecurringJobVolumes: Rule = {
  id: 'ref/recurring-job-volumes',
  severity: 'error',
  description:
    'A Longhorn backup RecurringJob reaches a PVC (source label plus its group or name label), and every PVC of each server it backs up.',
  *check(context) {
    const pvcs = context.ofKind('PersistentVolumeClaim', '');
    for (const job of recurringJobs(context).filter((j) => j.backsUp)) {
      const meant = pvcs.filter((pvc) => labelFor(job, pvc) !== undefined);
      const ref = `RecurringJob ${job.name}`;
      const groupLabel = recurringJobGroupLabel(job.groups[0] ?? job.name);
      if (meant.length === 0) {
        // Linted alone (no PVC in sight), the job cannot be judged: the claims are elsewhere.
        if (pvcs.length === 0) continue;
        yield {
          object: job.object,
          path: 'spec.groups',
          message: `${ref} reaches no PVC of the bundle: none is labelled for its groups (${job.groups.join(', ') || 'none'}) or its name, so it backs up nothing`,
          fix: `label the server's PVCs ${RECURRING_JOB_SOURCE_LABEL}: enabled and ${groupLabel}: enabled`,
        };
        continue;
      }
      for (const pvc of meant) {
        if (reaches(job, pvc)) continue;
        yield {
          object: pvc,
          path: 'metadata.labels',
          message: `carries ${labelFor(job, pvc)} but not ${RECURRING_JOB_SOURCE_LABEL}: enabled: Longhorn copies a PVC's recurring-job labels to its volume only with it, so ${ref} never backs up this volume`,
          fix: `add the label ${RECURRING_JOB_SOURCE_LABEL}: enabled`,
        };
      }
      yield* missingSiblings(context, pvcs, meant, ref, groupLabel);
    }
  },
};

/** Claims mounted beside a reached one by the same server, that the job does not reach. */
function* missingSiblings(
  context: Parameters<Rule['check']>[0],
  pvcs: KubeObject[],
  meant: KubeObject[],
  ref: string,
  groupLabel: string,
): Iterable<Issue> {
  const reported = new Set<KubeObject>();
  const key = (namespace: string, name: string) => `${namespace}/${name}`;
  const meantKeys = new Set(meant.map((p) => key(namespaceOf(p), p.metadata.name)));
  for (const w of context.workloads.filter((w) => !isBatch(w.kind))) {
    const claims = claimVolumes(w).map((c) => key(w.namespace, c.claimName));
    const backedUp = claims.filter((c) => meantKeys.has(c));
    if (backedUp.length === 0) continue;
    for (const claim of claims) {
      if (meantKeys.has(claim)) continue;
      const pvc = pvcs.find((p) => key(namespaceOf(p), p.metadata.name) === claim);
      if (!pvc || reported.has(pvc)) continue;
      reported.add(pvc);
      yield {
        object: pvc,
        path: 'metadata.labels',
        message: `${w.kind} ${w.object.metadata.name} mounts this claim beside ${backedUp.map((c) => c.split('/')[1]).join(', ')}, which ${ref} backs up, but ${ref} does not reach it: a restore brings back one volume without the other`,
        fix: `label it ${RECURRING_JOB_SOURCE_LABEL}: enabled and ${groupLabel}: enabled`,
      };
    }
  }
}
