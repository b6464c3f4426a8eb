/**
 * Sending the spool: every journal in the spool directory, oldest first, each under its own
 * lock (a journal another live run holds is skipped, not waited for; a lock left by a killed
 * process is stale after `lockStaleMs` and taken over).
 */
import { addCounts, drainJournal, sealedFromState } from './drain.js';
import type { FlushResult } from './results.js';
import { type Run, warn } from './run.js';

/** The part of a {@link FlushResult} a run fills in; `durationMs` and `warnings` come later. */
export type FlushCounts = Omit<FlushResult, 'durationMs' | 'warnings'>;

/** Drains every journal of the spool but `except`'s. */
export async function flushJournals(run: Run, except?: string): Promise<FlushCounts> {
  const { spool, sender } = run;
  const result: FlushCounts = {
    spoolDir: spool.dir,
    scans: 0,
    completed: 0,
    locked: 0,
    discarded: 0,
    corrupt: [],
    reachable: true,
    sent: 0,
    alreadyPresent: 0,
    spooled: 0,
    rejected: 0,
    rejections: [],
  };
  for (const scanId of await spool.scanIds()) {
    if (scanId === except) continue;
    if (sender.fatal !== undefined) break;
    result.scans += 1;
    const lock = await spool.lock(scanId, spool.seams.flushLockWaitMs, (error) =>
      sender.fail(error),
    );
    if (lock === undefined) {
      result.locked += 1;
      continue;
    }
    try {
      const opened = await spool.open(scanId);
      if (opened.kind === 'none') {
        result.scans -= 1; // finished by another run between the listing and the lock
      } else if (opened.kind === 'corrupt') {
        result.corrupt.push(opened.movedTo);
        warn(run, `${opened.error.message}; moved aside as ${opened.movedTo}`);
      } else if (opened.kind === 'unsealed') {
        // Cut off while it was written: it does not hold the whole scan, and only the scan can
        // complete it. What of it was sent is on the server; persisting the scan again reads
        // that back and sends the rest (docs/spool.md).
        await spool.fs.remove(opened.path);
        await spool.fs.syncDir(spool.dir);
        result.discarded += 1;
        warn(
          run,
          `discarded the spool file of scan ${scanId}: it was cut off while being written and does not hold the whole scan; persist that scan again (nothing is stored twice)`,
        );
      } else {
        const report = await drainJournal(run, sealedFromState(scanId, opened.state), undefined);
        addCounts(result, report);
        if (report.finished) result.completed += 1;
        if (report.summaryWithheld) warnWithheld(run, scanId, report.rejectedFindings);
      }
    } finally {
      await lock.release();
    }
  }
  result.reachable = sender.down === undefined;
  return result;
}

/** The warning for a scan whose summary stays unsent because findings were rejected. */
export function warnWithheld(run: Run, scanId: string, rejectedFindings: number): void {
  warn(
    run,
    `scan ${scanId}: ${rejectedFindings} finding(s) were rejected by StemeDB, so the scan's summary was not sent (a stored summary means a whole scan)`,
  );
}
