import { createHash } from 'node:crypto';
import { AssertionInputSchema } from '@stemedb/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertionCount,
  assertionIdentity,
  computeScanId,
  fingerprintSegment,
  type MappedAssertion,
  parseScan,
  scanAgentId,
  scanToAssertions,
} from '../../src/index.js';
import { finding, validScan } from '../fixtures/scans.js';

const all = (scan = validScan(2)): MappedAssertion[] => [...scanToAssertions(scan)];

describe('scanToAssertions', () => {
  it('maps the issue example to the documented assertions (the worked example)', () => {
    const scan = parseScan({
      schema: 'aphoria.scan/v1',
      project: 'payments-api',
      commit: '3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a',
      branch: 'main',
      scanner: { name: 'aphoria', version: '0.9.0' },
      started_at: '2026-12-01T10:00:00Z',
      finished_at: '2026-12-01T10:00:09Z',
      findings: [
        {
          rule: 'secrets/hardcoded-key',
          severity: 'high',
          file: 'src/config.ts',
          line: 12,
          end_line: 12,
          message: 'A hard-coded API key',
          fingerprint: 'secrets/hardcoded-key:src/config.ts:9f1c',
        },
        {
          rule: 'sql/injection',
          severity: 'critical',
          file: 'src/db.ts',
          line: 40,
          end_line: 44,
          message: 'Query built from input',
          fingerprint: 'f00dfeed',
        },
      ],
    });
    const scanId = computeScanId(scan);
    const got = all(scan);
    expect(scanId).toMatch(/^[0-9a-f]{32}$/);
    expect(got).toEqual([
      {
        index: 0,
        findingIndex: 0,
        input: {
          subject: `aphoria/payments-api/finding/${fingerprintSegment('secrets/hardcoded-key:src/config.ts:9f1c')}`,
          predicate: 'aphoria.finding',
          agent_id: `aphoria-scan/${scanId}`,
          value: {
            schema: 'aphoria.finding/v1',
            scan_id: scanId,
            project: 'payments-api',
            commit: '3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a',
            branch: 'main',
            scanner: { name: 'aphoria', version: '0.9.0' },
            finished_at: '2026-12-01T10:00:09Z',
            rule: 'secrets/hardcoded-key',
            severity: 'high',
            file: 'src/config.ts',
            line: 12,
            end_line: 12,
            message: 'A hard-coded API key',
            fingerprint: 'secrets/hardcoded-key:src/config.ts:9f1c',
          },
        },
      },
      {
        index: 1,
        findingIndex: 1,
        input: expect.objectContaining({
          subject: 'aphoria/payments-api/finding/f00dfeed',
          predicate: 'aphoria.finding',
        }),
      },
      {
        index: 2,
        findingIndex: undefined,
        input: {
          subject: 'aphoria/payments-api/scans',
          predicate: 'aphoria.scan',
          agent_id: `aphoria-scan/${scanId}`,
          value: {
            schema: 'aphoria.scan/v1',
            scan_id: scanId,
            project: 'payments-api',
            commit: '3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a',
            branch: 'main',
            scanner: { name: 'aphoria', version: '0.9.0' },
            started_at: '2026-12-01T10:00:00Z',
            finished_at: '2026-12-01T10:00:09Z',
            findings: 2,
            by_severity: { info: 0, low: 0, medium: 0, high: 1, critical: 1 },
          },
        },
      },
    ]);
    expect(assertionCount(scan)).toBe(3);
  });

  it('maps a scan with no findings to its summary alone', () => {
    const got = all(validScan(0));
    expect(got).toHaveLength(1);
    expect(got[0]!.input.predicate).toBe('aphoria.scan');
    expect((got[0]!.input.value as { findings: number }).findings).toBe(0);
  });

  const fingerprintRows: { given: string; want: string | RegExp }[] = [
    { given: 'abc-123', want: 'abc-123' },
    { given: 'rule.x:file_1:42', want: 'rule.x:file_1:42' },
    { given: 'has/slash', want: /^sha256-[0-9a-f]{32}$/ },
    { given: 'has space', want: /^sha256-[0-9a-f]{32}$/ },
    { given: 'ünïcode', want: /^sha256-[0-9a-f]{32}$/ },
    { given: 'x'.repeat(201), want: /^sha256-[0-9a-f]{32}$/ },
    { given: 'x'.repeat(200), want: 'x'.repeat(200) },
    // A fingerprint written in the hashed form is hashed too, so it cannot take another's place.
    { given: `sha256-${'0'.repeat(32)}`, want: /^sha256-(?!0{32})[0-9a-f]{32}$/ },
  ];
  for (const row of fingerprintRows) {
    it(`maps the fingerprint ${JSON.stringify(row.given.slice(0, 40))} to the subject segment ${String(row.want).slice(0, 40)}`, () => {
      const [first] = all(validScan(1, { findings: [finding(0, { fingerprint: row.given })] }));
      const segment = first!.input.subject.split('/').slice(3).join('/');
      if (typeof row.want === 'string') expect(segment).toBe(row.want);
      else expect(segment).toMatch(row.want);
    });
  }

  it('is deterministic: the same scan maps to the same assertions', () => {
    expect(all(validScan(5))).toEqual(all(validScan(5)));
  });

  it('maps the same finding in two different scans to the same subject, with distinct scan ids', () => {
    const a = validScan(2);
    const b = validScan(2, { commit: 'b'.repeat(40), finished_at: '2026-12-02T10:00:00Z' });
    const [fa] = all(a);
    const [fb] = all(b);
    expect(fa!.input.subject).toBe(fb!.input.subject);
    expect(computeScanId(a)).not.toBe(computeScanId(b));
    expect(fa!.input.agent_id).not.toBe(fb!.input.agent_id);
  });

  it('gives every assertion the agent id aphoria-scan/<scan id>', () => {
    const scan = validScan(3);
    for (const m of all(scan)) expect(m.input.agent_id).toBe(scanAgentId(computeScanId(scan)));
  });

  it('keeps assertionIdentity unique within a scan', () => {
    const ids = all(validScan(50)).map((m) => assertionIdentity(m.input));
    expect(new Set(ids).size).toBe(51);
    expect(ids[0]).toBe('aphoria/payments-api/finding/fp-0\naphoria.finding');
  });
});

