/**
 * `parseSarif`: a SARIF 2.1.0 log as an `aphoria.scan/v1` {@link Scan}, so that it is persisted
 * by exactly the code that persists a native scan (journal, spool, exactly once).
 */
import { AphoriaOptionsError, ScanValidationError } from '../errors.js';
import { type Finding, parseScan, type Scan } from '../scan.js';
import { ROOT_PATH } from '../scan-issues.js';
import { contentFingerprint, FingerprintCounter, producerFingerprint } from './fingerprint.js';
import { RunLocations } from './location.js';
import { severityOf } from './severity.js';
import type { SarifLog, SarifResult, SarifRule, SarifRun } from './types.js';
import { validateSarif } from './validate.js';

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

const MAX_RULE = 200;
const MAX_MESSAGE = 10_000;
const MAX_FILE = 1024;
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
 * Validates a parsed SARIF 2.1.0 log against the OASIS schema and maps every result of every
 * run to a finding of one {@link Scan}: rule from `ruleId` or `rule.id`; severity from `level`
 * and the rule's `security-severity` as GitHub maps it; file and lines from the first physical
 * location (relative to the repository root through `originalUriBaseIds`); the message text;
 * and a fingerprint (see README, "SARIF input"). The log itself is not kept.
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
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new AphoriaOptionsError(
        `parseSarif: unknown option ${JSON.stringify(key.slice(0, 64))}. Fix: use only ${[...KNOWN_OPTIONS].join(', ')}`,
      );
    }
  }
  const source = options.source ?? 'the log';
  const log = validateSarif(json, source);
  const provenance = log.runs.flatMap((run) => run.versionControlProvenance ?? []);
  const commit = options.commit ?? provenance.find((p) => p.revisionId)?.revisionId;
  const branch = options.branch ?? provenance.find((p) => p.branch)?.branch;
  const times = timesOf(log);
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
  const counter = new FingerprintCounter();
  const findings: Finding[] = [];
  for (const run of log.runs) findings.push(...runFindings(run, options, counter));
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

function* runFindings(
  run: SarifRun,
  options: ParseSarifOptions,
  counter: FingerprintCounter,
): Generator<Finding> {
  const places = new RunLocations(run, options.repositoryRoot);
  const rules = new RuleIndex(run);
  for (const result of run.results ?? []) {
    const descriptor = rules.of(result);
    const rule = cut(result.rule?.id ?? result.ruleId ?? descriptor?.id ?? '(no rule)', MAX_RULE);
    const place = places.placeOf(result);
    const file = cut(place.file, MAX_FILE);
    const message = cut(messageOf(result, descriptor) || rule, MAX_MESSAGE);
    const fingerprint = counter.unique(
      producerFingerprint(result, rule) ??
        contentFingerprint(rule, file, place.regionText ?? message),
    );
    yield {
      rule,
      severity: severityOf(result, descriptor),
      file,
      line: place.line,
      end_line: place.endLine,
      message,
      fingerprint,
      ...(options.includeSnippets === true && place.snippet !== undefined && place.snippet !== ''
        ? { snippet: cut(place.snippet, MAX_MESSAGE) }
        : {}),
    };
  }
}

/** A run's rules, found by `rule.index`/`ruleIndex` first (in the driver or an extension), else id. */
class RuleIndex {
  readonly #run: SarifRun;
  #byId: Map<string, SarifRule> | undefined;

  constructor(run: SarifRun) {
    this.#run = run;
  }

  of(result: SarifResult): SarifRule | undefined {
    const component =
      result.rule?.toolComponent?.index !== undefined
        ? this.#run.tool?.extensions?.[result.rule.toolComponent.index]
        : this.#run.tool?.driver;
    const index = result.rule?.index ?? result.ruleIndex;
    if (index !== undefined && index >= 0) {
      const rule = component?.rules?.[index];
      if (rule !== undefined) return rule;
    }
    const id = result.rule?.id ?? result.ruleId;
    if (id === undefined) return undefined;
    if (this.#byId === undefined) {
      this.#byId = new Map();
      for (const c of [this.#run.tool?.driver, ...(this.#run.tool?.extensions ?? [])]) {
        for (const r of c?.rules ?? [])
          if (r.id !== undefined && !this.#byId.has(r.id)) this.#byId.set(r.id, r);
      }
    }
    return this.#byId.get(id);
  }
}

/** `message.text`, else the rule's `messageStrings[message.id]` with `{n}` arguments filled in. */
function messageOf(result: SarifResult, rule: SarifRule | undefined): string {
  const message = result.message;
  if (message?.text !== undefined && message.text !== '') return message.text;
  const template = message?.id === undefined ? undefined : rule?.messageStrings?.[message.id]?.text;
  if (template !== undefined) {
    return template.replace(
      /\{(\d+)\}/g,
      (whole, n: string) => message?.arguments?.[Number(n)] ?? whole,
    );
  }
  return rule?.shortDescription?.text ?? '';
}

/** The earliest start and latest end over every run's invocations. */
function timesOf(log: SarifLog): { started: string | undefined; finished: string | undefined } {
  let started: string | undefined;
  let finished: string | undefined;
  for (const run of log.runs) {
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
function scannerOf(runs: readonly SarifRun[]): { name: string; version: string } {
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

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
