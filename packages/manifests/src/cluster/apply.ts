/**
 * `apply`: server-side apply of every object, in dependency order, as field manager
 * `stemedb-manifests` (issue §5). The first error stops the run; the ClusterError says which
 * object failed, why, and what was applied before it. With an ApplySet, every object but a
 * Namespace is labelled as a member and recorded in the parent first; with `prune`, members
 * no longer rendered are deleted afterwards (prune.ts says in which order, and why).
 */
import { type KubeObject, objectRef } from '../types.js';
import { type ApplySetContents, asMember, isMemberKind, resolveApplySet } from './applyset.js';
import { type ClusterError, withApplied } from './errors.js';
import { checkOptions } from './options.js';
import { sortForApply } from './order.js';
import { listMembers, pruneTargets, readApplySet, widened, writeParent } from './prune.js';
import { type ClusterOptions, openSession } from './session.js';
import type { ApplyResult } from './types.js';

export interface ApplyOptions extends ClusterOptions {
  /** Run every server-side stage (admission, validation) but persist nothing. @default false */
  dryRun?: boolean;
  /** Called before and after each object. */
  onProgress?: (event: ApplyProgress) => void;
}

export interface ApplyProgress {
  /** `applying`/`applied` for each rendered object, `pruning`/`applied` for each pruned one. */
  phase: 'applying' | 'applied' | 'pruning';
  /** 0-based position: in apply order, then the pruned objects after them. */
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
  'applySet',
  'prune',
];

/**
 * Server-side applies `objects` in dependency order; returns one result per object, in that
 * order, then one (`pruned`) per member of `applySet` deleted with `prune`.
 */
export async function applyObjects(
  objects: readonly KubeObject[],
  options: ApplyOptions = {},
): Promise<ApplyResult[]> {
  checkOptions('applyObjects', options, APPLY_KEYS);
  const session = openSession(options);
  const set = options.applySet ? resolveApplySet(options.applySet) : undefined;
  const ordered = sortForApply(set ? objects.map((o) => asMember(o, set)) : objects);
  await session.guardVolumes(ordered);
  const dryRun = options.dryRun ?? false;
  const call = { dryRun, force: options.force ?? false, fieldManager: session.fieldManager };

  // Everything that could refuse the run is decided before the first write: the parent is
  // ours, and the prune deletes no claim unless allowed.
  const state = set ? await readApplySet(session, set, ordered) : undefined;
  const doomed =
    state && options.prune ? pruneTargets(await listMembers(session, state, ordered), ordered) : [];
  session.guardPrune(doomed);

  const total = ordered.length + doomed.length;
  const applied: ApplyResult[] = [];
  const record = async (contents: ApplySetContents) => {
    if (!state || dryRun) return;
    try {
      await writeParent(session, state.set, contents);
    } catch (error) {
      throw withApplied(error as ClusterError, applied);
    }
  };
  let widen = state !== undefined;
  for (const [index, obj] of ordered.entries()) {
    // Namespaces are not members and come first: the parent can be written once its own
    // namespace exists, and must be before the first member is.
    if (widen && state && isMemberKind(obj)) {
      await record(widened(state));
      widen = false;
    }
    const ref = objectRef(obj);
    options.onProgress?.({ phase: 'applying', index, total, ref });
    try {
      const { object, created } = await session.client.apply(obj, call);
      const result: ApplyResult = {
        ref,
        action: created ? 'created' : 'configured',
        dryRun,
        object,
      };
      applied.push(result);
      options.onProgress?.({ phase: 'applied', index, total, ref, result });
    } catch (error) {
      throw withApplied(session.error(error, obj), applied);
    }
  }
  // Nothing but Namespaces rendered: the parent still records what may need pruning.
  if (widen && state) await record(widened(state));
  if (!state || !options.prune) return applied;

  for (const [i, obj] of doomed.entries()) {
    const ref = objectRef(obj);
    const index = ordered.length + i;
    options.onProgress?.({ phase: 'pruning', index, total, ref });
    try {
      await session.client.remove(obj, dryRun);
    } catch (error) {
      throw withApplied(session.error(error, obj), applied);
    }
    const result: ApplyResult = { ref, action: 'pruned', dryRun, object: obj };
    applied.push(result);
    options.onProgress?.({ phase: 'applied', index, total, ref, result });
  }
  // Narrowed only now that every pruned object is gone: a run stopped before this point
  // leaves the wider record, and the next one prunes what this one could not.
  await record(state.rendered);
  return applied;
}
