/**
 * `persistScan`: a scan's assertions to StemeDB, riding out restarts, spooling through
 * outages, surviving a SIGKILL at any moment and storing nothing twice.
 *
 * The steps, each one what makes a guarantee hold:
 * 1. send the older spool first (`flushJournals`);
 * 2. take the scan's lock, recover its journal if an earlier attempt left one;
 * 3. read back what the server holds of the scan (its agent id): a stored summary means the
 *    scan is already persisted (a CI retry), anything else present is never resent;
 * 4. journal every assertion, seal, fsync file and directory: from here a kill loses nothing;
 * 5. send with a bounded window; acks are appended as they arrive (group commit);
 * 6. delete the finished journal, or leave the rest spooled (compacted) when StemeDB is down.
 */
import { HostedAuthError, PersistIncompleteError } from './errors.js';
import { throwIfEnded } from './flush.js';
import { assertionCount, scanToAssertions } from './mapping.js';
import { addCounts, drainJournal, type SealedJournal, sealedFromState } from './persist/drain.js';
import { type FlushCounts, flushJournals, warnWithheld } from './persist/flush-journals.js';
import { type PersistOptions, resolveRunOptions } from './persist/options.js';
import { type Present, readPresent } from './persist/present.js';
import type { FlushResult, PersistResult } from './persist/results.js';
import { closeRun, openRun, type Run, warn } from './persist/run.js';
import { parseScan, type Scan } from './scan.js';
import { createJournal, deleteJournal } from './spool/journal-write.js';
import type { AssertionRecord } from './spool/record.js';
import { JOURNAL_VERSION } from './spool/record.js';
import { DEFAULT_SEAMS, type SpoolSeams } from './spool/spool.js';
import { scanAgentId } from './subjects.js';
import type { MappedAssertion } from './types.js';

/** How long a run waits for another run's lock on the same scan, beyond its staleness. */
export const SAME_SCAN_LOCK_EXTRA_WAIT_MS = 5_000;

/**
 * Persists a scan to StemeDB. Resolves with what was sent, found already stored, and left in
 * the spool; StemeDB being down resolves too (with a warning), unless `strict: true`.
 *
 * @param scan - a scan (`aphoria.scan/v1`); validated with {@link parseScan}
 * @throws ScanValidationError for an invalid scan
 * @throws HostedAuthError on a 401/403, naming the env var (nothing of the scan is spooled)
 * @throws PersistIncompleteError with `strict: true` when not every assertion is stored
 * @throws AphoriaOptionsError for a bad option
 *
 * @example
 * ```ts
 * const config = await loadHostedConfig();
 * const scan = await readScanFile('scan.json');
 * const { sent, alreadyPresent, spooled } = await persistScan(scan, { config });
 * ```
 */
export function persistScan(scan: unknown, options: PersistOptions): Promise<PersistResult> {
  return persistScanWith(scan, options, DEFAULT_SEAMS);
}

/** {@link persistScan} with the spool's seams given (tests: crash points, lock timing). */
export async function persistScanWith(
  input: unknown,
  options: PersistOptions,
  seams: SpoolSeams,
): Promise<PersistResult> {
  const resolved = resolveRunOptions(options, 'persistScan');
  const scan = parseScan(input);
  const started = performance.now();
  const { scanId, assertions } = startMapping(scan);
  const total = assertionCount(scan);
  const run = await openRun(resolved, seams);
  try {
    run.phase = 'flush';
    const flushedCounts = await flushJournals(run, scanId);
    throwIfEnded(run);
    run.phase = 'persist';
    const own = await persistOwn(run, scan, scanId, total, assertions);
    throwIfEnded(run);
    const durationMs = Math.round(performance.now() - started);
    const flushed: FlushResult = { ...flushedCounts, durationMs, warnings: [] };
    const result: PersistResult = {
      scanId,
      total,
      sent: own.sent,
      alreadyPresent: own.alreadyPresent,
      spooled: own.spooled,
      rejected: own.rejected,
      rejections: own.rejections,
      complete: own.complete,
      spoolDir: run.spool.dir,
      durationMs,
      warnings: run.warnings,
      flushed,
    };
    summarise(run, result, flushedCounts);
    if (resolved.strict && !result.complete) {
      throw new PersistIncompleteError(
        `persistScan: scan ${scanId} is not wholly stored: ${result.spooled} spooled, ${result.rejected} rejected (strict)`,
        result,
      );
    }
    return result;
  } finally {
    await closeRun(run);
  }
}

interface OwnOutcome {
  sent: number;
  alreadyPresent: number;
  spooled: number;
  rejected: number;
  rejections: PersistResult['rejections'];
  complete: boolean;
}

