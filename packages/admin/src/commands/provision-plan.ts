/**
 * `provision`, step one: read the actual state (the server's key list once, the store's latest
 * version of each project's secret) and decide, per project, what brings it to the desired
 * state: exactly one live `write_agent` key labelled `project-<name>` whose plaintext is the
 * latest version of `stemedb-key-<name>` (issue 8 §2). Nothing is changed here.
 */
import type { StemeAdmin } from '@stemedb/sdk';
import { describeError } from '../errors.js';
import { projectKeyLabel, projectKeySecret } from '../stores/names.js';
import type { SecretStore } from '../stores/types.js';
import { DEFAULT_READ_CONCURRENCY } from './context.js';
import { pLimit } from './limit.js';
import { PROJECT_KEY_ROLE, readServerKeys, type ServerKeys, storedHash } from './server-keys.js';

/** What the plan does to one project. */
export type PlanAction = 'create' | 'replace' | 'unchanged' | 'failed';

/** The plan for one project. Holds key hashes only, never a key. */
export interface ProjectPlan {
  project: string;
  action: PlanAction;
  /** Why, in a few words: `no stored key`, `stored key unknown to the server`... */
  reason: string;
  /** Live keys of the project's label to revoke once the stored key is in place (hashes). */
  revoke: string[];
  /** The hash of the stored key the plan keeps (`unchanged` only). */
  keep?: string | undefined;
  /**
   * True when the store was not read (`storeReads: 'needed'`): the server has no live key of
   * the label, so whatever is stored is replaced either way, and the write tells `created`
   * (the secret's first version) from `replaced`.
   */
  unread?: boolean | undefined;
}

/**
 * Which stored keys planning reads: `all` (what `--dry-run` shows, each reason exact), or only
 * those `needed` to decide: the projects whose label has a live key on the server. A first run
 * over 1,000 projects then reads nothing it would overwrite anyway: one round trip less each.
 */
export type StoreReads = 'all' | 'needed';

/** The whole plan, in the order of the projects given. */
export interface ProvisionPlan {
  projects: ProjectPlan[];
  /** Counts by action, and how many keys would be revoked. */
  summary: { create: number; replace: number; unchanged: number; revoke: number; failed: number };
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
}

/** Reads the state and plans every project (the server's list once, the store per project). */
export async function computePlan(
  ctx: PlanContext,
  projects: readonly string[],
): Promise<ProvisionPlan> {
  const keys = await readServerKeys(ctx.admin, ctx.signal);
  const limit = pLimit(ctx.readConcurrency ?? DEFAULT_READ_CONCURRENCY);
  const plans = await Promise.all(
    projects.map((project) =>
      limit(async () => {
        const live = keys.liveByLabel.get(projectKeyLabel(project)) ?? [];
        if (ctx.storeReads === 'needed' && live.length === 0) {
          const reason = 'no live key of the label';
          return {
            project,
            action: 'create',
            reason,
            revoke: [],
            unread: true,
          } satisfies ProjectPlan;
        }
        try {
          const stored = await ctx.store.readLatest(projectKeySecret(project), {
            signal: ctx.signal,
          });
          return planProject(project, stored, keys);
        } catch (error) {
          const reason = `reading ${projectKeySecret(project)}: ${describeError(error)}`;
          return { project, action: 'failed', reason, revoke: [] } satisfies ProjectPlan;
        }
      }),
    ),
  );
  return { projects: plans, summary: summarisePlan(plans) };
}

/**
 * The decision for one project, from its stored value and the server's live keys. Keys of the
 * label with another role, and every live key but the stored one, are duplicates or orphans
 * (left by a crash between creating and storing, or by two runs at once): revoked.
 */
export function planProject(
  project: string,
  stored: string | undefined,
  keys: ServerKeys,
): ProjectPlan {
  const live = keys.liveByLabel.get(projectKeyLabel(project)) ?? [];
  const hash = storedHash(stored);
  const kept = live.find((k) => k.hash === hash && k.role === PROJECT_KEY_ROLE);
  if (kept !== undefined) {
    const revoke = live.filter((k) => k !== kept).map((k) => k.hash);
    const reason =
      revoke.length === 0 ? 'stored key is live' : 'stored key is live; other keys of the label';
    return { project, action: 'unchanged', reason, revoke, keep: kept.hash };
  }
  const revoke = live.map((k) => k.hash);
  if (stored === undefined) return { project, action: 'create', reason: 'no stored key', revoke };
  let reason: string;
  if (hash === undefined) reason = 'stored value is not a StemeDB key';
  else if (keys.liveByHash.has(hash)) reason = 'stored key has another label or role';
  else if (keys.all.some((k) => k.hash === hash)) reason = 'stored key was revoked';
  else reason = 'stored key unknown to the server';
  return { project, action: 'replace', reason, revoke };
}

function summarisePlan(plans: readonly ProjectPlan[]): ProvisionPlan['summary'] {
  const summary = { create: 0, replace: 0, unchanged: 0, revoke: 0, failed: 0 };
  for (const plan of plans) {
    summary[plan.action] += 1;
    summary.revoke += plan.revoke.length;
  }
  return summary;
}
