/**
 * The tests each power-loss sweep file runs: one sweep per unsynced-tail model (shared by the
 * tests that judge it), then "exactly once at every crash point".
 *
 * Defects these sweeps found, both now fixed (their tests are plain `it`s):
 *
 * D1. flushSpool discards a journal without its seal (src/persist/flush-journals.ts,
 *     "unsealed"), although every `a` record in it is durable and some may already be on the
 *     server. A power cut after the journal's first batch is fsynced (file and directory) and
 *     before the fsync after its seal leaves such a journal; the next job's flush deletes it,
 *     and every finding not yet acknowledged is lost (the issue's "Kill-proof from the first
 *     byte").
 * D2. A hole in the unsynced tail (the `pages` model: a later page of an append reached the
 *     disk, an earlier one did not) makes readJournal (src/spool/journal-read.ts) see a bad
 *     record with whole records after it: the whole journal is moved aside as damaged
 *     (`.corrupt-<time>`), its fsynced records with it, and every finding not yet acknowledged
 *     is lost. Reached by a cut between an ack group's write and its fsync (AckLog), or between
 *     a later batch's write and the fsync before the seal (createJournal). Fixed by the
 *     records' checksums (a damaged record skipped, counted, reported, the rest delivered): no
 *     journal is moved aside any more. What a hole destroys in a later batch was never durable
 *     and never sent; it is counted missing, as any never-synced batch (the weaker promise of
 *     `journalsInBatches`).
 */
import { type Emulator, startEmulator } from '@stemedb/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupDirs } from '../support/persist.js';
import type { UnsyncedTail } from '../support/power-loss-fs.js';
import { describeFailures, type Scenario, sweep, type Verdict } from './harness.js';

// Pages of 64 bytes: every ack group of a small test crosses a page boundary (see `pages`).
const PAGE_BYTES = 64;

/** Declares the sweep tests of `scenario` for each of `tails`. */
export function sweepTests(scenario: Scenario, tails: readonly UnsyncedTail[]): void {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ rateLimit: false, ...scenario.emulator });
  });
  afterAll(async () => {
    await emu.close();
    await cleanupDirs();
  });

  for (const tail of tails) {
    describe(`${scenario.name}, a power cut at every step (unsynced tail: ${tail}), then a flush`, () => {
      let verdicts: Promise<Verdict[]> | undefined;
      const swept = () => {
        verdicts ??= sweep(emu, scenario, tail, { pageBytes: PAGE_BYTES });
        return verdicts;
      };

      it('the sweep crosses the scenario to its end', async () => {
        const all = await swept();
        expect(all.length).toBeGreaterThan(8);
        if (scenario.maxStep === undefined) expect(all.at(-1)?.crashed).toBe(false);
        // The scenario itself, uncut, stores the scan exactly once and leaves the spool empty.
        expect(all.filter((v) => !v.crashed).every((v) => v.ok)).toBe(true);
      });

      it('every crash point that leaves no unsealed journal and no hole recovers exactly once', async () => {
        const all = await swept();
        const clean = all.filter((v) => v.survived !== 'unsealed' && !v.movedAside);
        expect(describeFailures(clean)).toEqual([]);
      });

      if (scenario.writesJournal && scenario.journalsInBatches !== true) {
        // D1 (above), fixed: an unsealed journal is sealed as cut and its records sent.
        it('a cut that leaves the journal unsealed loses nothing', async () => {
          const unsealed = (await swept()).filter(
            (v) => v.survived === 'unsealed' && !v.movedAside,
          );
          expect(unsealed.length).toBeGreaterThan(0);
          expect(describeFailures(unsealed)).toEqual([]);
        });
      }

      if (scenario.writesJournal && scenario.journalsInBatches === true) {
        // A cut while later batches were still unsynced loses them from the disk; what the
        // journal held durably is delivered, nothing twice (a re-persist brings the rest).
        it('a cut that leaves the journal unsealed doubles nothing and delivers what was durable', async () => {
          const unsealed = (await swept()).filter(
            (v) => v.survived === 'unsealed' && !v.movedAside,
          );
          expect(unsealed.length).toBeGreaterThan(0);
          expect(unsealed.filter((v) => v.doubled > 0 || v.extra > 0)).toEqual([]);
          expect(unsealed.filter((v) => v.promised && v.stored === 0)).toEqual([]);
        });
      }

      if (tail === 'pages' && scenario.writesJournal) {
        // D2 (above), fixed: a hole in an unsynced append no longer moves the journal aside.
        it('a cut that leaves a hole in the journal moves nothing aside, and loses nothing durable', async () => {
          const all = await swept();
          expect(all.filter((v) => v.movedAside).map((v) => v.step)).toEqual([]);
          if (scenario.journalsInBatches !== true) expect(describeFailures(all)).toEqual([]);
        });
      }
    });
  }
}
