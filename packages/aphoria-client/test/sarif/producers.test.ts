/**
 * SARIF logs from real producers, made during the run from fixtures (ESLint with
 * @microsoft/eslint-formatter-sarif, secretlint with its SARIF formatter, jscpd's SARIF
 * reporter), each persisted to the emulator: one finding per result, exactly once, and a
 * re-persist stores nothing. Each producer runs once, in beforeAll.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSarif, persistScan, readSarifFile, type Scan } from '../../src/index.js';
import { configFor, readBack, tempDir, useEmulator } from '../support/persist.js';

const emu = useEmulator();
const run = promisify(execFile);
const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../node_modules/.bin');
const COMMIT = 'a'.repeat(40);
const FINISHED = '2026-12-01T10:00:00Z';

// Built at run time so that no secret-shaped string sits in the repository.
const GITHUB_TOKEN = ['ghp', '_', 'A1b2C3d4E5f6G7h8I9j0', 'K1l2M3n4O5p6Q7r8'].join('');
const DUPLICATED = Array.from(
  { length: 12 },
  (_, i) => `  total = total + values[${i}] * weights[${i}] - offsets[${i}];`,
).join('\n');

let root: string;
// Each producer's log as it wrote it, and parsed.
const texts: Record<'eslint' | 'secretlint' | 'jscpd', string> = {
  eslint: '',
  secretlint: '',
  jscpd: '',
};
const logs: Record<'eslint' | 'secretlint' | 'jscpd', unknown> = {
  eslint: undefined,
  secretlint: undefined,
  jscpd: undefined,
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'aphoria-sarif-producers-'));
  await mkdir(join(root, 'src'));
  await writeFile(
    join(root, 'src/app.js'),
    'const a = 1;\nvar unused = 2;\nif (a == 2) {\n  debugger;\n}\n',
  );
  await writeFile(join(root, 'src/config.js'), `// config\nconst token = "${GITHUB_TOKEN}";\n`);
  await writeFile(
    join(root, 'src/one.js'),
    `function one(values, weights, offsets) {\n  let total = 0;\n${DUPLICATED}\n  return total;\n}\n`,
  );
  await writeFile(
    join(root, 'src/two.js'),
    `function two(values, weights, offsets) {\n  let total = 1;\n${DUPLICATED}\n  return -total;\n}\n`,
  );
  await writeFile(
    join(root, '.secretlintrc.json'),
    JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }),
  );

  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.js'],
        rules: { 'no-unused-vars': 'error', eqeqeq: 'warn', 'no-debugger': 'error' },
      },
    ],
  });
  const results = await eslint.lintFiles(['src/app.js']);
  const formatter = await eslint.loadFormatter('@microsoft/eslint-formatter-sarif');
  texts.eslint = await formatter.format(results);

  // secretlint exits 1 when it finds a secret; its log is on stdout all the same.
  const secretlint = await run(
    join(BIN, 'secretlint'),
    [
      '--secretlintrc',
      '.secretlintrc.json',
      '--format',
      '@secretlint/secretlint-formatter-sarif',
      'src/**/*',
    ],
    { cwd: root },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  texts.secretlint = secretlint.stdout;

  await run(
    join(BIN, 'jscpd'),
    [
      '--reporters',
      'sarif',
      '--output',
      join(root, 'jscpd'),
      '--min-lines',
      '5',
      '--silent',
      'src',
    ],
    { cwd: root },
  );
  texts.jscpd = await readFile(join(root, 'jscpd/jscpd-report.sarif'), 'utf8');
  for (const producer of ['eslint', 'secretlint', 'jscpd'] as const) {
    logs[producer] = JSON.parse(texts[producer]);
  }
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function resultCount(log: unknown): number {
  return (log as { runs: { results?: unknown[] }[] }).runs.reduce(
    (n, r) => n + (r.results?.length ?? 0),
    0,
  );
}

const optionsOf = (producer: keyof typeof logs) => ({
  project: `sarif-${producer}`,
  commit: COMMIT,
  branch: 'main',
  repositoryRoot: root,
  finishedAt: FINISHED,
});

