/**
 * One scan's journal, as the delivery loop sees it (issue 21, "the house"): create or recover
 * it, read what is pending, then mark each record acknowledged, failed or rejected, and finish
 * it (delete, compact or keep). It knows nothing of HTTP; `persist/deliver.ts` knows nothing of
 * files. The Collector's persistent queue has the same split (Offer / Read / OnDone).
 *
 * The hardest rule of the spool lives here, and only here: a record is handed out by
 * {@link Journal.pending} only once it is durable (its batch fsynced, and the directory entry
 * too), and an acknowledgement is appended only after the seal (the ack log waits for it), so
 * that a crash never leaves a sent record the journal does not hold, nor an ack without a seal
 * that vouches for the records before it.
 *
 * The fsyncs themselves stay where they were (journal-write.ts, dead-letter.ts, spool.ts):
 * this type decides when they happen, not how.
 */

import {
  type DeadLetter,
  DeadLetterFile,
  type DeadLetterRefusal,
  deadLetterPathOf,
} from './dead-letter.js';
import { isDiskFault } from './disk-fault.js';
import { type JournalState, pendingRecords } from './journal-read.js';
import {
  AckLog,
  compactJournal,
  compactPathOf,
  createJournal,
  deleteJournal,
} from './journal-write.js';
import { LockLostError } from './lock.js';
import type { AssertionRecord, HeaderRecord } from './record.js';
import type { Spool } from './spool.js';

/** A journal with its seal, as `Spool.open` (or `Spool.sealCut`) returns its state. */
export type SealedState = JournalState & { seal: NonNullable<JournalState['seal']> };

/** What a dead letter says beyond the record itself. */
export type Refusal = Pick<DeadLetter, 'status' | 'code' | 'msg' | 'attempts'>;

/** How {@link Journal.finish} left the file. */
export type Finished = 'deleted' | 'compacted' | 'kept';

/** One scan's journal, open for delivery. Call every method with the scan's lock held. */
export class Journal {
  readonly path: string;
  readonly scanId: string;
  readonly agentId: string;
  readonly header: HeaderRecord;
  /** `a` records in the file. */
  readonly records: number;
  /** Assertions of the scan (the file may hold fewer after a compaction). */
  readonly total: number;
  /** Assertions of the scan that never reached the journal (the seal's `cut`). */
  readonly missing: number;
  /** Damaged records skipped in the file (see `JournalState.damaged`). */
  readonly damaged: number;
  /** Indexes acknowledged or rejected: never sent again. */
  readonly done: Set<number>;
  /** Findings rejected for good, earlier runs included (the summary is then withheld). */
  rejectedFindings: number;
  /**
   * A disk fault (ENOSPC, EIO...) appending to this journal: it is touched no more in this run,
   * the rest of the run goes on; what it holds stays for the next run, which reads back.
   */
  fault: unknown;

  readonly #spool: Spool;
  readonly #acked: number;
  readonly #compactedRejections: number;
  readonly #attempts: Map<number, number>;
  readonly #log: AckLog;
  readonly #dead: DeadLetterFile;
  #deadWritten = false;
  /** The records being written, each yielded once durable (a journal this run creates). */
  readonly #durable: AsyncIterable<AssertionRecord> | undefined;
  /** Resolves once the seal is on disk; rejects with the write's error. */
  readonly #sealed: Promise<void> | undefined;

