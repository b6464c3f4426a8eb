/**
 * Hand-made SARIF logs for the cases real producers rarely show: no partialFingerprints, several
 * runs, originalUriBaseIds, a result without a location, security-severity, snippets, an invalid
 * log naming its JSON path.
 */
import { describe, expect, it } from 'vitest';
import { parseSarif, persistScan, ScanValidationError, securitySeverity } from '../../src/index.js';
import { configFor, readBack, tempDir, useEmulator } from '../support/persist.js';

const emu = useEmulator();
const COMMIT = 'b'.repeat(40);
const OPTIONS = {
  project: 'sarif-edges',
  commit: COMMIT,
  branch: 'main',
  finishedAt: '2026-12-01T10:00:00Z',
};

type Json = Record<string, unknown>;
const result = (extra: Json = {}): Json => ({
  ruleId: 'R1',
  level: 'warning',
  message: { text: 'found it' },
  locations: [
    {
      physicalLocation: {
        artifactLocation: { uri: 'src/a.ts' },
        region: { startLine: 10, endLine: 12, snippet: { text: '  let  x = secret;\n' } },
      },
    },
  ],
  ...extra,
});
const log = (...runs: Json[]): Json => ({ version: '2.1.0', runs });
const run = (results: Json[], extra: Json = {}): Json => ({
  tool: { driver: { name: 'tool', version: '1.0.0' } },
  results,
  ...extra,
});

