/**
 * Reading a journal back: what it holds, what is finished, and where its last whole record
 * ends. A torn last record is dropped (the records before it are kept); damage anywhere else
 * is a {@link SpoolCorruptError}.
 */
import { SpoolCorruptError } from '../errors.js';
import type { SpoolFs } from './fs.js';
import { readLines } from './lines.js';
import {
  type AssertionHead,
  type AssertionRecord,
  decodeAssertionHead,
  decodeRecord,
  type HeaderRecord,
  type JournalRecord,
  READABLE_JOURNAL_VERSIONS,
  type SealRecord,
} from './record.js';

/** What a journal says, after one pass over it. */
export interface JournalState {
  readonly path: string;
  readonly header: HeaderRecord;
  /** Undefined when the journal was cut off before its seal (it does not hold the whole scan). */
  readonly seal: SealRecord | undefined;
  /** `a` records in the file. */
  readonly records: number;
  /** Indexes acknowledged or rejected: never sent again. */
  readonly done: Set<number>;
  /** Of `done`, how many were acknowledged (`k`). */
  readonly acked: number;
  /** Findings rejected for good (seal's `rej` plus `r` records of findings). */
  readonly rejectedFindings: number;
  /** The summary's index, when its record is in the file. */
  readonly summaryIndex: number | undefined;
  /** Bytes up to the end of the last whole, valid record. */
  readonly validBytes: number;
  /** True when bytes after `validBytes` were dropped (a torn last record). */
  readonly torn: boolean;
  /** Failed attempts (`f` records) per index, over every run. */
  readonly attempts: Map<number, number>;
  /**
   * Damaged records in the middle (a checksum that does not match, with whole records after
   * it): skipped and reported. Those that look like assertions count in `damagedAssertions`, and
   * keep the scan's summary unsent (a stored summary means a whole scan).
   */
  readonly damaged: number;
  readonly damagedAssertions: number;
  /** Set when the header's version is not one this package reads: nothing else was read. */
  readonly foreign: { version: number; by: string | undefined } | undefined;
}

/**
 * Reads the journal at `path`. Returns undefined for an empty file or one whose header itself
 * was torn (a kill right after creating it).
 *
 * @throws SpoolCorruptError when its first line is damaged (no header to trust)
 */
export async function readJournal(fs: SpoolFs, path: string): Promise<JournalState | undefined> {
  let header: HeaderRecord | undefined;
  let seal: SealRecord | undefined;
  let records = 0;
  let acked = 0;
  let rejectedFindings = 0;
  let summaryIndex: number | undefined;
  const done = new Set<number>();
  const rejectedIndexes: number[] = [];
  let validBytes = 0;
  let bad: { end: number; assertion: boolean } | undefined;
  let damaged = 0;
  let damagedAssertions = 0;
  const attempts = new Map<number, number>();
  for await (const line of readLines(fs, path)) {
    if (bad !== undefined) {
      // A damaged record with whole records after it: not a torn tail but damage in the
      // middle (a bad sector, a stray write). Skipped and counted, the rest is kept (as Vector's
      // disk buffer does); without a header there is nothing to trust.
      if (header === undefined) {
        throw new SpoolCorruptError(
          `Spool file ${path} is damaged before byte ${bad.end} (its header's checksum does not match)`,
          path,
        );
      }
      damaged += 1;
      if (bad.assertion) damagedAssertions += 1;
      bad = undefined;
    }
    const record = line.complete
      ? (decodeAssertionHead(line.text) ?? decodeRecord(line.text))
      : undefined;
    if (record === undefined || !fits(record, header, seal)) {
      // Whether it looks like an assertion, when its checksum cannot say.
      const assertion = seal === undefined && !line.text.startsWith('{"t":"s"', 9);
      bad = { end: line.end, assertion };
      continue;
    }
    validBytes = line.end;
    switch (record.t) {
      case 'h':
        header = record;
        if (!READABLE_JOURNAL_VERSIONS.has(record.v)) {
          // Another format: read nothing more, change nothing (a later version may be running).
          return {
            path,
            header,
            seal: undefined,
            records: 0,
            done: new Set(),
            acked: 0,
            rejectedFindings: 0,
            summaryIndex: undefined,
            validBytes,
            torn: false,
            attempts,
            damaged: 0,
            damagedAssertions: 0,
            foreign: { version: record.v, by: record.by },
          };
        }
        break;
      case 'f':
        attempts.set(record.i, (attempts.get(record.i) ?? 0) + 1);
        break;
      case 'a':
        records += 1;
        if (record.f === undefined) summaryIndex = record.i;
        break;
      case 's':
        seal = record;
        rejectedFindings += record.rej;
        break;
      case 'k':
        if (!done.has(record.i)) acked += 1;
        done.add(record.i);
        break;
      case 'r':
        done.add(record.i);
        rejectedIndexes.push(record.i);
        break;
    }
  }
  if (header === undefined) return undefined;
  for (const i of rejectedIndexes) if (i !== summaryIndex) rejectedFindings += 1;
  rejectedFindings += damagedAssertions; // the summary stays unsent: the scan is not whole
  return {
    path,
    header,
    seal,
    records,
    done,
    acked,
    rejectedFindings,
    summaryIndex,
    validBytes,
    torn: bad !== undefined,
    attempts,
    damaged,
    damagedAssertions,
    foreign: undefined,
  };
}

// The order the writer keeps: header first, assertions, one seal, then acks and rejections.
function fits(
  record: JournalRecord | AssertionHead,
  header: HeaderRecord | undefined,
  seal: SealRecord | undefined,
): boolean {
  if (header === undefined) return record.t === 'h';
  if (record.t === 'h') return false;
  if (record.t === 'a') return seal === undefined;
  if (record.t === 's') return seal === undefined;
  return seal !== undefined;
}

/** The `a` records of a journal not yet in `done`, in file order. */
export async function* pendingRecords(
  fs: SpoolFs,
  path: string,
  done: ReadonlySet<number>,
): AsyncGenerator<AssertionRecord> {
  for await (const line of readLines(fs, path)) {
    if (!line.complete) return;
    // The seal closes the assertion records; what follows (acks) is appended meanwhile.
    if (line.text.startsWith('{"t":"s"', 9)) return;
    // Cheap pre-filter: only assertion lines are decoded (they start `<crc> {"t":"a"`).
    if (!line.text.startsWith('{"t":"a"', 9)) continue;
    const record = decodeRecord(line.text);
    if (record === undefined || record.t !== 'a') continue; // damaged: readJournal counted it
    if (!done.has(record.i)) yield record;
  }
}
