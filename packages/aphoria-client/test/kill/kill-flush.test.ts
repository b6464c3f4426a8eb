/**
 * SIGKILL of a real `flushSpool` process at several points of sending a spooled scan (§3, §6),
 * then recovery in this process: every assertion on the server exactly once, the spool empty.
 * And the lock the killed process left behind: a run meanwhile skips it (it cannot tell a dead
 * holder from a live one yet), and once it is stale (proper-lockfile's mtime) it is taken over.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { flushSpoolWith } from '../../src/flush.js';
import { flushSpool } from '../../src/index.js';
import { DEFAULT_SEAMS, type SpoolSeams } from '../../src/spool/spool.js';
import type { HostedConfig } from '../../src/types.js';
import { configFor, readBack, tempDir, useEmulator } from '../support/persist.js';
import { killWhen, startChild, storedCount } from './support.js';
import { spoolWholeScan } from './support-spool.js';

const FINDINGS = 300;
const TOTAL = FINDINGS + 1;
// The killed child's lock is stale after 2 s here instead of 10 s: the child is dead.
const RECOVERY: SpoolSeams = { ...DEFAULT_SEAMS, lockStaleMs: 2_000, flushLockWaitMs: 3_000 };

const emu = useEmulator();

const flushArgs = (config: HostedConfig) => ({
  mode: 'flush' as const,
  url: config.url,
  apiKey: config.apiKey,
  spoolDir: config.spoolDir,
  findings: 0,
  seed: '',
  concurrency: 4,
});

describe('kill -9 mid-flush, then the next run', () => {
  it.each([1, FINDINGS / 2, FINDINGS - 8])(
    'killed after %i writes answered: completed, every assertion once',
    async (after) => {
      const config = configFor(emu(), await tempDir());
      const scan = await spoolWholeScan(emu(), config, FINDINGS, `kill-f-${after}`);
      emu().faults.latency(3); // so that the kill falls mid-flush
      const base = storedCount(emu());
      await killWhen(startChild(flushArgs(config)), () => storedCount(emu()) - base >= after);
      emu().faults.clear();
      const before = await readBack(emu(), scan);
      expect(before.stored).toBeGreaterThanOrEqual(after);
      expect(before.stored).toBeLessThan(TOTAL);

      const next = await flushSpoolWith({ config, onWarning: () => {} }, RECOVERY);
      expect(next).toMatchObject({ scans: 1, completed: 1, spooled: 0, locked: 0 });
      // Acknowledged by the killed run, or read back as present: never sent again.
      expect(next.sent).toBe(TOTAL - before.stored);
      expect(await readBack(emu(), scan)).toEqual({
        stored: TOTAL,
        missing: [],
        doubled: [],
        extra: [],
      });
      expect((await readdir(config.spoolDir)).filter((f) => !f.endsWith('.lock'))).toEqual([]);
    },
  );
});

describe('the lock a killed flush leaves', () => {
  it('is skipped while fresh, then taken over once stale', async () => {
    const config = configFor(emu(), await tempDir());
    const scan = await spoolWholeScan(emu(), config, FINDINGS, 'kill-lock');
    emu().faults.latency(3);
    const base = storedCount(emu());
    await killWhen(startChild(flushArgs(config)), () => storedCount(emu()) - base >= 20);
    emu().faults.clear();
    const names = await readdir(config.spoolDir);
    expect(names.filter((n) => n.endsWith('.lock'))).toHaveLength(1); // left by the dead child

    // Seconds after the kill the lock is not stale (10 s): a run skips it, sends nothing.
    const skipped = await flushSpool({ config, onWarning: () => {} });
    expect(skipped).toMatchObject({ scans: 1, locked: 1, completed: 0, sent: 0 });

    const next = await flushSpoolWith({ config, onWarning: () => {} }, RECOVERY);
    expect(next).toMatchObject({ completed: 1, locked: 0, spooled: 0 });
    expect((await readBack(emu(), scan)).doubled).toEqual([]);
    expect((await readBack(emu(), scan)).missing).toEqual([]);
    expect(await readdir(config.spoolDir)).toEqual([]);
  });
});
