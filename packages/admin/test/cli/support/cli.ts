/**
 * Test support: `stemedb-admin` as a user runs it, the built bin (bin/stemedb-admin.js →
 * dist/cli.js) in a child process on the Node running the tests. dist/ is rebuilt first when it
 * is missing or older than src/ (one build at a time across test files, under a lock directory).
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../../../../../test/support/spawn.js';

/** The package's directory. */
export const PACKAGE = fileURLToPath(new URL('../../..', import.meta.url));
/** The launcher a package manager links as `stemedb-admin`. */
export const BIN = join(PACKAGE, 'bin/stemedb-admin.js');
const DIST = join(PACKAGE, 'dist/cli.js');
const SDK_DIST = join(PACKAGE, '../sdk/dist/index.js');
const LOCK = join(PACKAGE, 'node_modules/.stemedb-admin-test-build.lock');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

const stale = () =>
  !existsSync(SDK_DIST) ||
  !existsSync(DIST) ||
  statSync(DIST).mtimeMs < newest(join(PACKAGE, 'src'));

/** Builds the sdk (if it has no dist/) and this package (if its dist/ is stale). */
export async function ensureBuilt(): Promise<void> {
  if (!stale()) return;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Another test file is building: wait for it, then look again.
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!existsSync(SDK_DIST))
      execFileSync('pnpm', ['-F', '@stemedb/sdk', 'build'], { cwd: PACKAGE, stdio: 'ignore' });
    if (stale()) execFileSync('pnpm', ['run', 'build'], { cwd: PACKAGE, stdio: 'ignore' });
  } finally {
    rmdirSync(LOCK);
  }
}

/** How to run the CLI once. */
export interface CliOptions {
  /** Added to a clean environment (PATH, HOME, NO_COLOR=1 unless given). */
  env?: Record<string, string | undefined>;
  stdin?: string;
  cwd?: string;
}

/** A running CLI: its process (to kill) and its outcome. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  done: Promise<RunResult>;
}

/**
 * Starts `stemedb-admin <args…>`. The environment is not inherited (only PATH and HOME), so a
 * developer's STEMEDB_* variables never leak into a test.
 */
export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NO_COLOR: '1',
  };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? PACKAGE,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const done = new Promise<RunResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  child.stdin.end(options.stdin ?? '');
  return { child, done };
}

/** Runs `stemedb-admin <args…>` to completion. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<RunResult> {
  return startCli(args, options).done;
}

/** Every full key (`steme_live_` + 48 hex) in `text`. */
export function keysIn(text: string): string[] {
  return text.match(/steme_live_[0-9a-f]{48}/g) ?? [];
}
