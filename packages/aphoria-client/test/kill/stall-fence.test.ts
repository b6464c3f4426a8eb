/**
 * Lock fencing (issue 21, path 5), with the stall at a known point: the run stops itself
 * (SIGSTOP) the moment its 60th write is acknowledged, with other writes in flight and the
 * window full, and stays stopped past its lock's staleness while another run takes the lock
 * over. When it wakes (SIGCONT) it must send nothing more (not one request reaches the server)
 * and write nothing more into the journal (its bytes are unchanged). The random-stall test
 * (stall.test.ts) covers the one window no client-side fence closes; this one allows nothing.
 * 0.1 kept sending and appending for as long as it ran.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushSpoolWith } from '../../src/flush.js';
import { computeScanId } from '../../src/scan-id.js';
import { DEFAULT_SEAMS, type SpoolSeams } from '../../src/spool/spool.js';
import { cleanupDirs, configFor, INSTANT_RETRY, readBack, tempDir } from '../support/persist.js';
import { type Child, startChild } from './support.js';
import { spoolWholeScan } from './support-spool.js';

const STALE_MS = 2_000;
const TAKEOVER: SpoolSeams = { ...DEFAULT_SEAMS, lockStaleMs: STALE_MS, flushLockWaitMs: 5_000 };

let emu: Emulator;
beforeAll(async () => {
  // Without Idempotency-Key support, so that only the fence can keep a resend out.
  emu = await startEmulator({ rateLimit: false, idempotency: false });
});
const children: Child[] = [];
afterEach(async () => {
  // A failed test must not leave a stopped child behind.
  for (const child of children.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
    }
  }
  emu.faults.clear();
  await cleanupDirs();
});
afterAll(async () => {
  await emu.close();
});

/** Waits until `child` printed `stalled` and the kernel shows it stopped (state T). */
async function stalled(child: Child): Promise<void> {
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`child ended: ${child.stderr}`);
    if (child.stdout.includes('stalled')) {
      const stat = await readFile(`/proc/${child.process.pid}/stat`, 'utf8').catch(() => '');
      // Field 3, after the parenthesised command name.
      if (stat === '' || stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')) return;
    }
    await delay(5);
  }
}

async function startStalledFlush(config: ReturnType<typeof configFor>): Promise<Child> {
  // Each write takes a while, so that the window is full when the run stops.
  emu.faults.latency(10);
  const child = startChild({
    mode: 'flush',
    url: config.url,
    apiKey: config.apiKey,
    spoolDir: config.spoolDir,
    findings: 0,
    seed: '',
    concurrency: 4,
    lockStaleMs: STALE_MS,
    stopAfterSent: 60,
  });
  children.push(child);
  await stalled(child);
  await delay(STALE_MS + 1_000); // the lock is stale now: another run may take it
  emu.faults.clear();
  return child;
}

/** Wakes `child` and waits for it to end: it must fail (its lock is lost), not finish. */
async function wake(child: Child): Promise<void> {
  child.process.kill('SIGCONT');
  const ended = await child.exited;
  expect(child.stdout).not.toMatch(/^done/m);
  expect(ended.code).not.toBe(0);
  expect(child.stderr).toMatch(/lock/);
  await delay(300); // anything it still sent would have arrived by now
}

// Only on POSIX: Windows has no SIGSTOP.
describe.skipIf(process.platform === 'win32')('a run stopped past its lock, taken over', () => {
  it('sends nothing more after the run that took over delivered the scan', async () => {
    const config = configFor(emu, await tempDir());
    const scan = await spoolWholeScan(emu, config, 400, 'stopped-a');
    const child = await startStalledFlush(config);
    const other = await flushSpoolWith({ config, onWarning: () => {} }, TAKEOVER);
    expect(other).toMatchObject({ completed: 1, spooled: 0, locked: 0 });
    const before = emu.requests().length;
    await wake(child);
    expect(emu.requests().slice(before)).toEqual([]);
    expect(await readBack(emu, scan)).toEqual({ stored: 401, missing: [], doubled: [], extra: [] });
  }, 60_000);

  it('sends and writes nothing after a run took the lock while StemeDB was down', async () => {
    const config = configFor(emu, await tempDir());
    const scan = await spoolWholeScan(emu, config, 400, 'stopped-b');
    const journal = join(config.spoolDir, `${computeScanId(scan)}.journal`);
    const child = await startStalledFlush(config);
    // The run that takes over finds StemeDB down: it keeps the journal and lets go of the lock.
    emu.faults.outage({ ms: 60_000, mode: 503 });
    const other = await flushSpoolWith(
      { config, clientOptions: INSTANT_RETRY, onWarning: () => {} },
      TAKEOVER,
    );
    expect(other).toMatchObject({ completed: 0, locked: 0 });
    expect(other.spooled).toBeGreaterThan(0);
    emu.faults.clear();
    const bytes = await readFile(journal);
    const before = emu.requests().length;
    await wake(child); // StemeDB answers again: only the fence keeps the woken run quiet
    expect(emu.requests().slice(before)).toEqual([]);
    expect((await readFile(journal)).equals(bytes)).toBe(true);
    // The journal is still whole and sendable: a later flush delivers every record once.
    const last = await flushSpoolWith({ config, onWarning: () => {} }, TAKEOVER);
    expect(last).toMatchObject({ completed: 1, spooled: 0 });
    expect(await readBack(emu, scan)).toEqual({ stored: 401, missing: [], doubled: [], extra: [] });
  }, 60_000);
});
