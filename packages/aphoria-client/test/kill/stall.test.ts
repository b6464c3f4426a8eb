/**
 * Lock fencing (issue 21): a run that stalls (SIGSTOP: as a long GC pause or a suspended VM
 * would) past its lock's staleness loses the lock to another run, which completes the journal.
 * When the stalled run wakes (SIGCONT) it must send and write nothing more: no journal
 * resurrected, and no record stored twice beyond the one window no client-side fence closes: a
 * send whose fence check passed just before the stall goes out when the run wakes (at most one
 * per write slot; without a server that honours Idempotency-Key it can double its record; see
 * docs/spool.md, "Locks"). 0.1 kept sending and appending for as long as it ran.
 */
import { readdir } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushSpoolWith } from '../../src/flush.js';
import { DEFAULT_SEAMS, type SpoolSeams } from '../../src/spool/spool.js';
import { cleanupDirs, configFor, readBack, tempDir } from '../support/persist.js';
import { startChild, storedCount } from './support.js';
import { spoolWholeScan } from './support-spool.js';

const STALE_MS = 2_000;
const TAKEOVER: SpoolSeams = { ...DEFAULT_SEAMS, lockStaleMs: STALE_MS, flushLockWaitMs: 5_000 };

let emu: Emulator;
beforeAll(async () => {
  // Without Idempotency-Key support, so that only the fence can keep a resend out.
  emu = await startEmulator({ rateLimit: false, idempotency: false });
});
afterEach(async () => {
  emu.faults.clear();
  await cleanupDirs();
});
afterAll(async () => {
  await emu.close();
});

describe('a run stalled past its lock, which another run takes over', () => {
  it('sends and writes nothing more when it wakes', async () => {
    const config = configFor(emu, await tempDir());
    const scan = await spoolWholeScan(emu, config, 400, 'stalled');
    emu.faults.latency(10);
    const base = storedCount(emu);
    const child = startChild({
      mode: 'flush',
      url: config.url,
      apiKey: config.apiKey,
      spoolDir: config.spoolDir,
      findings: 0,
      seed: '',
      concurrency: 4,
      lockStaleMs: STALE_MS,
    });
    while (storedCount(emu) - base < 60) {
      if (child.process.exitCode !== null) throw new Error(`child ended: ${child.stderr}`);
      await delay(2);
    }
    child.process.kill('SIGSTOP');
    try {
      await delay(STALE_MS + 1_000);
      emu.faults.clear();
      const other = await flushSpoolWith({ config, onWarning: () => {} }, TAKEOVER);
      expect(other).toMatchObject({ completed: 1, spooled: 0, locked: 0 });
      expect(await readBack(emu, scan)).toEqual({
        stored: 401,
        missing: [],
        doubled: [],
        extra: [],
      });
    } finally {
      child.process.kill('SIGCONT');
    }
    const ended = await child.exited;
    expect(ended.code).not.toBe(0); // it failed with the lost lock
    expect(child.stdout).not.toMatch(/^done/);
    await delay(200);
    const after = await readBack(emu, scan);
    expect(after).toMatchObject({ missing: [], extra: [] });
    // At most the sends already past their fence check when the run stopped (4 slots).
    expect(after.doubled.length).toBeLessThanOrEqual(4);
    expect(after.stored).toBe(401 + after.doubled.length);
    expect((await readdir(config.spoolDir)).filter((n) => n.endsWith('.journal'))).toEqual([]);
  }, 30_000);
});