describe('parseSarif on hand-made logs', () => {
  it('without partialFingerprints, hashes rule, path and region text: moving down keeps it', () => {
    const at = (line: number, text: string) =>
      parseSarif(
        log(
          run([
            result({
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: 'src/a.ts' },
                    region: { startLine: line, snippet: { text } },
                  },
                },
              ],
            }),
          ]),
        ),
        OPTIONS,
      ).findings[0]?.fingerprint;
    expect(at(40, 'let x  =  secret;')).toBe(at(10, '  let x = secret;\n'));
    expect(at(10, 'let y = secret;')).not.toBe(at(10, 'let x = secret;'));
  });

  it('takes primaryLocationLineHash before other partialFingerprints, then fingerprints', () => {
    const scan = parseSarif(
      log(
        run([
          result({ partialFingerprints: { a: '1', primaryLocationLineHash: 'abc:1' } }),
          result({ partialFingerprints: { zeta: '9', alpha: '2' } }),
          result({ fingerprints: { 'stable/v1': 'f00' } }),
        ]),
      ),
      OPTIONS,
    );
    expect(scan.findings.map((f) => f.fingerprint)).toEqual([
      'R1|primaryLocationLineHash=abc:1',
      'R1|alpha=2',
      'R1|stable/v1=f00',
    ]);
  });

  it('numbers repeats of one fingerprint instead of refusing the log', () => {
    const scan = parseSarif(log(run([result(), result()])), OPTIONS);
    const [a, b] = scan.findings.map((f) => f.fingerprint);
    expect(b).toBe(`${a}#2`);
  });

  it('reads every run of a log, rules by index, id or rule.id', () => {
    const scan = parseSarif(
      log(
        run([result({ ruleId: undefined, ruleIndex: 0 })], {
          tool: { driver: { name: 'one', version: '1', rules: [{ id: 'by-index' }] } },
        }),
        run([result({ ruleId: undefined, rule: { id: 'by-rule-id' } })], {
          tool: { driver: { name: 'two', semanticVersion: '2.0.0' } },
        }),
      ),
      OPTIONS,
    );
    expect(scan.findings.map((f) => f.rule)).toEqual(['by-index', 'by-rule-id']);
    expect(scan.scanner).toEqual({ name: 'one+two', version: '1+2.0.0' });
  });

  it('makes URIs relative to the repository root through originalUriBaseIds', () => {
    const bases = {
      originalUriBaseIds: {
        REPO: { uri: 'file:///work/repo/' },
        SRC: { uri: 'packages/web/', uriBaseId: 'REPO' },
      },
    };
    const located = (uri: string, uriBaseId?: string) =>
      result({
        locations: [{ physicalLocation: { artifactLocation: { uri, uriBaseId } } }],
        partialFingerprints: { k: uri },
      });
    const scan = parseSarif(
      log(
        run(
          [
            located('src/x.ts', 'SRC'),
            located('file:///work/repo/lib/y%20z.ts'),
            located('./a/../b.ts', 'UNDEFINED_BASE'),
          ],
          bases,
        ),
      ),
      { ...OPTIONS, repositoryRoot: '/work/repo' },
    );
    expect(scan.findings.map((f) => f.file)).toEqual([
      'packages/web/src/x.ts',
      'lib/y z.ts',
      'b.ts',
    ]);
  });

  it('takes the base that versionControlProvenance maps to as the root, and its commit and branch', () => {
    const scan = parseSarif(
      log(
        run(
          [
            result({
              locations: [
                { physicalLocation: { artifactLocation: { uri: 'm.go', uriBaseId: 'SRCROOT' } } },
              ],
            }),
          ],
          {
            originalUriBaseIds: { SRCROOT: { uri: 'file:///somewhere/else/' } },
            versionControlProvenance: [
              {
                repositoryUri: 'https://example.com/r.git',
                revisionId: 'C'.repeat(40),
                branch: 'feature/x',
                mappedTo: { uriBaseId: 'SRCROOT' },
              },
            ],
          },
        ),
      ),
      { project: 'sarif-edges', finishedAt: OPTIONS.finishedAt },
    );
    expect(scan).toMatchObject({ commit: 'c'.repeat(40), branch: 'feature/x' });
    expect(scan.findings[0]?.file).toBe('m.go');
  });

  it('gives a result without a location the repository as its file', () => {
    const scan = parseSarif(log(run([result({ locations: undefined })])), OPTIONS);
    expect(scan.findings[0]).toMatchObject({ file: '.', line: 1, end_line: 1 });
  });

  it('maps security-severity as GitHub does, over level', () => {
    const scan = parseSarif(
      log(
        run(
          [
            result({ ruleIndex: 0, level: 'note' }),
            result({ ruleId: 'R2', level: 'error', ruleIndex: 1 }),
            result({ ruleId: 'R3', level: undefined }),
          ],
          {
            tool: {
              driver: {
                name: 't',
                rules: [
                  { id: 'R1', properties: { 'security-severity': '9.1' } },
                  { id: 'R2' },
                  { id: 'R3', defaultConfiguration: { level: 'note' } },
                ],
              },
            },
          },
        ),
      ),
      OPTIONS,
    );
    expect(scan.findings.map((f) => f.severity)).toEqual(['critical', 'high', 'low']);
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(securitySeverity)).toEqual([
      'info',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
  });

  it('copies no snippet unless includeSnippets', () => {
    const sarif = log(run([result()]));
    expect(JSON.stringify(parseSarif(sarif, OPTIONS))).not.toContain('secret');
    expect(parseSarif(sarif, { ...OPTIONS, includeSnippets: true }).findings[0]?.snippet).toBe(
      '  let  x = secret;\n',
    );
  });

  it('refuses an invalid log, naming the JSON path', () => {
    const bad = log(
      run([result({ level: 'fatal' })]),
      run([result({ locations: [{ physicalLocation: { region: { startLine: 0 } } }] })]),
    );
    const error = (() => {
      try {
        parseSarif(bad, OPTIONS);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ScanValidationError);
    const paths = (error as ScanValidationError).issues.map((i) => i.path);
    expect(paths).toContain('runs[0].results[0].level');
    expect(paths).toContain('runs[1].results[0].locations[0].physicalLocation.region.startLine');
    expect((error as Error).message).toContain('runs[0].results[0].level: must be one of');
  });

  it('refuses a log that names no commit when none is given', () => {
    expect(() =>
      parseSarif(log(run([result()])), {
        project: 'p',
        branch: 'main',
        finishedAt: OPTIONS.finishedAt,
      }),
    ).toThrow(/names no the commit/);
  });
});

describe('a hand-made log persisted', () => {
  it('stores one finding per result of every run, exactly once; a re-persist stores nothing', async () => {
    const sarif = log(
      run([result(), result({ ruleId: 'R2' }), result({ locations: undefined })]),
      run([result({ ruleId: 'R3', partialFingerprints: { primaryLocationLineHash: 'ff:1' } })]),
    );
    const scan = parseSarif(sarif, OPTIONS);
    expect(scan.findings).toHaveLength(4);
    const first = await persistScan(scan, { config: configFor(emu(), await tempDir()) });
    expect(first).toMatchObject({ total: 5, sent: 5, complete: true });
    const again = await persistScan(parseSarif(sarif, OPTIONS), {
      config: configFor(emu(), await tempDir()),
    });
    expect(again).toMatchObject({ sent: 0, alreadyPresent: 5 });
    expect(await readBack(emu(), scan)).toEqual({ stored: 5, missing: [], doubled: [], extra: [] });
  });
});
