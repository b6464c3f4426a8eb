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
 * sorted, no whitespace, findings in the order given). Streams into the hash, so no second
 * copy of a large scan is made.
 */
export function computeScanId(scan: Scan): string {
  const hash = createHash('sha256');
  writeCanonical(hash, scan, 0);
  return hash.digest('hex').slice(0, 32);
}

/** True when `value` has the form of a scan id. */
export function isScanId(value: unknown): value is string {
  return typeof value === 'string' && SCAN_ID_PATTERN.test(value);
}

/** Canonical JSON, written piece by piece; undefined members are left out as JSON.stringify does. */
function writeCanonical(hash: Hash, value: unknown, depth: number): void {
  if (depth > 64) throw new TypeError('a scan is never nested this deeply');
  if (Array.isArray(value)) {
    hash.update('[');
    value.forEach((item, i) => {
      if (i > 0) hash.update(',');
      writeCanonical(hash, item === undefined ? null : item, depth + 1);
    });
    hash.update(']');
    return;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    hash.update('{');
    keys.forEach((key, i) => {
      if (i > 0) hash.update(',');
      hash.update(JSON.stringify(key));
      hash.update(':');
      writeCanonical(hash, record[key], depth + 1);
    });
    hash.update('}');
    return;
  }
  hash.update(JSON.stringify(value) ?? 'null');
}
