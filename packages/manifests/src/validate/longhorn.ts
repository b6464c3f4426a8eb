/**
 * Which PVCs a Longhorn RecurringJob reaches, read from labels as longhorn-manager does: a PVC
 * labelled `recurring-job-group.longhorn.io/<group>: enabled` (one of the job's groups) or
 * `recurring-job.longhorn.io/<job name>: enabled` is meant for the job, and Longhorn copies
 * those labels to the volume only when the PVC also has `recurring-job.longhorn.io/source:
 * enabled`. The `default` group reaches every volume with no recurring-job label at all.
 * Shared by rules `ref/recurring-job-volumes` and `policy/backup-not-crash-consistent`.
 */
import {
  RECURRING_JOB_SOURCE_LABEL,
  recurringJobGroupLabel,
  recurringJobLabel,
} from '../objects/recurring-job.js';
import type { KubeObject } from '../types.js';
import type { RuleContext } from './context.js';
import { arr, obj, str, strMap } from './json.js';
import { BACKUP_TASKS } from './schema/longhorn-v1beta2.js';

/** A RecurringJob as the rules read it. */
export interface RecurringJobView {
  object: KubeObject;
  /** `spec.name`, or the object's name. */
  name: string;
  groups: string[];
  /** Its task leaves a copy in the backup target (backup, backup-force-create). */
  backsUp: boolean;
}

/** The RecurringJobs of the bundle. */
export function recurringJobs(context: RuleContext): RecurringJobView[] {
  return context.ofKind('RecurringJob', 'longhorn.io').map((object) => {
    const spec = obj(object.spec);
    return {
      object,
      name: str(spec.name) ?? object.metadata.name,
      groups: arr(spec.groups).flatMap((g) => (str(g) ? [g as string] : [])),
      backsUp: BACKUP_TASKS.includes(str(spec.task) ?? ''),
    };
  });
}

/** The label by which `pvc` is meant for `job`, or undefined when it is not. */
export function labelFor(job: RecurringJobView, pvc: KubeObject): string | undefined {
  const labels = strMap(pvc.metadata.labels);
  const keys = [recurringJobLabel(job.name), ...job.groups.map(recurringJobGroupLabel)];
  const key = keys.find((k) => k !== RECURRING_JOB_SOURCE_LABEL && labels[k] === 'enabled');
  if (key) return key;
  const unlabelled = !Object.keys(labels).some((k) => k.startsWith('recurring-job'));
  return job.groups.includes('default') && unlabelled ? 'the default group' : undefined;
}

/** True when Longhorn syncs the PVC's recurring-job labels to its volume. */
export function hasSourceLabel(pvc: KubeObject): boolean {
  return strMap(pvc.metadata.labels)[RECURRING_JOB_SOURCE_LABEL] === 'enabled';
}

/** True when `job` really reaches `pvc`'s volume. */
export function reaches(job: RecurringJobView, pvc: KubeObject): boolean {
  const label = labelFor(job, pvc);
  return label !== undefined && (label === 'the default group' || hasSourceLabel(pvc));
}
