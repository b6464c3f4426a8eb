/**
 * Running `aphoria-hosted` as a user does: the built bin (bin/aphoria-hosted.js → dist/cli.js)
 * in a child process on the Node that runs the tests, in a project folder with its own
 * `.aphoria/config.toml`, with the key only in the environment.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunResult, runNode } from '../../../../test/support/spawn.js';
import { tempDir } from '../support/persist.js';

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(PACKAGE, 'bin/aphoria-hosted.js');
const DIST = join(PACKAGE, 'dist/cli.js');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** Builds dist/ when it is missing or older than src/ (one test file calls this). */
export function ensureBuilt(): void {
  const stale = !existsSync(DIST) || statSync(DIST).mtimeMs < newest(join(PACKAGE, 'src'));
  if (stale) execFileSync('pnpm', ['run', 'build'], { cwd: PACKAGE, stdio: 'ignore' });
}

/** A project folder holding `.aphoria/config.toml` with `[hosted]` `lines`. */
export async function project(lines: string): Promise<string> {
  const root = await tempDir('aphoria-cli-');
  await mkdir(join(root, '.aphoria'), { recursive: true });
  await writeFile(join(root, '.aphoria', 'config.toml'), `[hosted]\n${lines}\n`);
  return root;
}

/**
 * The parent's environment without any StemeDB, colour or CI setting (CI adds a warning to a
 * spooled run: test/cli/ci-runner.test.ts sets it where it means to), plus `extra`.
 */
export function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(STEMEDB_|NO_COLOR$|FORCE_COLOR$|APHORIA|CI$)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs `aphoria-hosted <args…>` in `cwd` with `env`. */
export function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return runNode([BIN, ...args], { cwd, env, timeoutMs: 90_000 });
}

/** True when a stack trace line (`    at …`) is in `text`. */
export function hasStack(text: string): boolean {
  return /^\s+at .+/m.test(text);
}
