/**
 * `provision <projects-file>` as library functions: {@link planProvision} (what `--dry-run`
 * prints), {@link applyProvision} (carry out a plan) and {@link provision} (both, one client).
 * A reconcile, not a loop: re-running with nothing changed changes nothing.
 */
import { z } from 'zod';
import { AdminError } from '../errors.js';
import { checkProjectName } from '../projects-file.js';
import type { SecretStore } from '../stores/types.js';
import {
  type ClientOptions,
  DEFAULT_CONCURRENCY,
  fields,
  openClient,
  parseOptions,
  type RunOptions,
  runFields,
  type ServerOptions,
} from './context.js';
import { checkMassRevoke } from './mass-revoke.js';
import { executePlan, type ProvisionResult } from './provision-apply.js';
import {
  computePlan,
  type ProvisionPlan,
  planWith,
  policyOf,
  type StoreReads,
} from './provision-plan.js';
import {
  clearMarks,
  findUnlisted,
  type PrunedProject,
  prunedWithLiveKeys,
  pruneProjects,
} from './prune.js';
import { DEFAULT_LEASE_DURATION_MS, withCheckedRunLease, withRunLease } from './run-lease.js';
import {
  checkPlanTarget,
  observeForPlan,
  observeForPrune,
  type SavedPlan,
  toSavedPlan,
  verifySavedPlan,
  verifySavedPrune,
} from './saved-plan.js';
import { readServerKeys } from './server-keys.js';

/** Options of {@link planProvision}, {@link applyProvision} and {@link provision}. */
export interface ProvisionOptions extends ServerOptions, RunOptions {
  /** Where the project keys are (`stemedb-key-<project>`). */
  store: SecretStore;
  /** The project names (see `parseProjectsFile`); each is checked again here. */
  projects: readonly string[];
  /** Projects worked on at once. @default DEFAULT_CONCURRENCY (16) */
  concurrency?: number | undefined;
  /** Stored keys read at once while planning (it changes nothing). @default DEFAULT_READ_CONCURRENCY (64) */
  readConcurrency?: number | undefined;
  /** Called after each project is applied with the counts done and failed so far (the CLI's progress). */
  onProgress?: ((done: number, total: number, failed: number) => void) | undefined;
  /** Cancels calls in flight and pending retry waits. */
  signal?: AbortSignal | undefined;
  /**
   * Once aborted (the CLI's first Ctrl-C or SIGTERM), no new project is started; those in
   * flight finish, and the result lists the rest in `interrupted`.
   */
  stop?: AbortSignal | undefined;
  /**
   * Which stored keys planning reads (see {@link StoreReads}). `provision` reads only those
   * it needs; `planProvision` reads all unless told otherwise.
   * @default 'all' (planProvision), 'needed' (provision)
   */
  storeReads?: StoreReads | undefined;
  /**
   * Called by {@link provision} with the plan, under the run lease, before anything changes:
   * what the CLI prints is what is applied.
   */
  onPlan?: ((plan: ProvisionPlan) => void | Promise<void>) | undefined;
  /** How long a replaced key stays live once its successor is stored (`--grace`). @default DEFAULT_GRACE_MS (2 h) */
  graceMs?: number | undefined;
  /**
   * The most projects whose live keys a run may revoke while the store holds none of theirs
   * (`--max-revoke`); above it the run changes nothing. @default DEFAULT_MAX_REVOKE (3)
   */
  maxRevoke?: number | undefined;
  /** Skip the `maxRevoke` check (`--allow-mass-revoke`). @default false */
  allowMassRevoke?: boolean | undefined;
  /**
   * Off-board the stored projects `projects` does not list (`--prune`): revoke their live keys,
   * keep and mark their secrets; counted against `maxRevoke`. @default false
   */
  prune?: boolean | undefined;
}

/** What {@link provision} did: the result, the plan it applied, and the unlisted projects. */
export interface ProvisionRun extends ProvisionResult {
  plan: ProvisionPlan;
  /** Stored projects the file does not list (and not off-boarded). */
  unlisted: string[];
  /** With `prune`: what was done to each unlisted project. */
  pruned?: PrunedProject[] | undefined;
}

