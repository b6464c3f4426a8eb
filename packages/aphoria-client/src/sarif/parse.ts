/**
 * `parseSarif`: a SARIF 2.1.0 log as an `aphoria.scan/v1` {@link Scan}, so that it is persisted
 * by exactly the code that persists a native scan (journal, spool, exactly once).
 */
import { AphoriaOptionsError, ScanValidationError } from '../errors.js';
import { parseScan, type Scan } from '../scan.js';
import { ROOT_PATH } from '../scan-issues.js';
import { type CollectedLog, collectSarif } from './collect.js';
import { cut } from './map.js';
import type { SarifRun } from './types.js';

/** Options of {@link parseSarif}. */
export interface ParseSarifOptions {
  /** The project (`--project`, `[hosted] project`). */
  readonly project: string;
  /** The commit scanned; else the first run's `versionControlProvenance[].revisionId`. */
  readonly commit?: string | undefined;
  /** The branch scanned; else the first run's `versionControlProvenance[].branch`. */
  readonly branch?: string | undefined;
  /** An absolute directory: `file:` URIs under it are made relative to it. */
  readonly repositoryRoot?: string | undefined;
  /**
   * Copy each region's `snippet.text` into its finding. Off by default: a secret scanner's
   * snippet is the secret. @default false
   */
  readonly includeSnippets?: boolean | undefined;
  /**
   * When the scan finished, for a log whose runs carry no `invocations[].endTimeUtc` (ESLint's,
   * secretlint's and jscpd's do not). Part of the scan's id, so it must be the same on a retry:
   * {@link readSarifFile} uses the file's modification time.
   */
  readonly finishedAt?: string | undefined;
  /** Names the log in errors (a file path). */
  readonly source?: string | undefined;
}

/**
 * What the CLI adds to {@link ParseSarifOptions}: the git work tree's commit and branch, taken
 * only where neither the options nor the log name one.
 */
export interface SarifScanOptions extends ParseSarifOptions {
  readonly workTree?: {
    readonly commit?: string | undefined;
    readonly branch?: string | undefined;
  };
}

const MAX_SCANNER = 100;
const KNOWN_OPTIONS = new Set([
  'project',
  'commit',
  'branch',
  'repositoryRoot',
  'includeSnippets',
  'finishedAt',
  'source',
]);

/**
 * Validates a SARIF 2.1.0 log against the OASIS schema and maps every result of every run to a
 * finding of one {@link Scan}: rule from `ruleId` or `rule.id`; severity from `level` and the
 * rule's `security-severity` as GitHub maps it; file and lines from the first physical location
 * (relative to the repository root through `originalUriBaseIds`); the message text; and a
 * fingerprint (see README, "SARIF input"). The log itself is not kept.
 *
 * `json` is the log parsed (`JSON.parse`), or its JSON text. For a log in a file, prefer
 * {@link readSarifFile}: it reads the file as it streams, and never holds the log whole.
 *
 * @throws ScanValidationError naming the JSON path at fault, or what is missing (commit, branch)
 * @throws AphoriaOptionsError for an unknown option
 *
 * @example
 * ```ts
 * const scan = parseSarif(JSON.parse(text), { project: 'web', commit, branch: 'main', finishedAt });
 * await persistScan(scan, { config });
 * ```
 */
export function parseSarif(json: unknown, options: ParseSarifOptions): Scan {
  checkSarifOptions(options);
  const source = options.source ?? 'the log';
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      // No slice of the text goes into the message: a secret scanner's log holds secrets.
      const reason = json.trim() === '' ? 'it is empty' : 'it is not JSON';
      throw new ScanValidationError(
        `${source}: ${reason}`,
        [{ path: ROOT_PATH, message: reason }],
        {
          cause: error,
        },
      );
    }
  }
  return sarifLogToScan(collectSarif(value, source, options), options);
}

/** @throws AphoriaOptionsError for an option parseSarif does not know */
export function checkSarifOptions(options: ParseSarifOptions): void {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new AphoriaOptionsError(
        `parseSarif: unknown option ${JSON.stringify(key.slice(0, 64))}. Fix: use only ${[...KNOWN_OPTIONS].join(', ')}`,
      );
    }
  }
}

/**
 * The scan of a checked and mapped log: its findings, and the commit, branch, times and scanner
 * the options and the log give.
 *
 * @throws ScanValidationError when the commit, branch or time is missing, or the scan is invalid
 */
export function sarifLogToScan({ log, findings }: CollectedLog, options: SarifScanOptions): Scan {
  const source = options.source ?? 'the log';
  const provenance = log.runs.flatMap((run) => run.versionControlProvenance ?? []);
  const commit =
    options.commit ?? provenance.find((p) => p.revisionId)?.revisionId ?? options.workTree?.commit;
  const branch =
    options.branch ?? provenance.find((p) => p.branch)?.branch ?? options.workTree?.branch;
  const times = timesOf(log.runs);
  const finishedAt = times.finished ?? options.finishedAt;
  const missing = [
    commit === undefined && 'the commit (--commit, or versionControlProvenance[].revisionId)',
    branch === undefined && 'the branch (--branch, or versionControlProvenance[].branch)',
    finishedAt === undefined && 'when it finished (invocations[].endTimeUtc, or finishedAt)',
  ].filter((m): m is string => typeof m === 'string');
  if (missing.length > 0) {
    const issues = missing.map((message) => ({ path: ROOT_PATH, message: `names no ${message}` }));
    throw new ScanValidationError(
      `${source}: cannot make a scan of it: it names no ${missing.join(', nor ')}`,
      issues,
    );
  }
  const scan = {
    schema: 'aphoria.scan/v1',
    project: options.project,
    commit: (commit as string).toLowerCase(),
    branch,
    scanner: scannerOf(log.runs),
    started_at: times.started ?? finishedAt,
    finished_at: finishedAt,
    findings,
  };
  // The same checks as a native scan: a wrong project name or commit is named by its field.
  return parseScan(scan, { source });
}

/** The earliest start and latest end over every run's invocations. */
function timesOf(runs: readonly Pick<SarifRun, 'invocations'>[]): {
  started: string | undefined;
  finished: string | undefined;
} {
  let started: string | undefined;
  let finished: string | undefined;
  for (const run of runs) {
    for (const invocation of run.invocations ?? []) {
      const s = invocation.startTimeUtc;
      const e = invocation.endTimeUtc;
      if (s !== undefined && (started === undefined || Date.parse(s) < Date.parse(started)))
        started = s;
      if (e !== undefined && (finished === undefined || Date.parse(e) > Date.parse(finished)))
        finished = e;
    }
  }
  if (started !== undefined && finished === undefined) finished = started;
  return { started, finished };
}

/** One scanner for the scan: the runs' tools, `+`-joined when there are several. */
function scannerOf(runs: readonly Pick<SarifRun, 'tool'>[]): { name: string; version: string } {
  const names: string[] = [];
  const versions: string[] = [];
  for (const run of runs) {
    const driver = run.tool?.driver;
    const name = driver?.name ?? 'unknown';
    if (names.includes(name)) continue;
    names.push(name);
    versions.push(driver?.semanticVersion ?? driver?.version ?? 'unknown');
  }
  if (names.length === 0) return { name: 'sarif', version: 'unknown' };
  return { name: cut(names.join('+'), MAX_SCANNER), version: cut(versions.join('+'), MAX_SCANNER) };
}
