/**
 * The promise as a property (issue 21): random scans under random mixes of faults (answers lost
 * after the write was applied, by reset or by a 502; 503 windows; a crash at a random I/O step
 * of persist, through the crash seam) end, after a final flush and the job's re-run of the
 * scan, with every finding stored exactly once; and no fault ever stores one twice on the way.
 * Bounded: STEMEDB_FUZZ_RUNS runs (default 8).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flushSpoolWith } from '../../src/flush.js';
import { persistScanWith } from '../../src/persist.js';
import { DEFAULT_SEAMS } from '../../src/spool/spool.js';
import { crashingFs } from '../support/crash-fs.js';
import {
  configFor,
  INSTANT_RETRY,
  makeScan,
  readBack,
  tempDir,
  useEmulator,
} from '../support/persist.js';

const RUNS = Number(process.env.STEMEDB_FUZZ_RUNS ?? 8);

// Without Idempotency-Key support: nothing here may rely on the server honouring the key.
const emu = useEmulator({ idempotency: false });

const faults = fc.record({
  findings: fc.integer({ min: 1, max: 40 }),
  lost: fc.option(
    fc.record({
      mode: fc.constantFrom('reset' as const, 502 as const),
      ratio: fc.double({ min: 0.02, max: 0.2, noNaN: true }),
      seed: fc.integer({ min: 0, max: 2 ** 31 }),
    }),
    { nil: undefined },
  ),
  unavailable: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
  crashAfter: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  lostInFlush: fc.boolean(),
});

let run = 0;
describe('every finding exactly once, whatever the faults', () => {
  it('holds for random scans and fault mixes', async () => {
    await fc.assert(
      fc.asyncProperty(faults, async (f) => {
        run += 1;
        const scan = makeScan(f.findings, `prop-${run}-${Math.random().toString(36).slice(2)}`);
        const config = configFor(emu(), await tempDir());
        const options = { config, clientOptions: INSTANT_RETRY, onWarning: () => {} };
        emu().faults.clear();
        if (f.lost) emu().faults.afterApply(f.lost);
        if (f.unavailable) emu().faults.failNext(f.unavailable, 503);
        const seams =
          f.crashAfter === undefined
            ? DEFAULT_SEAMS
            : { ...DEFAULT_SEAMS, fs: crashingFs(f.crashAfter).fs };
        await persistScanWith(scan, options, seams).catch(() => {}); // a crash, or spooled
        emu().faults.clear(); // the test's own read-back must see the server as it is
        expect((await readBack(emu(), scan)).doubled).toEqual([]);

        if (f.lostInFlush && f.lost) emu().faults.afterApply(f.lost);
        await flushSpoolWith(options, DEFAULT_SEAMS);
        emu().faults.clear();
        expect((await readBack(emu(), scan)).doubled).toEqual([]);

        // The job is re-run (a crash failed it): what never reached the journal is stored now.
        emu().faults.clear();
        await persistScanWith(scan, options, DEFAULT_SEAMS);
        await flushSpoolWith(options, DEFAULT_SEAMS);
        expect(await readBack(emu(), scan)).toEqual({
          stored: f.findings + 1,
          missing: [],
          doubled: [],
          extra: [],
        });
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
