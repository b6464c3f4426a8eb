/**
 * Field ownership for the Kubernetes API double, as server-side apply tracks it in
 * `managedFields` (https://kubernetes.io/docs/reference/using-api/server-side-apply/), at the
 * grain a Secret needs: each label, annotation and data key, `type`, and the
 * `ownerReferences` and `finalizers` lists as wholes.
 *
 * - An apply sets the fields it names and becomes their owner; a field it owned before and no
 *   longer names is removed, unless another manager owns it too.
 * - A field another manager owns with a different value is a conflict (409) unless `force`,
 *   which moves the field to the applier.
 * - A create or an update (PUT) makes its manager own the fields it set or changed; fields a PUT
 *   leaves out are gone, with their owners (a PUT replaces the object).
 */

/** A Secret as the double stores it (the fields ownership is about). */
export interface OwnedSecret {
  type?: string;
  metadata: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Record<string, unknown>[];
    finalizers?: string[];
  };
  data?: Record<string, string>;
}

/** manager → the field paths it owns. */
export type FieldOwners = Map<string, Set<string>>;

const MAPS = ['metadata.labels', 'metadata.annotations', 'data'] as const;
const WHOLE = ['metadata.ownerReferences', 'metadata.finalizers', 'type'] as const;

/** The paths of every field `secret` sets. */
export function fieldPaths(secret: OwnedSecret): string[] {
  const out: string[] = [];
  for (const map of MAPS) {
    for (const key of Object.keys(mapAt(secret, map) ?? {})) out.push(`${map}.${key}`);
  }
  for (const path of WHOLE) if (valueAt(secret, path) !== undefined) out.push(path);
  return out;
}

/** The value at `path` (see {@link fieldPaths}), or undefined. */
export function valueAt(secret: OwnedSecret, path: string): unknown {
  const map = MAPS.find((m) => path.startsWith(`${m}.`));
  if (map !== undefined) return mapAt(secret, map)?.[path.slice(map.length + 1)];
  if (path === 'type') return secret.type;
  if (path === 'metadata.ownerReferences') return secret.metadata.ownerReferences;
  if (path === 'metadata.finalizers') return secret.metadata.finalizers;
  return undefined;
}

function setAt(secret: OwnedSecret, path: string, value: unknown): void {
  const map = MAPS.find((m) => path.startsWith(`${m}.`));
  if (map !== undefined) {
    const key = path.slice(map.length + 1);
    const target = ensureMap(secret, map);
    if (value === undefined) delete target[key];
    else target[key] = String(value);
    return;
  }
  if (path === 'type') secret.type = value as string;
  if (path === 'metadata.ownerReferences') {
    if (value === undefined) delete secret.metadata.ownerReferences;
    else secret.metadata.ownerReferences = structuredClone(value) as Record<string, unknown>[];
  }
  if (path === 'metadata.finalizers') {
    if (value === undefined) delete secret.metadata.finalizers;
    else secret.metadata.finalizers = [...(value as string[])];
  }
}

/**
 * Applies `applied` to `current` for `manager` (mutating both `current` and `owners`); returns
 * the conflicts (`[other manager, path]`) that stopped it, without changing anything, when
 * `force` is false.
 */
export function applyFields(
  current: OwnedSecret,
  owners: FieldOwners,
  applied: OwnedSecret,
  manager: string,
  force: boolean,
): [string, string][] {
  const named = fieldPaths(applied);
  const conflicts: [string, string][] = [];
  for (const path of named) {
    for (const [other, paths] of owners) {
      if (other === manager || !paths.has(path)) continue;
      if (!same(valueAt(current, path), valueAt(applied, path))) conflicts.push([other, path]);
    }
  }
  if (conflicts.length > 0 && !force) return conflicts;
  for (const [other, path] of conflicts) owners.get(other)?.delete(path);
  const before = owners.get(manager) ?? new Set<string>();
  for (const path of before) {
    if (named.includes(path)) continue;
    const shared = [...owners].some(([other, paths]) => other !== manager && paths.has(path));
    if (!shared) setAt(current, path, undefined);
  }
  for (const path of named) setAt(current, path, valueAt(applied, path));
  owners.set(manager, new Set(named));
  prune(owners);
  return [];
}

/** Records a create or an update (PUT) of `before` into `after` by `manager`. */
export function recordUpdate(
  before: OwnedSecret | undefined,
  after: OwnedSecret,
  owners: FieldOwners,
  manager: string,
): void {
  const now = new Set(fieldPaths(after));
  for (const paths of owners.values())
    for (const path of paths) if (!now.has(path)) paths.delete(path);
  const mine = owners.get(manager) ?? new Set<string>();
  for (const path of now) {
    if (before !== undefined && same(valueAt(before, path), valueAt(after, path))) continue;
    for (const paths of owners.values()) paths.delete(path);
    mine.add(path);
  }
  owners.set(manager, mine);
  prune(owners);
}

/** `owners` as a plain object, sorted: manager → paths. */
export function describeOwners(owners: FieldOwners | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [manager, paths] of [...(owners ?? new Map())].sort())
    out[manager] = [...paths].sort();
  return out;
}

function prune(owners: FieldOwners): void {
  for (const [manager, paths] of owners) if (paths.size === 0) owners.delete(manager);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function mapAt(
  secret: OwnedSecret,
  map: (typeof MAPS)[number],
): Record<string, string> | undefined {
  if (map === 'data') return secret.data;
  return map === 'metadata.labels' ? secret.metadata.labels : secret.metadata.annotations;
}

function ensureMap(secret: OwnedSecret, map: (typeof MAPS)[number]): Record<string, string> {
  if (map === 'data') {
    secret.data ??= {};
    return secret.data;
  }
  if (map === 'metadata.labels') {
    secret.metadata.labels ??= {};
    return secret.metadata.labels;
  }
  secret.metadata.annotations ??= {};
  return secret.metadata.annotations;
}
