/**
 * What `persistScan` persists: a scan in memory, or a scan file read as a stream
 * (scan-file/read.ts). Either gives its id, its size and its assertions, pass after pass.
 */
import { assertionsOf } from '../mapping.js';
import type { Finding, Scan } from '../scan.js';
import type { ScanFile } from '../scan-file/read.js';
import { type AssertionRecord, recordOf } from '../spool/record.js';
import type { MappedAssertion } from '../types.js';
import type { FindingOf } from './deliver.js';

/** A scan to persist, validated and hashed. */
export interface ScanSource {
  readonly scanId: string;
  /** Its assertions: one per finding, and the summary. */
  readonly total: number;
  readonly project: string;
  /** A fresh pass over its assertions' records, in order (called twice: to journal, to deliver). */
  records(): Iterable<AssertionRecord> | AsyncIterable<AssertionRecord>;
  /** The finding a record maps (for the rejections listed in the result). */
  readonly findingOf: FindingOf;
}

/** A scan in memory (validated by `parseScan`): mapped lazily, never copied. */
export function sourceOfScan(scan: Scan, scanId: string): ScanSource {
  return {
    scanId,
    total: scan.findings.length + 1,
    project: scan.project,
    records: () => recordsOf(assertionsOf(scan, scanId)),
    findingOf: (record) => (record.f === undefined ? undefined : scan.findings[record.f]),
  };
}

/** A scan file (`openScanFile`): read again for each pass. */
export function sourceOfFile(file: ScanFile): ScanSource {
  return {
    scanId: file.scanId,
    total: file.findings + 1,
    project: file.head.project,
    records: () => file.records(),
    findingOf: findingOfRecord,
  };
}

// The finding as its assertion carries it (AssertionMapper.finding copies every field).
function findingOfRecord(record: AssertionRecord): Finding | undefined {
  if (record.f === undefined) return undefined;
  const v = record.in.value as Finding;
  return {
    rule: v.rule,
    severity: v.severity,
    file: v.file,
    line: v.line,
    end_line: v.end_line,
    message: v.message,
    fingerprint: v.fingerprint,
    ...(v.snippet !== undefined && { snippet: v.snippet }),
  };
}

function* recordsOf(assertions: Iterable<MappedAssertion>): Generator<AssertionRecord> {
  for (const a of assertions) yield recordOf(a);
}
