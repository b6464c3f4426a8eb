/**
 * Draining one journal: sending what is not finished, recording each outcome, then deleting
 * the journal (all finished) or compacting it (much finished, some left). Used by both
 * `persistScan` (its own scan, and the older spool first) and `flushSpool`, so that a spooled
 * scan and a fresh one go through the same code.
 */
import { isStemeError, type StemeError } from '@stemedb/sdk';
import { HostedAuthError, NotStemeDbError } from '../errors.js';
import { assertionIdentity } from '../mapping.js';
import type { Finding } from '../scan.js';
import { DeadLetterFile, deadLetterPathOf } from '../spool/dead-letter.js';
import { isDiskFault } from '../spool/disk-fault.js';
import type { JournalState } from '../spool/journal-read.js';
import { pendingRecords } from '../spool/journal-read.js';
import { AckLog, compactJournal, compactPathOf, deleteJournal } from '../spool/journal-write.js';
import { LockLostError } from '../spool/lock.js';
import type { AssertionRecord } from '../spool/record.js';
import { classify } from './classify.js';
import { holds, type Present, readPresent } from './present.js';
import { MAX_LISTED_REJECTIONS, type RejectedAssertion, type SendCounts } from './results.js';
import { authError, notStemeDbError, type Run, warn } from './run.js';

/**
 * How many times one write may come back ambiguous with the read-back finding it absent each
 * time before StemeDB counts as down (a proxy answering 502 before the server applies
 * anything): the SDK's own 2/4/8 s schedule allows as many attempts.
 */
export const MAX_AMBIGUOUS_PER_RECORD = 4;

/** A sealed journal, as read or as just written. */
export interface SealedJournal {
  readonly path: string;
  readonly scanId: string;
  readonly agentId: string;
  readonly header: JournalState['header'];
  /** `a` records in the file. */
  readonly records: number;
  /** Assertions of the scan (the file may hold fewer after a compaction). */
  readonly total: number;
  readonly done: Set<number>;
  /** Findings already rejected for good. */
  readonly rejectedFindings: number;
  /** Of `done`, how many were acknowledged (the rest were rejected). */
  readonly acked: number;
  /** Records a compaction dropped as rejected (the seal's `rej`). */
  readonly compactedRejections: number;
  /** Assertions of the scan that never reached the journal (the seal's `cut`): see `Spool.sealCut`. */
  readonly missing: number;
  /** Failed attempts per index (`f` records), over every run. */
  readonly attempts: Map<number, number>;
  /** Damaged records skipped in the file (see `JournalState.damaged`). */
  readonly damaged: number;
}

/** A journal read back by `Spool.open`, as {@link drainJournal} takes it. */
export function sealedFromState(
  scanId: string,
  state: JournalState & { seal: NonNullable<JournalState['seal']> },
): SealedJournal {
  return {
    path: state.path,
    scanId,
    agentId: state.header.agent,
    header: state.header,
    records: state.records,
    total: state.seal.total,
    done: state.done,
    rejectedFindings: state.rejectedFindings,
    acked: state.acked,
    compactedRejections: state.seal.rej,
    missing: state.seal.cut ?? 0,
    attempts: state.attempts,
    damaged: state.damaged,
  };
}

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

/** A journal still being written (`startFreshJournal`): its durable records, and its seal. */
export interface JournalBeingWritten {
  readonly source: AsyncIterable<AssertionRecord>;
  readonly sealed: Promise<void>;
}

/** Where the finding of a record comes from, when the scan is at hand. */
export type FindingOf = (findingIndex: number) => Finding | undefined;

/**
 * Sends the unfinished records of `journal`. Call with the journal's lock held. `present` is
 * the server's read-back when the caller already has it (else it is read here).
 */
