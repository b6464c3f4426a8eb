/**
 * Draining one journal in a run: {@link deliver} its pending records, then, once the journal is
 * whole (sealed), finish it: delete it (all finished), compact it (much finished, some left) or
 * keep it. Used by both `persistScan` (its own scan, and the older spool) and `flushSpool`, so
 * that a spooled scan and a fresh one go through the same code.
 */
import { HostedAuthError, NotStemeDbError } from '../errors.js';
import type { Journal } from '../spool/journal.js';
import { deliver, type FindingOf } from './deliver.js';
import { MAX_LISTED_REJECTIONS, type SendCounts } from './results.js';
import type { Run } from './run.js';
import { warn } from './run.js';
import type { Present } from './sink.js';

/** What draining one journal did. */
export interface JournalReport extends SendCounts {
  scanId: string;
  total: number;
  /** Every record finished: the journal is deleted. */
  finished: boolean;
  /** Findings rejected in all (earlier runs included): the summary is then withheld. */
  rejectedFindings: number;
  /** True when the summary was withheld because of rejected findings. */
  summaryWithheld: boolean;
  /** Assertions of the scan that never reached its journal (a kill while it was written). */
  missing: number;
  /** The dead-letter file, when this run wrote to it. */
  deadLetterPath: string | undefined;
  /**
   * A disk fault (ENOSPC, EIO...) writing this journal's acks: its sending stopped, the rest
   * of the run went on; what it holds stays for the next run, which reads the server back.
   */
  fault: unknown;
}

/**
 * Sends the unfinished records of `journal`, then finishes it. Call with the journal's lock
 * held. `present` is the server's read-back when the caller already has it.
 */
export async function drainJournal(
  run: Run,
  journal: Journal,
  present: Present | undefined,
  findingOf?: FindingOf,
): Promise<JournalReport> {
  const { sender } = run;
  const report = (counts: SendCounts & { summaryWithheld: boolean }): JournalReport => ({
    ...counts,
    scanId: journal.scanId,
    total: journal.total,
    finished: false,
    rejectedFindings: journal.rejectedFindings,
    missing: journal.missing,
    deadLetterPath: journal.deadLetterPath,
    fault: journal.fault,
  });
  let counts: SendCounts & { summaryWithheld: boolean };
  try {
    counts = await deliver(journal, run.sink, {
      present,
      findingOf,
      maxAttempts: run.options.maxAttempts,
      onProgress: (c) =>
        run.options.onProgress?.({
          phase: run.phase,
          scanId: journal.scanId,
          total: journal.total,
          done: c.sent + c.alreadyPresent + c.rejected,
          sent: c.sent,
          alreadyPresent: c.alreadyPresent,
          rejected: c.rejected,
        }),
    });
  } finally {
    await journal.close(); // a failure is already in sender.fatal, or the journal's fault
  }
  // Whatever was sent, the journal is whole (or its write failed) before it is judged.
  if (!(await journal.sealed())) {
    return { ...report(counts), spooled: journal.unfinished }; // sender.fatal is set
  }
  const out = report(counts);
  out.spooled = journal.unfinished;
  out.finished = journal.unfinished === 0 && out.fault === undefined;
  if (out.fault !== undefined) return out; // touch this journal no more
  if (
    sender.fatal !== undefined &&
    !(sender.fatal instanceof HostedAuthError || sender.fatal instanceof NotStemeDbError)
  ) {
    return out; // a spool write failed or the lock was lost: touch nothing more
  }
  await journal.finish((error) =>
    warn(
      run,
      `could not compact the spool file of scan ${journal.scanId} (${error.message}); it is kept as it was`,
    ),
  );
  return out;
}

/** Adds `from` into `into`. */
export function addCounts(into: SendCounts, from: SendCounts): void {
  into.sent += from.sent;
  into.alreadyPresent += from.alreadyPresent;
  into.spooled += from.spooled;
  into.rejected += from.rejected;
  for (const r of from.rejections) {
    if (into.rejections.length < MAX_LISTED_REJECTIONS) into.rejections.push(r);
  }
}