const schema = z.strictObject({
  url: fields.url,
  adminKey: fields.adminKey,
  client: fields.client,
  store: fields.store,
  projects: z.array(z.string()),
  concurrency: fields.concurrency,
  readConcurrency: fields.concurrency,
  onProgress: fields.fn.optional(),
  signal: fields.signal,
  stop: fields.signal,
  storeReads: z.enum(['all', 'needed']).optional(),
  onPlan: fields.fn.optional(),
  graceMs: fields.graceMs,
  maxRevoke: fields.maxRevoke,
  allowMassRevoke: z.boolean().optional(),
  prune: z.boolean().optional(),
  ...runFields,
});

function resolve(options: ProvisionOptions, command: string) {
  const o = parseOptions(schema, options, command);
  const seen = new Set<string>();
  for (const project of o.projects) {
    checkProjectName(project);
    if (seen.has(project)) {
      throw new AdminError({
        code: 'invalid_options',
        message: `${command}: project ${project} is given twice`,
      });
    }
    seen.add(project);
  }
  const client = openClient(o.url, o.adminKey, o.client as ClientOptions | undefined);
  const ctx = {
    admin: client.admin,
    store: o.store,
    concurrency: o.concurrency ?? DEFAULT_CONCURRENCY,
    readConcurrency: o.readConcurrency,
    signal: o.signal,
    onProgress: o.onProgress as ProvisionOptions['onProgress'],
    stop: o.stop,
    storeReads: o.storeReads,
    now: (o.now as (() => Date) | undefined) ?? (() => new Date()),
    leaseDurationMs: o.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS,
    graceMs: o.graceMs,
  };
  const guard = { maxRevoke: o.maxRevoke, allowMassRevoke: o.allowMassRevoke };
  const lease = {
    command,
    lockTimeoutMs: o.lockTimeoutMs,
    onWait: o.onLeaseWait,
    leaseDurationMs: o.leaseDurationMs,
    signal: o.signal,
    stop: o.stop,
    now: ctx.now,
  };
  return {
    client,
    ctx,
    projects: o.projects,
    lease,
    guard,
    prune: o.prune === true,
    onPlan: o.onPlan as ProvisionOptions['onPlan'],
  };
}

/**
 * Reads the server's key list once and the store per project, and returns the plan; changes
 * nothing. The plan holds key hashes only.
 *
 * @throws AdminError `unauthorized`/`forbidden` when the admin key is refused, `server_failed`
 *   when the key list cannot be read
 */
export async function planProvision(options: ProvisionOptions): Promise<ProvisionPlan> {
  const { client, ctx, projects } = resolve(options, 'provision');
  try {
    return await computePlan(ctx, projects);
  } finally {
    await client.close();
  }
}

/**
 * Carries out a plan made by {@link planProvision}: create, store, then revoke, per project,
 * holding the store's run lease. Projects not in `options.projects` are skipped; failed
 * projects are reported, never thrown. A plan made before the lease was taken may be stale
 * (another run may have changed the store since): {@link provision} plans under the lease.
 *
 * @throws AdminError `lease_held` when another run holds the lease past `lockTimeoutMs`
 */
export async function applyProvision(
  plan: ProvisionPlan,
  options: ProvisionOptions,
): Promise<ProvisionResult> {
  const { client, ctx, projects, lease, guard } = resolve(options, 'provision');
  const wanted = new Set(projects);
  const kept = { ...plan, projects: plan.projects.filter((p) => wanted.has(p.project)) };
  try {
    return await withCheckedRunLease(ctx.store, ['read', 'write'], lease, async (signal) => {
      checkMassRevoke('provision', kept, guard);
      return executePlan({ ...ctx, signal }, kept);
    });
  } finally {
    await client.close();
  }
}

/**
 * Plans and applies in one go, both under the store's run lease (so no other run changes the
 * store between the plan and the apply). Resolves even when some projects failed (their
 * `action` is `failed`); rejects only when nothing could be planned.
 *
 * @throws AdminError `lease_held` when another run holds the lease past `lockTimeoutMs`
 *
 * @example
 * ```ts
 * const store = await openSecretStore('gcp:my-project');
 * const result = await provision({ url, adminKey, store, projects: ['alpha', 'beta'] });
 * if (result.summary.failed > 0) process.exitCode = 1;
 * ```
 */
