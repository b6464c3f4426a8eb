/**
 * `readSarifFile` reads a log as it streams: the same scan as `parseSarif` of the parsed log
 * (with rules and bases given after the results that need them, and characters cut across the
 * reader's chunks), errors that name a result's JSON path, files that are not JSON named
 * without quoting them, and a log too large to be held whole read in a heap that could not
 * hold it.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runNode } from '../../../../test/support/spawn.js';
import { parseSarif, readSarifFile, ScanValidationError } from '../../src/index.js';
import { ensureBuilt } from '../cli/harness.js';
import { tempDir } from '../fixtures/temp.js';

const OPTIONS = {
  project: 'sarif-stream',
  commit: 'e'.repeat(40),
  branch: 'main',
  finishedAt: '2026-12-01T10:00:00Z',
};

type Json = Record<string, unknown>;

/** A result at `uri` under base `SRC`, rule by index, no fingerprint of its own. */
const result = (i: number, text: string): Json => ({
  ruleIndex: i % 2,
  message: { text },
  locations: [
    {
      physicalLocation: {
        artifactLocation: { uri: `f${i % 7}.ts`, uriBaseId: 'SRC' },
        region: { startLine: i + 1, snippet: { text: `line ${i}` } },
      },
    },
  ],
  // Dropped as soon as the result is read: the mapping never looks at them.
  relatedLocations: [{ message: { text: 'x'.repeat(200) } }],
  properties: { tags: ['a', 'b'] },
});

/** A run with rules by index and two bases, one of them the repository root. */
const run = (results: Json[], driver: string, securitySeverity: string): Json => ({
  tool: {
    driver: {
      name: driver,
      rules: [{ id: 'R0', properties: { 'security-severity': securitySeverity } }, { id: 'R1' }],
    },
  },
  originalUriBaseIds: { SRC: { uri: 'src/', uriBaseId: 'ROOT' } },
  versionControlProvenance: [
    { repositoryUri: 'https://example.com/r.git', mappedTo: { uriBaseId: 'ROOT' } },
  ],
  results,
});

/** The same run with its results first: its rules and bases are only known at its end. */
const resultsFirst = (results: Json[], driver: string, securitySeverity: string): Json => {
  const { results: _, ...rest } = run(results, driver, securitySeverity);
  return { results, ...rest };
};

async function written(content: string | Json, name = 'log.sarif'): Promise<string> {
  const path = join(await tempDir('aphoria-sarif-stream-'), name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
  return path;
}

async function refusal(path: string): Promise<ScanValidationError> {
  const error = await readSarifFile(path, OPTIONS).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScanValidationError);
  return error as ScanValidationError;
}

