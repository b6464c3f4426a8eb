/**
 * The tests each power-loss sweep file runs: one sweep per unsynced-tail model (shared by the
 * tests that judge it), then "exactly once at every crash point".
 *
 * Known defect of today's code, marked `it.fails` so that the fix flips it:
 * flushSpool discards a journal without its seal (src/persist/flush-journals.ts, "unsealed"),
 * although every `a` record in it is durable and some may already be on the server. A power
 * cut after the journal's first batch is fsynced (file and directory) and before the fsync
 * after its seal leaves such a journal; the next job's flush deletes it, and every finding not
 * yet acknowledged is lost (the "Kill-proof from the first byte").
 */
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupDirs } from '../support/persist.js';
import type { UnsyncedTail } from '../support/power-loss-fs.js';
import { describeFailures, type Scenario, sweep, type Verdict } from './harness.js';

/** Declares the sweep tests of `scenario` for each of `tails`. */
export function sweepTests(scenario: Scenario, tails: readonly UnsyncedTail[]): void {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ rateLimit: false });
  });
  afterAll(async () => {
    await emu.close();
    await cleanupDirs();
  });

  for (const tail of tails) {
    describe(`${scenario.name}, a power cut at every step (unsynced tail: ${tail}), then a flush`, () => {
      let verdicts: Promise<Verdict[]> | undefined;
      const swept = () => {
        verdicts ??= sweep(emu, scenario, tail);
        return verdicts;
      };

      it('the sweep crosses the scenario to its end', async () => {
        const all = await swept();
        expect(all.length).toBeGreaterThan(8);
        if (scenario.maxStep === undefined) expect(all.at(-1)?.crashed).toBe(false);
        // The scenario itself, uncut, stores the scan exactly once and leaves the spool empty.
        expect(all.filter((v) => !v.crashed).every((v) => v.ok)).toBe(true);
      });

      it('every crash point that leaves no unsealed journal recovers exactly once', async () => {
        const all = await swept();
        expect(describeFailures(all.filter((v) => v.survived !== 'unsealed'))).toEqual([]);
      });

      if (!scenario.writesJournal) return;
      // Defect: flushSpool discards an unsealed journal (src/persist/flush-journals.ts) whose
      // records are all durable; the findings not yet acknowledged are lost. Remove `.fails`
      // once an unsealed journal is kept and its records sent.
      it.fails('every crash point recovers exactly once, an unsealed journal included', async () => {
        const all = await swept();
        expect(all.some((v) => v.survived === 'unsealed')).toBe(true);
        expect(describeFailures(all)).toEqual([]);
      });
    });
  }
}
