/**
 * `apply`: server-side apply of every object, in dependency order, as field manager
 * `stemedb-manifests` (issue §5). The first error stops the run; the ClusterError says which
 * object failed, why, and what was applied before it.
 */
import { type KubeObject, objectRef } from '../types.js';
import { withApplied } from './errors.js';
import { checkOptions } from './options.js';
import { sortForApply } from './order.js';
import { type ClusterOptions, openSession } from './session.js';
import type { ApplyResult } from './types.js';

export interface ApplyOptions extends ClusterOptions {
  /** Run every server-side stage (admission, validation) but persist nothing. @default false */
  dryRun?: boolean;
  /** Called before and after each object. */
  onProgress?: (event: ApplyProgress) => void;
}

export interface ApplyProgress {
  phase: 'applying' | 'applied';
  /** 0-based position in apply order. */
  index: number;
  total: number;
  ref: string;
  result?: ApplyResult;
}

const APPLY_KEYS = [
  'kubeConfig',
  'fieldManager',
  'force',
  'fieldValidation',
  'timeoutMs',
  'dryRun',
  'onProgress',
  'allowVolumeChange',
];

/** Server-side applies `objects` in dependency order; returns one result per object, in that order. */
export async function applyObjects(
  objects: readonly KubeObject[],
  options: ApplyOptions = {},
): Promise<ApplyResult[]> {
  checkOptions('applyObjects', options, APPLY_KEYS);
  const session = openSession(options);
  const ordered = sortForApply(objects);
  await session.guardVolumes(ordered);
  const call = {
    dryRun: options.dryRun ?? false,
    force: options.force ?? false,
    fieldManager: session.fieldManager,
  };
  const applied: ApplyResult[] = [];
  for (const [index, obj] of ordered.entries()) {
    const ref = objectRef(obj);
    options.onProgress?.({ phase: 'applying', index, total: ordered.length, ref });
    try {
      const { object, created } = await session.client.apply(obj, call);
      const result: ApplyResult = {
        ref,
        action: created ? 'created' : 'configured',
        dryRun: call.dryRun,
        object,
      };
      applied.push(result);
      options.onProgress?.({ phase: 'applied', index, total: ordered.length, ref, result });
    } catch (error) {
      throw withApplied(session.error(error, obj), applied);
    }
  }
  return applied;
}
