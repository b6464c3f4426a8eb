// A native scan file read as a stream (src/scan-file/read.ts) gives what readScanFile and
// scanToAssertions give for the same file: the same scan id, the same assertions, the same
// errors (naming the same paths); anything the stream reader does not handle is left to
// readScanFile (undefined), and a file changed between passes is an error.
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { computeScanId, readScanFile, type Scan, scanToAssertions } from '../../src/index.js';
import { openScanFile } from '../../src/scan-file/read.js';
import { finding, validScan } from '../fixtures/scans.js';
import { cleanupDirs, tempDir } from '../support/persist.js';

afterEach(cleanupDirs);

async function fileOf(text: string): Promise<string> {
  const path = join(await tempDir('aphoria-scan-file-'), 'scan.json');
  await writeFile(path, text);
  return path;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A scan's members in another order: the findings before branch and commit. */
function findingsFirst(scan: Scan): string {
  const { findings, ...rest } = scan;
  return JSON.stringify({ findings, ...rest });
}

describe('openScanFile', () => {
  it.each([
    ['compact', (s: Scan) => JSON.stringify(s)],
    ['indented', (s: Scan) => JSON.stringify(s, null, 2)],
    ['findings before branch and commit', findingsFirst],
  ])('gives the id and assertions the scan gives in memory (%s)', async (_, write) => {
    const scan = validScan(1500, { branch: 'main-é-😀' }); // several chunks of 256 KiB
    scan.findings[7] = finding(7, { message: 'a "quoted" \\ message with é, € and 😀' });
    const file = await openScanFile(await fileOf(write(scan)));
    try {
      expect(file?.scanId).toBe(computeScanId(scan));
      expect(file?.findings).toBe(1500);
      const streamed = await all(file!.assertions());
      expect(streamed).toEqual([...scanToAssertions(scan)]);
      // A second pass gives the same again (persist reads the file once to journal, once to send).
      expect(await all(file!.assertions())).toEqual(streamed);
    } finally {
      await file?.close();
    }
  });

  it.each([
    [
      'a finding with a bad line',
      validScan(3),
      (s: Scan) => ((s.findings[2] as { line: unknown }).line = 0),
    ],
    [
      'an unknown field in a finding',
      validScan(3),
      (s: Scan) => Object.assign(s.findings[1]!, { extra: 1 }),
    ],
    [
      'a finding that is not an object',
      validScan(3),
      (s: Scan) => ((s.findings as unknown[])[0] = 'x'),
    ],
    [
      'two findings with one fingerprint',
      validScan(4),
      (s: Scan) => (s.findings[3]!.fingerprint = s.findings[1]!.fingerprint),
    ],
    [
      'finished before it started',
      validScan(2),
      (s: Scan) => (s.finished_at = '2026-11-30T00:00:00Z'),
    ],
    [
      'a bad project and a bad finding',
      validScan(2),
      (s: Scan) => {
        s.project = 'Not A Project';
        s.findings[1]!.severity = 'fatal' as 'high';
      },
    ],
    ['a missing member', validScan(2), (s: Scan) => delete (s as Partial<Scan>).commit],
  ])('fails as readScanFile fails, naming the same paths (%s)', async (_, scan, spoil) => {
    spoil(scan);
    const path = await fileOf(JSON.stringify(scan, null, 1));
    const want = await readScanFile(path).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(want?.name).toBe('ScanValidationError');
    await expect(openScanFile(path)).rejects.toThrow(want!.message);
    await expect(openScanFile(path)).rejects.toMatchObject({
      issues: (want as unknown as { issues: unknown }).issues,
    });
  });

  it.each([
    ['not JSON', '{"findings": [1,'],
    ['a member given twice', JSON.stringify(validScan(1)).replace('{', '{"branch":"x",')],
    ['a member that is not a scan field', JSON.stringify({ ...validScan(1), extra: 1 })],
    ['no findings', JSON.stringify({ ...validScan(1), findings: undefined })],
    ['findings that are not an array', JSON.stringify({ ...validScan(1), findings: {} })],
    ['an empty file', ''],
  ])('leaves to readScanFile what it does not handle (%s)', async (_, text) => {
    expect(await openScanFile(await fileOf(text))).toBeUndefined();
  });

  it('leaves a missing file to readScanFile', async () => {
    expect(await openScanFile(join(await tempDir(), 'none.json'))).toBeUndefined();
  });

  it.each([
    ['a finding changed', (t: string) => t.replace('finding number 1"', 'finding number 9"')],
    [
      'a finding added',
      (t: string) => t.replace('"findings":[', `"findings":[${JSON.stringify(finding(99))},`),
    ],
    ['a finding removed', (t: string) => t.replace(/\{"rule[^}]*\},/, '')],
    ['a member changed', (t: string) => t.replace('"branch":"main"', '"branch":"next"')],
  ])('fails a later pass when the file changed after the first (%s)', async (_, change) => {
    const text = JSON.stringify(validScan(3));
    const path = await fileOf(text);
    const file = await openScanFile(path);
    try {
      const changed = change(text);
      expect(changed).not.toBe(text);
      await writeFile(path, changed);
      await expect(all(file!.assertions())).rejects.toThrow(/changed while it was being persisted/);
    } finally {
      await file?.close();
    }
  });

  it('fails a later pass when bytes were appended after the document', async () => {
    const path = await fileOf(JSON.stringify(validScan(2)));
    const file = await openScanFile(path);
    try {
      await appendFile(path, 'x');
      await expect(all(file!.assertions())).rejects.toThrow(/changed while it was being persisted/);
    } finally {
      await file?.close();
    }
  });
});