async function persistOwn(
  run: Run,
  scan: Scan,
  scanId: string,
  total: number,
  assertions: Iterable<MappedAssertion>,
): Promise<OwnOutcome> {
  const { spool, sender } = run;
  const agentId = scanAgentId(scanId);
  const out: OwnOutcome = {
    sent: 0,
    alreadyPresent: 0,
    spooled: 0,
    rejected: 0,
    rejections: [],
    complete: false,
  };
  const lock = await spool.lock(
    scanId,
    spool.seams.lockStaleMs + SAME_SCAN_LOCK_EXTRA_WAIT_MS,
    (error) => sender.fail(error),
  );
  if (lock === undefined) {
    warn(
      run,
      `scan ${scanId} is being persisted by another run (its spool lock in ${spool.dir} is held); that run completes it`,
    );
    return out;
  }
  const findingOf = (i: number) => scan.findings[i];
  let journal: SealedJournal | undefined;
  try {
    const opened = await spool.open(scanId);
    let present: Present | undefined;
    if (opened.kind === 'ok') {
      journal = sealedFromState(scanId, opened.state); // an earlier attempt's: resume it
    } else {
      if (opened.kind === 'corrupt') {
        warn(run, `${opened.error.message}; moved aside as ${opened.movedTo}`);
      }
      if (opened.kind === 'unsealed') await deleteJournal(spool.fs, opened.path);
      present = await readPresent(run, agentId);
      if (present?.summary) {
        // Persisted before (same content, same id): nothing is sent twice.
        out.alreadyPresent = total;
        out.complete = true;
        return out;
      }
      if (sender.fatal instanceof HostedAuthError) return out; // nothing spooled (§3)
      journal = await writeJournal(run, scan, scanId, agentId, assertions);
    }
    const report = await drainJournal(run, journal, present, findingOf);
    if (report.summaryWithheld) warnWithheld(run, scanId, report.rejectedFindings);
    addCounts(out, report);
    out.complete = report.finished && report.rejectedFindings === 0 && report.rejected === 0;
    if (sender.fatal instanceof HostedAuthError && !report.finished) {
      // A 401/403 is not an outage: nothing is left spooled. What was stored is recognised by
      // the read-back when the scan is persisted again with a working key.
      await deleteJournal(spool.fs, journal.path);
    }
    return out;
  } finally {
    await lock.release();
  }
}

async function writeJournal(
  run: Run,
  scan: Scan,
  scanId: string,
  agentId: string,
  assertions: Iterable<MappedAssertion>,
): Promise<SealedJournal> {
  const header = {
    t: 'h' as const,
    v: JOURNAL_VERSION,
    scan: scanId,
    agent: agentId,
    project: scan.project,
    at: new Date().toISOString(),
  };
  const path = run.spool.journalPath(scanId);
  const written = await createJournal(run.spool.fs, path, header, records(assertions));
  return {
    path,
    scanId,
    agentId,
    header,
    records: written.records,
    total: written.records,
    done: new Set(),
    rejectedFindings: 0,
    acked: 0,
    compactedRejections: 0,
  };
}

/**
 * The scan's assertions, the mapping started: its first assertion carries the scan id, which
 * `scanToAssertions` computes once, so the id is not hashed a second time here (hashing a
 * 100,000-finding scan is a visible share of what persisting it costs: bench/README.md).
 */
function startMapping(scan: Scan): { scanId: string; assertions: Iterable<MappedAssertion> } {
  const mapping = scanToAssertions(scan);
  const first = mapping.next();
  // Every scan maps to at least its summary, and every assertion's value names the scan id.
  if (first.done) throw new Error('scanToAssertions yielded nothing');
  const scanId = (first.value.input.value as { scan_id: string }).scan_id;
  function* all(): Generator<MappedAssertion> {
    yield first.value as MappedAssertion;
    yield* mapping;
  }
  return { scanId, assertions: all() };
}

function* records(assertions: Iterable<MappedAssertion>): Generator<AssertionRecord> {
  for (const a of assertions) {
    yield a.findingIndex === undefined
      ? { t: 'a', i: a.index, in: a.input }
      : { t: 'a', i: a.index, f: a.findingIndex, in: a.input };
  }
}

function summarise(run: Run, result: PersistResult, flushed: FlushCounts): void {
  const spooled = result.spooled + flushed.spooled;
  if (spooled > 0 && run.sender.down !== undefined) {
    warn(
      run,
      `StemeDB is unreachable (${run.sender.down.message}): ${spooled} assertion(s) are spooled in ${run.spool.dir}; the next run or \`aphoria-hosted flush\` sends them`,
    );
  }
  if (result.rejected > 0) {
    const first = result.rejections[0];
    const where = first?.finding
      ? ` (first: finding #${first.findingIndex} ${first.finding.rule} at ${first.finding.file}:${first.finding.line}: ${first.status} ${first.message})`
      : '';
    warn(
      run,
      `${result.rejected} assertion(s) of scan ${result.scanId} were rejected by StemeDB${where}`,
    );
  }
  if (run.sender.rateLimited > 0) {
    warn(
      run,
      `StemeDB rate-limited this run ${run.sender.rateLimited} time(s); sending slowed down`,
    );
  }
}