function scanOf(producer: keyof typeof logs): Scan {
  return parseSarif(logs[producer], optionsOf(producer));
}

describe.each(['eslint', 'secretlint', 'jscpd'] as const)('a SARIF log from %s', (producer) => {
  it('persists one finding per result, exactly once, and a re-persist stores nothing', async () => {
    const scan = scanOf(producer);
    const results = resultCount(logs[producer]);
    expect(results).toBeGreaterThan(0);
    expect(scan.findings).toHaveLength(results);
    const first = await persistScan(scan, { config: configFor(emu(), await tempDir()) });
    expect(first).toMatchObject({ total: results + 1, sent: results + 1, complete: true });
    const again = await persistScan(scanOf(producer), {
      config: configFor(emu(), await tempDir()),
    });
    expect(again).toMatchObject({ sent: 0, alreadyPresent: results + 1, spooled: 0 });
    expect(await readBack(emu(), scan)).toEqual({
      stored: results + 1,
      missing: [],
      doubled: [],
      extra: [],
    });
  });

  it('reads the same scan from the file as it wrote it, streaming', async () => {
    const path = join(await tempDir(), `${producer}.sarif`);
    await writeFile(path, texts[producer]);
    expect(await readSarifFile(path, optionsOf(producer))).toEqual(scanOf(producer));
  });

  it('names files relative to the repository root', () => {
    for (const finding of scanOf(producer).findings) {
      expect(finding.file).toMatch(/^src\/[a-z]+\.js$/);
    }
  });
});

describe('what each producer says, mapped', () => {
  it('ESLint: rule, severity from level, lines and message', () => {
    const byRule = new Map(scanOf('eslint').findings.map((f) => [f.rule, f]));
    expect(byRule.get('no-unused-vars')).toMatchObject({
      severity: 'high',
      file: 'src/app.js',
      line: 2,
      end_line: 2,
      message: "'unused' is assigned a value but never used.",
    });
    expect(byRule.get('eqeqeq')).toMatchObject({ severity: 'medium', line: 3 });
    expect(byRule.get('no-debugger')).toMatchObject({ severity: 'high', line: 4 });
  });

  it('ESLint: moving the code down the file keeps every fingerprint', async () => {
    const moved = join(root, 'src/app.js');
    const original = await readFile(moved, 'utf8');
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.js'],
          rules: { 'no-unused-vars': 'error', eqeqeq: 'warn', 'no-debugger': 'error' },
        },
      ],
    });
    const results = await eslint.lintText(`// a header\n\n\n${original}`, { filePath: moved });
    const formatter = await eslint.loadFormatter('@microsoft/eslint-formatter-sarif');
    const after = parseSarif(JSON.parse(await formatter.format(results)), {
      project: 'sarif-eslint',
      commit: COMMIT,
      branch: 'main',
      repositoryRoot: root,
      finishedAt: FINISHED,
    });
    const before = scanOf('eslint').findings;
    expect(after.findings.map((f) => f.line)).toEqual(before.map((f) => f.line + 3));
    expect(after.findings.map((f) => f.fingerprint)).toEqual(before.map((f) => f.fingerprint));
  });

  it('secretlint: the finding names the token rule and carries no secret', () => {
    const scan = scanOf('secretlint');
    expect(scan.findings).toHaveLength(1);
    expect(scan.findings[0]).toMatchObject({ file: 'src/config.js', line: 2, severity: 'high' });
    expect(scan.findings[0]?.rule).toContain('secretlint-rule-github');
    expect(JSON.stringify(scan)).not.toContain(GITHUB_TOKEN);
  });

  it('jscpd: a duplication finding in one of the two files', () => {
    const scan = scanOf('jscpd');
    expect(scan.findings.every((f) => f.rule === 'jscpd/duplicate-code')).toBe(true);
    expect(scan.findings.map((f) => f.file).sort()[0]).toMatch(/^src\/(one|two)\.js$/);
  });
});
