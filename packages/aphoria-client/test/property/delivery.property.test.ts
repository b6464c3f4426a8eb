/**
 * The promise as a property (issue 21): random scans under random mixes of faults (answers lost
 * after the write was applied, by reset or by a 502; 503 windows; a crash at a random I/O step
 * of persist, through the crash seam, as a SIGKILL leaves the disk; or a power cut at a random
 * I/O step, through the power-loss fs, which keeps only what was fsynced) end, after a final
 * flush and the job's re-run of the scan, with every finding stored exactly once; and no fault
 * ever stores one twice on the way. A persist that returned (spooled what it could not send)
 * loses nothing to a power cut after it: the flush alone completes the scan, before any re-run.
 * Bounded: STEMEDB_FUZZ_RUNS runs (default 8).
 */
import { mkdir } from 'node:fs/promises';
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
import { PowerLossFs } from '../support/power-loss-fs.js';

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
  // At most one of the two: a killed process (the page cache survives) or a power cut.
  crash: fc.option(
    fc.oneof(
      fc.record({ kind: fc.constant('kill' as const), at: fc.integer({ min: 1, max: 40 }) }),
      fc.record({
        kind: fc.constant('power' as const),
        at: fc.integer({ min: 1, max: 30 }),
        tail: fc.constantFrom('drop' as const, 'torn' as const, 'holes' as const, 'pages' as const),
      }),
    ),
    { nil: undefined },
  ),
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
        // After a power cut the runs that follow see the disk as it survived (journals in
        // memory, the locks on the real disk under spoolDir).
        let after = DEFAULT_SEAMS;
        let power: PowerLossFs | undefined;
        let seams = DEFAULT_SEAMS;
        if (f.crash?.kind === 'kill') seams = { ...DEFAULT_SEAMS, fs: crashingFs(f.crash.at).fs };
        if (f.crash?.kind === 'power') {
          await mkdir(config.spoolDir, { recursive: true });
          power = new PowerLossFs({
            crashAt: f.crash.at,
            tail: f.crash.tail,
            pageBytes: 64,
            // A machine without power sends nothing more.
            onCrash: () => emu().faults.outage({ ms: 600_000, mode: 'reset' }),
          });
          seams = { ...DEFAULT_SEAMS, fs: power };
        }
        // A crash rejects; a run that returns has journaled durably what it did not send.
        const returned = await persistScanWith(scan, options, seams).then(
          () => true,
          () => false,
        );
        // A power cut during the run, or else right after it returned: the disk as it survived.
        if (power) {
          power.cutNow();
          after = { ...DEFAULT_SEAMS, fs: power.survivor() };
        }
        emu().faults.clear(); // the test's own read-back must see the server as it is
        expect((await readBack(emu(), scan)).doubled).toEqual([]);

        if (f.lostInFlush && f.lost) emu().faults.afterApply(f.lost);
        await flushSpoolWith(options, after);
        emu().faults.clear();
        expect((await readBack(emu(), scan)).doubled).toEqual([]);
        if (returned) {
          // Nothing a returned run was given is lost, whenever the power went after it.
          await flushSpoolWith(options, after);
          expect(await readBack(emu(), scan)).toEqual({
            stored: f.findings + 1,
            missing: [],
            doubled: [],
            extra: [],
          });
        }

        // The job is re-run (a crash failed it): what never reached the journal is stored now.
        emu().faults.clear();
        await persistScanWith(scan, options, after);
        await flushSpoolWith(options, after);
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
