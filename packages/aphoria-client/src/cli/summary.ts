/** The one-line summaries persist and flush print when not asked for --json. */
import type { FlushResult, PersistResult } from '../persist/results.js';
import { duration } from './common.js';

/** One line: what became of the scan, then of the older spool if there was one. */
export function persistSummary(r: PersistResult): string {
  const parts = [`${r.sent} sent`, `${r.alreadyPresent} already stored`, `${r.spooled} spooled`];
  if (r.rejected > 0) parts.push(`${r.rejected} rejected (dead-lettered beside the spool)`);
  const state = r.complete
    ? 'persisted'
    : r.spooled > 0
      ? `spooled in ${r.spoolDir}`
      : 'not wholly persisted';
  const lines = [
    `scan ${r.scanId}: ${state}: ${r.total} assertion(s), ${parts.join(', ')} (${duration(r.durationMs)})`,
  ];
  if (r.flushed.scans > 0) lines.push(flushSummary(r.flushed, 'older spool'));
  return lines.join('\n');
}

/** One line about a flush. */
export function flushSummary(f: FlushResult, what = 'spool'): string {
  const parts = [
    `${f.sent} sent`,
    `${f.alreadyPresent} already stored`,
    `${f.spooled} still spooled`,
  ];
  if (f.rejected > 0) parts.push(`${f.rejected} rejected`);
  const scans = [`${f.scans} scan(s)`, `${f.completed} completed`];
  if (f.locked > 0) scans.push(`${f.locked} held by another run`);
  if (f.discarded > 0) scans.push(`${f.discarded} empty journal(s) removed`);
  if (f.incomplete.length > 0) {
    const missing = f.incomplete.reduce((n, s) => n + s.missing, 0);
    scans.push(
      `${f.incomplete.length} cut off while journaled (${missing} assertion(s) never journaled: persist those scans again)`,
    );
  }
  if (f.corrupt.length > 0) scans.push(`${f.corrupt.length} damaged file(s) moved aside`);
  if (f.skipped.length > 0) scans.push(`${f.skipped.length} skipped (see the warnings)`);
  return `${what} ${f.spoolDir}: ${scans.join(', ')}; ${parts.join(', ')}${f.reachable ? '' : '; StemeDB unreachable'} (${duration(f.durationMs)})`;
}

/**
 * True on a CI runner (`CI` set, as GitHub Actions, GitLab, CircleCI, Buildkite and others set
 * it, and not `false` or `0`).
 */
export function onCi(env: Record<string, string | undefined>): boolean {
  const ci = (env.CI ?? '').trim().toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * The warning a CI run prints when it leaves something in the spool: an ephemeral runner's
 * disk goes with the VM, and the exit 0 ("spooled") would hide that the findings went too.
 */
export function ciSpoolWarning(
  env: Record<string, string | undefined>,
  result: PersistResult | FlushResult,
): string | undefined {
  const spooled = result.spooled + ('flushed' in result ? result.flushed.spooled : 0);
  if (!onCi(env) || spooled <= 0) return undefined;
  return `CI: ${spooled} assertion(s) are spooled in ${result.spoolDir}, which is lost with this runner unless you cache that directory across runs (e.g. actions/cache of .aphoria/spool/) or run \`aphoria-hosted flush\` in a later job that has it`;
}