export async function drainJournal(
  run: Run,
  journal: SealedJournal,
  present: Present | undefined,
  findingOf: FindingOf = () => undefined,
  writing?: JournalBeingWritten,
): Promise<JournalReport> {
  const { sender, spool } = run;
  const { done } = journal;
  const report: JournalReport = {
    scanId: journal.scanId,
    total: journal.total,
    sent: 0,
    // Finished by an earlier run: acknowledged then (in the file, or compacted away).
    alreadyPresent: journal.total - journal.records - journal.compactedRejections + journal.acked,
    spooled: 0,
    rejected: 0,
    rejections: [],
    finished: false,
    rejectedFindings: journal.rejectedFindings,
    summaryWithheld: false,
    missing: journal.missing,
    deadLetterPath: undefined,
    fault: undefined,
  };
  const progress = () =>
    run.options.onProgress?.({
      phase: run.phase,
      scanId: journal.scanId,
      total: journal.total,
      done: report.sent + report.alreadyPresent + report.rejected,
      sent: report.sent,
      alreadyPresent: report.alreadyPresent,
      rejected: report.rejected,
    });
  progress();

  if (journal.records - done.size > 0 && !sender.stopped) {
    const known = present ?? (await readPresent(run, journal.agentId));
    if (known !== undefined) {
      await sendPending(run, journal, known, report, findingOf, progress, writing);
    }
  }
  if (writing !== undefined) {
    // Whatever was sent, the journal is whole (or its write failed) before it is judged.
    const ok = await writing.sealed.then(
      () => true,
      () => false,
    );
    if (!ok) return { ...report, spooled: journal.records - done.size }; // sender.fatal is set
  }

  const remaining = journal.records - done.size;
  report.spooled = remaining;
  report.finished = remaining === 0 && report.fault === undefined;
  if (report.fault !== undefined) return report; // touch this journal no more
  if (
    sender.fatal !== undefined &&
    !(sender.fatal instanceof HostedAuthError || sender.fatal instanceof NotStemeDbError)
  ) {
    return report; // a spool write failed or the lock was lost: touch nothing more
  }
  if (report.finished) {
    await deleteJournal(spool.fs, journal.path);
  } else if (done.size >= spool.seams.compactMinDone && done.size * 2 >= journal.records) {
    try {
      await compactJournal(
        spool.fs,
        journal.path,
        journal.header,
        done,
        journal.total,
        report.rejectedFindings,
        journal.missing,
      );
    } catch (error) {
      // Compaction only saves the next run some reading: its failure is not the run's. The
      // journal is still whole (the draft is renamed over it only once complete).
      if (error instanceof LockLostError) throw error;
      await spool.fs.remove(compactPathOf(journal.path)).catch(() => {});
      warn(
        run,
        `could not compact the spool file of scan ${journal.scanId} (${(error as Error).message}); it is kept as it was`,
      );
    }
  }
  return report;
}

