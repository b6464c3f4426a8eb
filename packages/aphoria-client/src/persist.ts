/**
 * `persistScan`: a scan's assertions to StemeDB, riding out restarts, spooling through
 * outages, surviving a SIGKILL at any moment and storing nothing twice. `persistScanFile` does
 * the same for a scan file it reads as a stream (persist/source.ts: either is a `ScanSource`,
 * whose assertions are mapped pass after pass, never all held).
 *
 * The steps, each one what makes a guarantee hold (docs/spool.md):
 * 1. take the scan's lock, recover its journal if an earlier attempt left one;
 * 2. read back what the server holds of the scan (its agent id): a stored summary means the
 *    scan is already persisted (a CI retry), anything else present is never resent;
 * 3. journal every assertion in fsynced batches, then seal: a record is handed out only once
 *    it is durable, and acked only after the seal (spool/journal.ts); a kill before the seal
 *    leaves a journal the next run sends;
 * 4. send with a bounded window (persist/deliver.ts): an ambiguous failure is read back before
 *    any resend, a poison record dead-lettered; acks appended in groups;
 * 5. delete the finished journal, or leave the rest spooled (compacted) when StemeDB is down or
 *    the deadline passed;
 * 6. then send the older spool (`flushJournals`): after the scan, so nothing old holds it back.
 */
import { HostedAuthError, NotStemeDbError, PersistIncompleteError } from './errors.js';
import { throwIfEnded } from './flush.js';
import { addCounts, drainJournal } from './persist/drain.js';
import { type FlushCounts, flushJournals, warnWithheld } from './persist/flush-journals.js';
import { startFreshJournal } from './persist/fresh.js';
import {
  type PersistOptions,
  type ResolvedRunOptions,
  resolveRunOptions,
} from './persist/options.js';
import type { FlushResult, PersistResult } from './persist/results.js';
import { closeRun, openRun, type Run, warn, warnExpired } from './persist/run.js';
import type { Present } from './persist/sink.js';
import { type ScanSource, sourceOfFile, sourceOfScan } from './persist/source.js';
import { parseScan, readScanFile } from './scan.js';
import { openScanFile } from './scan-file/read.js';
import { computeScanId } from './scan-id.js';
import { Journal } from './spool/journal.js';
import { deleteJournal } from './spool/journal-write.js';
import { DEFAULT_SEAMS, type SpoolSeams } from './spool/spool.js';
import { scanAgentId } from './subjects.js';

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
  const started = performance.now();
  const scan = parseScan(input);
  const scanId = computeScanId(scan); // hashed once: the mapping is given it (assertionsOf)
  return persistSource(resolved, sourceOfScan(scan, scanId), seams, started);
}

/**
 * Persists the native scan file (`aphoria.scan/v1`) at `path`, as {@link persistScan} persists
 * a scan in memory, but without ever holding the whole scan: the file is read as a stream,
 * once to validate and hash it, then once to journal it and once to send it (issue 21: the
 * peak RSS of persisting 100,000 findings under 200 MB). What this reader does not handle (a
 * member given twice, not JSON at all) is read whole, as {@link readScanFile} does, with the
 * same errors.
 *
 * @throws ScanValidationError for a file that is missing, not JSON, or not a valid scan (naming
 *   every JSON path at fault), or that changed while it was read
 * @throws HostedAuthError, PersistIncompleteError, AphoriaOptionsError as {@link persistScan}
 *
 * @example
 * ```ts
 * const config = await loadHostedConfig();
 * const { sent, alreadyPresent, spooled } = await persistScanFile('scan.json', { config });
 * ```
 */
export function persistScanFile(path: string, options: PersistOptions): Promise<PersistResult> {
  return persistScanFileWith(path, options, DEFAULT_SEAMS);
}

