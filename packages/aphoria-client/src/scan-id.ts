/**
 * A scan's identity: derived from its content, so the same scan persisted twice (a CI retry on
 * a fresh runner) is recognised as already stored, and two different scans never share one.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Scan } from './scan.js';

/** A scan id: 32 lowercase hex characters (the first 128 bits of a SHA-256). */
export const SCAN_ID_PATTERN = /^[0-9a-f]{32}$/;

/**
 * The scan's id: the first 32 hex characters of the SHA-256 of its canonical JSON (object keys
 * sorted, no whitespace, findings in the order given). The JSON is built in pieces of about
 * `CHUNK_CHARS` characters, each handed to the hash once, so no second copy of a large
 * scan is made and the hash is not entered once per token (a native call each).
 */
export function computeScanId(scan: Scan): string {
  const out = new ChunkedHash(createHash('sha256'));
  writeCanonical(out, scan, 0, new Map());
  return out.digest().slice(0, 32);
}

/** Characters gathered before they go into the hash. */
const CHUNK_CHARS = 64 * 1024;

class ChunkedHash {
  #pending = '';
  constructor(readonly hash: Hash) {}

  write(text: string): void {
    this.#pending += text;
    if (this.#pending.length >= CHUNK_CHARS) {
      this.hash.update(this.#pending);
      this.#pending = '';
    }
  }

  digest(): string {
    this.hash.update(this.#pending);
    this.#pending = '';
    return this.hash.digest('hex');
  }
}

/** True when `value` has the form of a scan id. */
export function isScanId(value: unknown): value is string {
  return typeof value === 'string' && SCAN_ID_PATTERN.test(value);
}

/** Canonical JSON, written piece by piece; undefined members are left out as JSON.stringify does. */
function writeCanonical(
  out: ChunkedHash,
  value: unknown,
  depth: number,
  keyOrders: KeyOrders,
): void {
  if (depth > 64) throw new TypeError('a scan is never nested this deeply');
  if (Array.isArray(value)) {
    out.write('[');
    value.forEach((item, i) => {
      if (i > 0) out.write(',');
      writeCanonical(out, item === undefined ? null : item, depth + 1, keyOrders);
    });
    out.write(']');
    return;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const flat = flatCanonical(record, keyOrders);
    if (flat !== undefined) {
      out.write(flat);
      return;
    }
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    out.write('{');
    keys.forEach((key, i) => {
      if (i > 0) out.write(',');
      out.write(JSON.stringify(key));
      out.write(':');
      writeCanonical(out, record[key], depth + 1, keyOrders);
    });
    out.write('}');
    return;
  }
  out.write(JSON.stringify(value) ?? 'null');
}

const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

/** Sorted key lists by the key list as found (every finding has the same keys: one sort). */
type KeyOrders = Map<string, { readonly sorted: string[]; readonly known: ReadonlySet<string> }>;

/**
 * The canonical JSON of an object whose members are all strings, numbers, booleans or null (a
 * finding), in one `JSON.stringify` of a shallow copy with its keys inserted in sorted order
 * (which V8 stringifies faster than through an array replacer); undefined members are left out
 * as the general path does. Undefined for any other object, which takes the general path.
 */
function flatCanonical(record: Record<string, unknown>, keyOrders: KeyOrders): string | undefined {
  const keys = Object.keys(record);
  for (const key of keys) {
    // An array-index name ("10") is enumerated before every other key whatever the insertion
    // order, so the copy below would not keep the sorted order: the general path takes it.
    if (ARRAY_INDEX.test(key)) return undefined;
    const member = record[key];
    const type = typeof member;
    if (type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'undefined') {
      if (member !== null) return undefined;
    }
  }
  const signature = keys.join('\u0000');
  let order = keyOrders.get(signature);
  if (order === undefined) {
    order = { sorted: [...keys].sort(), known: new Set(keys) };
    keyOrders.set(signature, order);
  }
  // A signature can only collide for keys holding U+0000; then the lists differ: general path.
  if (order.sorted.length !== keys.length || !keys.every((key) => order.known.has(key))) {
    return undefined;
  }
  const inOrder: Record<string, unknown> = {};
  for (const key of order.sorted) inOrder[key] = record[key];
  return JSON.stringify(inOrder);
}

/**
 * {@link computeScanId} of a scan met piece by piece (scan-file/: a scan file read element by
 * element): the members sorting before `findings` first, then each finding in order, then the
 * rest. Gives the same id as `computeScanId` of the whole scan (test/mapping/scan-id.test.ts).
 */
export class ScanIdBuilder {
  readonly #out = new ChunkedHash(createHash('sha256'));
  readonly #orders: KeyOrders = new Map();
  #first = true;

  /** @param before - the scan's members whose keys sort before `findings` (`branch`, `commit`) */
  constructor(before: Record<string, unknown>) {
    this.#out.write('{');
    for (const key of definedKeys(before)) {
      this.#out.write(JSON.stringify(key));
      this.#out.write(':');
      writeCanonical(this.#out, before[key], 1, this.#orders);
      this.#out.write(',');
    }
    this.#out.write('"findings":[');
  }

  /** The next finding. */
  add(finding: unknown): void {
    if (!this.#first) this.#out.write(',');
    this.#first = false;
    writeCanonical(this.#out, finding === undefined ? null : finding, 2, this.#orders);
  }

  /** @param after - the scan's members whose keys sort after `findings` */
  finish(after: Record<string, unknown>): string {
    this.#out.write(']');
    for (const key of definedKeys(after)) {
      this.#out.write(',');
      this.#out.write(JSON.stringify(key));
      this.#out.write(':');
      writeCanonical(this.#out, after[key], 1, this.#orders);
    }
    this.#out.write('}');
    return this.#out.digest().slice(0, 32);
  }
}

function definedKeys(record: Record<string, unknown>): string[] {
  return Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
}
