/**
 * `spoolStatus`: what is waiting in the spool, for the CLI's `status`. Reads only: it takes no
 * lock and changes no file, so it is safe while another run is sending.
 */
import lockfile from 'proper-lockfile';
import { isAphoriaHostedError, SpoolCorruptError } from './errors.js';
import { resolveStatusOptions, type SpoolStatusOptions } from './persist/options.js';
import { readDeadLetters } from './spool/dead-letter.js';
import { readJournal } from './spool/journal-read.js';
import { DEFAULT_SEAMS, missingOf, Spool, type SpoolSeams } from './spool/spool.js';

/** One scan waiting in the spool. */
export interface SpoolEntry {
  scanId: string;
  project: string;
  /** Assertions not yet on the server. */
  records: number;
  /** Assertions of the scan in all. */
  total: number;
  /** The journal's size in bytes. */
  bytes: number;
  /** When the scan was first spooled (ISO 8601). */
  createdAt: string;
  /**
   * False for a journal cut off while it was written (a killed run): the next run sends its
   * records all the same.
   */
  sealed: boolean;
  /**
   * Assertions of the scan that never reached its journal (a kill while it was written): only
   * persisting the scan again stores them. 0 for a whole journal.
   */
  missing: number;
  /** True while a live run holds its lock. */
  locked: boolean;
}

/** One dead-letter file of the spool. */
export interface DeadLetterEntry {
  scanId: string;
  path: string;
  /** Records in it. */
  records: number;
}

/** A journal written in a format version this package does not read (a later version's). */
export interface ForeignJournalEntry {
  scanId: string;
  path: string;
  /** Its format version. */
  version: number;
  /** Its writer, as its header names it (`aphoria-client X.Y`), when it does. */
  by: string | undefined;
}

/** What {@link spoolStatus} resolves to. JSON-safe. */
export interface SpoolStatus {
  /** The spool directory. */
  dir: string;
  /** False when the directory does not exist yet (nothing was ever spooled). */
  exists: boolean;
  /** Scans waiting. */
  scans: number;
  /** Assertions waiting, over every scan. */
  records: number;
  /** Bytes of the spool's journals. */
  bytes: number;
  /** When the oldest waiting scan was spooled (ISO 8601), if any. */
  oldestAt: string | undefined;
  /** Scans a live run is sending now. */
  locked: number;
  /** Damaged files moved aside (`*.journal.corrupt-*`), by path, and damaged journals found. */
  corrupt: string[];
  /**
   * Dead-letter files (`<scan>.dead`): records StemeDB refused for good or that failed
   * `maxAttempts` times. Nothing sends them again; inspect them, then delete them.
   */
  deadLetters: DeadLetterEntry[];
  /**
   * Journals of a format version this package does not read: not counted in `scans`, never
   * sent or changed by this version; the version that wrote them (`by`) sends them.
   */
  foreign: ForeignJournalEntry[];
  entries: SpoolEntry[];
}

/**
 * Describes the spool of `config.spoolDir`.
 *
 * @example
 * ```ts
 * const { scans, records, oldestAt } = await spoolStatus({ config });
 * ```
 */
export function spoolStatus(options: SpoolStatusOptions): Promise<SpoolStatus> {
  return spoolStatusWith(options, DEFAULT_SEAMS);
}

/** {@link spoolStatus} with the spool's seams given. */
export async function spoolStatusWith(
  options: SpoolStatusOptions,
  seams: SpoolSeams,
): Promise<SpoolStatus> {
  const { config } = resolveStatusOptions(options);
  const spool = new Spool(config.spoolDir, seams);
  const exists = (await spool.fs.size(spool.dir)) !== undefined;
  const status: SpoolStatus = {
    dir: spool.dir,
    exists,
    scans: 0,
    records: 0,
    bytes: 0,
    oldestAt: undefined,
    locked: 0,
    corrupt: exists ? await spool.corruptFiles() : [],
    deadLetters: [],
    foreign: [],
    entries: [],
  };
  if (!exists) return status;
  for (const { scanId, path } of await spool.deadLetterFiles()) {
    const records = await readDeadLetters(spool.fs, path).then(
      (letters) => letters.length,
      () => 0,
    );
    status.deadLetters.push({ scanId, path, records });
  }
  for (const scanId of await spool.scanIds()) {
    const path = spool.journalPath(scanId);
    const size = await spool.fs.size(path);
    if (size === undefined) continue; // finished meanwhile
    let state: Awaited<ReturnType<typeof readJournal>>;
    try {
      state = await readJournal(spool.fs, path);
    } catch (error) {
      if (isAphoriaHostedError(error) && error instanceof SpoolCorruptError) {
        status.corrupt.push(path);
        continue;
      }
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    if (state?.foreign !== undefined) {
      status.foreign.push({ scanId, path, ...state.foreign });
      continue;
    }
    const locked = await lockfile.check(path, {
      lockfilePath: spool.lockPath(scanId),
      realpath: false,
      stale: seams.lockStaleMs,
    });
    const createdAt = state?.header.at ?? new Date(size.mtimeMs).toISOString();
    const entry: SpoolEntry = {
      scanId,
      project: state?.header.project ?? '',
      records: state === undefined ? 0 : state.records - state.done.size,
      total: state?.seal?.total ?? state?.records ?? 0,
      bytes: size.bytes,
      createdAt,
      sealed: state?.seal !== undefined,
      missing:
        state === undefined
          ? 0
          : state.seal === undefined
            ? missingOf(state)
            : (state.seal.cut ?? 0),
      locked,
    };
    status.entries.push(entry);
    status.scans += 1;
    status.records += entry.records;
    status.bytes += entry.bytes;
    if (locked) status.locked += 1;
    if (status.oldestAt === undefined || createdAt < status.oldestAt) status.oldestAt = createdAt;
  }
  return status;
}
