import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScan, readScanFile, ScanSchema, ScanValidationError } from '../../src/index.js';
import { clone, finding, validScan } from '../fixtures/scans.js';
import { tempDir } from '../fixtures/temp.js';

type Json = Record<string, unknown> & { findings: Record<string, unknown>[] };

/** Each row breaks one thing in a valid scan; `want` is the paths the error must name. */
const rows: { name: string; change: (s: Json) => unknown; want: string[]; says?: RegExp }[] = [
  {
    name: 'a wrong schema version',
    change: (s) => {
      s.schema = 'aphoria.scan/v2';
    },
    want: ['schema'],
  },
  { name: 'no schema', change: (s) => void delete s.schema, want: ['schema'] },
  {
    name: 'an unknown top-level field',
    change: (s) => {
      s.extra = 1;
    },
    want: ['extra'],
    says: /not a field/,
  },
  {
    name: 'an unknown scanner field',
    change: (s) => {
      (s.scanner as Json).os = 'linux';
    },
    want: ['scanner.os'],
  },
  {
    name: 'an unknown finding field',
    change: (s) => {
      s.findings[1]!.col = 3;
    },
    want: ['findings[1].col'],
  },
  {
    name: 'an odd unknown key, quoted',
    change: (s) => {
      s['a b'] = 1;
    },
    want: ['["a b"]'],
  },
  {
    name: 'an uppercase project',
    change: (s) => {
      s.project = 'Payments';
    },
    want: ['project'],
    says: /lowercase/,
  },
  {
    name: 'a project with a slash',
    change: (s) => {
      s.project = 'a/b';
    },
    want: ['project'],
  },
  {
    name: 'a project ending in a hyphen',
    change: (s) => {
      s.project = 'api-';
    },
    want: ['project'],
  },
  {
    name: 'a project of 64 characters',
    change: (s) => {
      s.project = 'a'.repeat(64);
    },
    want: ['project'],
  },
  {
    name: 'a short commit',
    change: (s) => {
      s.commit = 'abc123';
    },
    want: ['commit'],
    says: /40-character/,
  },
  {
    name: 'an uppercase commit',
    change: (s) => {
      s.commit = 'A'.repeat(40);
    },
    want: ['commit'],
  },
  {
    name: 'an empty branch',
    change: (s) => {
      s.branch = '';
    },
    want: ['branch'],
    says: /empty/,
  },
  {
    name: 'a missing scanner version',
    change: (s) => void delete (s.scanner as Json).version,
    want: ['scanner.version'],
  },
  {
    name: 'a date without a zone',
    change: (s) => {
      s.started_at = '2026-12-01T10:00:00';
    },
    want: ['started_at'],
    says: /RFC 3339/,
  },
  {
    name: 'a date that is not one',
    change: (s) => {
      s.finished_at = 'yesterday';
    },
    want: ['finished_at'],
  },
  {
    name: 'finished before started',
    change: (s) => {
      s.finished_at = '2026-12-01T09:59:59Z';
    },
    want: ['finished_at'],
    says: /before started_at/,
  },
  // A value that throws when converted to a string (found by the generated tests on Node 22).
  {
    name: 'a started_at that cannot be turned into a string',
    change: (s) => {
      s.started_at = { toString: false };
    },
    want: ['started_at'],
  },
  {
    name: 'a finished_at without a prototype',
    change: (s) => {
      s.finished_at = Object.create(null);
    },
    want: ['finished_at'],
  },
  {
    name: 'a line and fingerprint that cannot be turned into a string or number',
    change: (s) => {
      Object.assign(s.findings[1]!, {
        line: { valueOf: false, toString: false },
        fingerprint: Object.create(null),
      });
    },
    want: ['findings[1].line', 'findings[1].fingerprint'],
  },
  {
    name: 'findings not an array',
    change: (s) => {
      s.findings = {} as never;
    },
    want: ['findings'],
  },
  {
    name: 'a finding that is not an object',
    change: (s) => {
      s.findings[0] = 'x' as never;
    },
    want: ['findings[0]'],
  },
  {
    name: 'an unknown severity',
    change: (s) => {
      s.findings[1]!.severity = 'urgent';
    },
    want: ['findings[1].severity'],
    says: /one of info, low/,
  },
  {
    name: 'line 0',
    change: (s) => {
      s.findings[1]!.line = 0;
    },
    want: ['findings[1].line'],
    says: /≥ 1/,
  },
  {
    name: 'a fractional line',
    change: (s) => {
      s.findings[0]!.line = 1.5;
    },
    want: ['findings[0].line'],
  },
  {
    name: 'a line as a string',
    change: (s) => {
      s.findings[0]!.line = '3';
    },
    want: ['findings[0].line'],
  },
  {
    name: 'end_line before line',
    change: (s) => {
      s.findings[0]!.end_line = 0;
    },
    want: ['findings[0].end_line'],
  },
  {
    name: 'end_line before line (both valid numbers)',
    change: (s) => {
      Object.assign(s.findings[1]!, { line: 9, end_line: 8 });
    },
    want: ['findings[1].end_line'],
    says: /≥ line \(9\)/,
  },
  {
    name: 'an empty message',
    change: (s) => {
      s.findings[0]!.message = '';
    },
    want: ['findings[0].message'],
  },
  {
    name: 'a missing fingerprint',
    change: (s) => void delete s.findings[1]!.fingerprint,
    want: ['findings[1].fingerprint'],
  },
  {
    name: 'a duplicate fingerprint',
    change: (s) => {
      s.findings[2]!.fingerprint = 'fp-0';
    },
    want: ['findings[2].fingerprint'],
    says: /duplicates findings\[0\]\.fingerprint/,
  },
  { name: 'not an object at all', change: () => [1, 2], want: ['(root)'] },
  { name: 'null', change: () => null, want: ['(root)'] },
];

