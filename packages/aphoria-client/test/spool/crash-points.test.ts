/**
 * The spool's crash points, each one (§3, §6): a scenario of write → send → outage (some
 * spooled) → compaction, then a flush → acks → delete, with a crash injected after step N
 * for every N (and a torn write at every write), then recovery by the next run: every
 * assertion of the scan is on the server exactly once, and the spool is empty.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { flushSpoolWith } from '../../src/flush.js';
import { persistScanWith } from '../../src/persist.js';
import type { Scan } from '../../src/scan.js';
import { DEFAULT_SEAMS, type SpoolSeams } from '../../src/spool/spool.js';
import type { HostedConfig } from '../../src/types.js';
import { crashingFs, SimulatedCrash } from '../support/crash-fs.js';
import {
  configFor,
  INSTANT_RETRY,
  makeScan,
  readBack,
  tempDir,
  useEmulator,
} from '../support/persist.js';

const emu = useEmulator();

const FINDINGS = 6;

// The scenario: persist with an outage after 4 acks (concurrency 1: deterministic), so part
// is spooled and the journal compacted; then the outage ends and a flush finishes it.
async function scenario(scan: Scan, config: HostedConfig, seams: SpoolSeams): Promise<void> {
  let outage = false;
  await persistScanWith(
    scan,
    {
      config,
      concurrency: 1,
      clientOptions: INSTANT_RETRY,
      onWarning: () => {},
      onProgress: (p) => {
        if (!outage && p.phase === 'persist' && p.sent === 4) {
          outage = true;
          emu().faults.outage({ ms: 60_000, mode: 503 });
        }
      },
    },
    seams,
  );
  emu().faults.clear();
  await flushSpoolWith({ config, onWarning: () => {} }, seams);
}

const seamsWith = (fs: SpoolSeams['fs']): SpoolSeams => ({
  ...DEFAULT_SEAMS,
  fs,
  compactMinDone: 1, // compact even this small journal, so compaction's steps are crossed
});

async function recoverAndCheck(scan: Scan, config: HostedConfig): Promise<void> {
  emu().faults.clear();
  // The next run on this machine, then a CI retry of the same scan: both must add nothing twice.
  await flushSpoolWith({ config, onWarning: () => {} }, DEFAULT_SEAMS);
  const again = await persistScanWith(scan, { config, onWarning: () => {} }, DEFAULT_SEAMS);
  expect(again.complete).toBe(true);
  expect(await readBack(emu(), scan)).toEqual({
    stored: FINDINGS + 1,
    missing: [],
    doubled: [],
    extra: [],
  });
  const left = (await readdir(config.spoolDir)).filter((f) => !f.endsWith('.lock'));
  expect(left).toEqual([]);
}

describe('a crash between any two steps of the spool recovers, exactly once', async () => {
  // How many steps the scenario takes, and what they are.
  const counting = crashingFs(Number.POSITIVE_INFINITY);
  let steps: string[] = [];
  it('the scenario crosses writing, acknowledging, compacting and deleting', async () => {
    const scan = makeScan(FINDINGS, 'count');
    await scenario(scan, configFor(emu(), await tempDir()), seamsWith(counting.fs));
    steps = counting.state.log;
    const text = steps.join('\n');
    expect(text).toMatch(/create <scan>\.journal\n/);
    expect(text).toMatch(/create <scan>\.journal\.compact/);
    expect(text).toMatch(/rename <scan>\.journal\.compact <scan>\.journal/);
    expect(text).toMatch(/remove <scan>\.journal(\n|$)/);
    expect(steps.length).toBeGreaterThan(15);
  });

  // 40 is well above the step count the scenario takes (checked below).
  const ns = Array.from({ length: 40 }, (_, i) => i);
  for (const torn of [false, true]) {
    it.each(ns)(`crash after step %i${torn ? ' (the next write torn)' : ''}`, async (n) => {
      if (n > steps.length) return; // past the end: the scenario completes; nothing to crash
      const scan = makeScan(FINDINGS, `crash-${n}-${torn}`);
      const config = configFor(emu(), await tempDir());
      const crashing = crashingFs(n, { torn });
      const error = await scenario(scan, config, seamsWith(crashing.fs)).catch((e: unknown) => e);
      // Group commit makes the count of ack writes vary a little with timing.
      expect(error === undefined || error instanceof SimulatedCrash).toBe(true);
      if (n < steps.length - 6) expect(error).toBeInstanceOf(SimulatedCrash);
      await recoverAndCheck(scan, config);
    });
  }

  it('the table above covers every step', () => {
    expect(steps.length).toBeLessThan(40);
  });
});
