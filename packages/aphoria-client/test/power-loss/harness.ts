/**
 * The power-loss sweep: a scenario (persist, an outage, compaction, a flush) run against a
 * {@link PowerLossFs} with the power cut at step N, for every N until the scenario completes
 * without reaching N; then recovery, as the next job on that runner does it: `flushSpool` on
 * what the disk held. Each crash point ends in a {@link Verdict}.
 *
 * The oracle ("nothing lost, nothing doubled"): after recovery no assertion of the scan is on
 * the server twice, nothing is left in the spool, and the scan is wholly stored, unless the
 * power went before any of it was durable (no journal of it with a whole `a` record survived):
 * then nothing of it may be on the server either (the run never said "spooled", so the job
 * that died is the one that re-runs; a part on the server with no journal left is a loss).
 * A finding the server refuses for good (`Scenario.refused`) is, instead, in the scan's
 * dead-letter file exactly once and not on the server, and the summary is withheld.
 */
import { mkdir } from 'node:fs/promises';
import type { Emulator, EmulatorOptions } from '@stemedb/emulator';
import { flushSpoolWith } from '../../src/flush.js';
import { assertionIdentity, scanToAssertions } from '../../src/mapping.js';
import { persistScanWith } from '../../src/persist.js';
import type { Scan } from '../../src/scan.js';
import { computeScanId } from '../../src/scan-id.js';
import { decodeLine } from '../../src/spool/record.js';
import { DEFAULT_SEAMS, type SpoolSeams } from '../../src/spool/spool.js';
import type { HostedConfig } from '../../src/types.js';
import { configFor, INSTANT_RETRY, readBack, tempDir } from '../support/persist.js';
import { PowerLossFs, type PowerLossOptions, type UnsyncedTail } from '../support/power-loss-fs.js';

/** A scenario: what one job does with the spool, on `seams`. */
export interface Scenario {
  readonly name: string;
  /** The scan; `seed` keeps every crash point's scan (and id) distinct on one emulator. */
  scan(seed: string): Scan;
  run(emu: Emulator, scan: Scan, config: HostedConfig, seams: SpoolSeams): Promise<void>;
  /** Writes the spool the job starts from (not swept: nothing is cut while it runs). */
  prepare?(emu: Emulator, scan: Scan, config: HostedConfig, fs: PowerLossFs): Promise<void>;
  /** It writes the scan's journal afresh, so a cut can leave it unsealed. */
  writesJournal: boolean;
  /**
   * A cut can drop journal records that were never fsynced while the scan was still being
   * journaled (its later batches): no flush can deliver what no disk holds. The promise for
   * those is weaker: nothing doubled, `status` counts them missing, and persisting the scan
   * again delivers them (persist-again.test.ts).
   */
  journalsInBatches?: boolean;
  /** Only the first steps are swept when set (the rest repeat an ack group's two steps). */
  maxStep?: number;
  /**
   * The fsync audit tries every crash point of it, not a sample: it has few, and how its acks
   * fall into groups (each group a step) varies with timing, so a sample would miss its one
   * telling cut (the last step, with every ack appended since the last fsync) on some runs.
   */
  auditEveryStep?: boolean;
  /** The power-loss fs's slow fsyncs (see `PowerLossOptions.syncDelayMs`) for the cut run. */
  syncDelayMs?: number;
  /**
   * Its journal is written in one batch, fsynced before its name is: whatever survives of it
   * holds every assertion of the scan, so a recovery that reports assertions missing from it
   * (`FlushResult.incomplete`) is wrong (a compacted journal whose seal was lost, read as cut).
   */
  allDurableAtOnce?: boolean;
  /** The emulator's options beyond no rate limit (a small `bodyLimitBytes`, to refuse one). */
  emulator?: EmulatorOptions;
  /**
   * Findings (by index) the server refuses for good: each must end in the dead-letter file
   * exactly once, never on the server, and the summary withheld.
   */
  refused?: readonly number[];
}

