/**
 * `aphoria-hosted diff` on ESLint's SARIF logs of two branches of a fixture, persisted to the
 * emulator: the branch fixes one finding and introduces one (and moves the rest down a few
 * lines); diff names exactly those two, writes the new one as valid SARIF, and gates on it.
 * Then `--base-commit`: a third branch scanned at two commits, compared with the first of them.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffScans, parseSarif, persistScan } from '../../src/index.js';
import { cleanEnv, cli, ensureBuilt, hasStack, project } from '../cli/harness.js';
import { configFor, tempDir, useEmulator } from '../support/persist.js';

const emu = useEmulator();
ensureBuilt();

const PROJECT = 'sarif-diff';
// Two commits of one branch whose ids share their first 7 characters, as abbreviations can.
const FIRST = `1234567${'c'.repeat(33)}`;
const SECOND = `1234567${'d'.repeat(33)}`;
const MAIN = 'const a = 1;\nvar unused = 2;\nif (a == 2) {\n  console.log(a);\n}\n';
// Fixes eqeqeq, adds a debugger statement, and moves the unused variable down three lines.
const FEATURE = '// header\n\n\nconst a = 1;\nvar unused = 2;\nif (a === 2) {\n  debugger;\n}\n';

async function eslintSarif(code: string): Promise<unknown> {
  const eslint = new ESLint({
    cwd: '/repo',
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.js'],
        rules: { 'no-unused-vars': 'error', eqeqeq: 'warn', 'no-debugger': 'error' },
      },
    ],
  });
  const results = await eslint.lintText(code, { filePath: '/repo/src/app.js' });
  const formatter = await eslint.loadFormatter('@microsoft/eslint-formatter-sarif');
  return JSON.parse(await formatter.format(results));
}

beforeAll(async () => {
  const config = configFor(emu(), await tempDir());
  for (const [branch, code, commit, minute] of [
    ['main', MAIN, 'a'.repeat(40), 1],
    ['feature/x', FEATURE, 'b'.repeat(40), 2],
    ['feature/y', MAIN, FIRST, 3],
    ['feature/y', FEATURE, SECOND, 4],
  ] as const) {
    const scan = parseSarif(await eslintSarif(code), {
      project: PROJECT,
      commit,
      branch,
      repositoryRoot: '/repo',
      finishedAt: `2026-12-01T12:0${minute}:00Z`,
    });
    await persistScan(scan, { config });
  }
}, 60_000);

describe('aphoria-hosted diff', () => {
  it('names the one finding introduced and the one fixed', async () => {
    const diff = await diffScans({
      config: configFor(emu(), await tempDir()),
      project: PROJECT,
      branch: 'feature/x',
      base: 'main',
    });
    expect(diff.new.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['no-debugger', 'src/app.js', 7],
    ]);
    expect(diff.fixed.map((f) => [f.rule, f.line])).toEqual([['eqeqeq', 3]]);
  });

  it('prints --json, writes the new findings as SARIF, and exits 1 on --fail-on at or below them', async () => {
    const root = await project(`url = "${emu().url}"\nproject = "${PROJECT}"`);
    await mkdir(join(root, 'out'));
    const env = cleanEnv({ STEMEDB_API_KEY: emu().rootApiKey });
    const args = ['diff', '--branch', 'feature/x', '--base', 'main'];

    const json = await cli([...args, '--json', '--sarif', 'out/new.sarif'], root, env);
    expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 0, stderr: '' });
    const printed = JSON.parse(json.stdout) as {
      new: { rule: string }[];
      fixed: { rule: string }[];
    };
    expect([printed.new.map((f) => f.rule), printed.fixed.map((f) => f.rule)]).toEqual([
      ['no-debugger'],
      ['eqeqeq'],
    ]);
    // The log written is valid SARIF 2.1.0 (our own reader validates it) and round-trips.
    const log = JSON.parse(await readFile(join(root, 'out/new.sarif'), 'utf8'));
    const again = parseSarif(log, {
      project: PROJECT,
      commit: 'b'.repeat(40),
      branch: 'feature/x',
      finishedAt: '2026-12-01T12:05:00Z',
    });
    expect(again.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
      ['no-debugger', 'high', 'src/app.js', 7],
    ]);

    const gated = await cli([...args, '--fail-on', 'high'], root, env);
    expect(gated.code).toBe(1);
    expect(gated.stdout).toMatch(/^feature\/x against main: 1 new, 1 fixed$/m);
    expect(gated.stderr).toContain('1 new finding(s) at or above high');
    expect((await cli([...args, '--fail-on', 'critical'], root, env)).code).toBe(0);
    expect((await cli([...args, '--fail-on', 'severe'], root, env)).code).toBe(2);
  });

  it('--base-commit compares with that commit: the branch against its own first scan', async () => {
    const root = await project(`url = "${emu().url}"\nproject = "${PROJECT}"`);
    const env = cleanEnv({ STEMEDB_API_KEY: emu().rootApiKey });
    const args = ['diff', '--branch', 'feature/y', '--json', '--base-commit'];
    // The full id, and an abbreviation that names one scanned commit.
    for (const sha of [FIRST, FIRST.slice(0, 8).toUpperCase()]) {
      const result = await cli([...args, sha], root, env);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      const printed = JSON.parse(result.stdout) as {
        new: { rule: string; commit: string }[];
        fixed: { rule: string; commit: string }[];
      };
      expect(printed.new.map((f) => [f.rule, f.commit])).toEqual([['no-debugger', SECOND]]);
      expect(printed.fixed.map((f) => [f.rule, f.commit])).toEqual([['eqeqeq', FIRST]]);
    }
  });

  it('--base-commit of a commit never scanned exits 2 naming it, instead of calling every finding new', async () => {
    const root = await project(`url = "${emu().url}"\nproject = "${PROJECT}"`);
    const env = cleanEnv({ STEMEDB_API_KEY: emu().rootApiKey });
    const args = ['diff', '--branch', 'feature/y', '--base-commit'];
    const unknown = await cli([...args, 'e'.repeat(40), '--fail-on', 'info'], root, env);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(
      new RegExp(
        `^aphoria-hosted: error: .*no complete scan of ${PROJECT} is of commit e{40}.*\\[invalid_options\\]\\n$`,
      ),
    );
    expect(hasStack(unknown.stderr)).toBe(false);

    const ambiguous = await cli([...args, '1234567'], root, env);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(`commit 1234567 is ambiguous`);
    expect(ambiguous.stderr).toContain(FIRST);
    expect(ambiguous.stderr).toContain(SECOND);

    const malformed = await cli([...args, 'HEAD~1'], root, env);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('must be a commit id (7 to 40 hex characters)');
  });
});
