/**
 * `provision`, step two: carry out a plan, per project in the order that never leaves it
 * without a working stored key: mint the key, store it, then revoke and retire what the
 * decision (reconcile.ts) said (a rotation revokes the keys that are neither stored nor in
 * their grace first, `revokeFirst`). Apply decides nothing itself: the plan is the action.
 *
 * A crash after minting leaves a live key nobody holds: the next run sees an orphan of the
 * label and revokes it once it is older than the lease. A crash after storing leaves the old
 * key live: the next run keeps the stored one and retires the old when its grace ends.
 */
import type { ApiKeyCreated } from '@stemedb/sdk';
import { describeError } from '../errors.js';
import { projectKeyLabel, projectKeySecret } from '../stores/names.js';
import { pLimit } from './limit.js';
import type { PlanContext, ProjectPlan, ProvisionPlan } from './provision-plan.js';
import { writeRetiring } from './retiring.js';
import { revokedBefore, revokeKeys } from './revoke-keys.js';
import { PROJECT_KEY_ROLE, storedHash } from './server-keys.js';

/** The hashes (never keys) a project's run touched. */
export interface ProjectHashes {
  /** The key minted, when one was. */
  created?: string | undefined;
  /** The key the store holds afterwards (the new one, or the one kept). */
  stored?: string | undefined;
  /** Replaced keys retired at the end of their grace. */
  retired: string[];
  /** Other keys revoked (duplicates, orphans, a rotation's old key without grace). */
  revoked: string[];
}

/** What happened to one project; `action` is one of `created`, `replaced`, `unchanged`, `failed`. */
export interface ProjectResult {
  project: string;
  action: 'created' | 'replaced' | 'unchanged' | 'failed';
  /** How many keys of the project's label were revoked or retired. */
  revoked: number;
  /** The hashes created, stored, retired and revoked. */
  hashes: ProjectHashes;
  /** Why it failed (redacted, one line); only when `action` is `failed`. */
  error?: string;
}

/** What a provision (or rotate) run did. */
export interface ProvisionResult {
  /** The projects worked on (with `stop`, those started before it). */
  projects: ProjectResult[];
  /** Only when `stop` fired before every project was started: the ones left untouched. */
  interrupted?: { notStarted: string[] } | undefined;
  summary: {
    created: number;
    replaced: number;
    unchanged: number;
    revoked: number;
    retired: number;
    failed: number;
  };
}

/** Applying needs what planning needs, plus a progress callback. */
export interface ApplyContext extends PlanContext {
  /** Called after each project with the counts done and failed so far. */
  onProgress?: ((done: number, total: number, failed: number) => void) | undefined;
  /**
   * Once aborted, no new project is started; those in flight finish (an interrupt: `signal`
   * would cancel them half-way instead, leaving a key minted and not stored).
   */
  stop?: AbortSignal | undefined;
}

const PAST = {
  create: 'created',
  replace: 'replaced',
  unchanged: 'unchanged',
  failed: 'failed',
} as const;

/** Applies `plan`; one project's failure never stops the others; `stop` stops new ones. */
export async function executePlan(
  ctx: ApplyContext,
  plan: ProvisionPlan,
): Promise<ProvisionResult> {
  const limit = pLimit(ctx.concurrency);
  const total = plan.projects.length;
  let done = 0;
  let failed = 0;
  // The total is known before the first project ends: a log line can say 0/10000 at once.
  ctx.onProgress?.(0, total, 0);
  const started = await Promise.all(
    plan.projects.map((p) =>
      limit(async () => {
        if (ctx.stop?.aborted === true) return undefined;
        const result = await applyProject(ctx, p);
        done += 1;
        if (result.action === 'failed') failed += 1;
        ctx.onProgress?.(done, total, failed);
        return result;
      }),
    ),
  );
  const projects = started.filter((r) => r !== undefined);
  const notStarted = plan.projects.filter((_, i) => started[i] === undefined).map((p) => p.project);
  return {
    projects,
    summary: summariseResults(projects),
    ...(notStarted.length > 0 ? { interrupted: { notStarted } } : {}),
  };
}

async function applyProject(ctx: ApplyContext, plan: ProjectPlan): Promise<ProjectResult> {
  const { project } = plan;
  const hashes: ProjectHashes = { stored: plan.keep, retired: [], revoked: [] };
  const result = (action: ProjectResult['action'], error?: string): ProjectResult => ({
    project,
    action,
    revoked: hashes.retired.length + hashes.revoked.length,
    hashes,
    ...(error === undefined ? {} : { error }),
  });
  if (plan.action === 'failed') return result('failed', plan.reason);
  try {
    const what = projectKeyLabel(project);
    const revoke = async () => {
      try {
        hashes.revoked = await revokeKeys(ctx.admin, plan.revoke, ctx.signal, what);
      } catch (error) {
        hashes.revoked = revokedBefore(error);
        throw error;
      }
    };
    if (plan.revokeFirst) await revoke();
    if (plan.remember !== undefined) {
      await writeRetiring(ctx.store, project, plan.remember, ctx.signal);
    }
    if (plan.mint) {
      const created = await createAndStore(ctx, project, (hash) => {
        hashes.created = hash;
      });
      hashes.stored = created.hash;
    }
    if (!plan.revokeFirst) await revoke();
    try {
      hashes.retired = await revokeKeys(ctx.admin, plan.retire, ctx.signal, what);
    } catch (error) {
      hashes.retired = revokedBefore(error);
      throw error;
    }
    return result(PAST[plan.action]);
  } catch (error) {
    return result('failed', describeError(error));
  }
}

/**
 * Mints the project's key and stores it. A store write that fails may still have landed (Secret
 * Manager's DEADLINE_EXCEEDED after the commit, a Kubernetes PUT that timed out but was
 * applied): the latest is read back, and if it holds the new key the write is done. Only when
 * the read shows another value is the new key revoked (nobody holds it); when the read fails
 * too, the key is left live for the next run to judge (an orphan is harmless for a while; a
 * stored key revoked is not).
 */
async function createAndStore(
  ctx: ApplyContext,
  project: string,
  onCreated: (hash: string) => void,
): Promise<ApiKeyCreated> {
  const { signal } = ctx;
  const secret = projectKeySecret(project);
  let created: ApiKeyCreated;
  try {
    created = await ctx.admin.createApiKey(
      { label: projectKeyLabel(project), role: PROJECT_KEY_ROLE },
      { signal },
    );
  } catch (error) {
    throw new Error(`creating the key: ${describeError(error)}`, { cause: error });
  }
  onCreated(created.hash);
  try {
    await ctx.store.writeVersion(secret, created.key, { signal });
    return created;
  } catch (error) {
    const landed = await ctx.store.readLatest(secret, { signal }).then(
      (latest) => storedHash(latest) === created.hash,
      () => undefined,
    );
    if (landed === true) return created;
    if (landed === false) await ctx.admin.revokeApiKey(created.hash).catch(() => undefined);
    throw new Error(`storing ${secret}: ${describeError(error)}`, { cause: error });
  }
}

function summariseResults(results: readonly ProjectResult[]): ProvisionResult['summary'] {
  const summary = { created: 0, replaced: 0, unchanged: 0, revoked: 0, retired: 0, failed: 0 };
  for (const r of results) {
    summary[r.action] += 1;
    summary.revoked += r.revoked;
    summary.retired += r.hashes.retired.length;
  }
  return summary;
}
