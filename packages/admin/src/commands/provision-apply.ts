/**
 * `provision`, step two: carry out a plan, per project in the order that never leaves it
 * without a working stored key: create the key, store it, then revoke the others (issue 8 §2).
 *
 * A crash after create leaves a live key nobody holds: the next plan sees it as an orphan of the
 * label and revokes it. A crash after store leaves the old key live: the next plan keeps the
 * stored one and revokes the old. Either way one more run ends with exactly one live key.
 */
import { type ApiKeyCreated, StemeNotFoundError } from '@stemedb/sdk';
import { describeError } from '../errors.js';
import { projectKeyLabel, projectKeySecret } from '../stores/names.js';
import { pLimit } from './limit.js';
import type { PlanContext, ProjectPlan, ProvisionPlan } from './provision-plan.js';
import { PROJECT_KEY_ROLE, storedHash } from './server-keys.js';

/** What happened to one project; `action` is one of `created`, `replaced`, `unchanged`, `failed`. */
export interface ProjectResult {
  project: string;
  action: 'created' | 'replaced' | 'unchanged' | 'failed';
  /** How many keys of the project's label were revoked. */
  revoked: number;
  /** Why it failed (redacted, one line); only when `action` is `failed`. */
  error?: string;
}

/** What a provision (or rotate) run did. */
export interface ProvisionResult {
  projects: ProjectResult[];
  summary: {
    created: number;
    replaced: number;
    unchanged: number;
    revoked: number;
    failed: number;
  };
}

/** Applying needs what planning needs, plus a progress callback. */
export interface ApplyContext extends PlanContext {
  /** Called after each project with the count done so far. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Applies `plan`; one project's failure never stops the others. */
export async function executePlan(
  ctx: ApplyContext,
  plan: ProvisionPlan,
): Promise<ProvisionResult> {
  const limit = pLimit(ctx.concurrency);
  const total = plan.projects.length;
  let done = 0;
  const projects = await Promise.all(
    plan.projects.map((p) =>
      limit(async () => {
        const result = await applyProject(ctx, p);
        done += 1;
        ctx.onProgress?.(done, total);
        return result;
      }),
    ),
  );
  return { projects, summary: summariseResults(projects) };
}

async function applyProject(ctx: ApplyContext, plan: ProjectPlan): Promise<ProjectResult> {
  const { project } = plan;
  if (plan.action === 'failed')
    return { project, action: 'failed', revoked: 0, error: plan.reason };
  let revoked = 0;
  try {
    let keep = plan.keep;
    let action: ProjectResult['action'] =
      plan.action === 'create' ? 'created' : plan.action === 'replace' ? 'replaced' : 'unchanged';
    if (plan.action === 'create' || plan.action === 'replace') {
      const stored = await createAndStore(ctx, project);
      keep = stored.created.hash;
      // Unread (see ProjectPlan.unread): a first version means nothing was stored before.
      if (plan.unread === true) action = stored.version === '1' ? 'created' : 'replaced';
    }
    revoked = await revokeOthers(ctx, project, plan.revoke, keep);
    return { project, action, revoked };
  } catch (error) {
    return { project, action: 'failed', revoked, error: describeError(error) };
  }
}

async function createAndStore(
  ctx: ApplyContext,
  project: string,
): Promise<{ created: ApiKeyCreated; version: string }> {
  const { signal } = ctx;
  let created: ApiKeyCreated;
  try {
    created = await ctx.admin.createApiKey(
      { label: projectKeyLabel(project), role: PROJECT_KEY_ROLE },
      { signal },
    );
  } catch (error) {
    throw new Error(`creating the key: ${describeError(error)}`, { cause: error });
  }
  let version: string;
  try {
    ({ version } = await ctx.store.writeVersion(projectKeySecret(project), created.key, {
      signal,
    }));
  } catch (error) {
    // Nobody holds the new key: revoke it now rather than leave it live until the next run.
    await ctx.admin.revokeApiKey(created.hash).catch(() => undefined);
    throw new Error(`storing ${projectKeySecret(project)}: ${describeError(error)}`, {
      cause: error,
    });
  }
  return { created, version };
}

/**
 * Revokes the plan's other keys of the label, except `keep` and whatever the store holds now:
 * a run going on at the same time may have stored a key this run's plan saw as an orphan.
 */
async function revokeOthers(
  ctx: ApplyContext,
  project: string,
  hashes: readonly string[],
  keep: string | undefined,
): Promise<number> {
  let targets = hashes.filter((h) => h !== keep);
  if (targets.length === 0) return 0;
  const { signal } = ctx;
  const current = storedHash(await ctx.store.readLatest(projectKeySecret(project), { signal }));
  targets = targets.filter((h) => h !== current);
  let revoked = 0;
  for (const hash of targets) {
    try {
      await ctx.admin.revokeApiKey(hash, { signal });
      revoked += 1;
    } catch (error) {
      // Gone already (another run revoked it): the goal is met.
      if (error instanceof StemeNotFoundError) continue;
      throw new Error(`revoking key ${hash.slice(0, 12)}…: ${describeError(error)}`, {
        cause: error,
      });
    }
  }
  return revoked;
}

function summariseResults(results: readonly ProjectResult[]): ProvisionResult['summary'] {
  const summary = { created: 0, replaced: 0, unchanged: 0, revoked: 0, failed: 0 };
  for (const r of results) {
    summary[r.action] += 1;
    summary.revoked += r.revoked;
  }
  return summary;
}
