/**
 * A scan as StemeDB assertions: one per finding, in findings order, then the scan's summary.
 * Deterministic, so the same finding (same project and fingerprint) lands on the same subject on
 * every run and its history can be read back, and every assertion carries the scan's identity
 * (project, commit, scan id; agent id `aphoria-scan/<scan id>`) so a stored one is recognised.
 */
import type { AssertionInput } from '@stemedb/sdk';
import type { Finding, Scan, Severity } from './scan.js';
import { SEVERITIES } from './scan.js';
import { computeScanId } from './scan-id.js';
import {
  FINDING_PREDICATE,
  FINDING_VALUE_SCHEMA,
  findingSubject,
  SCAN_PREDICATE,
  SCAN_VALUE_SCHEMA,
  scanAgentId,
  scansSubject,
} from './subjects.js';
import type { MappedAssertion } from './types.js';

/** The value of a finding's assertion (`aphoria.finding/v1`). */
export interface FindingValue {
  readonly schema: typeof FINDING_VALUE_SCHEMA;
  readonly scan_id: string;
  readonly project: string;
  readonly commit: string;
  readonly branch: string;
  readonly scanner: { readonly name: string; readonly version: string };
  readonly finished_at: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly file: string;
  readonly line: number;
  readonly end_line: number;
  readonly message: string;
  readonly fingerprint: string;
  /** The region's text; only from a SARIF log read with `includeSnippets`. */
  readonly snippet?: string;
}

/** The value of a scan summary's assertion (`aphoria.scan/v1`). */
export interface ScanSummaryValue {
  readonly schema: typeof SCAN_VALUE_SCHEMA;
  readonly scan_id: string;
  readonly project: string;
  readonly commit: string;
  readonly branch: string;
  readonly scanner: { readonly name: string; readonly version: string };
  readonly started_at: string;
  readonly finished_at: string;
  /** How many findings the scan has. */
  readonly findings: number;
  /** How many findings of each severity (every severity present, zeros included). */
  readonly by_severity: Readonly<Record<Severity, number>>;
}

/**
 * The scan's assertions, lazily: one per finding in `scan.findings` order (index = finding
 * index), then last the scan's summary (`findingIndex: undefined`). Pass a scan from
 * {@link parseScan}: its bounds are what keep every input within the SDK's
 * `AssertionInputSchema`.
 */
export function scanToAssertions(scan: Scan): Generator<MappedAssertion, void, undefined> {
  return assertionsOf(scan, computeScanId(scan));
}

/**
 * {@link scanToAssertions} with the scan's id already computed (`computeScanId(scan)`), for
 * `persistScan`, which maps a scan twice (to journal it and to send it) and hashes a
 * 100,000-finding scan only once. Internal: not exported from the package.
 */
export function* assertionsOf(
  scan: Scan,
  scanId: string,
): Generator<MappedAssertion, void, undefined> {
  const mapper = new AssertionMapper(scan, scanId);
  let index = 0;
  for (const finding of scan.findings) {
    yield mapper.finding(finding, index);
    index += 1;
  }
  yield mapper.summary(index);
}

/** A scan's fields but its findings. */
export type ScanHead = Omit<Scan, 'findings'>;

/**
 * Maps a scan's findings one at a time, in order, then its summary: what {@link assertionsOf}
 * does over a scan in memory, and what a scan read from its file element by element
 * (scan-file/) does without it. Internal.
 */
export class AssertionMapper {
  readonly #head: ScanHead;
  readonly #scanId: string;
  readonly #agentId: string;
  readonly #scanner: { name: string; version: string };
  readonly #bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<
    Severity,
    number
  >;

  constructor(head: ScanHead, scanId: string) {
    this.#head = head;
    this.#scanId = scanId;
    this.#agentId = scanAgentId(scanId);
    this.#scanner = { name: head.scanner.name, version: head.scanner.version };
  }

  /** Finding `index` (call in order, from 0). */
  finding(finding: Finding, index: number): MappedAssertion {
    const head = this.#head;
    this.#bySeverity[finding.severity] += 1;
    const value: FindingValue = {
      schema: FINDING_VALUE_SCHEMA,
      scan_id: this.#scanId,
      project: head.project,
      commit: head.commit,
      branch: head.branch,
      scanner: this.#scanner,
      finished_at: head.finished_at,
      rule: finding.rule,
      severity: finding.severity,
      file: finding.file,
      line: finding.line,
      end_line: finding.end_line,
      message: finding.message,
      fingerprint: finding.fingerprint,
      ...(finding.snippet !== undefined && { snippet: finding.snippet }),
    };
    const input: AssertionInput = {
      subject: findingSubject(head.project, finding.fingerprint),
      predicate: FINDING_PREDICATE,
      value,
      agent_id: this.#agentId,
    };
    return { index, input, findingIndex: index };
  }

  /** The summary, after the scan's `findings` findings (its index is `findings`). */
  summary(findings: number): MappedAssertion {
    const head = this.#head;
    const summary: ScanSummaryValue = {
      schema: SCAN_VALUE_SCHEMA,
      scan_id: this.#scanId,
      project: head.project,
      commit: head.commit,
      branch: head.branch,
      scanner: this.#scanner,
      started_at: head.started_at,
      finished_at: head.finished_at,
      findings,
      by_severity: { ...this.#bySeverity },
    };
    return {
      index: findings,
      input: {
        subject: scansSubject(head.project),
        predicate: SCAN_PREDICATE,
        value: summary,
        agent_id: this.#agentId,
      },
      findingIndex: undefined,
    };
  }
}

/** How many assertions `scanToAssertions(scan)` yields: one per finding plus the summary. */
export function assertionCount(scan: Scan): number {
  return scan.findings.length + 1;
}

/**
 * An assertion's identity within its scan: `subject + '\n' + predicate`. Unique within one
 * scan (fingerprints are), so it is what a spool or a read-back matches on.
 */
export function assertionIdentity(input: Pick<AssertionInput, 'subject' | 'predicate'>): string {
  return `${input.subject}\n${input.predicate}`;
}
