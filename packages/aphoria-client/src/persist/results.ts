/**
 * What `persistScan`, `flushSpool` and their progress callbacks report. Plain data, safe to
 * print as JSON (the CLI's `--json`): no key, no error objects.
 */
import type { Finding } from '../scan.js';

/** The most rejections listed one by one in a result; `rejected` still counts them all. */
export const MAX_LISTED_REJECTIONS = 1_000;

/** One assertion StemeDB refused for good (400/413/422, or invalid before sending). */
export interface RejectedAssertion {
  readonly scanId: string;
  /** Its index in `scanToAssertions(scan)`. */
  readonly index: number;
  /** The finding's index in `scan.findings`; `undefined` for the scan's summary. */
  readonly findingIndex: number | undefined;
  /** The finding it came from (when the scan is at hand: `persistScan`, not `flushSpool`). */
  readonly finding: Finding | undefined;
  readonly subject: string;
  /** The HTTP status, or `0` when the SDK refused the input before sending it. */
  readonly status: number;
  /** The SDK's or the server's error code, e.g. `invalid_request`. */
  readonly code: string;
  /** What the server said (redacted by the SDK). */
  readonly message: string;
}

/** A scan of which the spool never held every assertion (see {@link FlushResult.incomplete}). */
export interface IncompleteScan {
  readonly scanId: string;
  /** Assertions of the scan that never reached its journal (at least 1: the summary). */
  readonly missing: number;
  /** True when every assertion its journal held is now stored (the journal is deleted). */
  readonly delivered: boolean;
}

/** A journal a run left untouched (see {@link FlushResult.skipped}). */
export interface SkippedJournal {
  readonly scanId: string;
  readonly path: string;
  readonly reason: 'foreign' | 'other-target' | 'unreadable' | 'unwritable';
  /** Why, and what to do. */
  readonly message: string;
}

/** Counts shared by every result. */
export interface SendCounts {
  /** Assertions the server acknowledged in this run. */
  sent: number;
  /** Assertions found already stored (an earlier, interrupted or repeated run). */
  alreadyPresent: number;
  /** Assertions kept in the spool, not yet on the server. */
  spooled: number;
  /** Assertions refused for good; the first {@link MAX_LISTED_REJECTIONS} are in `rejections`. */
  rejected: number;
  rejections: RejectedAssertion[];
}

/**
 * What {@link flushSpool} did with the spool's journals (one journal per scan).
 */
export interface FlushResult extends SendCounts {
  /** The spool directory. */
  spoolDir: string;
  /** Journals looked at. */
  scans: number;
  /** Scans now wholly on the server (or finished with rejections); their journals deleted. */
  completed: number;
  /** Journals skipped because another run holds their lock. */
  locked: number;
  /** Journals cut off before their first record (a kill right after creating them), deleted. */
  discarded: number;
  /**
   * Scans whose journal was cut off while it was written (a kill before its seal): its records
   * are sent like any other's, but `missing` assertions of the scan (its summary among them)
   * never reached it. Only persisting the scan again stores those.
   */
  incomplete: IncompleteScan[];
  /**
   * Journals left untouched: written by a later format (`foreign`), for another StemeDB
   * (`other-target`), or that a disk fault made unreadable (`unreadable`) or unwritable while it
   * was sent (`unwritable`: what it holds stays for the next run). Each
   * is also a warning; none stops the others.
   */
  skipped: SkippedJournal[];
  /** Damaged journals moved aside (`<scan>.journal.corrupt-<time>`), by new path. */
  corrupt: string[];
  /** False when StemeDB was found down and sending stopped. */
  reachable: boolean;
  durationMs: number;
  /** Every warning of the run, as also given to `onWarning`. */
  warnings: string[];
}

/** What {@link persistScan} did. */
export interface PersistResult extends SendCounts {
  /** The scan's id (`computeScanId`). */
  scanId: string;
  /** How many assertions the scan maps to (its findings and its summary). */
  total: number;
  /** True when every assertion of the scan is on the server. */
  complete: boolean;
  /** The spool directory. */
  spoolDir: string;
  durationMs: number;
  /** Every warning of the run (the older spool's included), as also given to `onWarning`. */
  warnings: string[];
  /** What sending the older spool first did. */
  flushed: FlushResult;
}

/** Told after every assertion's outcome, and once when a scan starts. */
export interface PersistProgress {
  /** `flush` while the older spool is sent, `persist` for the scan being persisted. */
  phase: 'flush' | 'persist';
  scanId: string;
  /** Assertions of this scan. */
  total: number;
  /** Of `total`, how many are settled (sent, already present or rejected) so far. */
  done: number;
  sent: number;
  alreadyPresent: number;
  rejected: number;
}
