/**
 * `persistScan`'s `flushed` tells the truth about the older spool it sent (issue 21): its own
 * duration (not the whole run's) and its own warnings (0.1 always gave `[]`).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { persistScan } from '../../src/index.js';
import { spoolWholeScan } from '../kill/support-spool.js';
import { configFor, makeScan, tempDir, useEmulator, warnings } from '../support/persist.js';

const emu = useEmulator();

describe('persistScan().flushed', () => {
  it("has the flush phase's own duration and warnings", async () => {
    const config = configFor(emu(), await tempDir());
    await spoolWholeScan(emu(), config, 40, 'flushed-older');
    await mkdir(join(config.spoolDir, `${'d'.repeat(32)}.journal`)); // one unreadable entry
    emu().faults.latency(30);
    const w = warnings();
    const result = await persistScan(makeScan(2, 'flushed-own'), {
      config,
      concurrency: 1,
      onWarning: w.onWarning,
    });
    expect(result.flushed).toMatchObject({ sent: 41, completed: 1 });
    expect(result.flushed.warnings).toHaveLength(1);
    expect(result.flushed.warnings[0]).toMatch(/EISDIR/);
    expect(result.warnings).toEqual(w.list);
    // 41 writes one at a time, 30 ms each, in the flush; 3 in the scan's own phase.
    expect(result.flushed.durationMs).toBeGreaterThanOrEqual(41 * 30);
    expect(result.flushed.durationMs).toBeLessThan(result.durationMs);
    expect(result.durationMs - result.flushed.durationMs).toBeGreaterThanOrEqual(3 * 30);
  });
});
