/**
 * A SARIF log checked and mapped part by part, the way a streaming reader sees it: each result
 * as it arrives (checked against the schema's `result`, then mapped to its finding and dropped),
 * then the rest of the log once it is read (the log and each run checked without their
 * results). A log already in memory goes through the same collector, so that both are checked
 * and mapped by one code path.
 *
 * A result is mapped with what its run has said so far: a producer that writes a run's rules or
 * bases after its results (nothing in SARIF forbids it) is found out at the end, by comparing
 * what each run's mapping used with the whole run; the reader then maps the results once more,
 * with the whole runs ({@link SarifCollector.late}).
 */
import { type ScanIssue, ScanValidationError } from '../errors.js';
import type { Finding } from '../scan.js';
import { issuesMessage, MAX_KEPT_ISSUES } from '../scan-issues.js';
import { FingerprintCounter } from './fingerprint.js';
import { RUN_CONTEXT_FIELDS, RunMapper } from './map.js';
import type { RunContext, SarifLog, SarifResult } from './types.js';
import { sarifPartIssues } from './validate.js';

/** What the mapping of a result needs besides its run. */
export interface MapOptions {
  /** An absolute directory: `file:` URIs under it are made relative to it. */
  readonly repositoryRoot?: string | undefined;
  /** Copy each region's snippet into its finding. @default false */
  readonly includeSnippets?: boolean | undefined;
}

/** A checked log (its results left out) and the findings of its results, in log order. */
export interface CollectedLog {
  readonly log: SarifLog;
  readonly findings: Finding[];
}

// One run's mapping: the context it was made with, and what of it the results used.
interface RunState {
  readonly context: RunContext;
  readonly mapper: RunMapper;
  usedBase: boolean;
  usedArtifactIndex: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function contextOf(run: unknown): RunContext {
  const context: Record<string, unknown> = {};
  if (isObject(run)) for (const field of RUN_CONTEXT_FIELDS) context[field] = run[field];
  return context as RunContext;
}

/** Checks and maps one log; see the module's comment. */
export class SarifCollector {
  readonly #source: string;
  readonly #options: MapOptions;
  readonly #knownRuns: readonly unknown[] | undefined;
  readonly #resultIssues: ScanIssue[] = [];
  readonly #seen = new Set<string>();
  readonly #runs = new Map<PropertyKey, RunState>();
  readonly #counter = new FingerprintCounter();
  #findings: Finding[] = [];
  #late = false;

  /**
   * `source` names the log in errors (a file path). `knownRuns`: the whole runs, when they are
   * known before the results are read (a second reading); each result is then mapped with its
   * whole run, whatever the order of the file.
   */
  constructor(source: string, options: MapOptions, knownRuns?: readonly unknown[]) {
    this.#source = source;
    this.#options = options;
    this.#knownRuns = knownRuns;
  }

  /** True once as many issues are kept as an error holds: reading on would add nothing. */
  get full(): boolean {
    return this.#resultIssues.length >= MAX_KEPT_ISSUES;
  }

  /**
   * After {@link finish}: a run named rules, bases or artifacts after results whose mapping
   * they change. The findings are then not given; map the results again with the whole runs.
   */
  get late(): boolean {
    return this.#late;
  }

