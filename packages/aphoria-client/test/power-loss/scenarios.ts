/**
 * The scenarios of the power-loss sweep: together they cross every step of persist (journal
 * writing in one batch and in several, sending, acks), compaction, flush and deletion.
 */
import { basename, join } from 'node:path';
import type { Emulator } from '@stemedb/emulator';
import { flushSpoolWith } from '../../src/flush.js';
import { persistScanWith } from '../../src/persist.js';
import type { Scan } from '../../src/scan.js';
import { computeScanId } from '../../src/scan-id.js';
import { DEFAULT_SEAMS, type SpoolSeams } from '../../src/spool/spool.js';
import type { HostedConfig } from '../../src/types.js';
import { INSTANT_RETRY, makeScan } from '../support/persist.js';
import type { PowerLossFs } from '../support/power-loss-fs.js';
import type { Scenario } from './harness.js';

const quiet = { clientOptions: INSTANT_RETRY, onWarning: () => {} };

/**
 * persist with an outage after 4 acks (concurrency 1: deterministic), so part is spooled and
 * the journal compacted; then the outage ends and a flush finishes it (acks, delete).
 */
export const persistOutageFlush: Scenario = {
  name: 'persist-outage-flush',
  writesJournal: true,
  allDurableAtOnce: true,
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

/**
 * persist on a slow disk (every fsync of a file takes 100 ms): the journal's one batch is made
 * durable (file, then its directory entry), sending starts, and writes are applied by the
 * server (each slowly) while the fsyncs after it (before and after the seal) still run. A cut there leaves
 * assertions on the server that only the journal's first fsyncs make the next run know of.
 */
export const persistSlowDisk: Scenario = {
  name: 'persist-slow-disk',
  writesJournal: true,
  scan: (seed) => makeScan(30, seed),
  async run(emu: Emulator, scan: Scan, config: HostedConfig, seams: SpoolSeams) {
    // Slow writes too, so that a cut during an fsync finds part of the scan stored, not all.
    emu.faults.latency(10);
    await persistScanWith(scan, { ...quiet, config, concurrency: 2 }, seams);
  },
  syncDelayMs: 100,
  allDurableAtOnce: true,
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
  writesJournal: true,
  journalsInBatches: true,
  scan: bigScan,
  async run(_emu: Emulator, scan: Scan, config: HostedConfig, seams: SpoolSeams) {
    await persistScanWith(scan, { ...quiet, config, concurrency: 4 }, seams);
  },
  // The journal's steps come first; after them only ack groups (write, sync) and the delete.
  maxStep: 16,
};

// The emulator's body limit for persistDeadLetter: its refused finding's write is larger.
const DEAD_LETTER_BODY_LIMIT = 8 * 1024;

/**
 * persist of a scan whose first finding StemeDB refuses for good (413: its write is over the
 * body limit), StemeDB up all along (concurrency 1: deterministic). The finding is
 * dead-lettered (`<scan>.dead`, fsynced), then its `r` record goes into the journal with the
 * acks that follow, the summary is withheld and the journal deleted. A cut between the dead
 * letter and the `r` left the record to be sent and dead-lettered again by the next run (issue
 * 21); the oracle counts the dead letters.
 */
export const persistDeadLetter: Scenario = {
  name: 'persist-dead-letter',
  writesJournal: true,
  allDurableAtOnce: true,
  emulator: { bodyLimitBytes: DEAD_LETTER_BODY_LIMIT },
  refused: [0],
  auditEveryStep: true,
  scan(seed) {
    // Eleven acks after the refusal: a torn tail of the journal (the first half of what was
    // appended since its last fsync) keeps the refusal's `r` whole.
    const scan = makeScan(12, seed);
    return {
      ...scan,
      findings: scan.findings.map((f, i) =>
        i === 0 ? { ...f, message: `${f.message} ${'x'.repeat(DEAD_LETTER_BODY_LIMIT)}` } : f,
      ),
    };
  },
  async run(_emu: Emulator, scan: Scan, config: HostedConfig, seams: SpoolSeams) {
    await persistScanWith(scan, { ...quiet, config, concurrency: 1 }, seams);
  },
};

// Spools `scan` whole (StemeDB down for the whole persist): a sealed journal, no acks.
async function spoolWhole(emu: Emulator, scan: Scan, config: HostedConfig, fs: PowerLossFs) {
  emu.faults.outage({ ms: 600_000, mode: 503 });
  try {
    await persistScanWith(scan, { ...quiet, config }, { ...DEFAULT_SEAMS, fs });
  } finally {
    emu.faults.clear();
  }
  return join(config.spoolDir, `${computeScanId(scan)}.journal`);
}

// Rewrites a file of `fs` with `bytes`, durably.
async function rewrite(fs: PowerLossFs, path: string, bytes: Buffer): Promise<void> {
  await fs.truncate(path, 0);
  const file = await fs.append(path);
  await file.write(bytes.toString('utf8'));
  await file.sync();
}

/**
 * A flush of a spool as crashes leave it: the scan's sealed journal with a torn last record
 * (cut off, then sent), another scan's journal without its seal (discarded), a third's
 * damaged in the middle (moved aside). Crosses the fsyncs of recovery itself.
 */
export const flushDamagedSpool: Scenario = {
  name: 'flush-damaged-spool',
  writesJournal: false,
  scan: (seed) => makeScan(4, seed),
  async prepare(emu, scan, config, fs) {
    // All three spooled first: each persist recovers the spool before it (and would undo the
    // damage done to an earlier one).
    const torn = await spoolWhole(emu, scan, config, fs);
    const unsealed = await spoolWhole(emu, makeScan(2, `${scan.branch}-u`), config, fs);
    const damaged = await spoolWhole(emu, makeScan(2, `${scan.branch}-d`), config, fs);

    const tail = await fs.append(torn);
    await tail.write('0badc0de {"t":"k","i');
    await tail.sync();

    const u = fs.files(config.spoolDir).get(basename(unsealed)) ?? Buffer.alloc(0);
    await fs.truncate(unsealed, u.lastIndexOf('\n', u.length - 2) + 1); // the seal cut off
    await (await fs.append(unsealed)).sync();

    const d = Buffer.from(fs.files(config.spoolDir).get(basename(damaged)) ?? Buffer.alloc(0));
    const at = d.indexOf('\n') + 12; // a flipped bit in the second record
    d.writeUInt8((d.readUInt8(at) ^ 1) & 0xff, at);
    await rewrite(fs, damaged, d);
  },
  async run(_emu, _scan, config, seams) {
    await flushSpoolWith({ ...quiet, config }, seams);
  },
};
