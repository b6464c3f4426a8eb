/**
 * The spool directory: one journal per scan (`<scanId>.journal`), its lock
 * (`<scanId>.lock/`, proper-lockfile's directory), and what recovery finds there after a
 * crash: a torn last record (cut off), a compaction cut short (`.compact`, removed), a journal
 * without its seal (reported, so that the caller discards it) or a damaged one (moved aside as
 * `.corrupt-<time>` so that it can never block a run again).
 */
import { join } from 'node:path';
import { isAphoriaHostedError, SpoolCorruptError } from '../errors.js';
import { isScanId } from '../scan-id.js';
import { nodeSpoolFs, type SpoolFile, type SpoolFs } from './fs.js';
import { type JournalState, readJournal } from './journal-read.js';
import { compactPathOf, cutTornTail } from './journal-write.js';
import { acquireLock, DEFAULT_LOCK_STALE_MS, type HeldLock } from './lock.js';
import { encodeRecord, type SealRecord } from './record.js';

const JOURNAL_SUFFIX = '.journal';
const LOCK_SUFFIX = '.lock';
const CORRUPT_INFIX = '.corrupt-';
const DEAD_SUFFIX = '.dead';

/**
 * Compact a journal left unfinished once at least this many of its records are finished (and
 * at least half of them), so that the next run reads less.
 */
export const DEFAULT_COMPACT_MIN_DONE = 1_000;

/** The spool's injectable edges (practice 8). Tests replace them; users never need to. */
export interface SpoolSeams {
  fs: SpoolFs;
  /** @default DEFAULT_LOCK_STALE_MS */
  lockStaleMs: number;
  /** @default DEFAULT_COMPACT_MIN_DONE */
  compactMinDone: number;
  /** How long a flush waits for another run's lock on a journal before skipping it. @default 0 */
  flushLockWaitMs: number;
}

/** The seams of a normal run. */
export const DEFAULT_SEAMS: SpoolSeams = Object.freeze({
  fs: nodeSpoolFs,
  lockStaleMs: DEFAULT_LOCK_STALE_MS,
  compactMinDone: DEFAULT_COMPACT_MIN_DONE,
  flushLockWaitMs: 0,
});

/** What {@link Spool.open} found for a scan. */
export type OpenedJournal =
  | { kind: 'none' }
  /**
   * Cut off before its seal (a kill while it was written). `state` is undefined when not even
   * its header is whole (it holds no record); else {@link Spool.sealCut} makes it sendable.
   */
  | { kind: 'unsealed'; path: string; state: JournalState | undefined }
  | { kind: 'corrupt'; error: SpoolCorruptError; movedTo: string }
  /** Written in a format version this package does not read: left untouched. */
  | { kind: 'foreign'; path: string; version: number; by: string | undefined }
  | { kind: 'ok'; state: JournalState & { seal: NonNullable<JournalState['seal']> } };

/** A spool directory. */
export class Spool {
  readonly dir: string;
  readonly seams: SpoolSeams;

  constructor(dir: string, seams: SpoolSeams = DEFAULT_SEAMS) {
    this.dir = dir;
    this.seams = seams;
  }

  #fence: (() => Promise<void>) | undefined;
  #fenced: SpoolFs | undefined;

  /**
   * The file system, fenced: while a lock is held, every mutating call first checks that the
   * lock is still this run's (`HeldLock.fence`), so a run that lost it writes nothing more.
   */
  get fs(): SpoolFs {
    this.#fenced ??= fencedFs(this.seams.fs, () => this.checkFence());
    return this.#fenced;
  }

  /** Throws `LockLostError` when the lock this run holds is no longer its own. */
  async checkFence(): Promise<void> {
    await this.#fence?.();
  }

  /** The journal of a scan. */
  journalPath(scanId: string): string {
    return join(this.dir, `${scanId}${JOURNAL_SUFFIX}`);
  }

  /** Creates the directory (and its parents) if missing. */
  async ensureDir(): Promise<void> {
    if ((await this.fs.size(this.dir)) === undefined) await this.fs.mkdirp(this.dir);
  }

  /** The scans with a journal (or a compaction's leftover), oldest file first. */
  async scanIds(): Promise<string[]> {
    let names: string[];
    try {
      names = await this.fs.list(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const ids = new Set<string>();
    for (const name of names) {
      const id = name.endsWith(JOURNAL_SUFFIX)
        ? name.slice(0, -JOURNAL_SUFFIX.length)
        : name.endsWith(`${JOURNAL_SUFFIX}.compact`)
          ? name.slice(0, -`${JOURNAL_SUFFIX}.compact`.length)
          : undefined;
      if (id !== undefined && isScanId(id)) ids.add(id);
    }
    const dated = await Promise.all(
      [...ids].map(async (id) => ({
        id,
        at: (await this.fs.size(this.journalPath(id)))?.mtimeMs ?? 0,
      })),
    );
    return dated.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)).map((d) => d.id);
  }