describe('computeScanId', () => {
  it('does not depend on key order', () => {
    const scan = validScan(2);
    const reverse = (v: object) => Object.fromEntries(Object.entries(v).reverse());
    const shuffled = {
      ...reverse({ ...scan, scanner: reverse(scan.scanner) }),
      findings: scan.findings.map(reverse),
    } as unknown as typeof scan;
    expect(Object.keys(shuffled)[0]).not.toBe(Object.keys(scan)[0]);
    expect(computeScanId(shuffled)).toBe(computeScanId(scan));
  });

  it('depends on the findings order and on every field', () => {
    const scan = validScan(2);
    const swapped = { ...scan, findings: [scan.findings[1]!, scan.findings[0]!] };
    expect(computeScanId(swapped)).not.toBe(computeScanId(scan));
    const changed = validScan(2);
    changed.findings[1] = { ...changed.findings[1]!, message: 'other' };
    expect(computeScanId(changed)).not.toBe(computeScanId(scan));
  });

  it('is a pinned value for a pinned scan (so a release cannot change ids silently)', () => {
    expect(computeScanId(validScan(2))).toBe(PINNED_ID);
  });
});

// Updated only on purpose: changing it means scans persisted before would no longer be recognised.
const PINNED_ID = computePinnedReference();

function computePinnedReference(): string {
  // The canonical JSON written out by hand, hashed independently of computeScanId.
  const f = (n: number, severity: string) =>
    `{"end_line":${n + 2},"file":"src/file-${n}.ts","fingerprint":"fp-${n}","line":${n + 1},"message":"finding number ${n}","rule":"secrets/rule-${n}","severity":"${severity}"}`;
  const canonical = `{"branch":"main","commit":"${'a'.repeat(40)}","findings":[${f(0, 'info')},${f(1, 'low')}],"finished_at":"2026-12-01T10:00:09Z","project":"payments-api","scanner":{"name":"aphoria","version":"0.9.0"},"schema":"aphoria.scan/v1","started_at":"2026-12-01T10:00:00Z"}`;
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

describe('every mapped input passes the SDK input schema', () => {
  const arbFinding = fc.record({
    rule: fc.string({ minLength: 1, maxLength: 200 }),
    severity: fc.constantFrom('info', 'low', 'medium', 'high', 'critical'),
    file: fc.string({ minLength: 1, maxLength: 1024 }),
    line: fc.integer({ min: 1, max: 1000 }),
    span: fc.nat(100),
    message: fc.string({ minLength: 1, maxLength: 300 }),
    fingerprint: fc.string({ minLength: 1, maxLength: 1024, unit: 'binary' }),
  });
  it('for generated valid scans, with unique subjects', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbFinding, {
          maxLength: 8,
          selector: (f) => fingerprintSegment(f.fingerprint),
        }),
        fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/),
        (findings, project) => {
          const scan = parseScan(
            validScan(0, {
              project,
              findings: findings.map(({ span, ...f }) => ({ ...f, end_line: f.line + span })),
            }),
          );
          const mapped = all(scan);
          for (const m of mapped)
            expect(AssertionInputSchema.safeParse(m.input).success).toBe(true);
          expect(new Set(mapped.map((m) => assertionIdentity(m.input))).size).toBe(mapped.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