describe('readSarifFile, streaming', () => {
  it('gives the scan parseSarif gives, though a run names its rules and bases after its results', async () => {
    // Over 64 KiB, with characters of 2, 3 and 4 bytes, so that some are cut across chunks.
    const results = Array.from({ length: 300 }, (_, i) => result(i, `é ✓ 🔑 finding ${i}`));
    // The second run repeats the first's results: their fingerprints are numbered in log order.
    const log = {
      version: '2.1.0',
      runs: [resultsFirst(results, 'one', '9.5'), run(results, 'two', '1.0')],
    };
    const path = await written(log);
    const streamed = await readSarifFile(path, OPTIONS);
    expect(streamed).toEqual(parseSarif(log, OPTIONS));
    expect(streamed.findings).toHaveLength(600);
    expect(streamed.findings[0]).toMatchObject({
      rule: 'R0',
      severity: 'critical',
      file: 'src/f0.ts',
      message: 'é ✓ 🔑 finding 0',
    });
    expect(streamed.findings[1]).toMatchObject({
      rule: 'R1',
      severity: 'medium',
      file: 'src/f1.ts',
    });
    expect(streamed.findings[300]).toMatchObject({
      rule: 'R0',
      severity: 'low',
      fingerprint: `${streamed.findings[0]?.fingerprint}#2`,
    });
    expect(streamed.scanner.name).toBe('one+two');
  });

  it('takes the JSON text of a log as parseSarif input too', async () => {
    const log = { version: '2.1.0', runs: [run([result(0, 'm')], 't', '5')] };
    expect(parseSarif(JSON.stringify(log), OPTIONS)).toEqual(parseSarif(log, OPTIONS));
    expect(() => parseSarif('{"version": "2.1.0", "runs": [', OPTIONS)).toThrow(
      /the log: it is not JSON/,
    );
  });

  it("names a result's JSON path, a run's and the log's, as the log streams", async () => {
    const results = Array.from({ length: 130 }, (_, i) => result(i, `m${i}`));
    (
      (results[123]!.locations as Json[])[0]!.physicalLocation as { region: Json }
    ).region.startLine = 0;
    results[7]!.level = 'fatal';
    const log = {
      version: '2.1.0',
      runs: [
        resultsFirst([result(0, 'ok')], 'ok', '5'),
        { ...resultsFirst(results, 'x', '5'), tool: undefined, extra: 1 },
      ],
      stray: true,
    };
    const error = await refusal(await written(log));
    const issues = error.issues.map((i) => `${i.path}: ${i.message}`);
    // The log's and the run's issues first (in the schema's order), then the results' in order.
    expect(new Set(issues.slice(0, 3))).toEqual(
      new Set([
        'stray: is not a field of SARIF 2.1.0',
        'runs[1].tool: is required',
        'runs[1].extra: is not a field of SARIF 2.1.0',
      ]),
    );
    expect(issues.slice(3)).toEqual([
      'runs[1].results[7].level: must be one of "none", "note", "warning", "error"',
      'runs[1].results[123].locations[0].physicalLocation.region.startLine: must be >= 1',
    ]);
    expect(error.message).toContain(
      'runs[1].results[123].locations[0].physicalLocation.region.startLine: must be >= 1',
    );
  });

  it('keeps at most as many issues as an error holds (and stops reading there)', async () => {
    const bad = { message: { text: 'm' }, level: 'fatal' };
    const log = {
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 't' } }, results: Array(1500).fill(bad) }],
    };
    const error = await refusal(await written(JSON.stringify(log)));
    expect(error.issues).toHaveLength(1000);
    expect(error.issues[999]?.path).toBe('runs[0].results[999].level');
  });

  it('refuses a file that is not JSON, cut short, empty or missing, quoting none of it', async () => {
    const secret = 'hunter2-secret-value';
    const cases = [
      [
        `{"version": "2.1.0", "runs": [{"results": [{"message": {"text": ${secret}}}]}]}`,
        'it is not JSON',
      ],
      [
        `{"version": "2.1.0", "runs": [{"results": [{"message": {"text": "${secret}`,
        'it is not JSON: it ends early',
      ],
      [`{"version": "2.1.0", "runs": []} {"${secret}": 1}`, 'it is not JSON'],
      [' \n', 'the file is empty'],
    ] as const;
    for (const [content, reason] of cases) {
      const error = await refusal(await written(content));
      expect(error.message).toMatch(new RegExp(`: ${reason}$`));
      expect(JSON.stringify(error.issues)).not.toContain(secret);
    }
    const dir = await tempDir();
    expect((await refusal(join(dir, 'missing.sarif'))).message).toMatch(/: no such file$/);
    await mkdir(join(dir, 'a.sarif'));
    expect((await refusal(join(dir, 'a.sarif'))).message).toMatch(/: it is a directory$/);
  });

  it('reads a log with a UTF-8 byte order mark, as .NET tools write them', async () => {
    const log = { version: '2.1.0', runs: [run([result(0, 'bom')], 't', '5')] };
    const path = await written(`\uFEFF${JSON.stringify(log)}`);
    expect((await readSarifFile(path, OPTIONS)).findings[0]?.message).toBe('bom');
  });
});

describe('readSarifFile, a log larger than the heap', () => {
  ensureBuilt();
  const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
  // Results of ~8 KiB each, mostly a property bag the mapping never reads: the text alone, or
  // the parsed log alone, is larger than the heap the reader is given. Few findings, so that
  // the reader has room to spare and the run stays quick.
  const RESULTS = 4_000;
  const BLOB = 8_000;
  const HEAP_MB = 32;

  it(`maps ${RESULTS} results (a ${Math.round((RESULTS * (BLOB + 250)) / 1e6)} MB file) in a ${HEAP_MB} MB heap`, async () => {
    const dir = await tempDir('aphoria-sarif-big-');
    const path = join(dir, 'big.sarif');
    const out = createWriteStream(path);
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, 'drain');
    };
    await write('{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"big"}},"results":[');
    const blob = 'z'.repeat(BLOB);
    for (let i = 0; i < RESULTS; i++) {
      const r = {
        ruleId: `R${i % 13}`,
        message: { text: `finding ${i}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: `src/f${i}.ts` },
              region: { startLine: 3 },
            },
          },
        ],
        partialFingerprints: { primaryLocationLineHash: `h${i}` },
        properties: { blob },
      };
      await write(`${i === 0 ? '' : ','}${JSON.stringify(r)}`);
    }
    await write(']}]}\n');
    out.end();
    await once(out, 'close');

    const script = join(dir, 'read.mjs');
    await writeFile(
      script,
      `import { readSarifFile } from ${JSON.stringify(DIST)};
const scan = await readSarifFile(process.argv[2], ${JSON.stringify(OPTIONS)});
process.stdout.write(String(scan.findings.length) + ' ' + scan.findings[${RESULTS - 1}].fingerprint);
`,
    );
    const run = await runNode([`--max-old-space-size=${HEAP_MB}`, script, path], {
      timeoutMs: 120_000,
    });
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr.slice(0, 500) }).toEqual({
      code: 0,
      stdout: `${RESULTS} R${(RESULTS - 1) % 13}|primaryLocationLineHash=h${RESULTS - 1}`,
      stderr: '',
    });
  }, 120_000);
});
