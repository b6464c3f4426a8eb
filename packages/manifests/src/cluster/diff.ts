/**
 * `diff`: what `apply` would change, asked of the server itself. Each object is server-side
 * applied with `dryRun=All` (defaulting, admission and field ownership included, nothing
 * persisted) and the result compared with the live object from a GET; a 404 means the apply
 * would create it. Like `kubectl diff --server-side`, but reported as field paths.
 */
import { type KubeObject, objectRef } from '../types.js';
import { asMember, resolveApplySet } from './applyset.js';
import { checkOptions } from './options.js';
import { sortForApply } from './order.js';
import { listMembers, pruneTargets, readApplySet } from './prune.js';
import { type ClusterOptions, openSession } from './session.js';

export type DiffOptions = ClusterOptions;

export interface DiffResult {
  /** `Kind/namespace/name`. */
  ref: string;
  /** `delete`: a member of the ApplySet that `apply --prune` would delete (diff with `prune`). */
  action: 'create' | 'update' | 'unchanged' | 'delete';
  /** Paths of the fields that would change, e.g. `spec.template.spec.containers[0].image`; empty for `create`. */
  changes: string[];
  /** Why the server could not check this object, when it could not. */
  note?: string;
}

const DIFF_KEYS = [
  'kubeConfig',
  'fieldManager',
  'force',
  'fieldValidation',
  'timeoutMs',
  'allowVolumeChange',
  'applySet',
  'prune',
];

/** Fields the server changes on every write or owns itself: never a difference we made. */
const VOLATILE_METADATA = ['managedFields', 'resourceVersion', 'generation'];

/**
 * Diffs `objects` against the cluster, in apply order; with `prune`, then the members of the
 * ApplySet that `applyObjects` would delete, decided by the same function. Stops at the first
 * error (a ClusterError), as apply would.
 */
export async function diffObjects(
  objects: readonly KubeObject[],
  options: DiffOptions = {},
): Promise<DiffResult[]> {
  checkOptions('diffObjects', options, DIFF_KEYS);
  const session = openSession(options);
  const set = options.applySet ? resolveApplySet(options.applySet) : undefined;
  // Labelled as apply labels them, so that the label is not reported as a change.
  const ordered = sortForApply(set ? objects.map((o) => asMember(o, set)) : objects);
  const state = set ? await readApplySet(session, set, ordered) : undefined;
  const doomed =
    state && options.prune ? pruneTargets(await listMembers(session, state, ordered), ordered) : [];
  session.guardPrune(doomed);
  const call = { dryRun: true, force: options.force ?? false, fieldManager: session.fieldManager };
  // Namespaces the apply would create: objects in them cannot be dry-run yet (the server 404s).
  const newNamespaces = new Set<string>();
  const results: DiffResult[] = [];
  for (const obj of ordered) {
    const ref = objectRef(obj);
    const ns = obj.metadata.namespace;
    if (ns !== undefined && newNamespaces.has(ns)) {
      results.push({
        ref,
        action: 'create',
        changes: [],
        note: `namespace ${ns} does not exist yet, so the server could not dry-run this object`,
      });
      continue;
    }
    try {
      const live = await session.client.get(obj);
      session.guardVolume(obj, live);
      const after = await session.client.apply(obj, call);
      if (!live) {
        if (obj.kind === 'Namespace') newNamespaces.add(obj.metadata.name);
        results.push({ ref, action: 'create', changes: [] });
        continue;
      }
      const changes = fieldChanges(comparable(live), comparable(after.object));
      results.push({ ref, action: changes.length > 0 ? 'update' : 'unchanged', changes });
    } catch (error) {
      throw session.error(error, obj);
    }
  }
  for (const obj of doomed) results.push({ ref: objectRef(obj), action: 'delete', changes: [] });
  return results;
}

/** The object without status and the metadata every write changes. */
function comparable(obj: KubeObject): unknown {
  const { status: _status, ...rest } = obj;
  const metadata: Record<string, unknown> = { ...obj.metadata };
  for (const key of VOLATILE_METADATA) delete metadata[key];
  return { ...rest, metadata };
}

/**
 * Paths at which two JSON values differ, sorted. A key only one side has is one change at
 * that key; arrays are compared by index.
 */
export function fieldChanges(before: unknown, after: unknown, path = ''): string[] {
  if (Array.isArray(before) && Array.isArray(after)) {
    const changes: string[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const at = `${path}[${i}]`;
      if (i >= before.length || i >= after.length) changes.push(at);
      else changes.push(...fieldChanges(before[i], after[i], at));
    }
    return changes;
  }
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => {
      const at = join(path, key);
      if (!(key in before) || !(key in after)) return [at];
      return fieldChanges(before[key], after[key], at);
    });
  }
  return Object.is(before, after) ? [] : [path || '.'];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a.b`, or `a["app.kubernetes.io/name"]` for keys that are not identifiers. */
function join(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}
