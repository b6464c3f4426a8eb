/**
 * Draining one journal: sending what is not finished, recording each outcome, then deleting
 * the journal (all finished) or compacting it (much finished, some left). Used by both
 * `persistScan` (its own scan, and the older spool first) and `flushSpool`, so that a spooled
 * scan and a fresh one go through the same code.
 */
import { isStemeError, type StemeError } from '@stemedb/sdk';
import { HostedAuthError } from '../errors.js';
import { assertionIdentity } from '../mapping.js';
import type { Finding } from '../scan.js';
import type { JournalState } from '../spool/journal-read.js';
import { pendingRecords } from '../spool/journal-read.js';
import { AckLog, compactJournal, deleteJournal } from '../spool/journal-write.js';
import type { AssertionRecord } from '../spool/record.js';
import { classify } from './classify.js';
import { NOTHING_PRESENT, type Present, readPresent } from './present.js';
import { MAX_LISTED_REJECTIONS, type RejectedAssertion, type SendCounts } from './results.js';
import { authError, type Run } from './run.js';

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
  report.finished = remaining === 0;
  if (sender.fatal !== undefined && !(sender.fatal instanceof HostedAuthError)) {
    return report; // a spool write failed or the lock was lost: touch nothing more
  }
  if (report.finished) {
    await deleteJournal(spool.fs, journal.path);
  } else if (done.size >= spool.seams.compactMinDone && done.size * 2 >= journal.records) {
    await compactJournal(
      spool.fs,
      journal.path,
      journal.header,
      done,
      journal.total,
      report.rejectedFindings,
      journal.missing,
    );
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
  const log = new AckLog(spool.fs, journal.path, (error) => sender.fail(error), {
    after: writing?.sealed,
  });
  const pending = () => writing?.source ?? pendingRecords(spool.fs, journal.path, done);
  const settle = (record: AssertionRecord, how: 'sent' | 'present') => {
    done.add(record.i);
    log.add(how === 'present' ? { t: 'k', i: record.i, p: 1 } : { t: 'k', i: record.i });
    if (how === 'sent') report.sent += 1;
    else report.alreadyPresent += 1;
    progress();
  };
  const reject = (record: AssertionRecord, error: StemeError) => {
    done.add(record.i);
    const status = error.status ?? 0;
    const code = error.serverCode ?? error.code;
    log.add({ t: 'r', i: record.i, status, code, msg: error.message });
    report.rejected += 1;
    if (record.f !== undefined) report.rejectedFindings += 1;
    if (report.rejections.length < MAX_LISTED_REJECTIONS) {
      report.rejections.push(rejection(journal.scanId, record, findingOf, status, code, error));
    }
    progress();
  };
  const send = async (record: AssertionRecord): Promise<void> => {
    for (;;) {
      await sender.gate();
      if (sender.stopped) return;
      try {
        await run.client.assert(record.in, { signal: sender.signal });
        sender.succeeded();
        settle(record, 'sent');
        return;
      } catch (error) {
        if (!isStemeError(error)) throw error;
        switch (classify(error)) {
          case 'reject':
            reject(record, error);
            return;
          case 'slow':
            sender.slowDown(error.retryAfter?.ms);
            continue;
          case 'auth':
            sender.fail(authError(run, error));
            return;
          case 'cancelled':
            return; // stays spooled
          case 'down':
            sender.markDown(error);
            return;
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
        if (sender.stopped) break;
        if (present.ids.has(assertionIdentity(record.in))) settle(record, 'present');
        else if (record.f === undefined) summary = record;
        else await sender.submit(() => send(record));
      }
      await sender.settle();
      // The summary says "this scan is wholly stored": only once every finding is.
      if (summary !== undefined && !sender.stopped) {
        if (report.rejectedFindings > 0) {
          done.add(summary.i);
          log.add({
            t: 'r',
            i: summary.i,
            status: 0,
            code: 'withheld',
            msg: 'summary withheld: findings of the scan were rejected',
          });
          report.summaryWithheld = true;
        } else {
          await send(summary);
        }
      }
    }
  } finally {
    await sender.settle();
    await log.close().catch(() => {}); // a failure is already in sender.fatal
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

/** Counts of nothing, to add reports to. */
export function emptyCounts(): SendCounts {
  return { sent: 0, alreadyPresent: 0, spooled: 0, rejected: 0, rejections: [] };
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

export { NOTHING_PRESENT };
