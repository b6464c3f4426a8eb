/**
 * Running the CLI as users run it, for the cli-*.test.ts files: the built bin
 * (bin/stemedb-manifests.js → dist/cli-launch.cjs → dist/cli.cjs) in a child process, with its exit code, stdout and
 * stderr. dist/ is rebuilt first when it is missing or older than src/. Importing this module
 * registers the build check (beforeAll) and the removal of the test's temp dir (afterAll) on the
 * importing test file.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildBundle } from '../../src/bundle.js';

export const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(PACKAGE, 'bin/stemedb-manifests.js');
const DIST = join(PACKAGE, 'dist/cli-commands.cjs');
/** Held while one test file rebuilds dist/, so that files running in parallel do not race. */
const BUILD_LOCK = join(PACKAGE, 'node_modules/.cli-test-build.lock');

/** The newest mtime under `dir`, in ms. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return latest;
}

const stale = () => !existsSync(DIST) || statSync(DIST).mtimeMs < newest(join(PACKAGE, 'src'));
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

beforeAll(() => {
  while (stale()) {
    try {
      mkdirSync(BUILD_LOCK);
    } catch {
      sleep(200); // Another test file is building; check again when it is done.
      continue;
    }
    try {
      if (stale()) execFileSync('pnpm', ['run', 'build'], { cwd: PACKAGE, stdio: 'ignore' });
    } finally {
      rmSync(BUILD_LOCK, { recursive: true, force: true });
    }
  }
}, 180_000);

/** The temp dir of the importing test file: the CLI's cwd and HOME. */
export const work = mkdtempSync(join(tmpdir(), 'stemedb-manifests-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let fileCount = 0;
/** Writes `text` to a fresh file in the test's temp dir and returns its path. */
export function file(name: string, text: string): string {
  const dir = join(work, `f${fileCount++}`);
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
/** A path in the temp dir that does not exist yet. */
export const freshDir = () => join(work, `d${fileCount++}`);

export const MINIMAL_YAML = 'ingress:\n  host: stemedb.threesix.ai\nimage:\n  tag: "0.9.0"\n';
export const CONFIG = file('stemedb.yaml', MINIMAL_YAML);
export const BUNDLE = buildBundle(parseYaml(MINIMAL_YAML));
/** A config whose bundle has one warning: with monitoring off, no alert watches the backup. */
export const WARNING = file(
  'warning.yaml',
  `${MINIMAL_YAML}backup:\n  method: rclone\nmonitoring:\n  enabled: false\n`,
);
/** A config that parses but whose bundle has an error: liveness restarts a slow database. */
export const FAILING = file(
  'failing.yaml',
  `${MINIMAL_YAML}probes:\n  liveness: { timeoutSeconds: 1 }\n`,
);

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (asynchronously: the fake API server answers from this process). */
export function run(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: work,
        env: { PATH: process.env.PATH, HOME: work, ...env },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`, Debian's essential bsdutils), where
 * colour and progress are allowed; stdout and stderr arrive merged. Asynchronous, like run().
 */
export function onTerminal(args: string[], env: Record<string, string> = {}): Promise<string> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qec', command, '/dev/null'],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: work, TERM: 'xterm', ...env } },
      (_error, stdout) => resolve(stdout),
    );
  });
}

/** Whether onTerminal() can run here; the tests that need it say so when it cannot. */
export const hasScript = (() => {
  try {
    execFileSync('script', ['-qec', 'true', '/dev/null']);
    return true;
  } catch {
    console.warn(
      '`script` (util-linux) is missing: the terminal colour and progress tests are skipped.',
    );
    return false;
  }
})();

const ESC = String.fromCharCode(27);
export const ANSI = new RegExp(`${ESC}\\[`);
export const STACK = /\n\s+at /;

/**
 * The stderr of a failing command: one line, no stack. Commands that validate a bundle print
 * its report first (warnings included), so with `afterReport` only the last line is the error.
 */
export function expectOneLineError(
  result: Run,
  code: number,
  pattern: RegExp,
  afterReport = false,
): void {
  expect(result.code, result.stderr).toBe(code);
  const error = afterReport ? `${result.stderr.trimEnd().split('\n').at(-1)}\n` : result.stderr;
  expect(error).toMatch(/^stemedb-manifests: [^\n]+\n$/);
  expect(error).toMatch(pattern);
  expect(result.stderr).not.toMatch(STACK);
}
