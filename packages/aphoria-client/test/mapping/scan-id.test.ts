// computeScanId builds the canonical JSON in pieces and takes a one-stringify path for flat
// objects; both must give exactly the hash of the canonical JSON written the plain way.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Scan } from '../../src/scan.js';
import { computeScanId } from '../../src/scan-id.js';
import { validScan } from '../fixtures/scans.js';

/** Canonical JSON the obvious way: keys sorted at every level, undefined members left out. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonical(item === undefined ? null : item)).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const reference = (value: unknown) =>
  createHash('sha256').update(canonical(value)).digest('hex').slice(0, 32);

// Keys that exercise the key-order cache: shared names, U+0000 inside names (two key lists
// whose joined form is the same), and names that sort differently from their insertion order.
const key = fc.constantFrom('a', 'b', 'a\u0000', '\u0000b', 'line', 'file', 'é', 'Z', '10', '9');
const leaf = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const member = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    tie('object'),
    fc.array(tie('value'), { maxLength: 3 }),
  ),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
})).value;

describe('computeScanId', () => {
  it('is the hash of the canonical JSON for any JSON-like value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(key, member, { maxKeys: 6 }), { maxLength: 20 }),
        (findings) => {
          const scan = { ...validScan(), findings } as unknown as Scan;
          expect(computeScanId(scan)).toBe(reference(scan));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is the hash of the canonical JSON for a scan larger than one hashing chunk', () => {
    const scan = validScan();
    const many = { ...scan, findings: Array.from({ length: 3000 }, () => scan.findings[0]!) };
    expect(computeScanId(many)).toBe(reference(many));
  });
});
