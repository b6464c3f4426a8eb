/**
 * `flushSpool`: sends what earlier runs left in the spool (an outage outlasting the SDK's
 * retries, a killed process), exactly once.
 */
import { PersistIncompleteError, SpoolTargetError } from './errors.js';
import { flushJournals } from './persist/flush-journals.js';
import { type FlushOptions, resolveRunOptions } from './persist/options.js';
import type { FlushResult } from './persist/results.js';
import { closeRun, openRun, type Run, warn, warnExpired } from './persist/run.js';
import { DEFAULT_SEAMS, type SpoolSeams } from './spool/spool.js';
import { targetOf } from './spool/target.js';

/**
 * Sends every scan left in the spool (`config.spoolDir`), oldest first, each exactly once:
 * what the server already holds of a scan is read back first and never resent.
 *
 * Resolves with a {@link FlushResult} even when StemeDB is down (what is left stays spooled,
 * with a warning), unless `strict: true`.
 *
 * @throws HostedAuthError on a 401/403 (the spool is kept)
 * @throws PersistIncompleteError with `strict: true` when something is left in the spool
 * @throws AphoriaOptionsError for a bad option
 *
 * @example
 * ```ts
 * const config = await loadHostedConfig();
 * const { sent, spooled } = await flushSpool({ config });
 * ```
 */
export function flushSpool(options: FlushOptions): Promise<FlushResult> {
  return flushSpoolWith(options, DEFAULT_SEAMS);
}

/** {@link flushSpool} with the spool's seams given (tests: crash points, lock timing). */
export async function flushSpoolWith(
  options: FlushOptions,
  seams: SpoolSeams,
): Promise<FlushResult> {
  const resolved = resolveRunOptions(options, 'flushSpool');
  const started = performance.now();
  const run = await openRun(resolved, seams);
  try {
    const counts = await flushJournals(run);
    throwIfEnded(run);
    const result: FlushResult = {
      ...counts,
      durationMs: Math.round(performance.now() - started),
      warnings: run.warnings,
    };
    warnExpired(run, counts.spooled);
    if (counts.spooled > 0 && run.sender.down !== undefined) {
      warn(
        run,
        `StemeDB is unreachable (${run.sender.down.message}): ${counts.spooled} assertion(s) stay spooled in ${run.spool.dir}; the next run or \`aphoria-hosted flush\` sends them`,
      );
    }
    const elsewhere = counts.skipped.filter((s) => s.reason === 'other-target');
    if (elsewhere.length > 0) {
      const { origin } = targetOf(resolved.config);
      const first = /written for (\S+), not/.exec(elsewhere[0]!.message)?.[1] ?? 'another server';
      throw new SpoolTargetError(
        `flushSpool: ${elsewhere.length} spooled scan(s) were written for ${first}, not ${origin}: not sent. Run \`aphoria-hosted flush --to ${first}\` to send them where they were meant to go (or --to ${origin} to send them here on purpose)`,
        { journalOrigin: first, runOrigin: origin },
      );
    }
    if (resolved.strict && (counts.spooled > 0 || counts.locked > 0)) {
      throw new PersistIncompleteError(
        `flushSpool: ${counts.spooled} assertion(s) left in the spool${counts.locked > 0 ? ` and ${counts.locked} scan(s) held by another run` : ''} (strict)`,
        result,
      );
    }
    return result;
  } finally {
    await closeRun(run);
  }
}

/** Rethrows what ended the run: a 401/403, a spool write error, a lost lock, the caller's abort. */
export function throwIfEnded(run: Run): void {
  const { sender } = run;
  if (sender.fatal !== undefined) throw sender.fatal;
  if (sender.aborted) {
    const reason = run.options.signal?.reason;
    throw reason instanceof Error ? reason : new DOMException('The run was aborted', 'AbortError');
  }
}
