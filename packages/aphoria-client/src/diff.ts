/**
 * `diffScans`: the findings new on a branch and those fixed, against the latest complete scan
 * of a base branch (or of a base commit), as a pull request's code scanning check shows them;
 * and the new ones as a SARIF 2.1.0 log, uploadable anywhere.
 */
import { clientFor } from './client.js';
import { AphoriaOptionsError } from './errors.js';
import { findingsOf } from './finding-states.js';
import { readScanHistory, type ScanHistoryEntry } from './history.js';
import type { FindingValue } from './mapping.js';
import type { PersistClientOptions } from './persist/options.js';
import { SEVERITIES, type Severity } from './scan.js';
import type { HostedConfig } from './types.js';

// A full commit id or an abbreviation of one, as git prints them.
const COMMIT_PREFIX = /^[0-9a-f]{7,40}$/;

/** Options of {@link diffScans}: `base` or `baseCommit`, one of them. */
export interface DiffScansOptions {
  /** From `loadHostedConfig` or `createHostedConfig`. */
  readonly config: HostedConfig;
  /** The project. */
  readonly project: string;
  /** The branch whose latest complete scan is compared. */
  readonly branch: string;
  /** The base branch: its latest complete scan is the base. */
  readonly base?: string | undefined;
  /**
   * The base commit (40 hex characters, or a prefix of at least 7 that names one scanned
   * commit, as git abbreviates): its latest complete scan (any branch) is the base. A commit
   * with no complete scan is an error, not an empty base: every finding would look new.
   */
  readonly baseCommit?: string | undefined;
  /** Stops reading. */
  readonly signal?: AbortSignal | undefined;
  /** The StemeDB client's options. @default the SDK's */
  readonly clientOptions?: PersistClientOptions | undefined;
}

/** What {@link diffScans} resolves to. */
export interface ScanDiff {
  /** The branch's latest complete scan, or `undefined` when it has none. */
  readonly scanId: string | undefined;
  /**
   * The base's latest complete scan, or `undefined` when the base branch has none (then every
   * finding is new).
   */
  readonly baseScanId: string | undefined;
  /** Findings of the branch's scan that the base's does not have. */
  readonly new: readonly FindingValue[];
  /** Findings of the base's scan that the branch's does not have. */
  readonly fixed: readonly FindingValue[];
}

/**
 * Compares the latest complete scan of `branch` with that of `base` (or of `baseCommit`), by
 * fingerprint.
 *
 * @throws AphoriaOptionsError unless exactly one of `base` and `baseCommit` is given; when
 * `baseCommit` is not a commit id, or no complete scan of the project is of that commit, or its
 * prefix names several
 * @throws HostedAuthError when StemeDB refuses the key
 */
export async function diffScans(options: DiffScansOptions): Promise<ScanDiff> {
  if ((options.base === undefined) === (options.baseCommit === undefined)) {
    throw new AphoriaOptionsError('diffScans: pass exactly one of base and baseCommit', {
      field: 'base',
    });
  }
  const baseCommit = options.baseCommit?.toLowerCase();
  if (baseCommit !== undefined && !COMMIT_PREFIX.test(baseCommit)) {
    throw new AphoriaOptionsError(
      `diffScans: baseCommit must be a commit id (7 to 40 hex characters), not ${JSON.stringify(baseCommit.slice(0, 48))}`,
      { field: 'baseCommit' },
    );
  }
  const baseCommits = new Set<string>();
  let head: ScanHistoryEntry | undefined;
  let base: ScanHistoryEntry | undefined;
  const later = (a: ScanHistoryEntry | undefined, b: ScanHistoryEntry) =>
    a === undefined ||
    Date.parse(b.value.finished_at) > Date.parse(a.value.finished_at) ||
    (b.value.finished_at === a.value.finished_at &&
      Date.parse(b.acceptedAt) > Date.parse(a.acceptedAt));
  for await (const scan of readScanHistory({
    config: options.config,
    project: options.project,
    signal: options.signal,
    clientOptions: options.clientOptions,
  })) {
    if (scan.value.branch === options.branch && later(head, scan)) head = scan;
    const isBase =
      baseCommit === undefined
        ? scan.value.branch === options.base
        : scan.value.commit.startsWith(baseCommit);
    if (isBase && baseCommit !== undefined) baseCommits.add(scan.value.commit);
    if (isBase && later(base, scan)) base = scan;
  }
  if (baseCommit !== undefined && baseCommits.size !== 1) {
    const known = [...baseCommits].slice(0, 5).join(', ');
    throw new AphoriaOptionsError(
      baseCommits.size === 0
        ? `diffScans: no complete scan of ${options.project} is of commit ${baseCommit}: persist a scan of it first, or compare with --base <branch>`
        : `diffScans: commit ${baseCommit} is ambiguous: complete scans of ${options.project} are of ${known}${baseCommits.size > 5 ? ', …' : ''}; give more of it`,
      { field: 'baseCommit' },
    );
  }
  if (head === undefined) {
    return { scanId: undefined, baseScanId: base?.scanId, new: [], fixed: [] };
  }
  const client = clientFor(
    options.config,
    options.clientOptions as PersistClientOptions | undefined,
  );
  try {
    const current = await findingsOf(client, options.project, head.scanId, options.signal);
    const before =
      base === undefined
        ? []
        : await findingsOf(client, options.project, base.scanId, options.signal);
    const inBase = new Set(before.map((f) => f.fingerprint));
    const inHead = new Set(current.map((f) => f.fingerprint));
    return {
      scanId: head.scanId,
      baseScanId: base?.scanId,
      new: current.filter((f) => !inBase.has(f.fingerprint)),
      fixed: before.filter((f) => !inHead.has(f.fingerprint)),
    };
  } finally {
    await client.close();
  }
}

/** True when `severity` is at or above `threshold` (info < low < medium < high < critical). */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(threshold);
}

const SARIF_LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note' | 'none'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'none',
};

/**
 * Findings as a SARIF 2.1.0 log: one run, one result each (rule, level from severity, message,
 * file and lines, the fingerprint under `fingerprints["aphoria/v1"]`).
 */
export function findingsToSarif(findings: readonly FindingValue[]): Record<string, unknown> {
  const first = findings[0];
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: first?.scanner.name ?? 'aphoria',
            version: first?.scanner.version ?? 'unknown',
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          ...(f.file === '.'
            ? {}
            : {
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: encodeURI(f.file) },
                      region: { startLine: f.line, endLine: f.end_line },
                    },
                  },
                ],
              }),
          fingerprints: { 'aphoria/v1': f.fingerprint },
        })),
      },
    ],
  };
}
