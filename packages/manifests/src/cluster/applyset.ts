/**
 * kubectl's ApplySet (KEP 3659, https://git.k8s.io/enhancements/keps/sig-cli/3659-kubectl-apply-prune):
 * the labels and annotations that tie the objects one tool applied to one parent object, so that
 * a later apply can find and prune those it no longer renders without touching anything else.
 * The parent is a Secret in the instance's namespace (kubectl's default parent kind), labelled
 * with the set's id; every member carries `applyset.kubernetes.io/part-of: <id>`. Only the
 * spec's formats live here; what apply does with them is in prune.ts.
 */
import { createHash } from 'node:crypto';
import { type KubeObject, objectRef } from '../types.js';
import { ClusterError } from './errors.js';

/** The label that makes an object an ApplySet parent; its value is the set's id. */
export const APPLYSET_ID_LABEL = 'applyset.kubernetes.io/id';
/** The label every member carries, with the parent's id as its value. */
export const APPLYSET_PART_OF_LABEL = 'applyset.kubernetes.io/part-of';
/** `<tool>/<version>` of the tool that manages the set; other tools must not change it. */
export const APPLYSET_TOOLING_ANNOTATION = 'applyset.kubernetes.io/tooling';
/** The members' group-kinds, `Kind.group` (`Kind` for the core group), sorted, comma-separated. */
export const APPLYSET_GROUP_KINDS_ANNOTATION = 'applyset.kubernetes.io/contains-group-kinds';
/** Namespaces of members other than the parent's own, sorted, comma-separated. */
export const APPLYSET_NAMESPACES_ANNOTATION = 'applyset.kubernetes.io/additional-namespaces';

/** The tool name in the tooling annotation: a set whose tooling names another tool is refused. */
export const APPLYSET_TOOL = 'stemedb-manifests';
/** Name of the parent Secret in the instance's namespace. */
export const DEFAULT_APPLYSET_NAME = 'stemedb-applyset';

/** Which ApplySet `applyObjects` and `diffObjects` keep: its parent Secret. */
export interface ApplySetRef {
  /** Namespace of the parent Secret: the instance's namespace. */
  namespace: string;
  /** @default 'stemedb-applyset' */
  name?: string;
  /** The tooling annotation's value, `stemedb-manifests/<version>`. @default 'stemedb-manifests/v0' */
  tooling?: string;
}

/** An ApplySet resolved from its ref: the parent's identity and the id derived from it. */
export interface ApplySet {
  id: string;
  name: string;
  namespace: string;
  tooling: string;
}

/**
 * The set's id as the spec defines it: `applyset-` + base64url(sha256(`<name>.<namespace>.<kind>.<group>`))
 * + `-v1`, over the parent's identity (here a core-group Secret), so that a parent cannot borrow
 * another set's id.
 */
export function applySetId(name: string, namespace: string, kind: string, group: string): string {
  const digest = createHash('sha256').update(`${name}.${namespace}.${kind}.${group}`).digest();
  // base64url without padding: Go's base64.RawURLEncoding, as kubectl computes it.
  return `applyset-${digest.toString('base64url')}-v1`;
}

/** The ApplySet of `ref`, with its id. */
export function resolveApplySet(ref: ApplySetRef): ApplySet {
  const name = ref.name ?? DEFAULT_APPLYSET_NAME;
  return {
    id: applySetId(name, ref.namespace, 'Secret', ''),
    name,
    namespace: ref.namespace,
    tooling: ref.tooling ?? `${APPLYSET_TOOL}/v0`,
  };
}

/** The API group of an apiVersion (`''` for the core group's `v1`). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** `Kind.group`, or `Kind` in the core group: the form of the group-kinds annotation. */
export function groupKindOf(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  const group = groupOf(obj.apiVersion);
  return group ? `${obj.kind}.${group}` : obj.kind;
}

/** `{ kind, group }` of a `Kind.group` entry (the group may itself hold dots). */
export function parseGroupKind(entry: string): { kind: string; group: string } {
  const dot = entry.indexOf('.');
  return dot < 0
    ? { kind: entry, group: '' }
    : { kind: entry.slice(0, dot), group: entry.slice(dot + 1) };
}

/** The identity of an object across versions: group, kind, namespace, name. */
export function identityOf(obj: KubeObject): string {
  return `${groupKindOf(obj)} ${obj.metadata.namespace ?? ''} ${obj.metadata.name}`;
}

