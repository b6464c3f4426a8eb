/**
 * A project outside the workspace with every package installed from its packed tarball, the way
 * a user gets them: `pnpm pack` (which turns `workspace:*` into real versions), then `npm install`
 * of the tarballs in a fresh directory, isolated so that nothing hoisted in the workspace helps.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { npmCliScript, pnpmCliScript } from './node-tools.js';
import type { WorkspacePackage } from './packages.js';
import { type RunResult, runNode } from './spawn.js';

/** Package name → absolute path of its tarball. */
export type Tarballs = ReadonlyMap<string, string>;

/** Packs each package as publishing would, into `destination`. Needs the packages built. */
export async function packPackages(
  packages: readonly WorkspacePackage[],
  destination: string,
): Promise<Tarballs> {
  const tarballs = new Map<string, string>();
  const pnpm = pnpmCliScript();
  // One at a time: each pack is quick, and the machine's cores are shared with the other tests.
  for (const pkg of packages) {
    if (!existsSync(join(pkg.dir, 'dist'))) {
      throw new Error(
        `${pkg.name} has no dist/: run \`pnpm build\` first (this test packs the build)`,
      );
    }
    const result = await runNode([pnpm, 'pack', '--json', '--pack-destination', destination], {
      cwd: pkg.dir,
      timeoutMs: 120_000,
    });
    if (result.code !== 0) throw new Error(`pnpm pack of ${pkg.name} failed:\n${output(result)}`);
    const { filename } = JSON.parse(result.stdout) as { filename: string };
    tarballs.set(pkg.name, isAbsolute(filename) ? filename : join(destination, filename));
  }
  return tarballs;
}

/**
 * Writes the consumer's package.json: a `file:` dependency on every tarball, and the same as an
 * npm override, because the packed packages depend on each other by version (`0.1.0`), which
 * the registry does not have (yet): the override points those at the tarballs too.
 */
export function writeConsumerProject(dir: string, tarballs: Tarballs): void {
  const dependencies = Object.fromEntries(
    [...tarballs].map(([name, tarball]) => [name, `file:${tarball}`]),
  );
  const json = { name: 'packed-consumer', version: '0.0.0', private: true, dependencies };
  const text = JSON.stringify({ ...json, overrides: dependencies }, null, 2);
  writeFileSync(join(dir, 'package.json'), `${text}\n`);
}

/**
 * `npm install` in `dir`, from the registry as configured. `linked` lays node_modules out as pnpm
 * does: a package sees only what it declares, so a dependency that the workspace merely hoists
 * fails here.
 */
export function npmInstall(dir: string): Promise<RunResult> {
  const args = [
    'install',
    '--no-audit',
    '--no-fund',
    '--install-strategy=linked',
    '--prefer-offline',
  ];
  return runNode([npmCliScript(), ...args], { cwd: dir, env: consumerEnv(), timeoutMs: 200_000 });
}

/**
 * The environment of everything run in the consumer: the test's, without what would let the
 * workspace leak in (`NODE_PATH`, `NODE_OPTIONS`, and the `npm_*`/`pnpm_*` variables that the
 * package manager running the tests sets, such as its config and its user agent).
 */
export function consumerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(NODE_PATH|NODE_OPTIONS)$|^(npm|pnpm)_/i.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** A failed child's output, for an error message. */
export function output(result: RunResult): string {
  return `exit ${result.code ?? result.signal}\n${result.stdout}\n${result.stderr}`.trim();
}
