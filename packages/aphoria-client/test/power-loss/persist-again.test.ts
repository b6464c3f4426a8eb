/**
 * A power cut at every step of persist (and of the flush after it), then the recovery a CI
 * retry on the same runner makes: the same scan persisted again. Unlike a flush it has the
 * scan, so an unsealed or damaged journal costs nothing: the scan is journaled afresh and the
 * server read back, and every assertion ends on the server exactly once, the spool empty.
 */
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupDirs } from '../support/persist.js';
import { describeFailures, type Scenario, sweep } from './harness.js';
import { persistOutageFlush, persistTwoBatches } from './scenarios.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false });
});
afterAll(async () => {
  await emu.close();
  await cleanupDirs();
});

const cases: Array<{ name: string; scenario: Scenario; tail: 'drop' | 'pages' }> = [
  persistOutageFlush,
  persistTwoBatches,
].flatMap((scenario) =>
  (['drop', 'pages'] as const).map((tail) => ({ name: scenario.name, scenario, tail })),
);

describe('a power cut, then the same scan persisted again', () => {
  it.each(cases)(
    '$name, unsynced tail $tail: every crash point ends exactly once',
    async ({ scenario, tail }) => {
      const all = await sweep(emu, scenario, tail, { recovery: 'persist', pageBytes: 64 });
      expect(all.filter((v) => v.crashed).length).toBeGreaterThan(8);
      // A journal moved aside as damaged stays for `status` to report: not this scan's loss.
      const failed = all.filter((v) => !v.ok && !(v.movedAside && v.missing === 0));
      expect(describeFailures(failed)).toEqual([]);
    },
  );
});