export async function provision(options: ProvisionOptions): Promise<ProvisionRun> {
  const { client, ctx, projects, lease, guard, onPlan, prune } = resolve(options, 'provision');
  try {
    return await withCheckedRunLease(ctx.store, ['read', 'write'], lease, async (signal) => {
      const run = { ...ctx, signal };
      // The store's listing reads nothing the plan reads: it runs beside the key list and the
      // plan's reads rather than after them (a round trip and a page of secrets less to wait).
      const listing = findUnlisted(ctx.store, projects, signal);
      listing.catch(() => undefined); // awaited below; not unhandled if the key list fails
      const keys = await readServerKeys(ctx.admin, signal);
      const [plan, { unlisted, returning }] = await Promise.all([
        planWith({ ...run, storeReads: ctx.storeReads ?? 'needed' }, keys, projects, 'converge'),
        listing,
      ]);
      plan.unlisted = unlisted;
      if (prune) plan.prune = unlisted;
      // Shown first, so that a refused plan is seen; refused before anything changes.
      await onPlan?.(plan);
      checkMassRevoke('provision', plan, {
        ...guard,
        pruned: prune ? prunedWithLiveKeys(keys, unlisted) : 0,
      });
      const result = await executePlan(run, plan);
      await clearMarks(ctx.store, returning, signal);
      // An interrupted run off-boards nothing more: the operator asked it to stop.
      const pruned =
        prune && result.interrupted === undefined
          ? await pruneProjects(ctx.admin, ctx.store, keys, unlisted, ctx.now(), signal)
          : undefined;
      return { ...result, plan, unlisted, ...(pruned === undefined ? {} : { pruned }) };
    });
  } finally {
    await client.close();
  }
}

/**
 * Plans as `--dry-run` does and returns the plan to save (`--plan-out`): the decisions, the
 * store and server they are for, and a fingerprint of the state observed. Changes nothing.
 */
export async function savePlan(options: ProvisionOptions): Promise<SavedPlan> {
  const { client, ctx, projects, prune } = resolve(options, 'provision');
  try {
    const keys = await readServerKeys(ctx.admin, ctx.signal);
    const createdAt = ctx.now();
    const observations = await observeForPlan(ctx, keys, projects, createdAt);
    // With prune, the off-boarding is decided now and saved too: the plan is the action.
    const pruned = prune
      ? observeForPrune(
          keys,
          (await findUnlisted(ctx.store, projects, ctx.signal)).unlisted,
          createdAt,
        )
      : undefined;
    return toSavedPlan(
      observations,
      { createdAt, store: ctx.store.spec, url: options.url, policy: policyOf(ctx) },
      pruned,
    );
  } finally {
    await client.close();
  }
}

/**
 * Applies a saved plan (`--plan`), exactly: under the run lease, the state is observed again
 * and must match the plan's fingerprint, for the store and server the plan was made for.
 * `options.projects` is ignored: the plan lists them.
 *
 * @throws AdminError `plan_stale` when the world changed since or the store or server differ;
 *   `invalid_plan` when the decisions are not what the observed state gives
 */
export async function applySavedPlan(
  saved: SavedPlan,
  options: ProvisionOptions,
): Promise<ProvisionRun> {
  const projects = saved.projects.map((p) => p.decision.project);
  const { client, ctx, lease, guard, onPlan } = resolve({ ...options, projects }, 'provision');
  try {
    checkPlanTarget(saved, ctx.store.spec, options.url);
    return await withRunLease(ctx.store, lease, async (signal) => {
      const run = { ...ctx, signal };
      const keys = await readServerKeys(ctx.admin, signal);
      const plan = await verifySavedPlan(run, keys, saved);
      const unlisted =
        saved.prune === undefined ? [] : (await findUnlisted(ctx.store, projects, signal)).unlisted;
      if (saved.prune !== undefined) verifySavedPrune(saved, keys, unlisted);
      await onPlan?.(plan);
      checkMassRevoke('provision', plan, {
        ...guard,
        pruned: saved.prune === undefined ? 0 : prunedWithLiveKeys(keys, unlisted),
      });
      const result = await executePlan(run, plan);
      const pruned =
        saved.prune !== undefined && result.interrupted === undefined
          ? await pruneProjects(ctx.admin, ctx.store, keys, unlisted, ctx.now(), signal)
          : undefined;
      return { ...result, plan, unlisted, ...(pruned === undefined ? {} : { pruned }) };
    });
  } finally {
    await client.close();
  }
}
