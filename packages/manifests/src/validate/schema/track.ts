/**
 * Which fields does a schema know? kubernetes-models compiles each JSON schema into an ajv
 * validator, and none of those schemas says `additionalProperties: false`, so `validate()`
 * accepts any unknown field (STACK.md). But a compiled validator reads every property its
 * schema lists (`data.fsGroup === undefined || …`) and enumerates the keys of a map
 * (`for (const key in data)`). Running it on a Proxy that records those reads tells us, for
 * every object in the tree, the property names its schema has; a key it never read is a field
 * the schema does not have, which is what the API server's strict field validation rejects.
 *
 * An object the validator reads nothing from has no properties in its schema (free-form, or
 * `x-kubernetes-preserve-unknown-fields`): we cannot and do not judge its keys.
 */

/** What the validator did with one object. */
export interface ReadRecord {
  /** Property names it read (present or not): the properties its schema lists. */
  readonly reads: Set<string>;
  /** It enumerated the keys: the schema is a map (`additionalProperties: <schema>`). */
  enumerated: boolean;
}

/** A proxy of a JSON tree and the reads recorded on each of its objects. */
export interface Tracker {
  readonly proxy: unknown;
  /** The record for an object of the original tree, if the validator ever reached it. */
  record(node: object): ReadRecord | undefined;
}

/** Wraps `root` so that reads are recorded. The original is never modified. */
export function track(root: unknown): Tracker {
  const records = new WeakMap<object, ReadRecord>();
  const proxies = new WeakMap<object, object>();

  const wrap = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const known = proxies.get(value);
    if (known) return known;
    const record: ReadRecord = { reads: new Set(), enumerated: false };
    records.set(value, record);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        const result: unknown = Reflect.get(target, key, receiver);
        if (typeof key !== 'string') return result;
        record.reads.add(key);
        return wrap(result);
      },
      has(target, key) {
        if (typeof key === 'string') record.reads.add(key);
        return Reflect.has(target, key);
      },
      getOwnPropertyDescriptor(target, key) {
        if (typeof key === 'string') record.reads.add(key);
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
      ownKeys(target) {
        record.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };

  return { proxy: wrap(root), record: (node) => records.get(node) };
}
