/**
 * `--timeout` and `--to` as a user types them (issue 21, "Deadline" and "Target binding"): the
 * built `aphoria-hosted` spawned against the emulator over loopback. The library tests
 * (delivery/deadline.test.ts, delivery/target.test.ts) cover `timeoutMs` and `to`; these check
 * that the flags reach them, with the exit codes the help promises.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRunOptions } from '../../src/persist/options.js';
import { configFor, makeScan, readBack, tempDir, useEmulator } from '../support/persist.js';
import { cleanEnv, cli, ensureBuilt, project } from './harness.js';

// The CLI runs from dist/: built (if stale) before the emulator starts.
beforeAll(() => {
  ensureBuilt();
}, 180_000);
const emu = useEmulator();

/** A project wired to `url`, with a scan file in it. */
async function setup(url: string, findings: number, seed: string) {
  const scan = makeScan(findings, seed);
  const root = await project(`url = "${url}"`);
  await writeFile(join(root, 'scan.json'), JSON.stringify(scan));
  return { root, scan, env: cleanEnv({ STEMEDB_API_KEY: emu().rootApiKey, NO_COLOR: '1' }) };
}

describe('persist --timeout', () => {
  it('ends a run against a server that answers 429 forever: spooled, exit 0; 4 with --strict', async () => {
    const { root, env, scan } = await setup(emu().url, 5, 'cli-timeout');
    emu().faults.failNext(1_000_000, 429, { retryAfterSeconds: 1 });
    const started = performance.now();
    const run = await cli(['persist', 'scan.json', '--timeout', '1s', '--json'], root, env);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ complete: false, sent: 0, spooled: 6 });
    expect(run.stderr).toMatch(/reached its deadline \(1s\): 6 assertion\(s\) stay spooled/);

    const strict = await cli(
      ['persist', 'scan.json', '--timeout', '1500ms', '--strict'],
      root,
      env,
    );
    expect(strict.code, strict.stderr).toBe(4);

    emu().faults.clear();
    const flushed = await cli(['flush', '--json'], root, env);
    expect(flushed.code, flushed.stderr).toBe(0);
    expect(await readBack(emu(), scan)).toEqual({ stored: 6, missing: [], doubled: [], extra: [] });
  }, 60_000);

  it('is 10 minutes when not given (the CLI passes none, the library fills it in)', async () => {
    const config = configFor(emu(), await tempDir());
    for (const where of ['persistScan', 'flushSpool']) {
      expect(resolveRunOptions({ config }, where).timeoutMs).toBe(10 * 60_000);
    }
  });

  it.each(['10', '0s', 'soon'])('refuses --timeout %s, exit 2, naming the flag', async (value) => {
    const { root, env } = await setup(emu().url, 1, `cli-timeout-bad-${value}`);
    const run = await cli(['persist', 'scan.json', '--timeout', value], root, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--timeout must be a duration/);
  });
});

describe('flush --to', () => {
  let other: Emulator;
  beforeAll(async () => {
    other = await startEmulator({ rateLimit: false });
  });
  afterAll(async () => {
    await other.close();
  });

  it('refuses a spool written for another server (exit 2, naming it); --to that server sends it', async () => {
    // Spooled for the emulator (an outage), then the config is pointed at another server.
    const { root, env, scan } = await setup(emu().url, 4, 'cli-to');
    emu().faults.outage({ ms: 600_000, mode: 503, retryAfterSeconds: 0 });
    const spooled = await cli(['persist', 'scan.json', '--json'], root, env);
    expect(spooled.code, spooled.stderr).toBe(0);
    expect(JSON.parse(spooled.stdout)).toMatchObject({ spooled: 5 });
    emu().faults.clear();
    await writeFile(join(root, '.aphoria', 'config.toml'), `[hosted]\nurl = "${other.url}"\n`);

    const refused = await cli(['flush'], root, env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(new URL(emu().url).origin);
    expect((await readBack(emu(), scan)).stored).toBe(0);
    expect((await readBack(other, scan)).stored).toBe(0);

    const sent = await cli(['flush', '--to', emu().url, '--json'], root, env);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ sent: 5, spooled: 0 });
    expect(await readBack(emu(), scan)).toEqual({ stored: 5, missing: [], doubled: [], extra: [] });
    expect((await readBack(other, scan)).stored).toBe(0);
  }, 60_000);
});
