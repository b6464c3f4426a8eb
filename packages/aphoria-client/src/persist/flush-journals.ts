/**
 * Sending the spool: every journal in the spool directory, oldest first, each under its own
 * lock (a journal another live run holds is skipped, not waited for; a lock left by a killed
 * process is stale after `lockStaleMs` and taken over).
 */

import { isDiskFault } from '../spool/disk-fault.js';
import { Journal, type SealedState } from '../spool/journal.js';
import { deleteJournal } from '../spool/journal-write.js';
import { targetOf } from '../spool/target.js';
import { addCounts, drainJournal } from './drain.js';
import type { FlushResult, SkippedJournal } from './results.js';
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
    incomplete: [],
    skipped: [],
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
      const mismatch =
        opened.kind === 'ok' || opened.kind === 'unsealed' ? otherTarget(run, opened) : undefined;
      if (opened.kind === 'foreign') {
        skip(
          run,
          result,
          scanId,
          opened.path,
          'foreign',
          `its format (version ${opened.version}) was written by ${opened.by ?? 'a later aphoria-client'}, which this aphoria-client cannot read; it is left untouched for that version to send`,
        );
      } else if (mismatch !== undefined) {
        skip(
          run,
          result,
          scanId,
          spool.journalPath(scanId),
          'other-target',
          `it was written for ${mismatch}, not ${targetOf(run.options.config).origin}; flush it with \`--to ${mismatch}\` (flushSpool's \`to\`) to send it there, or to this URL on purpose`,
        );
      } else if (opened.kind === 'none') {
        result.scans -= 1; // finished by another run between the listing and the lock
      } else if (opened.kind === 'corrupt') {
        result.corrupt.push(opened.movedTo);
        warn(run, `${opened.error.message}; moved aside as ${opened.movedTo}`);
      } else if (opened.kind === 'unsealed' && (opened.state?.records ?? 0) === 0) {
        // Cut off before its first record: it holds nothing to lose.
        await deleteJournal(spool.fs, opened.path);
        result.discarded += 1;
      } else if (opened.kind === 'unsealed') {
        // Cut off while it was written (a kill): every record in it is sent like any other's,
        // never discarded; what never reached it is reported (docs/spool.md).
        const sealed = await spool.sealCut(opened.state!);
        await drainOne(run, result, scanId, sealed);
      } else {
        await drainOne(run, result, scanId, opened.state);
      }
    } catch (error) {
      // A disk fault on one journal (unreadable, a directory in its place, a full disk) is that
      // journal's: reported and skipped, never a failed run, and never every later run's.
      if (!isDiskFault(error)) throw error;
      skip(
        run,
        result,
        scanId,
        spool.journalPath(scanId),
        'unreadable',
        `${(error as NodeJS.ErrnoException).code}: ${(error as Error).message}`,
      );
    } finally {
      await lock.release().catch(() => {});
    }
  }
  result.reachable = sender.down === undefined;
  return result;
}

async function drainOne(
  run: Run,
  result: FlushCounts,
  scanId: string,
  state: SealedState,
): Promise<void> {
  const journal = Journal.recover(run.spool, scanId, state, (error) => run.sender.fail(error));
  const report = await drainJournal(run, journal, undefined);
  addCounts(result, report);
  if (report.fault !== undefined) {
    const e = report.fault as NodeJS.ErrnoException;
    skip(
      run,
      result,
      scanId,
      state.path,
      'unwritable',
      `${e.code}: ${e.message}; what it holds stays for the next run`,
    );
  }
  if (report.finished) result.completed += 1;
  if (report.summaryWithheld) warnWithheld(run, scanId, report.rejectedFindings);
  if (report.missing > 0) {
    result.incomplete.push({ scanId, missing: report.missing, delivered: report.finished });
    warnIncomplete(run, scanId, report.missing, report.finished);
  }
}

function skip(
  run: Run,
  result: FlushCounts,
  scanId: string,
  path: string,
  reason: SkippedJournal['reason'],
  why: string,
): void {
  result.skipped.push({ scanId, path, reason, message: why });
  warn(run, `skipped the spool file of scan ${scanId} (${path}): ${why}`);
}

/** The origin a journal was written for, when it is not this run's (and not allowed by `to`). */
function otherTarget(
  run: Run,
  opened: { state: { header: { origin?: string } } | undefined },
): string | undefined {
  const origin = opened.state?.header.origin;
  if (origin === undefined) return undefined; // written before journals were bound (0.1)
  if (run.options.to !== undefined) return undefined; // sent to `to` on purpose
  return origin === targetOf(run.options.config).origin ? undefined : origin;
}

/** The warning for a scan whose journal was cut off before it held the whole scan. */
export function warnIncomplete(
  run: Run,
  scanId: string,
  missing: number,
  delivered: boolean,
): void {
  warn(
    run,
    `scan ${scanId}: its spool file was cut off while being written (a killed run): ${delivered ? 'every assertion in it is now stored, but ' : ''}${missing} assertion(s) of the scan (its summary included) never reached it; persist that scan again to store them (nothing is stored twice)`,
  );
}

/** The warning for a scan whose summary stays unsent because findings were rejected. */
export function warnWithheld(run: Run, scanId: string, rejectedFindings: number): void {
  warn(
    run,
    `scan ${scanId}: ${rejectedFindings} finding(s) were rejected by StemeDB, so the scan's summary was not sent (a stored summary means a whole scan)`,
  );
}
