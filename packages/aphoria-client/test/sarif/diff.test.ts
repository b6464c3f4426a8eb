/**
 * `aphoria-hosted diff` on ESLint's SARIF logs of two branches of a fixture, persisted to the
 * emulator: the branch fixes one finding and introduces one (and moves the rest down a few
 * lines); diff names exactly those two, writes the new one as valid SARIF, and gates on it.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffScans, parseSarif, persistScan } from '../../src/index.js';
import { cleanEnv, cli, ensureBuilt, project } from '../cli/harness.js';
import { configFor, tempDir, useEmulator } from '../support/persist.js';

const emu = useEmulator();
ensureBuilt();

const PROJECT = 'sarif-diff';
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
    ['main', MAIN, 'a', 1],
    ['feature/x', FEATURE, 'b', 2],
  ] as const) {
    const scan = parseSarif(await eslintSarif(code), {
      project: PROJECT,
      commit: commit.repeat(40),
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
});