  /**
   * Result `index` of run `run`, as it is read; `runSoFar` is that run as read so far (its
   * fields before its results). Never throws: {@link finish} reports.
   */
  result(run: PropertyKey, index: PropertyKey, value: unknown, runSoFar: unknown): void {
    const issues = sarifPartIssues('result', value, ['runs', run, 'results', index]);
    if (issues.length > 0) {
      this.#keep(this.#resultIssues, issues);
      this.#findings = []; // the log is refused: its findings are not needed any more
      return;
    }
    if (this.#resultIssues.length > 0) return;
    let state = this.#runs.get(run);
    if (state === undefined) {
      const known = typeof run === 'number' ? this.#knownRuns?.[run] : undefined;
      // A snapshot of the fields, not the run itself: the parser goes on adding to it.
      const context = contextOf(known ?? runSoFar);
      state = {
        context,
        mapper: new RunMapper(context, this.#options),
        usedBase: false,
        usedArtifactIndex: false,
      };
      this.#runs.set(run, state);
    }
    const result = value as SarifResult;
    const artifact = result.locations?.find((l) => l.physicalLocation !== undefined)
      ?.physicalLocation?.artifactLocation;
    if (artifact?.uriBaseId !== undefined) state.usedBase = true;
    if (artifact?.uri === undefined && artifact?.index !== undefined) {
      state.usedArtifactIndex = true;
    }
    this.#findings.push(state.mapper.finding(result, this.#counter));
  }

  /**
   * The log once read: `root` is it without its results (they were passed to {@link result};
   * any left in `root` are ignored). Checks the log and each run.
   *
   * @throws ScanValidationError naming every JSON path at fault, at most MAX_KEPT_ISSUES
   */
  finish(root: unknown): CollectedLog {
    const issues: ScanIssue[] = [];
    if (!this.full) {
      const runs = isObject(root) ? root.runs : undefined;
      const envelope = isObject(root) && Array.isArray(runs) ? { ...root, runs: [] } : root;
      this.#keep(issues, sarifPartIssues('log', envelope, []));
      if (Array.isArray(runs)) {
        runs.forEach((run, i) => {
          const part = isObject(run) && Array.isArray(run.results) ? { ...run, results: [] } : run;
          this.#keep(issues, sarifPartIssues('run', part, ['runs', i]));
        });
      }
    }
    // The log's and the runs' issues first: a wrong envelope explains the rest.
    for (const issue of this.#resultIssues) {
      if (issues.length >= MAX_KEPT_ISSUES) break;
      issues.push(issue);
    }
    if (issues.length > 0) {
      throw new ScanValidationError(
        issuesMessage(`${this.#source} is not a valid SARIF 2.1.0 log`, issues),
        issues,
      );
    }
    const log = root as SarifLog;
    if (this.#knownRuns === undefined) {
      this.#late = [...this.#runs].some(([i, state]) => changed(state, log.runs[i as number]));
    }
    const findings = this.#late ? [] : this.#findings;
    this.#findings = [];
    return { log, findings };
  }

  // Adds `issues` to `into`, each path and message once, up to MAX_KEPT_ISSUES.
  #keep(into: ScanIssue[], issues: readonly ScanIssue[]): void {
    for (const issue of issues) {
      if (into.length >= MAX_KEPT_ISSUES) return;
      const key = `${issue.path}\n${issue.message}`;
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      into.push(issue);
    }
  }
}

// True when a field the run gave after its first result changes the mapping of its results:
// its rules always; its bases when a result named a base (or an artifact, which may); its
// artifacts when a result pointed at one by index.
function changed(state: RunState, run: unknown): boolean {
  const whole = contextOf(run);
  const differs = (field: keyof RunContext) => state.context[field] !== whole[field];
  const bases = state.usedBase || state.usedArtifactIndex;
  return (
    differs('tool') ||
    (differs('artifacts') && state.usedArtifactIndex) ||
    ((differs('originalUriBaseIds') || differs('versionControlProvenance')) && bases)
  );
}

/** Checks and maps a log already in memory (parsed JSON): the same checks as a streamed one. */
export function collectSarif(json: unknown, source: string, options: MapOptions): CollectedLog {
  const collector = new SarifCollector(source, options);
  const runs = isObject(json) ? json.runs : undefined;
  if (Array.isArray(runs)) {
    runs.forEach((run, i) => {
      const results = isObject(run) ? run.results : undefined;
      if (!Array.isArray(results)) return;
      for (let j = 0; j < results.length && !collector.full; j++) {
        collector.result(i, j, results[j], run);
      }
    });
  }
  return collector.finish(json);
}
