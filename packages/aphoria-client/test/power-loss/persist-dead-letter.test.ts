/**
 * Power cuts across a persist that dead-letters a finding StemeDB refuses (413), then the
 * journal's `r`, acks, the withheld summary and the deletion: every step, four models of what
 * a cut leaves of unsynced bytes, each recovered by a flush; then by the same scan persisted
 * again (a CI retry, which journals the scan afresh). The refused finding ends in `<scan>.dead`
 * exactly once: a cut after the dead letter and before the `r` used to have the next run send
 * it again and dead-letter it a second time.
 */
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupDirs } from '../support/persist.js';
import { describeFailures, sweep } from './harness.js';
import { persistDeadLetter } from './scenarios.js';
import { sweepTests } from './sweep-tests.js';

sweepTests(persistDeadLetter, ['drop', 'torn', 'holes', 'pages']);

describe('persist-dead-letter, a power cut at every step, then the same scan persisted again', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ rateLimit: false, ...persistDeadLetter.emulator });
  });
  afterAll(async () => {
    await emu.close();
    await cleanupDirs();
  });

  it.each(['drop', 'torn'] as const)(
    'unsynced tail %s: the refused finding is dead-lettered once, the rest stored once',
    async (tail) => {
      const all = await sweep(emu, persistDeadLetter, tail, { recovery: 'persist' });
      const cut = all.filter((v) => v.crashed);
      expect(cut.length).toBeGreaterThan(8);
      // The sweep crosses the dead letter: a cut just after its fsync.
      expect(cut.some((v) => v.before.some((l) => l.startsWith('sync <scan>.dead')))).toBe(true);
      expect(describeFailures(all)).toEqual([]);
    },
  );
});
