/**
 * A process killed at every step of a persist that dead-letters a finding (a 413), then the
 * next run (a flush, then the scan persisted again, as a CI retry does): the refused finding is
 * in `<scan>.dead` exactly once and never on the server, every other assertion of the scan is
 * stored exactly once, and nothing else is left in the spool. The page cache survives a kill,
 * so a kill after the dead letter's write and before the journal's `r` leaves the letter
 * without its `r`: the next run used to send the record again and dead-letter it twice.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flushSpoolWith } from '../../src/flush.js';
import { spoolStatus } from '../../src/index.js';
import { persistScanWith } from '../../src/persist.js';
import type { Scan } from '../../src/scan.js';
import { computeScanId } from '../../src/scan-id.js';
import { nodeSpoolFs } from '../../src/spool/fs.js';
import { decodeLine } from '../../src/spool/record.js';
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

const BODY_LIMIT = 8 * 1024;
const emu = useEmulator({ bodyLimitBytes: BODY_LIMIT });
const FINDINGS = 5;
const quiet = { clientOptions: INSTANT_RETRY, onWarning: () => {} };

// Finding 1's write is over the body limit: StemeDB refuses it for good (413).
function scanOf(seed: string): Scan {
  const scan = makeScan(FINDINGS, seed);
  return {
    ...scan,
    findings: scan.findings.map((f, i) =>
      i === 1 ? { ...f, message: `${f.message} ${'x'.repeat(BODY_LIMIT)}` } : f,
    ),
  };
}

const seamsWith = (fs: SpoolSeams['fs']): SpoolSeams => ({ ...DEFAULT_SEAMS, fs });

async function run(scan: Scan, config: HostedConfig, seams: SpoolSeams): Promise<void> {
  await persistScanWith(scan, { ...quiet, config, concurrency: 1 }, seams);
}

// The record index of each readable line of the scan's dead-letter file, repeats included.
async function deadLetters(config: HostedConfig, scan: Scan): Promise<number[]> {
  const path = join(config.spoolDir, `${computeScanId(scan)}.dead`);
  if ((await nodeSpoolFs.size(path)) === undefined) return [];
  const out: number[] = [];
  let text = '';
  for await (const chunk of nodeSpoolFs.read(path)) text += chunk.toString('utf8');
  for (const line of text.split('\n').slice(0, -1)) {
    const letter = decodeLine(line) as { i?: unknown } | undefined;
    if (typeof letter?.i === 'number') out.push(letter.i);
  }
  return out;
}

async function recoverAndCheck(scan: Scan, config: HostedConfig): Promise<void> {
  await flushSpoolWith({ ...quiet, config }, DEFAULT_SEAMS);
  await persistScanWith(scan, { ...quiet, config }, DEFAULT_SEAMS);
  const back = await readBack(emu(), scan);
  // The refused finding and the withheld summary are the two not stored.
  expect(back).toMatchObject({ stored: FINDINGS - 1, doubled: [], extra: [] });
  expect(back.missing).toHaveLength(2);
  expect(await deadLetters(config, scan)).toEqual([1]);
  expect((await spoolStatus({ config })).deadLetters).toMatchObject([{ records: 1 }]);
  const left = (await readdir(config.spoolDir)).filter(
    (f) => !f.endsWith('.lock') && !f.endsWith('.dead'),
  );
  expect(left).toEqual([]);
}

describe('a kill at every step of dead-lettering a record, then the next runs', () => {
  let steps: string[] = [];
  it('the run crosses the dead letter, its `r`, and the deletion of the journal', async () => {
    const counting = crashingFs(Number.POSITIVE_INFINITY);
    const scan = scanOf('count');
    const config = configFor(emu(), await tempDir());
    await run(scan, config, seamsWith(counting.fs));
    steps = counting.state.log;
    // The journal's own writes (acks) may fall between these steps: their order is what counts.
    const at = (step: string) => steps.indexOf(step);
    expect(at('write <scan>.dead')).toBeGreaterThanOrEqual(0);
    expect(at('sync <scan>.dead')).toBeGreaterThan(at('write <scan>.dead'));
    expect(at('remove <scan>.journal')).toBeGreaterThan(at('sync <scan>.dead'));
    await recoverAndCheck(scan, config);
  });

  // 30 is well above the step count the run takes (checked below).
  const ns = Array.from({ length: 30 }, (_, i) => i);
  it.each(ns)('killed after step %i', async (n) => {
    if (n > steps.length) return; // past the end: the run completes; nothing to kill
    const scan = scanOf(`dead-${n}`);
    const config = configFor(emu(), await tempDir());
    const error = await run(scan, config, seamsWith(crashingFs(n).fs)).catch((e: unknown) => e);
    expect(error === undefined || error instanceof SimulatedCrash).toBe(true);
    await recoverAndCheck(scan, config);
  });

  it('the table above covers every step', () => {
    expect(steps.length).toBeGreaterThan(8);
    expect(steps.length).toBeLessThan(30);
  });
});
