/**
 * Keeping an ApplySet across applies, and pruning it, in the order that never orphans an
 * object (kubectl's BeforeApply / Prune): the parent is widened to the union of what it
 * recorded and what is about to be applied before any member is written, and narrowed to the
 * current render only after every pruned object is gone. A run stopped anywhere in between
 * leaves a parent that still names every group-kind a member may have, so the next
 * `apply --prune` lists and deletes whatever the stopped one left.
 *
 * Members are found by listing each recorded group-kind (in the parent's namespace and the
 * additional ones, or cluster-wide for a cluster-scoped kind) with the selector
 * `applyset.kubernetes.io/part-of=<id>`, and each listed object's label is checked again
 * before it is deleted: an object of another set is never touched, even by a server that
 * ignored the selector.
 */
import type { KubeObject } from '../types.js';
import {
  APPLYSET_PART_OF_LABEL,
  type ApplySet,
  type ApplySetContents,
  contentsOf,
  groupOf,
  identityOf,
  parentObject,
  parseGroupKind,
  readParent,
  unionOf,
} from './applyset.js';
import type { ServerSideApplyClient } from './client.js';
import type { ClusterError } from './errors.js';
import { sortForApply } from './order.js';

/** The client and error mapping of one run (see session.ts). */
interface Session {
  client: ServerSideApplyClient;
  fieldManager: string;
  error: (e: unknown, obj: KubeObject) => ClusterError;
}

/** What a run knows of the set: what the parent recorded before it, and what it renders. */
export interface ApplySetState {
  set: ApplySet;
  /** The parent's record before this run; undefined when there was no parent. */
  before: ApplySetContents | undefined;
  /** The group-kinds and namespaces of the rendered members. */
  rendered: ApplySetContents;
}

/** Reads (and checks) the parent of `set`; `members` are the rendered objects, labelled. */
export async function readApplySet(
  session: Session,
  set: ApplySet,
  members: readonly KubeObject[],
): Promise<ApplySetState> {
  const empty = parentObject(set, { groupKinds: [], namespaces: [] });
  let live: KubeObject | undefined;
  try {
    live = await session.client.get(empty);
  } catch (error) {
    throw session.error(error, empty);
  }
  return { set, before: readParent(set, live), rendered: contentsOf(members) };
}

/**
 * The members to delete: those listed that the render no longer holds, last-applied first
 * (the IngressRoute before its Middleware, the Deployment before its claims). Pure, so that
 * diff reports exactly what apply deletes.
 */
export function pruneTargets(
  listed: readonly KubeObject[],
  rendered: readonly KubeObject[],
): KubeObject[] {
  const keep = new Set(rendered.map(identityOf));
  return sortForApply(listed.filter((o) => !keep.has(identityOf(o)))).reverse();
}

/**
 * Every live member of the set, in each group-kind the parent recorded or the render holds.
 * A group the cluster no longer serves (its CRD removed) has no members left to list.
 */
export async function listMembers(
  session: Session,
  state: ApplySetState,
  rendered: readonly KubeObject[],
): Promise<KubeObject[]> {
  const scope = unionOf(state.before ?? { groupKinds: [], namespaces: [] }, state.rendered);
  const { id } = state.set;
  // The version to list a group in: the rendered one, else the one the cluster prefers.
  const versions = new Map(rendered.map((o) => [groupOf(o.apiVersion), o.apiVersion]));
  const members: KubeObject[] = [];
  for (const entry of scope.groupKinds) {
    const { kind, group } = parseGroupKind(entry);
    const probe = (apiVersion: string, namespace?: string): KubeObject => ({
      apiVersion,
      kind,
      metadata: { name: '*', ...(namespace ? { namespace } : {}) },
    });
    try {
      const apiVersion = versions.get(group) ?? (await session.client.preferredVersion(group));
      if (!apiVersion) continue;
      const served = await session.client.scopeOf(apiVersion, kind);
      if (!served) continue;
      const namespaces = served === 'namespaced' ? scope.namespaces : [undefined];
      for (const namespace of namespaces) {
        try {
          const found = await session.client.listSelected(
            apiVersion,
            kind,
            namespace,
            `${APPLYSET_PART_OF_LABEL}=${id}`,
          );
          // The selector is the server's filter; the label is checked here again before
          // anything is deleted, as the spec asks.
          members.push(...found.filter((o) => o.metadata.labels?.[APPLYSET_PART_OF_LABEL] === id));
        } catch (error) {
          throw session.error(error, probe(apiVersion, namespace));
        }
      }
    } catch (error) {
      throw session.error(error, probe(versions.get(group) ?? (group ? `${group}/*` : 'v1')));
    }
  }
  return members;
}

/**
 * Server-side applies the parent recording `contents`, as this tool's own field manager for
 * it (kubectl uses `<tool>-applyset`); forced, since the parent was checked to be ours.
 */
export async function writeParent(
  session: Session,
  set: ApplySet,
  contents: ApplySetContents,
): Promise<void> {
  const parent = parentObject(set, contents);
  try {
    await session.client.apply(parent, {
      dryRun: false,
      force: true,
      fieldManager: `${session.fieldManager}-applyset`,
    });
  } catch (error) {
    throw session.error(error, parent);
  }
}

/** The contents the parent records while a run is under way: its old record and the render. */
export function widened(state: ApplySetState): ApplySetContents {
  return state.before ? unionOf(state.before, state.rendered) : state.rendered;
}
