import { type ChildProcess, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { segmentName } from '../src/data-dir.js';
import { encodeRecord } from '../src/journal-format.js';
import { call } from './support/http.js';

/**
 * The stemedb-emulator CLI, run as users run it: through bin/ on the built dist when dist is at
 * least as new as src (as in CI, where `pnpm test` builds first), otherwise from src via tsx.
 */

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const KEY = `steme_live_${'3c'.repeat(24)}`;

async function newestSource(dir = `${PACKAGE_DIR}src`): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    const mtime = entry.isDirectory() ? await newestSource(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

async function cliCommand(): Promise<string[]> {
  try {
    if (statSync(`${PACKAGE_DIR}dist/cli.js`).mtimeMs >= (await newestSource())) {
      return ['bin/stemedb-emulator.js'];
    }
  } catch {
    // no dist: fall through to tsx
  }
  return ['--import', 'tsx', 'src/cli.ts'];
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [...(await cliCommand()), ...args], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, STEMEDB_ROOT_API_KEY: '', NO_COLOR: '1', ...env },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  /** Resolves with the first `n` lines of stdout. */
  const lines = (n: number) =>
    new Promise<string[]>((resolve, reject) => {
      const check = () => {
        const got = stdout.split('\n');
        if (got.length > n) resolve(got.slice(0, n));
      };
      child.stdout.on('data', check);
      check();
      exited.then(() => reject(new Error(`exited early: ${stderr}`)));
    });
  return { child, lines, exited, output: () => ({ stdout, stderr }) };
}

describe('stemedb-emulator CLI', () => {
  it('prints its URL and root key, serves, and exits 0 on SIGTERM', async () => {
    const cli = await run(['--port', '0']);
    const [urlLine, keyLine] = await cli.lines(2);
    const url = /(http:\/\/127\.0\.0\.1:\d+)$/.exec(urlLine!)?.[1];
    const key = /(steme_live_[0-9a-f]{48})$/.exec(keyLine!)?.[1];
    expect(url).toBeDefined();
    expect(key).toBeDefined();
    expect((await call(url!, '/v1/health')).status).toBe(200);
    expect((await call(url!, '/v1/admin/api-keys', { key: key! })).status).toBe(200);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('exits 0 on SIGINT', async () => {
    const cli = await run(['--port', '0']);
    await cli.lines(2);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  });

  it('reads the root key from the variable --root-api-key-env names', async () => {
    const cli = await run(['--port', '0', '--root-api-key-env', 'MY_ROOT'], { MY_ROOT: KEY });
    const [, keyLine] = await cli.lines(2);
    expect(keyLine).toContain(KEY);
  });

  it('turns auth off with --no-auth', async () => {
    const cli = await run(['--port', '0', '--no-auth']);
    const [urlLine] = await cli.lines(1);
    const url = /(http:\/\/\S+)$/.exec(urlLine!)![1]!;
    expect((await call(url, '/v1/admin/api-keys')).status).toBe(200);
  });

  it('prints help and exits 0 with --help', async () => {
    const cli = await run(['--help']);
    expect(await cli.exited).toBe(0);
    const { stdout } = cli.output();
    expect(stdout).toMatch(/Usage: stemedb-emulator/);
    for (const flag of ['--port', '--host', '--data-dir', '--no-auth', '--root-api-key-env']) {
      expect(stdout).toContain(flag);
    }
  });

  it('exits 1 with a one-line error that does not echo a malformed root key', async () => {
    const cli = await run(['--port', '0'], { STEMEDB_ROOT_API_KEY: 'steme_live_leaky' });
    expect(await cli.exited).toBe(1);
    const { stderr } = cli.output();
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/STEMEDB_ROOT_API_KEY/);
    expect(stderr).not.toContain('leaky');
  });

  it('exits 1 with one line naming the file when a journal is damaged in its middle', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'emu-cli-corrupt-'));
    try {
      const good = (lsn: number) => encodeRecord({ lsn, assertions: [] });
      await writeFile(
        join(dataDir, segmentName(1)),
        Buffer.concat([good(1), Buffer.from('garbage\n'), good(2)]),
        { mode: 0o600 }, // private, so that no permission warning comes first
      );
      const cli = await run(['--port', '0', '--data-dir', dataDir]);
      expect(await cli.exited).toBe(1);
      const { stderr } = cli.output();
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(join(dataDir, segmentName(1)));
      expect(stderr).toMatch(/damaged record at byte \d+/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects a port that is not a number', async () => {
    const cli = await run(['--port', 'eighty']);
    expect(await cli.exited).not.toBe(0);
    expect(cli.output().stderr).toMatch(/port/);
  });
});
