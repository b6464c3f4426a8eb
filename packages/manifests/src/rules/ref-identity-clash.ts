/**
 * Two objects with one identity (API group, kind, namespace, name) and different content: two
 * instances' bundles that would overwrite each other. A StorageClass's parameters are
 * immutable, so the second apply fails with 422; a RecurringJob in Longhorn's namespace is
 * silently taken over, and deleting one instance deletes the other's backups. One bundle never
 * holds two; `lint` over several bundles (one per instance) finds them. The same object in two
 * bundles (a shared class, identical) is not a clash.
 */

import { apiGroup } from '../validate/context.js';
import { isObject } from '../validate/json.js';
import { formatPath, type PathSegment } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';

/** The first path where `a` and `b` differ, or undefined when they are equal. */
function firstDifference(
  a: unknown,
  b: unknown,
  at: PathSegment[] = [],
): PathSegment[] | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const found = firstDifference(a[i], b[i], [...at, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const found = firstDifference(a[key], b[key], [...at, key]);
      if (found) return found;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : at;
}

export const refIdentityClash: Rule = {
  id: 'ref/identity-clash',
  severity: 'error',
  description:
    'No two objects share an identity (group, kind, namespace, name) with different content: two instances would overwrite each other.',
  *check(context) {
    const first = new Map<string, unknown>();
    for (const object of context.objects) {
      if (!isObject(object) || !isObject(object.metadata)) continue;
      const { name, namespace } = object.metadata;
      if (typeof name !== 'string') continue;
      const key = [apiGroup(String(object.apiVersion)), object.kind, namespace ?? '', name].join(
        '/',
      );
      const earlier = first.get(key);
      if (earlier === undefined) {
        first.set(key, object);
        continue;
      }
      const path = firstDifference(earlier, object);
      if (!path) continue;
      yield {
        object,
        path: formatPath(path),
        message: `another object with this identity differs at ${formatPath(path) || '(root)'}: applying both, the second overwrites the first${object.kind === 'StorageClass' ? ' (or fails: StorageClass parameters are immutable)' : ''}`,
        fix: 'give each instance its own names: the names of cluster-scoped and shared-namespace objects derive from `namespace` unless set (storage.storageClass.name, backup.longhorn.group)',
      };
    }
  },
};
