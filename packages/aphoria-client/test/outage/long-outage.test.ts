/**
 * A 60 s outage mid-scan outlasts the SDK's 2/4/8 s retries: the run spools the rest at once
 * (not retrying each assertion for 14 s), resolves with a warning saying how many and where,
 * and the next run sends the spool: every assertion on the server exactly once, read back
 * through the SDK. Real time; in a file of its own so that it runs beside the others.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { flushSpool, persistScan, spoolStatus } from '../../src/index.js';
import {
  configFor,
  makeScan,
  readBack,
  tempDir,
  useEmulator,
  warnings,
} from '../support/persist.js';

const OUTAGE_MS = 60_000;
const FINDINGS = 200;
const emu = useEmulator();

describe('a 60 s outage', () => {
  it('is spooled with a warning, then sent exactly once by the next run', async () => {
    const scan = makeScan(FINDINGS, 'long');
    const config = configFor(emu(), await tempDir());
    const w = warnings();
    let outageAt = -1;
    const result = await persistScan(scan, {
      config,
      onWarning: w.onWarning,
      onProgress: (p) => {
        if (outageAt < 0 && p.phase === 'persist' && p.sent === 20) {
          outageAt = emu().requests().length;
          emu().faults.outage({ ms: OUTAGE_MS, mode: 503 });
        }
      },
    });
    // The run gave up while the outage still stood: it did not wait the minute out.
    const during = await fetch(`${emu().url}/v1/health`);
    await during.arrayBuffer();
    expect(during.status).toBe(503);

    expect(result.sent).toBeGreaterThanOrEqual(20);
    expect(result.spooled).toBeGreaterThan(0);
    expect(result.sent + result.spooled).toBe(FINDINGS + 1);
    expect(result.complete).toBe(false);
    expect(w.list).toHaveLength(1);
    expect(w.list[0]).toContain(`${result.spooled} assertion(s) are spooled in ${config.spoolDir}`);
    // Down for the run once one assertion exhausted its retries: at most the window's worth
    // were retried (4 tries each), the rest spooled without a request.
    const tried = emu()
      .requests()
      .slice(outageAt)
      .filter((r) => r.status === 503 && r.path === '/v1/assert').length;
    expect(tried).toBeLessThanOrEqual(8 * 4);
    expect(await spoolStatus({ config })).toMatchObject({ scans: 1, records: result.spooled });

    // The outage ends (its remaining ~45 s would only make this test wait), and the next run,
    // here `flushSpool`, sends the spool.
    emu().faults.clear();
    const next = await flushSpool({ config, onWarning: w.onWarning });
    expect(next).toMatchObject({ scans: 1, completed: 1, spooled: 0, rejected: 0 });
    // What the first run acknowledged counts as already present; the spool is what is sent.
    expect(next.sent).toBe(result.spooled);
    expect(next.sent + next.alreadyPresent).toBe(FINDINGS + 1);
    expect(await readBack(emu(), scan)).toEqual({
      stored: FINDINGS + 1,
      missing: [],
      doubled: [],
      extra: [],
    });
    expect((await readdir(config.spoolDir)).filter((f) => f.includes('.journal'))).toEqual([]);
    expect(w.list).toHaveLength(1); // the flush warned about nothing
  }, 60_000);
});