async function sendPending(
  run: Run,
  journal: SealedJournal,
  present: Present,
  report: JournalReport,
  findingOf: FindingOf,
  progress: () => void,
  writing: JournalBeingWritten | undefined,
): Promise<void> {
  const { sender, spool } = run;
  const { done } = journal;
  // A disk fault on this journal stops this journal only (report.fault); anything else, or the
  // journal being written by this very run, ends the run.
  const log = new AckLog(
    spool.fs,
    journal.path,
    (error) => {
      if (writing === undefined && isDiskFault(error)) report.fault ??= error;
      else sender.fail(error);
    },
    { after: writing?.sealed },
  );
  const halted = () => sender.stopped || report.fault !== undefined;
  const dead = new DeadLetterFile(spool.fs, deadLetterPathOf(journal.path));
  const pending = () => writing?.source ?? pendingRecords(spool.fs, journal.path, done);
  const settle = (record: AssertionRecord, how: 'sent' | 'present') => {
    done.add(record.i);
    log.add(how === 'present' ? { t: 'k', i: record.i, p: 1 } : { t: 'k', i: record.i });
    if (how === 'sent') report.sent += 1;
    else report.alreadyPresent += 1;
    progress();
  };
  // A record refused for good, or failing too often: to the dead-letter file (durable first),
  // then finished in the journal, so that it never holds back another record or scan.
  const deadLetter = async (
    record: AssertionRecord,
    error: StemeError,
    attempts = (journal.attempts.get(record.i) ?? 0) + 1,
  ) => {
    const status = error.status ?? 0;
    const code = error.serverCode ?? error.code;
    try {
      await dead.add({
        i: record.i,
        ...(record.f === undefined ? {} : { f: record.f }),
        status,
        code,
        msg: error.message,
        attempts,
        at: new Date().toISOString(),
        in: record.in,
      });
    } catch (writeError) {
      sender.fail(writeError);
      return;
    }
    report.deadLetterPath = dead.path;
    done.add(record.i);
    log.add({ t: 'r', i: record.i, status, code, msg: error.message });
    report.rejected += 1;
    if (record.f !== undefined) report.rejectedFindings += 1;
    if (report.rejections.length < MAX_LISTED_REJECTIONS) {
      report.rejections.push(rejection(journal.scanId, record, findingOf, status, code, error));
    }
    progress();
  };
  const maxAttempts = run.options.maxAttempts;
  const deferred: AssertionRecord[] = [];
  // One write, until it is settled or the run stops. `final` is the last pass: a record that
  // keeps failing is dead-lettered there rather than put off again.
  const send = async (record: AssertionRecord, final: boolean): Promise<void> => {
    let unsure = 0;
    for (;;) {
      await sender.gate();
      if (halted()) return;
      try {
        // The key names the write, so a server that honours it (24 h) also recognises a resend
        // by a later run; correctness never depends on it (the read-back above decides).
        await run.client.assert(record.in, {
          signal: sender.signal,
          idempotencyKey: `${journal.scanId}:${record.i}`,
        });
        sender.succeeded();
        settle(record, 'sent');
        return;
      } catch (error) {
        if (!isStemeError(error)) throw error;
        switch (classify(error)) {
          case 'reject':
            await deadLetter(record, error);
            return;
          case 'slow':
            sender.slowDown(error.retryAfter?.ms);
            continue;
          case 'auth':
            sender.fail(authError(run, error));
            return;
          case 'not-stemedb':
            sender.fail(notStemeDbError(run, error));
            return;
          case 'cancelled':
            return; // stays spooled
          case 'down':
            sender.markDown(error);
            return;
          case 'ambiguous': {
            // Sent, answer lost: resent only once a read-back shows it absent (no blind resend).
            const held = await holds(run, record);
            if (held === undefined) return; // the run stopped: the next run reads back
            if (held) {
              sender.succeeded();
              settle(record, 'sent');
              return;
            }
            unsure += 1;
            if (unsure >= MAX_AMBIGUOUS_PER_RECORD) {
              sender.markDown(error); // never answered, never stored: StemeDB is not working
              return;
            }
            continue;
          }
          case 'poison': {
            const n = (journal.attempts.get(record.i) ?? 0) + 1;
            journal.attempts.set(record.i, n);
            log.add({ t: 'f', i: record.i, status: error.status ?? 0 });
            if (sender.failedRecord(record.i, error)) return; // too many at once: down
            if (n >= maxAttempts && sender.succeededSince(record.i)) {
              await deadLetter(record, error, n);
              return;
            }
            if (!final) {
              deferred.push(record); // put off to the end: never holds back the rest
              return;
            }
            if (n >= maxAttempts) {
              // Nothing else succeeded meanwhile: the server, not this record, is failing.
              sender.markDown(error);
              return;
            }
            continue;
          }
        }
      }
    }
  };

  let summary: AssertionRecord | undefined;
  try {
    if (present.summary) {
      // The summary goes last, so the whole scan is stored: nothing to send.
      for await (const record of pending()) {
        settle(record, 'present');
      }
    } else {
      for await (const record of pending()) {
        if (halted()) break;
        if (present.ids.has(assertionIdentity(record.in))) settle(record, 'present');
        else if (record.f === undefined) summary = record;
        else await sender.submit(() => send(record, false));
      }
      await sender.settle();
      for (const record of deferred.splice(0)) {
        if (halted()) break;
        await sender.submit(() => send(record, true));
      }
      await sender.settle();
      // The summary says "this scan is wholly stored": only once every finding is.
      if (summary !== undefined && !halted()) {
        if (report.rejectedFindings > 0) {
          done.add(summary.i);
          log.add({
            t: 'r',
            i: summary.i,
            status: 0,
            code: 'withheld',
            msg: 'summary withheld: findings of the scan were rejected, dead-lettered or damaged',
          });
          report.summaryWithheld = true;
        } else {
          await send(summary, true);
        }
      }
    }
  } finally {
    await sender.settle();
    await log.close().catch(() => {}); // a failure is already in sender.fatal
    await dead.close().catch(() => {});
  }
}

function rejection(
  scanId: string,
  record: AssertionRecord,
  findingOf: FindingOf,
  status: number,
  code: string,
  error: StemeError,
): RejectedAssertion {
  return {
    scanId,
    index: record.i,
    findingIndex: record.f,
    finding: record.f === undefined ? undefined : findingOf(record.f),
    subject: record.in.subject,
    status,
    code,
    message: error.message,
  };
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