/**
 * Whether `obj` joins the set. Not a Namespace: deleting one deletes everything in it (the
 * data's claims included), and the parent lives in the instance's namespace, which every
 * render emits anyway, so the set never needs to prune it.
 */
export function isMemberKind(obj: Pick<KubeObject, 'kind'>): boolean {
  return obj.kind !== 'Namespace';
}

/**
 * `obj` labelled as a member of `set` (a copy). A rendered object that carries the label
 * already is refused, as the spec asks: it would claim membership of a set by hand.
 */
export function asMember(obj: KubeObject, set: ApplySet): KubeObject {
  if (!isMemberKind(obj)) return obj;
  if (obj.metadata.labels?.[APPLYSET_PART_OF_LABEL] !== undefined) {
    throw new ClusterError(
      'cluster/applyset',
      `${objectRef(obj)}: carries the label ${APPLYSET_PART_OF_LABEL} already; apply sets it itself, remove it from the object`,
      { object: objectRef(obj) },
    );
  }
  const copy = structuredClone(obj);
  copy.metadata.labels = { ...copy.metadata.labels, [APPLYSET_PART_OF_LABEL]: set.id };
  return copy;
}

/** What the parent records: the members' group-kinds and their namespaces. */
export interface ApplySetContents {
  groupKinds: string[];
  /** Every namespace a namespaced member is in, the parent's own included. */
  namespaces: string[];
}

/** The group-kinds and namespaces of `members` (sorted, without duplicates). */
export function contentsOf(members: readonly KubeObject[]): ApplySetContents {
  const kinds = members.filter(isMemberKind);
  return {
    groupKinds: sorted(kinds.map(groupKindOf)),
    namespaces: sorted(kinds.flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : []))),
  };
}

/** The union of two contents: what a parent records while a change is under way. */
export function unionOf(a: ApplySetContents, b: ApplySetContents): ApplySetContents {
  return {
    groupKinds: sorted([...a.groupKinds, ...b.groupKinds]),
    namespaces: sorted([...a.namespaces, ...b.namespaces]),
  };
}

/** The parent Secret recording `contents`, as server-side applied (metadata only). */
export function parentObject(set: ApplySet, contents: ApplySetContents): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: set.name,
      namespace: set.namespace,
      labels: { [APPLYSET_ID_LABEL]: set.id },
      annotations: {
        [APPLYSET_TOOLING_ANNOTATION]: set.tooling,
        [APPLYSET_GROUP_KINDS_ANNOTATION]: contents.groupKinds.join(','),
        [APPLYSET_NAMESPACES_ANNOTATION]: contents.namespaces
          .filter((ns) => ns !== set.namespace)
          .join(','),
      },
    },
  };
}

/**
 * What a live parent records, after checking it is ours: its tooling names this tool and its
 * id label is the one derived from its identity (the spec's guard against a borrowed id).
 * Undefined when there is no parent yet.
 */
export function readParent(
  set: ApplySet,
  live: KubeObject | undefined,
): ApplySetContents | undefined {
  if (!live) return undefined;
  const ref = `Secret/${set.namespace}/${set.name}`;
  const annotations = live.metadata.annotations ?? {};
  const tooling = annotations[APPLYSET_TOOLING_ANNOTATION];
  const tool = tooling?.includes('/') ? tooling.slice(0, tooling.lastIndexOf('/')) : tooling;
  if (tool !== APPLYSET_TOOL) {
    throw new ClusterError(
      'cluster/applyset',
      `${ref}: exists but ${tooling ? `belongs to the tool "${tooling}"` : `has no ${APPLYSET_TOOLING_ANNOTATION} annotation`}, so it is not this tool's ApplySet; nothing was applied. Delete it or pick another namespace`,
      { object: ref },
    );
  }
  const id = live.metadata.labels?.[APPLYSET_ID_LABEL];
  if (id !== set.id) {
    throw new ClusterError(
      'cluster/applyset',
      `${ref}: its ${APPLYSET_ID_LABEL} label is ${id ?? 'missing'}, not ${set.id}, the id its name and namespace give; nothing was applied. Fix the label before applying again`,
      { object: ref },
    );
  }
  const list = (key: string) => (annotations[key] ?? '').split(',').filter(Boolean);
  return {
    groupKinds: sorted(list(APPLYSET_GROUP_KINDS_ANNOTATION)),
    namespaces: sorted([set.namespace, ...list(APPLYSET_NAMESPACES_ANNOTATION)]),
  };
}

function sorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
