/**
 * Every package works once installed from its packed tarball into a project outside the
 * workspace, the way a user gets it: each package is packed (`pnpm pack`), the tarballs are
 * installed with npm into a fresh temporary directory, and there each export is loaded as an ES
 * module and as CommonJS and used for real, and each CLI prints its `--help`. A build missing
 * from `files`, a dependency declared `workspace:` only or not at all (hoisted in the
 * workspace), or a `bin` pointing at the wrong file fails here and nowhere else.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSpecifiers, workspacePackages } from './support/packages.js';
import {
  CONSUMERS,
  consumerFile,
  consumerSource,
  type ModuleKind,
} from './support/packed-consumers.js';
import {
  consumerEnv,
  npmInstall,
  output,
  packPackages,
  writeConsumerProject,
} from './support/packed-install.js';
import { runNode } from './support/spawn.js';

const packages = workspacePackages();
const clis = packages.flatMap((pkg) => Object.keys(pkg.bins));
const work = mkdtempSync(join(tmpdir(), 'stemedb-packed-'));
const consumerDir = join(work, 'consumer');

beforeAll(async () => {
  const tarballDir = join(work, 'tarballs');
  mkdirSync(tarballDir);
  mkdirSync(consumerDir);
  writeConsumerProject(consumerDir, await packPackages(packages, tarballDir));
  const installed = await npmInstall(consumerDir);
  if (installed.code !== 0)
    throw new Error(`npm install of the tarballs failed:\n${output(installed)}`);
  for (const consumer of CONSUMERS) {
    for (const kind of ['esm', 'cjs'] as const) {
      writeFileSync(
        join(consumerDir, consumerFile(consumer, kind)),
        consumerSource(consumer, kind),
      );
    }
  }
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the consumer project', () => {
  it('has a consumer for every export of every package', () => {
    // `./package.json` aside: only metadata.
    const exported = packages.flatMap((pkg) =>
      exportSpecifiers(pkg, (_target, subpath) => subpath !== './package.json'),
    );
    expect(CONSUMERS.map((c) => c.specifier).sort()).toEqual(exported.sort());
  });

  it('resolves the packages from its own node_modules and nothing they merely depend on', async () => {
    // Asked of a child with the consumers' environment: the test's own process has the
    // NODE_PATH that pnpm's launchers set, which reaches the workspace's hoisted packages.
    const names = [...packages.map((pkg) => pkg.name), 'zod'];
    const script = `for (const name of ${JSON.stringify(names)}) {
      let found = null;
      try { found = require('node:fs').realpathSync(require.resolve(name)); } catch {}
      console.log(name + ' ' + found);
    }`;
    const result = await runNode(['-e', script], { cwd: consumerDir, env: consumerEnv() });
    expect(result.code, output(result)).toBe(0);
    const found = Object.fromEntries(
      result.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ')),
    );
    const home = realpathSync(consumerDir) + sep;
    for (const pkg of packages) {
      expect(found[pkg.name]?.startsWith(home), `${pkg.name}: ${found[pkg.name]}`).toBe(true);
    }
    // Every package depends on zod; an isolated install keeps it out of the consumer's reach.
    expect(found.zod).toBe('null');
    // Nor can anything come from above the temporary directory.
    const above: string[] = [];
    for (let dir = dirname(consumerDir); dir !== dirname(dir); dir = dirname(dir)) {
      if (existsSync(join(dir, 'node_modules'))) above.push(dir);
    }
    expect(above).toEqual([]);
  });
});

describe.each(CONSUMERS)('$specifier, installed from its tarball', (consumer) => {
  it.each(['esm', 'cjs'] satisfies ModuleKind[])('works when loaded as %s', async (kind) => {
    const file = consumerFile(consumer, kind);
    const result = await runNode([file], { cwd: consumerDir, env: consumerEnv() });
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
      code: 0,
      stdout: 'ok\n',
      stderr: '',
    });
  });
});

describe.each(clis)('CLI %s, installed from its tarball', (cli) => {
  it('runs from node_modules/.bin and prints its --help', async () => {
    const launcher = join(consumerDir, 'node_modules', '.bin', cli);
    expect(existsSync(launcher), `${launcher} exists`).toBe(true);
    // Run on the Node under test; the launcher's shebang would pick the first node on PATH.
    const result = await runNode([launcher, '--help'], { cwd: consumerDir, env: consumerEnv() });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^Usage: ${cli} `, 'm'));
  });
});
