import { join } from 'node:path';
import type { StoredAssertion } from './assertion-store.js';
import { compact, type SnapshotSource } from './compaction.js';
import { type DataFs, listSegments, segmentName, syncDir } from './data-dir.js';
import type { JournalRecord } from './data-schemas.js';
import { encodeRecord } from './journal-format.js';
import type { KeyRecord } from './key-store.js';

/** One request's changes, made durable together or not at all. */
export interface JournalChange {
  keys?: KeyRecord[];
  assertions?: StoredAssertion[];
  /** Called once the change is on disk, before the append resolves. */
  commit(): void;
  /** Called (newest change first) when the change cannot be made durable. */
  undo(): void;
}

/** Where the journal starts, from {@link loadState}. */
export interface JournalStart {
  lsn: number;
  segment?: { number: number; length: number };
  snapshotBytes: number;
}

/**
 * A segment is folded into the snapshots once it is larger than this and than the snapshots
 * themselves: each compaction then follows at least as many journal bytes as it writes, so its
 * cost per write stays constant however large the store is.
 */
export const MIN_COMPACTION_BYTES = 8 * 1024 * 1024;

interface Pending {
  change: JournalChange;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * The append-only journal with group commit. Changes appended during one event-loop turn (and
 * while a write is in flight) go out as one write and one fsync; each append resolves only once
 * its bytes are fsynced. If a write or fsync fails, that batch and every change queued behind it
 * (applied in memory on top of it) are undone and rejected, and the next write first truncates
 * the segment back to its last good length, so a failed change can never reappear on replay.
 *
 * Each write opens the segment by path rather than keeping a descriptor: a data directory that
 * was moved, removed or replaced then fails the write (503) instead of acknowledging records into
 * a file nobody will read again.
 */
export class Journal {
  readonly #queue: Pending[] = [];
  #running: Promise<void> | undefined;
  #scheduled = false;
  #lsn: number;
  #segment: number;
  #length: number;
  /** Whether the segment file exists (opened once) and its creation is fsynced in the dir. */
  #exists: boolean;
  #dirSynced: boolean;
  /** A write failed: bytes past `#length` may be on disk and must be cut first. */
  #repair = false;
  #compaction: Promise<void> | undefined;
  #threshold: number;

  constructor(
    private readonly fs: DataFs,
    private readonly dir: string,
    start: JournalStart,
    /** The durable state now (without its lsn), for a compaction. */
    private readonly capture: () => Omit<SnapshotSource, 'lsn'>,
    /** Called with the seconds each write + fsync took (the WAL fsync histogram). */
    private readonly observe: (seconds: number) => void,
    /** The smallest segment worth compacting; tests lower it to compact often. */
    private readonly minCompactionBytes = MIN_COMPACTION_BYTES,
  ) {
    this.#lsn = start.lsn;
    this.#segment = start.segment?.number ?? 1;
    this.#length = start.segment?.length ?? 0;
    this.#exists = start.segment !== undefined;
    this.#dirSynced = this.#exists;
    this.#threshold = Math.max(minCompactionBytes, start.snapshotBytes);
  }

  /** Resolves once `change` is durable; rejects (after undoing it) when it cannot be. */
  append(change: JournalChange): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ change, resolve, reject });
      if (this.#scheduled || this.#running) return;
      // Wait for the rest of this turn's requests, so they share the write and the fsync.
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#running = this.#run();
      });
    });
  }

  /**
   * Waits for pending writes and any compaction, then folds what is left of the journal into
   * the snapshots, so a cleanly closed directory holds just `keys.json` and `assertions.json`.
   * A failed final compaction is not an error: the journal still holds everything.
   */
  async close(): Promise<void> {
    while (this.#scheduled || this.#running || this.#compaction) {
      if (this.#running || this.#compaction) await (this.#running ?? this.#compaction);
      else await new Promise((resolve) => setImmediate(resolve));
    }
    if ((await listSegments(this.fs, this.dir)).length === 0) return;
    await compact(this.fs, this.dir, { ...this.capture(), lsn: this.#lsn }, this.#segment).catch(
      () => {},
    );
  }

  async #run(): Promise<void> {
    // The loop's last check and the reset below run in one synchronous step, so an append can
    // never find #running set after the loop has stopped looking at the queue.
    while (this.#queue.length > 0) await this.#writeBatch(this.#queue.splice(0));
    this.#running = undefined;
  }

  async #writeBatch(batch: Pending[]): Promise<void> {
    const started = process.hrtime.bigint();
    const durableLsn = this.#lsn;
    const bytes = Buffer.concat(batch.map(({ change }) => encodeRecord(this.#record(change))));
    try {
      await this.#write(bytes);
    } catch (err) {
      this.#lsn = durableLsn;
      this.#repair = true;
      const failed = [...batch, ...this.#queue.splice(0)];
      for (let i = failed.length - 1; i >= 0; i--) failed[i]!.change.undo();
      for (const pending of failed) pending.reject(err);
      return;
    }
    this.#length += bytes.length;
    this.observe(Number(process.hrtime.bigint() - started) / 1e9);
    for (const pending of batch) {
      pending.change.commit();
      pending.resolve();
    }
    this.#maybeCompact();
  }

  #record(change: JournalChange): JournalRecord {
    return {
      lsn: ++this.#lsn,
      ...(change.keys ? { keys: change.keys } : {}),
      ...(change.assertions ? { assertions: change.assertions } : {}),
    };
  }

  async #write(bytes: Buffer): Promise<void> {
    const path = join(this.dir, segmentName(this.#segment));
    const handle = await this.fs.open(path, this.#exists ? 'r+' : 'wx', 0o600);
    this.#exists = true;
    try {
      if (this.#repair) await handle.truncate(this.#length);
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(
          bytes,
          written,
          bytes.length - written,
          this.#length + written,
        );
        written += bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (!this.#dirSynced) {
      await syncDir(this.fs, this.dir);
      this.#dirSynced = true;
    }
    this.#repair = false;
  }

  /** Starts a new segment and folds the closed ones into the snapshots, in the background. */
  #maybeCompact(): void {
    if (this.#compaction || this.#length < this.#threshold) return;
    const upTo = this.#segment;
    const source: SnapshotSource = { ...this.capture(), lsn: this.#lsn };
    this.#segment += 1;
    this.#length = 0;
    this.#exists = false;
    this.#dirSynced = false;
    this.#compaction = compact(this.fs, this.dir, source, upTo)
      .then((bytes) => {
        this.#threshold = Math.max(this.minCompactionBytes, bytes);
      })
      // The closed segments still hold everything; the next segment to fill up retries.
      .catch(() => {})
      .finally(() => {
        this.#compaction = undefined;
      });
  }
}