  private constructor(
    spool: Spool,
    state: Omit<SealedState, 'seal' | 'validBytes' | 'torn' | 'foreign' | 'summaryIndex'> & {
      scanId: string;
      total: number;
      missing: number;
      compactedRejections: number;
    },
    onFatal: (error: unknown) => void,
    writing?: { durable: AsyncIterable<AssertionRecord>; sealed: Promise<void> },
  ) {
    this.#spool = spool;
    this.path = state.path;
    this.scanId = state.scanId;
    this.agentId = state.header.agent;
    this.header = state.header;
    this.records = state.records;
    this.total = state.total;
    this.missing = state.missing;
    this.damaged = state.damaged;
    this.done = state.done;
    this.rejectedFindings = state.rejectedFindings;
    this.#acked = state.acked;
    this.#compactedRejections = state.compactedRejections;
    this.#attempts = state.attempts;
    this.#durable = writing?.durable;
    this.#sealed = writing?.sealed;
    // A disk fault appending to a recovered journal isolates it (the run goes on with the
    // others); any other failure, or one on the journal this run is writing, ends the run.
    this.#log = new AckLog(
      spool.fs,
      this.path,
      (error) => {
        if (writing === undefined && isDiskFault(error)) this.fault ??= error;
        else onFatal(error);
      },
      { after: writing?.sealed },
    );
    this.#dead = new DeadLetterFile(spool.fs, deadLetterPathOf(this.path));
  }

  /**
   * Starts writing a new journal from `records` (iterated twice, lazily: once to write, once to
   * hand out). `onFatal` is told if the write fails (the run must end).
   */
  static create(
    spool: Spool,
    header: HeaderRecord & { total: number },
    records: () => Iterable<AssertionRecord> | AsyncIterable<AssertionRecord>,
    onFatal: (error: unknown) => void,
  ): Journal {
    const path = spool.journalPath(header.scan);
    const durable = new DurableCount();
    const sealed = createJournal(spool.fs, path, header, records(), undefined, undefined, (n) =>
      durable.set(n),
    ).then(
      () => durable.end(),
      (error: unknown) => {
        durable.end();
        onFatal(error);
        throw error;
      },
    );
    sealed.catch(() => {}); // observed by sealed(); never an unhandled rejection
    const state = {
      path,
      scanId: header.scan,
      header,
      records: header.total,
      total: header.total,
      missing: 0,
      done: new Set<number>(),
      acked: 0,
      rejectedFindings: 0,
      compactedRejections: 0,
      attempts: new Map<number, number>(),
      damaged: 0,
      damagedAssertions: 0,
    };
    return new Journal(spool, state, onFatal, {
      durable: durableRecords(records(), durable),
      sealed,
    });
  }

  /** A sealed journal read back by `Spool.open` (or sealed by `Spool.sealCut`). */
  static recover(
    spool: Spool,
    scanId: string,
    state: SealedState,
    onFatal: (error: unknown) => void,
  ): Journal {
    return new Journal(
      spool,
      {
        ...state,
        scanId,
        total: state.seal.total,
        missing: state.seal.cut ?? 0,
        compactedRejections: state.seal.rej,
      },
      onFatal,
    );
  }

  /** Records not finished yet. */
  get unfinished(): number {
    return this.records - this.done.size;
  }

  /** Assertions an earlier run finished: acknowledged then (in the file, or compacted away). */
  get finishedBefore(): number {
    return this.total - this.records - this.#compactedRejections + this.#acked;
  }

  /** The dead-letter file, once this run wrote to it. */
  get deadLetterPath(): string | undefined {
    return this.#deadWritten ? this.#dead.path : undefined;
  }

  /** Failed attempts of record `index` so far, over every run. */
  attemptsOf(index: number): number {
    return this.#attempts.get(index) ?? 0;
  }

  /**
   * The unfinished records, in order, each only once it is durable: those of a journal being
   * written as their batch is fsynced, those of a recovered one as read from its file.
   *
   * A record already in the dead-letter file is finished here, not handed out: an earlier run
   * dead-lettered it and was killed (or lost power) before its `r` record reached the journal.
   * Sent again, it would be dead-lettered a second time (issue 21); the dead letter, fsynced
   * before the `r` is written, is what says the record is finished.
   */
  pending(): AsyncIterable<AssertionRecord> {
    const records = this.#durable ?? pendingRecords(this.#spool.fs, this.path, this.done);
    return this.#unlessDeadLettered(records);
  }

  async *#unlessDeadLettered(
    records: AsyncIterable<AssertionRecord>,
  ): AsyncGenerator<AssertionRecord> {
    const dead = await this.#dead.letters();
    if (dead.size === 0) {
      yield* records;
      return;
    }
    for await (const record of records) {
      const letter = dead.get(record.i);
      if (letter === undefined) yield record;
      else this.#rejected(record, letter);
    }
  }

  // Marks a dead-lettered record finished in the journal (its `r`), counted as a rejection.
  #rejected(record: AssertionRecord, refusal: DeadLetterRefusal): void {
    this.done.add(record.i);
    this.#log.add({
      t: 'r',
      i: record.i,
      status: refusal.status,
      code: refusal.code,
      msg: refusal.msg,
    });
    if (record.f !== undefined) this.rejectedFindings += 1;
  }

  /** Resolves true once the whole journal is on disk (at once for a recovered one). */
  sealed(): Promise<boolean> {
    if (this.#sealed === undefined) return Promise.resolve(true);
    return this.#sealed.then(
      () => true,
      () => false,
    );
  }

  /** The server holds record `index`: sent by this run, or found there (`present`). */
  ack(index: number, present = false): void {
    this.done.add(index);
    this.#log.add(present ? { t: 'k', i: index, p: 1 } : { t: 'k', i: index });
  }

  /** Record `index` failed with `status` once more; resolves to its attempts, this one counted. */
  fail(index: number, status: number): number {
    const n = this.attemptsOf(index) + 1;
    this.#attempts.set(index, n);
    this.#log.add({ t: 'f', i: index, status });
    return n;
  }

  /**
   * Record refused for good, or failing too often: to the dead-letter file (durable first), then
   * finished in the journal, so that it is never neither sent nor dead-lettered.
   *
   * @throws the dead-letter file's write error (the record then stays pending)
   */
  async reject(record: AssertionRecord, refusal: Refusal): Promise<void> {
    await this.#dead.add({
      i: record.i,
      ...(record.f === undefined ? {} : { f: record.f }),
      ...refusal,
      at: new Date().toISOString(),
      in: record.in,
    });
    this.#deadWritten = true;
    this.#rejected(record, refusal);
  }

  /** The summary is kept back (findings were rejected): finished, never sent. */
  withhold(index: number): void {
    this.done.add(index);
    this.#log.add({
      t: 'r',
      i: index,
      status: 0,
      code: 'withheld',
      msg: 'summary withheld: findings of the scan were rejected, dead-lettered or damaged',
    });
  }

  /** Writes out what was marked; a failure was already reported (`fault`, or `onFatal`). */
  async close(): Promise<void> {
    await this.#log.close().catch(() => {});
    await this.#dead.close().catch(() => {});
  }

  /**
   * After a delivery: deletes the journal when every record is finished, compacts it when much
   * is (so that the next run reads less), else keeps it. A failed compaction is not the run's:
   * the journal is still whole (the draft is renamed over it only once complete), and
   * `onCompactFailed` is told.
   */
  async finish(onCompactFailed: (error: Error) => void): Promise<Finished> {
    if (this.unfinished === 0) {
      await deleteJournal(this.#spool.fs, this.path);
      return 'deleted';
    }
    const doneCount = this.done.size;
    if (doneCount < this.#spool.seams.compactMinDone || doneCount * 2 < this.records) return 'kept';
    try {
      await compactJournal(
        this.#spool.fs,
        this.path,
        this.header,
        this.done,
        this.total,
        this.rejectedFindings,
        this.missing,
      );
      return 'compacted';
    } catch (error) {
      if (error instanceof LockLostError) throw error;
      await this.#spool.fs.remove(compactPathOf(this.path)).catch(() => {});
      onCompactFailed(error as Error);
      return 'kept';
    }
  }

  /** Deletes the journal whatever it holds (a refusal: nothing is left spooled for it). */
  async discard(): Promise<void> {
    await deleteJournal(this.#spool.fs, this.path);
  }
}

/** Yields record i once i + 1 records are durable; stops when the writer ended short of it. */
async function* durableRecords(
  all: Iterable<AssertionRecord> | AsyncIterable<AssertionRecord>,
  durable: DurableCount,
): AsyncGenerator<AssertionRecord> {
  let n = 0;
  // A scan in memory is mapped synchronously: no await per record for it.
  const records = Symbol.iterator in all ? (all as Iterable<AssertionRecord>) : undefined;
  if (records !== undefined) {
    for (const record of records) {
      n += 1;
      // Mostly already durable (a batch holds thousands): no promise to wait on then.
      if (!durable.has(n) && !(await durable.reach(n))) return; // the write failed: the run ends
      yield record;
    }
    return;
  }
  for await (const record of all) {
    n += 1;
    if (!durable.has(n) && !(await durable.reach(n))) return;
    yield record;
  }
}

/** How many records are durable, and a way to wait for more. */
class DurableCount {
  #count = 0;
  #ended = false;
  #waiters: Array<() => void> = [];

  set(count: number): void {
    this.#count = count;
    this.#wake();
  }

  /** The writer is done (sealed, or failed). */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** True when `n` records are durable. */
  has(n: number): boolean {
    return this.#count >= n;
  }

  /** Resolves true once `n` records are durable, false if the writer ended before. */
  async reach(n: number): Promise<boolean> {
    while (this.#count < n) {
      if (this.#ended) return false;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return true;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
