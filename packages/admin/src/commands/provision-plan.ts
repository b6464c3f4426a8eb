/**
 * `provision`, step one: observe (the server's key list once, the store's latest version of
 * each project's secret) and decide per project with {@link reconcileProject}, the one decision
 * apply, `rotate` and `revoke` act on too. The desired state: one live `write_agent` key
 * labelled `project-<name>` whose plaintext is the latest version of `stemedb-key-<name>`
 * (issue 8 §2), beside at most the key it replaced, within its grace. Nothing is changed here.
 */
import type { StemeAdmin } from '@stemedb/sdk';
import { describeError } from '../errors.js';
import { projectKeyLabel, projectKeySecret } from '../stores/names.js';
import type { SecretStore } from '../stores/types.js';
import { DEFAULT_READ_CONCURRENCY } from './context.js';
import { pLimit } from './limit.js';
import {
  type Intent,
  type ObservedProject,
  type ProjectDecision,
  type ReconcilePolicy,
  reconcileProject,
  type StoredState,
} from './reconcile.js';
import { type RetiringRecord, readRetiring } from './retiring.js';
import { DEFAULT_LEASE_DURATION_MS } from './run-lease.js';
import { PROJECT_KEY_ROLE, readServerKeys, type ServerKeys, storedHash } from './server-keys.js';

export type { PlanAction } from './reconcile.js';

/** How long a replaced key stays live after its successor is stored (`--grace`): External Secrets' 1 h refresh plus margin. */
export const DEFAULT_GRACE_MS = 2 * 3_600_000;

/** The plan for one project: {@link reconcileProject}'s decision. Hashes only, never a key. */
export type ProjectPlan = ProjectDecision;

/**
 * Which stored keys planning reads: `all` (what `--dry-run` shows, each reason exact), or only
 * those `needed` to decide: the projects whose label has a live key on the server. A first run
 * over 1,000 projects then reads nothing it would overwrite anyway: one round trip less each.
 */
export type StoreReads = 'all' | 'needed';

/** The whole plan, in the order of the projects given. */
export interface ProvisionPlan {
  projects: ProjectPlan[];
  /** Stored projects the projects file does not list (provision only). */
  unlisted?: string[] | undefined;
  /** Of those, the ones `prune` off-boards (provision with `prune` only). */
  prune?: string[] | undefined;
  /** Counts by action, and how many keys would be revoked and retired. */
  summary: {
    create: number;
    replace: number;
    unchanged: number;
    revoke: number;
    retire: number;
    failed: number;
  };
}

/** What planning needs: the admin API, the store, how many projects to read at once. */
export interface PlanContext {
  admin: StemeAdmin;
  store: SecretStore;
  concurrency: number;
  /** Stored keys read at once while planning. @default DEFAULT_READ_CONCURRENCY (64) */
  readConcurrency?: number | undefined;
  signal?: AbortSignal | undefined;
  /** @default 'all' */
  storeReads?: StoreReads | undefined;
  /** The clock keys' ages are judged by. @default () => new Date() */
  now?: (() => Date) | undefined;
  /** The run lease's duration: a younger key the store does not hold may be in flight. */
  leaseDurationMs?: number | undefined;
  /** @default DEFAULT_GRACE_MS */
  graceMs?: number | undefined;
}

/** The timing rules of a context. */
export function policyOf(ctx: PlanContext): ReconcilePolicy {
  return {
    graceMs: ctx.graceMs ?? DEFAULT_GRACE_MS,
    leaseMs: ctx.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS,
  };
}

/** Observes and plans every project (the server's list once, the store per project). */
export async function computePlan(
  ctx: PlanContext,
  projects: readonly string[],
  intent: Intent = 'converge',
): Promise<ProvisionPlan> {
  return planWith(ctx, await readServerKeys(ctx.admin, ctx.signal), projects, intent);
}

/** {@link computePlan} with the server's key list already read. */
export async function planWith(
  ctx: PlanContext,
  keys: ServerKeys,
  projects: readonly string[],
  intent: Intent,
): Promise<ProvisionPlan> {
  const limit = pLimit(ctx.readConcurrency ?? DEFAULT_READ_CONCURRENCY);
  const now = ctx.now ?? (() => new Date());
  const plans = await Promise.all(
    projects.map((project) =>
      limit(async (): Promise<ProjectPlan> => {
        try {
          const observed = await observeProject(ctx, keys, project, intent);
          return reconcileProject(observed, now(), policyOf(ctx));
        } catch (error) {
          return failedPlan(
            project,
            `reading ${projectKeySecret(project)}: ${describeError(error)}`,
          );
        }
      }),
    ),
  );
  return { projects: plans, summary: summarisePlan(plans) };
}

/** A project that could not be observed. */
export function failedPlan(project: string, reason: string): ProjectPlan {
  return {
    project,
    action: 'failed',
    reason,
    mint: false,
    revoke: [],
    retire: [],
    spare: [],
    revokeFirst: false,
    revokesUnheld: false,
  };
}

/**
 * What the decision needs about one project: its live keys from `keys`, and its stored key
 * (read unless `storeReads` is `needed` and no key of the label is live; the stored version's
 * time only when another live key must be judged against it).
 */
export async function observeProject(
  ctx: PlanContext,
  keys: ServerKeys,
  project: string,
  intent: Intent,
): Promise<ObservedProject> {
  const live = (keys.liveByLabel.get(projectKeyLabel(project)) ?? []).map((k) => ({
    hash: k.hash,
    role: k.role,
    createdAt: k.created_at,
  }));
  const base = { project, intent, live };
  if ((ctx.storeReads === 'needed' && live.length === 0) || intent === 'offboard') {
    return { ...base, stored: { kind: 'unread' } };
  }
  const secret = projectKeySecret(project);
  const value = await ctx.store.readLatest(secret, { signal: ctx.signal });
  if (value === undefined) return { ...base, stored: { kind: 'none' } };
  const hash = storedHash(value);
  if (hash === undefined) return { ...base, stored: { kind: 'not_a_key' } };
  const server = keys.liveByHash.get(hash);
  let known: 'live' | 'other' | 'revoked' | 'unknown';
  if (server !== undefined) {
    known =
      server.label === projectKeyLabel(project) && server.role === PROJECT_KEY_ROLE
        ? 'live'
        : 'other';
  } else known = keys.all.some((k) => k.hash === hash) ? 'revoked' : 'unknown';
  let versionAt: string | undefined;
  let replaced: RetiringRecord | undefined;
  if (known === 'live' && live.length > 1 && intent === 'converge') {
    // Another live key beside the stored one: is it the key a rotation replaced, and when?
    replaced = await readRetiring(ctx.store, project, ctx.signal);
    if (replaced?.hash === hash) replaced = undefined;
    if (replaced !== undefined) {
      versionAt = (await ctx.store.listVersions(secret, { signal: ctx.signal })).at(-1)?.createdAt;
    }
  }
  const stored: StoredState = { kind: 'key', hash, known, versionAt, replaced };
  return { ...base, stored };
}

function summarisePlan(plans: readonly ProjectPlan[]): ProvisionPlan['summary'] {
  const summary = { create: 0, replace: 0, unchanged: 0, revoke: 0, retire: 0, failed: 0 };
  for (const plan of plans) {
    summary[plan.action] += 1;
    summary.revoke += plan.revoke.length;
    summary.retire += plan.retire.length;
  }
  return summary;
}
