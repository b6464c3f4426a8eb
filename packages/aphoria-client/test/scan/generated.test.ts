/**
 * Generated bad scan files (fast-check): whatever the input, the answer is a valid Scan or a
 * ScanValidationError with one-line message and named paths; never a crash of another kind.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScan, readScanFile, ScanSchema, ScanValidationError } from '../../src/index.js';
import { toScanIssues } from '../../src/scan-issues.js';
import { validScan } from '../fixtures/scans.js';
import { tempDir } from '../fixtures/temp.js';

/** A valid scan with one field somewhere replaced by an arbitrary JSON value, or deleted, or added. */
const mutatedScan = fc
  .record({
    at: fc.nat(),
    how: fc.constantFrom('replace', 'delete', 'add'),
    value: fc.jsonValue(),
    key: fc.string({ maxLength: 20 }),
  })
  .map(({ at, how, value, key }) => {
    const scan = JSON.parse(JSON.stringify(validScan(3))) as Record<string, unknown>;
    const holders: Record<string, unknown>[] = [
      scan,
      scan.scanner as Record<string, unknown>,
      ...(scan.findings as Record<string, unknown>[]),
    ];
    const holder = holders[at % holders.length]!;
    const keys = Object.keys(holder);
    const field = keys[at % keys.length]!;
    if (how === 'replace') holder[field] = value;
    else if (how === 'delete') delete holder[field];
    else holder[key] = value;
    return scan;
  });

function expectCleanOutcome(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScanValidationError);
    const e = error as ScanValidationError;
    expect(e.issues.length).toBeGreaterThan(0);
    expect(e.message).not.toContain('\n');
    for (const issue of e.issues) expect(issue.path.length).toBeGreaterThan(0);
  }
}

describe('parseScan on generated input', () => {
  it('answers any JSON value with a Scan or a ScanValidationError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => expectCleanOutcome(() => parseScan(json))),
      {
        numRuns: 300,
      },
    );
  });

  it('answers a valid scan with one field broken with a ScanValidationError, or accepts it', () => {
    fc.assert(
      fc.property(mutatedScan, (json) => expectCleanOutcome(() => parseScan(json))),
      {
        numRuns: 500,
      },
    );
  });

  it('names the replaced field when a finding field gets a value of the wrong type', () => {
    const fields = ['rule', 'severity', 'file', 'line', 'end_line', 'message', 'fingerprint'];
    fc.assert(
      fc.property(
        fc.nat(2),
        fc.constantFrom(...fields),
        fc.constantFrom(null, true, [], {}),
        (i, field, value) => {
          const scan = JSON.parse(JSON.stringify(validScan(3)));
          scan.findings[i][field] = value;
          try {
            parseScan(scan);
          } catch (error) {
            expect((error as ScanValidationError).issues.map((x) => x.path)).toContain(
              `findings[${i}].${field}`,
            );
            return;
          }
          throw new Error('a wrong type was accepted');
        },
      ),
      { numRuns: 100 },
    );
  });
});

// parseScan checks the findings one at a time and returns the input itself (no copy of a
// 100,000-finding scan). It must still say exactly what ScanSchema says, and ScanSchema must
// keep returning what it accepts unchanged (no default, no transform), or that would be a lie.
describe('parseScan and ScanSchema agree', () => {
  const issuesOf = (run: () => unknown): string[] | 'valid' => {
    try {
      run();
      return 'valid';
    } catch (error) {
      return (error as ScanValidationError).issues.map((i) => `${i.path}: ${i.message}`);
    }
  };
  const viaSchema = (json: unknown) => {
    const result = ScanSchema.safeParse(json);
    if (!result.success) throw new ScanValidationError('x', toScanIssues(result.error.issues));
  };

  it('on every generated scan: the same verdict and the same issues, in the same order', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedScan, fc.jsonValue()), (json) => {
        expect(issuesOf(() => parseScan(json))).toEqual(issuesOf(() => viaSchema(json)));
      }),
      { numRuns: 800 },
    );
  });

  it('returns the very object it was given, which ScanSchema returns unchanged', () => {
    fc.assert(
      fc.property(fc.nat(20), (n) => {
        const scan = validScan(n);
        expect(parseScan(scan)).toBe(scan);
        expect(ScanSchema.parse(scan)).toEqual(scan);
      }),
      { numRuns: 21 },
    );
  });
});

describe('readScanFile on generated files', () => {
  it('answers arbitrary bytes with a ScanValidationError', async () => {
    const dir = await tempDir();
    const file = join(dir, 'scan.json');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.uint8Array({ maxLength: 200 })),
        async (content) => {
          await writeFile(file, content);
          const outcome = await readScanFile(file).then(
            () => 'ok',
            (e: unknown) => e,
          );
          if (outcome === 'ok') return;
          expect(outcome).toBeInstanceOf(ScanValidationError);
          expect((outcome as Error).message).toContain(file);
          expect((outcome as Error).message).not.toContain('\n');
        },
      ),
      { numRuns: 150 },
    );
  });
});
