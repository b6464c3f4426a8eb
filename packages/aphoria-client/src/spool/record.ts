/**
 * The journal's record format: one record a line, `<crc32 as 8 hex> <json>\n`.
 *
 * The checksum (node:zlib's CRC-32, over the JSON text) is what tells a torn last record (a
 * power cut or a kill in the middle of a write) from a good one; a line is only ever taken
 * whole. Version 1 records:
 * - `h` header: `{ t, v, scan, agent, project, at }`, the first line of every journal;
 * - `a` assertion: `{ t, i, f?, in }`, what is sent (`f` the finding's index, absent for the
 *   scan's summary);
 * - `s` seal: `{ t, n, total, rej }`, written (and fsynced) after every `a` record. A journal
 *   without one was cut off while it was being written (records already durable may have been
 *   sent meanwhile: the read-back recognises them when the scan is persisted again);
 * - `k` acknowledgement: `{ t, i, p? }` (`p: 1` when the server already held it);
 * - `r` rejection: `{ t, i, status, code, msg }`, a 400/413/422: final, never resent.
 */
import { crc32 } from 'node:zlib';
import type { AssertionInput } from '@stemedb/sdk';
import type { MappedAssertion } from '../types.js';

/**
 * The journal format's version, in every header. 2 added `f` records and the header's `total`,
 * `by`, `origin` and `key`; a version 1 journal is read as it is. A journal of a later version
 * is left untouched and reported, never read as this one.
 */
export const JOURNAL_VERSION = 2;

/** The versions this package reads. */
export const READABLE_JOURNAL_VERSIONS: ReadonlySet<number> = new Set([1, 2]);

/** The first record of a journal: whose scan it holds. */
export interface HeaderRecord {
  t: 'h';
  v: number;
  /** The scan id (`computeScanId`). */
  scan: string;
  /** The `agent_id` of every assertion of the scan. */
  agent: string;
  project: string;
  /** When the journal was first written (ISO 8601); compaction keeps it. */
  at: string;
  /**
   * Assertions of the whole scan, so that a journal cut off before its seal says how many it
   * is missing. Absent in journals written before 0.2.
   */
  total?: number;
  /** The writer, `aphoria-client <version>`: named when a later run cannot read the journal. */
  by?: string;
  /** The StemeDB origin (`https://host:port`) the journal is bound to. */
  origin?: string;
  /** The first 16 hex of the SHA-256 of the API key it was written with (never the key). */
  key?: string;
}

/** One assertion to send. */
export interface AssertionRecord {
  t: 'a';
  /** Its index in `scanToAssertions(scan)`. */
  i: number;
  /** The finding's index in `scan.findings`; absent for the scan's summary. */
  f?: number;
  in: AssertionInput;
}

/** The record of one mapped assertion (`scanToAssertions`). */
export function recordOf(a: MappedAssertion): AssertionRecord {
  return a.findingIndex === undefined
    ? { t: 'a', i: a.index, in: a.input }
    : { t: 'a', i: a.index, f: a.findingIndex, in: a.input };
}

/** Closes the list of assertion records. */
export interface SealRecord {
  t: 's';
  /** How many `a` records precede it in this file. */
  n: number;
  /** How many assertions the scan maps to (compaction drops finished ones from the file). */
  total: number;
  /** Findings rejected before a compaction dropped them (the summary then stays unsent). */
  rej: number;
  /**
   * Set when the seal was written by a later run on a journal cut off before its own seal (a
   * kill while it was written): how many assertions of the scan never reached the journal (at
   * least 1, the summary, when the header has no `total`). Only persisting the scan again can
   * store those.
   */
  cut?: number;
}

/** The server acknowledged (or already held, `p: 1`) assertion `i`. */
export interface AckRecord {
  t: 'k';
  i: number;
  p?: 1;
}

/**
 * Assertion `i` failed once with a status that is neither an outage nor a final refusal (a 500):
 * attempts are counted over runs, and after `maxAttempts` the record is dead-lettered.
 */
export interface FailRecord {
  t: 'f';
  i: number;
  status: number;
}

/** The server refused assertion `i` for good (400/413/422), or the summary was withheld. */
export interface RejectRecord {
  t: 'r';
  i: number;
  status: number;
  code: string;
  msg: string;
}

/** Any journal record. */
export type JournalRecord =
  | HeaderRecord
  | AssertionRecord
  | SealRecord
  | AckRecord
  | FailRecord
  | RejectRecord;

/** One line of the journal, newline included. */
export function encodeRecord(record: JournalRecord): string {
  return encodeLine(record);
}

/** Any JSON value as one framed line (`<crc32> <json>\n`): the journal's and the dead letters'. */
export function encodeLine(value: unknown): string {
  const json = JSON.stringify(value);
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

/** The JSON value of one framed line, `undefined` when its checksum or JSON is wrong. */
export function decodeLine(line: string): unknown {
  if (line.length < 10 || line.charCodeAt(8) !== 0x20) return undefined;
  const json = line.slice(9);
  if (!/^[0-9a-f]{8}$/.test(line.slice(0, 8))) return undefined;
  if (crc32(json) !== Number.parseInt(line.slice(0, 8), 16)) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/**
 * Decodes one line (without its newline); `undefined` when its checksum or JSON is wrong or it
 * is not a record this version knows.
 */
export function decodeRecord(line: string): JournalRecord | undefined {
  const value = decodeLine(line);
  return isRecord(value) ? value : undefined;
}

/** What {@link readJournal} needs of an assertion line: its index and finding index. */
export type AssertionHead = Pick<AssertionRecord, 't' | 'i' | 'f'>;

// `encodeRecord` writes an assertion's keys in this order (records are built `t, i, f, in`).
const ASSERTION_HEAD = /^\{"t":"a","i":(\d{1,15})(?:,"f":(\d{1,15}))?,"in":\{/;

/**
 * The index (and finding index) of an assertion line whose checksum holds, without parsing its
 * JSON: the first pass over a 100,000-record journal needs nothing else of it. `undefined` for
 * any other line, or one this shortcut cannot read: the caller then uses {@link decodeRecord}.
 */
export function decodeAssertionHead(line: string): AssertionHead | undefined {
  if (line.length < 10 || line.charCodeAt(8) !== 0x20) return undefined;
  const head = ASSERTION_HEAD.exec(line.slice(9, 9 + 64));
  if (head === null) return undefined;
  const json = line.slice(9);
  if (crc32(json) !== Number.parseInt(line.slice(0, 8), 16)) return undefined;
  if (!/^[0-9a-f]{8}$/.test(line.slice(0, 8))) return undefined;
  const i = Number(head[1]);
  return head[2] === undefined ? { t: 'a', i } : { t: 'a', i, f: Number(head[2]) };
}

function isRecord(value: unknown): value is JournalRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const int = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  switch (r.t) {
    case 'h':
      return typeof r.scan === 'string' && typeof r.agent === 'string' && int(r.v);
    case 'a':
      return int(r.i) && (r.f === undefined || int(r.f)) && typeof r.in === 'object' && !!r.in;
    case 's':
      return int(r.n) && int(r.total) && int(r.rej) && (r.cut === undefined || int(r.cut));
    case 'k':
      return int(r.i);
    case 'f':
      return int(r.i) && int(r.status);
    case 'r':
      return int(r.i) && int(r.status) && typeof r.code === 'string';
    default:
      return false;
  }
}