/** {@link persistScanFile} with the spool's seams given (tests). */
export async function persistScanFileWith(
  path: string,
  options: PersistOptions,
  seams: SpoolSeams,
): Promise<PersistResult> {
  const resolved = resolveRunOptions(options, 'persistScanFile');
  const started = performance.now();
  const file = await openScanFile(path);
  if (file === undefined) {
    const scan = await readScanFile(path); // throws what is wrong, as it always did
    return persistSource(resolved, sourceOfScan(scan, computeScanId(scan)), seams, started);
  }
  try {
    return await persistSource(resolved, sourceOfFile(file), seams, started);
  } finally {
    await file.close();
  }
}

async function persistSource(
  resolved: ResolvedRunOptions,
  source: ScanSource,
  seams: SpoolSeams,
  started: number,
): Promise<PersistResult> {
  const { scanId, total } = source;
  const run = await openRun(resolved, seams);
  try {
    // Its own scan first: older spooled scans, whatever their state, never hold it back.
    run.phase = 'persist';
    const own = await persistOwn(run, source);
    throwIfEnded(run);
    run.phase = 'flush';
    const flushStarted = performance.now();
    const warningsBefore = run.warnings.length;
    const flushedCounts = await flushJournals(run, scanId);
    const flushed: FlushResult = {
      ...flushedCounts,
      durationMs: Math.round(performance.now() - flushStarted),
      warnings: run.warnings.slice(warningsBefore),
    };
    throwIfEnded(run);
    const durationMs = Math.round(performance.now() - started);
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

async function persistOwn(run: Run, source: ScanSource): Promise<OwnOutcome> {
  const { scanId, total } = source;
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
  let journal: Journal;
  try {
    const opened = await spool.open(scanId);
    let present: Present | undefined;
    if (opened.kind === 'foreign') {
      warn(
        run,
        `scan ${scanId} is spooled by ${opened.by ?? 'a later aphoria-client'} (format ${opened.version}), which this version cannot read; left untouched for that version to send`,
      );
      out.spooled = total;
      return out;
    }
    if (opened.kind === 'ok' && opened.state.seal.cut === undefined) {
      // An earlier attempt's: resume it.
      journal = Journal.recover(spool, scanId, opened.state, (error) => sender.fail(error));
    } else {
      if (opened.kind === 'corrupt') {
        warn(run, `${opened.error.message}; moved aside as ${opened.movedTo}`);
      }
      // A journal cut off while it was written (sealed since by a flush, or not): this run has
      // the whole scan, so it journals it again; what was sent of it is read back below.
      if (opened.kind === 'unsealed') await deleteJournal(spool.fs, opened.path);
      if (opened.kind === 'ok') await deleteJournal(spool.fs, opened.state.path);
      present = await run.sink.present(agentId);
      if (present?.summary) {
        // Persisted before (same content, same id): nothing is sent twice.
        out.alreadyPresent = total;
        out.complete = true;
        return out;
      }
      if (isRefusal(sender.fatal)) return out; // nothing spooled (§3)
      journal = startFreshJournal(run, source, agentId);
    }
    const report = await drainJournal(run, journal, present, source.findingOf);
    if (report.summaryWithheld) warnWithheld(run, scanId, report.rejectedFindings);
    addCounts(out, report);
    out.complete = report.finished && report.rejectedFindings === 0 && report.rejected === 0;
    if (isRefusal(sender.fatal) && !report.finished) {
      // A 401/403, or a URL that is not StemeDB, is not an outage: nothing is left spooled.
      // What was stored is recognised by the read-back when the scan is persisted again.
      await journal.discard();
    }
    return out;
  } finally {
    await lock.release();
  }
}

function summarise(run: Run, result: PersistResult, flushed: FlushCounts): void {
  const spooled = result.spooled + flushed.spooled;
  warnExpired(run, spooled);
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

/** A failure that is a refusal, not an outage: nothing of the scan is left spooled for it. */
function isRefusal(fatal: unknown): boolean {
  return fatal instanceof HostedAuthError || fatal instanceof NotStemeDbError;
}
