/** How provision and rotate print plans and results for a person (`--json` aside). */
import type { ProvisionResult } from '../commands/provision-apply.js';
import type { ProvisionPlan } from '../commands/provision-plan.js';
import { type Io, palette } from './io.js';
import { renderTable } from './table.js';

/** The plan: one row per project that changes, and a count of those that do not. */
export function renderPlan(plan: ProvisionPlan, io: Io): string {
  const c = palette(io.stdout, io.env);
  const s = plan.summary;
  const rows = plan.projects
    .filter((p) => p.action !== 'unchanged' || p.revoke.length + p.retire.length > 0)
    .map((p) => {
      const mark =
        p.action === 'create'
          ? c.green('+ create')
          : p.action === 'replace'
            ? c.yellow('~ replace')
            : p.action === 'failed'
              ? c.red('! failed')
              : '= keep';
      const keys = [
        p.revoke.length > 0 ? `revoke ${p.revoke.length}` : '',
        p.retire.length > 0 ? `retire ${p.retire.length}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      return [mark, p.project, keys, p.reason];
    });
  const head = `plan: ${s.create} to create, ${s.replace} to replace, ${s.unchanged} unchanged, ${s.revoke} keys to revoke${s.retire > 0 ? `, ${s.retire} to retire` : ''}${s.failed > 0 ? `, ${s.failed} failed` : ''}`;
  return rows.length === 0
    ? `${head}\n`
    : `${head}\n${renderTable(['ACTION', 'PROJECT', 'REVOKE', 'WHY'], rows)}\n`;
}

/** The outcome: failed projects named with their error, then the summary line. */
export function renderResult(result: ProvisionResult, io: Io): string {
  const c = palette(io.stdout, io.env);
  const s = result.summary;
  const failed = result.projects
    .filter((p) => p.action === 'failed')
    .map((p) => `${c.red('failed')} ${p.project}: ${p.error ?? 'unknown error'}\n`)
    .join('');
  const retired = s.retired > 0 ? ` (${s.retired} retired after their grace)` : '';
  const line = `done: ${s.created} created, ${s.replaced} replaced, ${s.unchanged} unchanged, ${s.revoked} revoked${retired}, ${s.failed > 0 ? c.red(`${s.failed} failed`) : '0 failed'}\n`;
  return failed + line;
}

const PAST = {
  create: 'created',
  replace: 'replaced',
  unchanged: 'unchanged',
  failed: 'failed',
} as const;

/**
 * The plan as `--dry-run --json` prints it: the same shape as the result (issue 8 §2), so one
 * parser reads both, with `"dryRun": true`, each project's `action` and `revoked` being what a
 * real run would do, and its `reason`. Hashes and counts only, no keys.
 */
export function planJson(plan: ProvisionPlan) {
  const s = plan.summary;
  return {
    dryRun: true,
    projects: plan.projects.map((p) => ({
      project: p.project,
      action: PAST[p.action],
      revoked: p.revoke.length + p.retire.length,
      reason: p.reason,
      hashes: { stored: p.keep, retired: p.retire, revoked: p.revoke },
      ...(p.spare.length > 0 ? { spared: p.spare } : {}),
    })),
    summary: {
      created: s.create,
      replaced: s.replace,
      unchanged: s.unchanged,
      revoked: s.revoke + s.retire,
      retired: s.retire,
      failed: s.failed,
    },
  };
}

/**
 * The result as `--json` prints it (issue 8 §2's shape), with each project's `hashes`: the key
 * `created`, the key `stored` afterwards, and those `retired` (after their grace) and `revoked`.
 */
export function resultJson(result: ProvisionResult) {
  return {
    projects: result.projects.map((p) => ({
      project: p.project,
      action: p.action,
      revoked: p.revoked,
      hashes: p.hashes,
      ...(p.error === undefined ? {} : { error: p.error }),
    })),
    summary: result.summary,
    ...(result.interrupted === undefined ? {} : { interrupted: result.interrupted }),
  };
}