describe('ScanSchema', () => {
  it('accepts the shape of the issue, and findings: []', () => {
    expect(parseScan(clone(validScan(3)))).toEqual(validScan(3));
    expect(parseScan(validScan(0)).findings).toEqual([]);
  });

  it('accepts a time zone offset and the edges of every bound', () => {
    const scan = validScan(1, {
      project: 'a',
      started_at: '2026-12-01T10:00:00+02:00',
      finished_at: '2026-12-01T08:00:00.5Z',
    });
    scan.findings[0] = finding(0, { line: 1, end_line: 1, fingerprint: 'x'.repeat(1024) });
    expect(() => parseScan(scan)).not.toThrow();
    expect(() => parseScan({ ...scan, project: `a${'-'.repeat(61)}b` })).not.toThrow();
  });

  for (const row of rows) {
    it(`refuses ${row.name}, naming ${row.want.join(', ')}`, () => {
      const json = clone(validScan(3)) as unknown as Json;
      const replaced = row.change(json);
      const input = replaced === undefined ? json : replaced;
      let error: unknown;
      try {
        parseScan(input);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ScanValidationError);
      const e = error as ScanValidationError;
      expect(e.code).toBe('scan_invalid');
      expect(e.issues.map((i) => i.path)).toEqual(row.want);
      for (const path of row.want) expect(e.message).toContain(`${path}: `);
      if (row.says) expect(e.message).toMatch(row.says);
      expect(e.message).not.toContain('\n');
    });
  }

  it('names every bad finding, and lists at most ten in the message', () => {
    const json = clone(validScan(30)) as unknown as Json;
    for (const f of json.findings) f.line = -1;
    const error = (() => {
      try {
        parseScan(json);
      } catch (e) {
        return e as ScanValidationError;
      }
    })()!;
    expect(error.issues).toHaveLength(30);
    expect(error.issues[29]!.path).toBe('findings[29].line');
    expect(error.message).toContain('(and 20 more)');
  });

  it('is strict: ScanSchema itself rejects unknown keys', () => {
    expect(ScanSchema.safeParse({ ...validScan(1), x: 1 }).success).toBe(false);
  });
});

describe('readScanFile', () => {
  it('reads and validates a file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'scan.json');
    await writeFile(file, JSON.stringify(validScan(2)));
    expect(await readScanFile(file)).toEqual(validScan(2));
  });

  const fileRows: { name: string; content: string | undefined; want: RegExp }[] = [
    {
      name: 'a missing file',
      content: undefined,
      want: /cannot read the scan file .*scan\.json: no such file/,
    },
    { name: 'an empty file', content: '', want: /is not JSON: the file is empty/ },
    {
      name: 'a truncated file',
      content: '{"schema": "aphoria.scan/v1",\n  "project": ',
      want: /is not JSON: .*/,
    },
    {
      name: 'a syntax error on line 2',
      content: '{\n  "a": 1,,\n}',
      want: /is not JSON: .* at line 2, column \d+/,
    },
    {
      name: 'valid JSON that is no scan',
      content: '{"schema":"aphoria.scan/v1"}',
      want: /scan\.json is not a valid aphoria\.scan\/v1 scan: project: /,
    },
  ];
  for (const row of fileRows) {
    it(`refuses ${row.name} with a ScanValidationError naming the file`, async () => {
      const dir = await tempDir();
      const file = join(dir, 'scan.json');
      if (row.content !== undefined) await writeFile(file, row.content);
      const error = await readScanFile(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScanValidationError);
      expect((error as Error).message).toMatch(row.want);
      expect((error as Error).message).not.toContain('\n');
    });
  }

  it('refuses a directory', async () => {
    const dir = await tempDir();
    const error = await readScanFile(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScanValidationError);
    expect((error as Error).message).toMatch(/it is a directory/);
  });
});