  /** The dead-letter files (`<scan id>.dead`). */
  async deadLetterFiles(): Promise<Array<{ scanId: string; path: string }>> {
    try {
      return (await this.fs.list(this.dir))
        .filter(
          (name) => name.endsWith(DEAD_SUFFIX) && isScanId(name.slice(0, -DEAD_SUFFIX.length)),
        )
        .sort()
        .map((name) => ({
          scanId: name.slice(0, -DEAD_SUFFIX.length),
          path: join(this.dir, name),
        }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Files moved aside as damaged. */
  async corruptFiles(): Promise<string[]> {
    try {
      return (await this.fs.list(this.dir))
        .filter((name) => name.includes(`${JOURNAL_SUFFIX}${CORRUPT_INFIX}`))
        .map((name) => join(this.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /**
   * Takes the lock of a scan's journal; `undefined` when another live run holds it. Until it
   * is released, {@link Spool.fs} is fenced by it.
   */
  async lock(
    scanId: string,
    waitMs: number,
    onCompromised: (error: Error) => void,
  ): Promise<HeldLock | undefined> {
    const held = await acquireLock(
      this.journalPath(scanId),
      join(this.dir, `${scanId}${LOCK_SUFFIX}`),
      { staleMs: this.seams.lockStaleMs },
      waitMs,
      onCompromised,
    );
    if (held === undefined) return undefined;
    this.#fence = held.fence;
    return {
      get compromised() {
        return held.compromised;
      },
      fence: held.fence,
      release: async () => {
        if (this.#fence === held.fence) this.#fence = undefined;
        await held.release();
      },
    };
  }

  /**
   * Seals a journal cut off before its own seal, so that its records can be sent and
   * acknowledged like any other's: cuts a torn last record off, then appends a seal that says
   * how many assertions of the scan never reached the journal (`cut`, from the header's
   * `total`). A journal whose every record is there (only its seal was missing) gets a plain
   * seal. Call with its lock held.
   */
  async sealCut(
    state: JournalState,
  ): Promise<JournalState & { seal: NonNullable<JournalState['seal']> }> {
    if (state.torn) await this.fs.truncate(state.path, state.validBytes);
    const missing = missingOf(state);
    const seal: SealRecord =
      missing === 0
        ? { t: 's', n: state.records, total: state.records, rej: 0 }
        : { t: 's', n: state.records, total: state.records, rej: 0, cut: missing };
    const file = await this.fs.append(state.path);
    try {
      // Not fsynced: lost to a power cut, the journal is found unsealed again and this seal,
      // computed from the same records, written again.
      await file.write(encodeRecord(seal));
    } finally {
      await file.close();
    }
    return { ...state, seal, torn: false };
  }

  /** The lock directory of a scan (for status). */
  lockPath(scanId: string): string {
    return join(this.dir, `${scanId}${LOCK_SUFFIX}`);
  }

  /**
   * Recovers and reads a scan's journal. Call with its lock held: it removes a compaction's
   * leftover, cuts a torn last record off and moves a damaged journal aside.
   */
  async open(scanId: string): Promise<OpenedJournal> {
    const path = this.journalPath(scanId);
    const compact = compactPathOf(path);
    // Until its rename, a compaction's file is a draft: the journal itself is what counts.
    if ((await this.fs.size(compact)) !== undefined) await this.fs.remove(compact);
    if ((await this.fs.size(path)) === undefined) return { kind: 'none' };
    let state: JournalState | undefined;
    try {
      state = await readJournal(this.fs, path);
    } catch (error) {
      if (!(isAphoriaHostedError(error) && error instanceof SpoolCorruptError)) throw error;
      const movedTo = `${path}${CORRUPT_INFIX}${Date.now()}`;
      // Not fsynced: a power cut brings the damaged journal back, and it is moved aside again.
      await this.fs.rename(path, movedTo);
      return { kind: 'corrupt', error, movedTo };
    }
    if (state?.foreign !== undefined) {
      return { kind: 'foreign', path, version: state.foreign.version, by: state.foreign.by };
    }
    if (state === undefined || state.seal === undefined) return { kind: 'unsealed', path, state };
    if (state.torn) await cutTornTail(this.fs, path, state.validBytes);
    return {
      kind: 'ok',
      state: state as JournalState & { seal: NonNullable<JournalState['seal']> },
    };
  }
}

/**
 * How many assertions of its scan a journal without a seal is missing: its header's `total`
 * less its records; without a `total` (a journal of 0.1), 0 when the summary (the last
 * assertion) is there, else at least 1.
 */
export function missingOf(state: JournalState): number {
  if (state.header.total !== undefined) return Math.max(0, state.header.total - state.records);
  return state.summaryIndex === undefined ? 1 : 0;
}

/**
 * `fs` with `fence` checked before every mutating call, and before every write to an open file.
 * What needs no fence (fsyncs, reads) is passed through bound, adding no frame of its own: an
 * audit that tells fsync sites apart by their caller still sees the real one.
 */
function fencedFs(fs: SpoolFs, fence: () => Promise<void>): SpoolFs {
  const fenceFile = (file: SpoolFile): SpoolFile => ({
    write: async (data) => {
      await fence();
      await file.write(data);
    },
    sync: file.sync.bind(file),
    close: file.close.bind(file),
  });
  return {
    mkdirp: fs.mkdirp.bind(fs),
    create: async (path) => {
      await fence();
      return fenceFile(await fs.create(path));
    },
    append: async (path) => {
      await fence();
      return fenceFile(await fs.append(path));
    },
    rename: async (from, to) => {
      await fence();
      await fs.rename(from, to);
    },
    remove: async (path) => {
      await fence();
      await fs.remove(path);
    },
    truncate: async (path, length) => {
      await fence();
      await fs.truncate(path, length);
    },
    syncDir: fs.syncDir.bind(fs),
    list: fs.list.bind(fs),
    size: fs.size.bind(fs),
    read: fs.read.bind(fs),
  };
}