/** What a crash point ended in. */
export interface Verdict {
  step: number;
  tail: UnsyncedTail;
  /** False when the scenario completed before step N: the sweep is over. */
  crashed: boolean;
  /** The last steps before the cut, for messages. */
  before: string[];
  /** A journal of the scan with a whole assertion record survived the cut. */
  promised: boolean;
  /** What the disk held of the scan's journal: none, one without its seal, or a sealed one. */
  survived: 'none' | 'unsealed' | 'sealed';
  stored: number;
  missing: number;
  doubled: number;
  extra: number;
  /** Files of the scan left in the spool after recovery. */
  left: string[];
  /** Recovery moved the scan's journal aside as damaged (`.corrupt-<time>`). */
  movedAside: boolean;
  /** Assertions of the scan the recovering flush reported as never journaled. */
  reportedMissing: number;
  /** Readable lines of the scan's dead-letter file, and how many of them repeat an index. */
  deadLetters: number;
  deadDoubled: number;
  ok: boolean;
}

/**
 * How a crash point runs: the power-loss fs's options for the cut run, and how the next job
 * recovers: `flush` (the default: `flushSpool`, which has only the spool) or `persist` (the
 * same scan persisted again on that runner, a CI retry of the job).
 */
export type SweepOptions = Omit<PowerLossOptions, 'crashAt' | 'tail' | 'onCrash'> & {
  recovery?: 'flush' | 'persist';
};

/** The seams of the sweep: the power-loss fs, compaction even for a small journal. */
export function seamsOf(fs: PowerLossFs): SpoolSeams {
  return { ...DEFAULT_SEAMS, fs, compactMinDone: 1 };
}

/** Runs `scenario` with the power cut at `step`, then recovers and judges. */
export async function crashPoint(
  emu: Emulator,
  scenario: Scenario,
  step: number,
  tail: UnsyncedTail,
  fsOptions: SweepOptions = {},
): Promise<Verdict> {
  const scan = scenario.scan(`${scenario.name}-${step}-${tail}-${Math.random()}`);
  const config = configFor(emu, await tempDir('aphoria-power-'));
  // The locks (proper-lockfile) live on the real disk; the journals in memory.
  await mkdir(config.spoolDir, { recursive: true });
  const prepared = new PowerLossFs();
  await scenario.prepare?.(emu, scan, config, prepared);
  const { recovery = 'flush', ...powerLoss } = fsOptions;
  const fs = new PowerLossFs(
    {
      ...(scenario.syncDelayMs === undefined ? {} : { syncDelayMs: scenario.syncDelayMs }),
      ...powerLoss,
      crashAt: step,
      tail,
      // A machine without power sends nothing more: the requests already on the wire may land.
      onCrash: () => emu.faults.outage({ ms: 600_000, mode: 'reset' }),
    },
    prepared.disk(),
  );
  try {
    await scenario.run(emu, scan, config, seamsOf(fs));
  } catch (error) {
    if (!fs.crashed) throw error;
  }
  emu.faults.clear();
  const before = fs.log.slice(-3);
  if (!fs.crashed) {
    const verdict = await judge(emu, scenario, scan, config, fs, true, 0, false);
    return { ...verdict, survived: 'sealed', step, tail, crashed: false, before };
  }
  const disk = fs.survivor();
  const survived = journalOn(disk, config.spoolDir, computeScanId(scan));
  const promised = survived.records;
  const quiet = { config, clientOptions: INSTANT_RETRY, onWarning: () => {} };
  let reportedMissing = 0;
  if (recovery === 'flush') {
    const flushed = await flushSpoolWith(quiet, { ...DEFAULT_SEAMS, fs: disk });
    const id = computeScanId(scan);
    for (const scan of flushed.incomplete) if (scan.scanId === id) reportedMissing += scan.missing;
  } else await persistScanWith(scan, quiet, { ...DEFAULT_SEAMS, fs: disk });
  return {
    ...(await judge(
      emu,
      scenario,
      scan,
      config,
      disk,
      promised,
      reportedMissing,
      scenario.allDurableAtOnce === true,
    )),
    survived: survived.kind,
    step,
    tail,
    crashed: true,
    before,
  };
}

