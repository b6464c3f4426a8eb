/**
 * Writing journals: creating one (records fsynced with their directory entry before any is
 * sent, then a seal, fsynced), appending acknowledgements with group commit, compacting, deleting.
 *
 * The order of the steps is the guarantee. No record is sent before it and the journal's
 * directory entry are on disk (after a power cut, a journal without its seal is sealed as cut
 * and delivered: Spool.sealCut). Only the fsyncs a power cut shows are needed are made: each is
 * made a no-op in turn by test/power-loss/fsync-audit.test.ts. Compaction writes
 * a complete new file beside the old one and renames it over (atomic), so a crash leaves
 * either the old or the new journal, never neither. A journal is deleted only when every
 * record in it is acknowledged or rejected, so a crash around the deletion leaves at worst a
 * finished journal, which the next run deletes (no ledger to fall out of step with it: the
 * crash loop Vector shipped came from exactly that:
 * https://github.com/vectordotdev/vector/pull/25570).
 */
import { dirname } from 'node:path';
import type { SpoolFile, SpoolFs } from './fs.js';
import { pendingRecords } from './journal-read.js';
import {
  type AckRecord,
  type AssertionRecord,
  encodeRecord,
  type FailRecord,
  type HeaderRecord,
  type RejectRecord,
} from './record.js';

// Records are written in batches of about this many bytes: few syscalls, bounded memory.
const BATCH_BYTES = 256 * 1024;

/** What {@link createJournal} wrote. */
export interface CreatedJournal {
  records: number;
  summaryIndex: number | undefined;
}

/**
 * Told, while a journal is written, how many of its `a` records are on disk (file fsynced, and
 * its directory entry too): those may be sent before the seal is written.
 */
export type OnDurable = (records: number) => void;

// With `onDurable`, the file is fsynced once this many bytes are written since the last fsync
// (and after the first batch, so that sending starts at once): few fsyncs, an early start.
// Tried against an fsync of every 64 KiB batch, and fsyncs doubling in size, with the server on
// the same disk: no steady gain at 100,000 findings (bench/README.md, run 16).
const DURABLE_EVERY_BYTES = 1024 * 1024;

/**
 * Writes a new journal at `path` from `records` (iterated once), sealed and fsynced.
 *
 * With `onDurable`, the records become durable batch by batch, and `onDurable` is told after
 * each fsync (persistScan sends them meanwhile); without it there is one fsync before the seal.
 *
 * @throws the `EEXIST` error when a journal is already there
 */
export async function createJournal(
  fs: SpoolFs,
  path: string,
  header: HeaderRecord,
  records: Iterable<AssertionRecord> | AsyncIterable<AssertionRecord>,
  total: (written: number) => number = (written) => written,
  rej = 0,
  onDurable?: OnDurable,
  cut = 0,
): Promise<CreatedJournal> {
  const file = await fs.create(path);
  let closed = false;
  try {
    let n = 0;
    let summaryIndex: number | undefined;
    let batch = encodeRecord(header);
    let unsynced = 0; // bytes written since the last fsync (with onDurable)
    let durable = -1; // records on disk, as last told; -1 until the directory entry is
    const write = async (upTo: number) => {
      await file.write(batch);
      unsynced += batch.length;
      batch = '';
      if (onDurable === undefined || (durable >= 0 && unsynced < DURABLE_EVERY_BYTES)) return;
      await file.sync();
      if (durable < 0) await fs.syncDir(dirname(path)); // the name survives a power cut too
      unsynced = 0;
      durable = upTo;
      onDurable(durable);
    };
    for await (const record of records) {
      n += 1;
      if (record.f === undefined) summaryIndex = record.i;
      batch += encodeRecord(record);
      if (batch.length >= BATCH_BYTES) await write(n);
    }
    if (batch !== '') await write(n);
    // The records are durable before the seal that vouches for them is written.
    await file.sync();
    if (onDurable !== undefined && durable !== n) onDurable(n);
    const seal = { t: 's' as const, n, total: total(n), rej };
    await file.write(encodeRecord(cut > 0 ? { ...seal, cut } : seal));
    // A compacted journal read without its seal would be taken for one cut short (its header's
    // total counts the records compacted away): its seal must survive with it.
    await file.sync();
    closed = true;
    await file.close();
    // No fsync of the directory here: a new journal's entry was made durable with its first
    // batch (above), and a compaction's draft needs none (its rename is what counts).
    return { records: n, summaryIndex };
  } finally {
    if (!closed) await file.close().catch(() => {});
  }
}

/**
 * Rewrites the journal at `path` with only its unfinished records, through `<path>.compact`
 * and an atomic rename. `rej` carries the count of rejected findings forward.
 */
export async function compactJournal(
  fs: SpoolFs,
  path: string,
  header: HeaderRecord,
  done: ReadonlySet<number>,
  total: number,
  rej: number,
  cut = 0,
): Promise<CreatedJournal> {
  const tmp = compactPathOf(path);
  await fs.remove(tmp); // a leftover of a compaction cut short
  const written = await createJournal(
    fs,
    tmp,
    header,
    pendingRecords(fs, path, done),
    () => total,
    rej,
    undefined,
    cut,
  );
  // No fsync of the directory: until the rename is durable a power cut leaves the old journal,
  // whole and sealed, which the next run drains instead (it reads the server back first).
  await fs.rename(tmp, path);
  return written;
}

