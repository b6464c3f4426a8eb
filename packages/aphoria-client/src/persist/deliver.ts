/**
 * The delivery loop (issue 21, "the house"): the pending records of one {@link Journal} to a
 * {@link Sink}, through the run's window (p-queue, in sender.ts), each outcome marked in the
 * journal. It knows nothing of files: what is durable, and when an ack may be written, is the
 * journal's business; what a failure means is classify.ts's.
 *
 * Order: what the server already holds is marked present, never resent; findings go first,
 * those failing with a 500 are put off to a last pass so that they never hold back the rest;
 * the summary ("this scan is wholly stored") goes last, once every finding is, or is withheld
 * when findings were rejected.
 */
import { isStemeError, type StemeError } from '@stemedb/sdk';
import { assertionIdentity } from '../mapping.js';
import type { Finding } from '../scan.js';
import type { Journal } from '../spool/journal.js';
import type { AssertionRecord } from '../spool/record.js';
import { classify } from './classify.js';
import { MAX_LISTED_REJECTIONS, type RejectedAssertion, type SendCounts } from './results.js';
import type { Present, Sink } from './sink.js';

/**
 * How many times one write may come back ambiguous with the read-back finding it absent each
 * time before StemeDB counts as down (a proxy answering 502 before the server applies
 * anything): the SDK's own 2/4/8 s schedule allows as many attempts.
 */
export const MAX_AMBIGUOUS_PER_RECORD = 4;

/** The finding of a record, when the scan is at hand. */
export type FindingOf = (record: AssertionRecord) => Finding | undefined;

/** How {@link deliver} runs. */
export interface DeliverOptions {
  /** The server's read-back of the scan, when the caller already has it (else read here). */
  present?: Present | undefined;
  findingOf?: FindingOf | undefined;
  /** Attempts of a record failing with a 500 before it is dead-lettered, over runs. */
  maxAttempts: number;
  /** Told after every record finished. */
  onProgress?: ((counts: DeliveryCounts) => void) | undefined;
}

/** What a delivery did so far. */
export interface DeliveryCounts extends SendCounts {
  /** True when the summary was withheld because findings were rejected. */
  summaryWithheld: boolean;
}

/** Sends the unfinished records of `journal` to `sink`. Call with the journal's lock held. */
export async function deliver(
  journal: Journal,
  sink: Sink,
  options: DeliverOptions,
): Promise<DeliveryCounts> {
  const window = sink.window;
  const counts: DeliveryCounts = {
    sent: 0,
    alreadyPresent: journal.finishedBefore,
    spooled: 0,
    rejected: 0,
    rejections: [],
    summaryWithheld: false,
  };
  const progress = () => options.onProgress?.(counts);
  progress();
  if (journal.unfinished > 0 && !window.stopped) {
    const present = options.present ?? (await sink.present(journal.agentId));
    if (present !== undefined) {
      await sendPending(journal, sink, present, counts, options, progress);
    }
  }
  return counts;
}

async function sendPending(
  journal: Journal,
  sink: Sink,
  present: Present,
  counts: DeliveryCounts,
  options: DeliverOptions,
  progress: () => void,
): Promise<void> {
  const window = sink.window;
  const findingOf = options.findingOf ?? (() => undefined);
  // A disk fault on this journal stops this journal only; anything else ends the run.
  const halted = () => window.stopped || journal.fault !== undefined;
  const settle = (record: AssertionRecord, how: 'sent' | 'present') => {
    journal.ack(record.i, how === 'present');
    if (how === 'sent') counts.sent += 1;
    else counts.alreadyPresent += 1;
    progress();
  };
  const deadLetter = async (
    record: AssertionRecord,
    error: StemeError,
    attempts = journal.attemptsOf(record.i) + 1,
  ) => {
    const status = error.status ?? 0;
    const code = error.serverCode ?? error.code;
    try {
      await journal.reject(record, { status, code, msg: error.message, attempts });
    } catch (writeError) {
      window.fail(writeError);
      return;
    }
    counts.rejected += 1;
    if (counts.rejections.length < MAX_LISTED_REJECTIONS) {
      counts.rejections.push(rejection(journal.scanId, record, findingOf, status, code, error));
    }
    progress();
  };
  const deferred: AssertionRecord[] = [];
  // One write, until it is settled or the run stops. `final` is the last pass: a record that
  // keeps failing is dead-lettered there rather than put off again.
  const send = async (record: AssertionRecord, final: boolean): Promise<void> => {
    let unsure = 0;
    for (;;) {
      if (!window.clear) await window.gate();
      if (halted()) return;
      try {
        // The key names the write, so a server that honours it (24 h) also recognises a resend
        // by a later run; correctness never depends on it (the read-back decides).
        await sink.send(record, `${journal.scanId}:${record.i}`);
        window.succeeded();
        settle(record, 'sent');
        return;
      } catch (error) {
        if (!isStemeError(error)) throw error;
        switch (classify(error)) {
          case 'reject':
            await deadLetter(record, error);
            return;
          case 'slow':
            window.slowDown(error.retryAfter?.ms);
            continue;
          case 'auth':
            window.fail(sink.authError(error));
            return;
          case 'not-stemedb':
            window.fail(sink.notStemeDbError(error));
            return;
          case 'cancelled':
            return; // stays spooled
          case 'down':
            window.markDown(error);
            return;
          case 'ambiguous': {
            // Sent, answer lost: resent only once a read-back shows it absent (no blind resend).
            const held = await sink.holds(record);
            if (held === undefined) return; // the run stopped: the next run reads back
            if (held) {
              window.succeeded();
              settle(record, 'sent');
              return;
            }
            unsure += 1;
            if (unsure >= MAX_AMBIGUOUS_PER_RECORD) {
              window.markDown(error); // never answered, never stored: StemeDB is not working
              return;
            }
            continue;
          }
          case 'poison': {
            const n = journal.fail(record.i, error.status ?? 0);
            if (window.failedRecord(record.i, error)) return; // too many at once: down
            if (n >= options.maxAttempts && window.succeededSince(record.i)) {
              await deadLetter(record, error, n);
              return;
            }
            if (!final) {
              deferred.push(record); // put off to the end: never holds back the rest
              return;
            }
            if (n >= options.maxAttempts) {
              // Nothing else succeeded meanwhile: the server, not this record, is failing.
              window.markDown(error);
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
      for await (const record of journal.pending()) {
        settle(record, 'present');
      }
    } else {
      for await (const record of journal.pending()) {
        if (halted()) break;
        if (present.ids.has(assertionIdentity(record.in))) settle(record, 'present');
        else if (record.f === undefined) summary = record;
        else await window.submit(() => send(record, false));
      }
      await window.settle();
      for (const record of deferred.splice(0)) {
        if (halted()) break;
        await window.submit(() => send(record, true));
      }
      await window.settle();
      // The summary says "this scan is wholly stored": only once every finding is.
      if (summary !== undefined && !halted()) {
        if (journal.rejectedFindings > 0) {
          journal.withhold(summary.i);
          counts.summaryWithheld = true;
        } else {
          await send(summary, true);
        }
      }
    }
  } finally {
    await window.settle();
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
    finding: findingOf(record),
    subject: record.in.subject,
    status,
    code,
    message: error.message,
  };
}