async function judge(
  emu: Emulator,
  scenario: Scenario,
  scan: Scan,
  config: HostedConfig,
  disk: PowerLossFs,
  promised: boolean,
  reportedMissing: number,
  noneMissing: boolean,
): Promise<Omit<Verdict, 'step' | 'tail' | 'crashed' | 'before' | 'survived'>> {
  const back = await readBack(emu, scan);
  // Other scans a scenario prepared (a damaged journal moved aside) are not this scan's.
  const id = computeScanId(scan);
  const dead = `${id}.dead`;
  const left = [...disk.files(config.spoolDir).keys()].filter(
    (name) => name.startsWith(id) && name !== dead,
  );
  // What must not be on the server: the refused findings, and then the summary.
  const refused = new Set(scenario.refused ?? []);
  const absent = new Set<string>();
  const wantDead: number[] = []; // the refused findings' record indexes
  if (refused.size > 0) {
    for (const a of scanToAssertions(scan)) {
      const refusedFinding = a.findingIndex !== undefined && refused.has(a.findingIndex);
      if (refusedFinding) wantDead.push(a.index);
      if (refusedFinding || a.findingIndex === undefined) absent.add(assertionIdentity(a.input));
    }
  }
  const missing = back.missing.filter((identity) => !absent.has(identity));
  const storedAbsent = absent.size - back.missing.filter((i) => absent.has(i)).length;
  const whole = missing.length === 0 && storedAbsent === 0;
  const none = back.stored === 0;
  const letters = deadLettersOn(disk, config.spoolDir, dead);
  const deadDoubled = letters.length - new Set(letters).size;
  const deadOk =
    deadDoubled === 0 &&
    (whole
      ? JSON.stringify([...new Set(letters)].sort((a, b) => a - b)) === JSON.stringify(wantDead)
      : letters.length === 0);
  return {
    promised,
    stored: back.stored,
    missing: missing.length + storedAbsent,
    doubled: back.doubled.length,
    extra: back.extra.length,
    left,
    movedAside: left.some((name) => name.includes('.journal.corrupt-')),
    reportedMissing,
    deadLetters: letters.length,
    deadDoubled,
    ok:
      back.doubled.length === 0 &&
      !(noneMissing && reportedMissing > 0) &&
      back.extra.length === 0 &&
      left.length === 0 &&
      deadOk &&
      (whole || (!promised && none)),
  };
}

// The record index of each readable line of a dead-letter file, repeats included.
function deadLettersOn(disk: PowerLossFs, dir: string, name: string): number[] {
  const bytes = disk.files(dir).get(name);
  if (bytes === undefined) return [];
  return bytes
    .toString('utf8')
    .split('\n')
    .slice(0, -1)
    .map((line) => decodeLine(line) as { i?: unknown } | undefined)
    .flatMap((letter) => (typeof letter?.i === 'number' ? [letter.i] : []));
}

// What the disk holds of the scan's journal: whole `a` lines, a whole seal. Checksums are not
// checked here: a line cut short has no newline, and that is what a torn tail leaves.
function journalOn(
  disk: PowerLossFs,
  dir: string,
  scanId: string,
): { kind: Verdict['survived']; records: boolean } {
  const bytes = disk.files(dir).get(`${scanId}.journal`);
  if (bytes === undefined) return { kind: 'none', records: false };
  const lines = bytes.toString('utf8').split('\n').slice(0, -1);
  const has = (t: string) => lines.some((line) => line.startsWith(`{"t":"${t}"`, 9));
  return { kind: has('s') ? 'sealed' : 'unsealed', records: has('a') };
}

/**
 * Every crash point of `scenario` for `tail`: N = 1, 2, … until the scenario completes without
 * reaching N (or `maxStep`). `fsOptions` applies to the crashing run only (the fsync audit).
 */
export async function sweep(
  emu: Emulator,
  scenario: Scenario,
  tail: UnsyncedTail,
  fsOptions: SweepOptions = {},
): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (let step = 1; step <= (scenario.maxStep ?? 10_000); step += 1) {
    const verdict = await crashPoint(emu, scenario, step, tail, fsOptions);
    verdicts.push(verdict);
    if (!verdict.crashed) break;
  }
  return verdicts;
}

/** One line per failed crash point, for an assertion message. */
export function describeFailures(verdicts: Verdict[]): string[] {
  return verdicts
    .filter((v) => !v.ok)
    .map(
      (v) =>
        `step ${v.step} (${v.tail}) after [${v.before.join(' | ')}]: ${v.missing} missing, ${v.doubled} doubled, ${v.extra} extra, ${v.reportedMissing} reported missing, ${v.deadLetters} dead letter(s) (${v.deadDoubled} doubled), left ${JSON.stringify(v.left)}${v.promised ? ', a journal survived' : ''}`,
    );
}