/**
 * Deletes a finished journal. Not fsynced: a power cut may bring it back, finished, and the
 * next run deletes it again (every record in it is on the server, which it reads back).
 */
export async function deleteJournal(fs: SpoolFs, path: string): Promise<void> {
  await fs.remove(path);
}

/**
 * Cuts a torn last record off, so that new records are appended after whole ones. Not fsynced:
 * a power cut before a later fsync of the file brings the torn tail back, and it is cut again.
 */
export async function cutTornTail(fs: SpoolFs, path: string, validBytes: number): Promise<void> {
  await fs.truncate(path, validBytes);
}

/** Where a compaction of `path` writes before renaming. */
export function compactPathOf(path: string): string {
  return `${path}.compact`;
}

/**
 * How long an acknowledgement waits for others before their group is written. Acks arrive one
 * by one, each a round trip apart; written at once, each cost a write of its own. Losing the
 * last few ms of acks to a crash costs the next run nothing it does not do anyway: it reads
 * the server back before sending.
 */
export const ACK_LINGER_MS = 20;

/**
 * Acknowledgements, rejections and failed attempts, appended to a journal as they arrive, in
 * groups: a record waits up to `lingerMs` for others, and while one write runs new records
 * gather and go in the next.
 *
 * Not fsynced: nothing these records say is lost with them. What a `k` says is on the server,
 * which the next run reads back before it sends anything; what an `r` says is in the
 * dead-letter file, fsynced before the `r` is written (`Journal.pending` finishes the record
 * from there); an `f` only counts attempts, and one lost to a power cut costs one more try. A
 * kill keeps them (the page cache survives), so the next run's read-back is short. Were they
 * fsynced, a power cut could not be told from their loss either: the fsync audit
 * (test/power-loss/fsync-audit.test.ts) found no crash point that needs it.
 */
export class AckLog {
  readonly #fs: SpoolFs;
  readonly #path: string;
  #file: SpoolFile | undefined;
  #buffer = '';
  #writing: Promise<void> | undefined;
  #failure: unknown;
  #linger: NodeJS.Timeout | undefined;
  readonly #lingerMs: number;
  readonly #onError: (error: unknown) => void;

  readonly #after: Promise<unknown> | undefined;

  /**
   * @param options.lingerMs - see {@link ACK_LINGER_MS}
   * @param options.after - nothing is appended before it resolves: the seal of a journal still
   *   being written (acks come after the seal); if it rejects, that is the log's failure
   */
  constructor(
    fs: SpoolFs,
    path: string,
    onError: (error: unknown) => void,
    options: { lingerMs?: number; after?: Promise<unknown> } = {},
  ) {
    this.#fs = fs;
    this.#path = path;
    this.#onError = onError;
    this.#lingerMs = options.lingerMs ?? ACK_LINGER_MS;
    this.#after = options.after;
  }

  /** The first write error, if a write failed (later records are then not written). */
  get failure(): unknown {
    return this.#failure;
  }

  /** Queues a record; it is written with the next group. */
  add(record: AckRecord | FailRecord | RejectRecord): void {
    if (this.#failure !== undefined) return;
    this.#buffer += encodeRecord(record);
    this.#schedule();
  }

  /** Resolves when every record added so far is on disk; rejects with the write error. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.#linger !== undefined) {
        clearTimeout(this.#linger);
        this.#linger = undefined;
      }
      if (this.#writing === undefined && this.#buffer !== '' && this.#failure === undefined) {
        this.#writing = this.#drain();
      }
      if (this.#writing === undefined) break;
      await this.#writing;
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  // The next group starts `lingerMs` after the first record waiting for it (at once with 0),
  // and never while a group is being written: that group's end schedules the next.
  #schedule(): void {
    if (this.#writing !== undefined || this.#linger !== undefined || this.#buffer === '') return;
    if (this.#lingerMs <= 0) {
      this.#writing = this.#drain();
      return;
    }
    this.#linger = setTimeout(() => {
      this.#linger = undefined;
      this.#writing ??= this.#drain();
    }, this.#lingerMs);
  }

  /** Flushes, then closes the file. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      const file = this.#file;
      this.#file = undefined;
      if (file !== undefined) await file.close().catch(() => {});
    }
  }

  async #drain(): Promise<void> {
    try {
      if (this.#file === undefined) {
        await this.#after;
        this.#file = await this.#fs.append(this.#path);
      }
      const group = this.#buffer;
      this.#buffer = '';
      await this.#file.write(group);
    } catch (error) {
      this.#failure = error;
      this.#buffer = '';
      this.#onError(error);
    } finally {
      this.#writing = undefined;
      if (this.#failure === undefined) this.#schedule();
    }
  }
}
