/**
 * Defensive readers for plain JSON. Rules run on objects that may be malformed (the schema
 * rules report that); they must never throw on a wrong shape, only see less.
 */

/** A JSON object (not an array, not null). */
export type Json = Record<string, unknown>;

/** True when `value` is a JSON object. */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` when it is an object, else an empty one. */
export function obj(value: unknown): Json {
  return isObject(value) ? value : {};
}

/** `value` when it is an array, else an empty one. */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `value` when it is a string, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `value` when it is a finite number, else undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `value` as a map of strings (labels, selectors), dropping entries that are not strings. */
export function strMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(obj(value))) {
    if (typeof item === 'string') out[key] = item;
  }
  return out;
}

/** The value at `path` (keys and indices) below `root`, or undefined. */
export function at(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof key === 'number') node = Array.isArray(node) ? node[key] : undefined;
    else node = isObject(node) ? node[key] : undefined;
  }
  return node;
}
