/**
 * The scenarios of the power-loss sweep: together they cross every step of persist (journal
 * writing in one batch and in several, sending, acks), compaction, flush and deletion.
 */
import type { Emulator } from '@stemedb/emulator';
import { flushSpoolWith } from '../../src/flush.js';
import { persistScanWith } from '../../src/persist.js';
import type { Scan } from '../../src/scan.js';
import type { SpoolSeams } from '../../src/spool/spool.js';
import type { HostedConfig } from '../../src/types.js';
import { INSTANT_RETRY, makeScan } from '../support/persist.js';
import type { Scenario } from './harness.js';

const quiet = { clientOptions: INSTANT_RETRY, onWarning: () => {} };

/**
 * persist with an outage after 4 acks (concurrency 1: deterministic), so part is spooled and
 * the journal compacted; then the outage ends and a flush finishes it (acks, delete).
 */
export const persistOutageFlush: Scenario = {
  name: 'persist-outage-flush',
  scan: (seed) => makeScan(6, seed),
  async run(emu: Emulator, scan: Scan, config: HostedConfig, seams: SpoolSeams) {
    let outage = false;
    await persistScanWith(
      scan,
      {
        ...quiet,
        config,
        concurrency: 1,
        onProgress: (p) => {
          if (!outage && p.phase === 'persist' && p.sent === 4) {
            outage = true;
            emu.faults.outage({ ms: 600_000, mode: 503 });
          }
        },
      },
      seams,
    );
    // Only a live machine sees the outage end; after the cut the network stays cut.
    if ((seams.fs as { crashed?: boolean }).crashed) return;
    emu.faults.clear();
    await flushSpoolWith({ ...quiet, config }, seams);
  },
};

// A finding of about 10 KiB: 40 of them fill two of the journal's 256 KiB write batches, so
// the journal is written as it is for a large scan (a durable first batch, sent at once, then
// a last batch made durable only by the fsync before the seal).
function bigScan(seed: string): Scan {
  const scan = makeScan(40, seed);
  return {
    ...scan,
    findings: scan.findings.map((f) => ({ ...f, message: `${f.message} ${'x'.repeat(9_900)}` })),
  };
}

/** persist of a scan whose journal takes two write batches, StemeDB up all along. */
export const persistTwoBatches: Scenario = {
  name: 'persist-two-batches',
  scan: bigScan,
  async run(_emu: Emulator, scan: Scan, config: HostedConfig, seams: SpoolSeams) {
    await persistScanWith(scan, { ...quiet, config, concurrency: 4 }, seams);
  },
  // The journal's steps come first; after them only ack groups (write, sync) and the delete.
  maxStep: 16,
};
