/**
 * Saved plans, as Terraform's (issue 22, "an operator at 10,000 projects"): `provision --dry-run
 * --plan-out plan.json` writes the decisions with a fingerprint of the observed state they were
 * made from, and `provision --plan plan.json` applies exactly those decisions, under the run
 * lease, only if the state observed again is the same (and the store and server are the ones
 * the plan was made for). The file holds hashes only, never a key.
 *
 * The plan is the action (STYLE.md practice 18): on apply, {@link reconcileProject} is run again
 * on the observed state, at the plan's time and with its policy, and must give exactly the
 * decisions in the file; an edited decision is refused as an invalid plan. Time passing between
 * the two only makes more keys revocable (a spared key's `until` passes), never fewer, so
 * applying the older decision is the safe side; the next run catches up.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { AdminError, describeError } from '../errors.js';
import { checkProjectName } from '../projects-file.js';
import { projectKeyLabel, projectKeySecret } from '../stores/names.js';
import { DEFAULT_READ_CONCURRENCY } from './context.js';
import { pLimit } from './limit.js';
import {
  failedPlan,
  observeProject,
  type PlanContext,
  type ProvisionPlan,
  policyOf,
} from './provision-plan.js';
import { type ProjectDecision, type ReconcilePolicy, reconcileProject } from './reconcile.js';
import type { ServerKeys } from './server-keys.js';

/** The `format` field of a saved plan file. */
export const SAVED_PLAN_FORMAT = 'stemedb-admin-plan';
/** The version of the saved plan format this package reads and writes. */
export const SAVED_PLAN_VERSION = 1;

/** One project of a saved plan: the decision and a fingerprint of what it was decided on. */
export interface SavedProject {
  /** SHA-256 (hex) of the observed state: the stored key's hash and state, the live keys. */
  observed: string;
  decision: ProjectDecision;
}

/** A saved plan file. Hashes only, never a key. */
export interface SavedPlan {
  format: typeof SAVED_PLAN_FORMAT;
  version: typeof SAVED_PLAN_VERSION;
  /** The time the decisions were made at (ISO 8601). */
  createdAt: string;
  /** The store spec the plan was made for, e.g. `gcp:my-project`. */
  store: string;
  /** The server the plan was made for. */
  url: string;
  /** The timing rules the decisions were made with. */
  policy: ReconcilePolicy;
  /** SHA-256 (hex) over every project's fingerprint, in order. */
  fingerprint: string;
  projects: SavedProject[];
  /**
   * Present when the plan was made with `--prune`: the stored projects the file does not list,
   * each with its off-boarding decision (every live key revoked, the secret kept and marked).
   * Applying the plan off-boards exactly these, and refuses if the unlisted set changed.
   */
  prune?: SavedProject[] | undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What planning observed of one project, and what was decided. */
interface Observation {
  observed: string;
  decision: ProjectDecision;
}

/**
 * Observes every project (reading every stored key, as `--dry-run` does) and decides, keeping
 * a fingerprint of each observation. The fingerprint lists fields explicitly, in a fixed order,
 * so it does not depend on how an object happened to be built.
 */
export async function observeForPlan(
  ctx: PlanContext,
  keys: ServerKeys,
  projects: readonly string[],
  now: Date,
): Promise<Observation[]> {
  const limit = pLimit(ctx.readConcurrency ?? DEFAULT_READ_CONCURRENCY);
  const policy = policyOf(ctx);
  return Promise.all(
    projects.map((project) =>
      limit(async (): Promise<Observation> => {
        try {
          const o = await observeProject({ ...ctx, storeReads: 'all' }, keys, project, 'converge');
          const s = o.stored;
          const stored =
            s.kind === 'key'
              ? [
                  s.kind,
                  s.hash,
                  s.known,
                  s.versionAt ?? null,
                  s.replaced?.hash ?? null,
                  s.replaced?.graceMs ?? null,
                ]
              : [s.kind];
          const live = [...o.live]
            .map((k) => [k.hash, k.role, k.createdAt])
            .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
          return {
            observed: sha256(JSON.stringify([project, stored, live])),
            decision: reconcileProject(o, now, policy),
          };
        } catch (error) {
          return {
            observed: sha256(JSON.stringify([project, 'unreadable'])),
            decision: failedPlan(
              project,
              `reading ${projectKeySecret(project)}: ${describeError(error)}`,
            ),
          };
        }
      }),
    ),
  );
}

/**
 * Observes the unlisted projects `--prune` would off-board and decides each (intent
 * `offboard`, as pruneProjects does), with a fingerprint of the live keys decided on.
 */
export function observeForPrune(
  keys: ServerKeys,
  unlisted: readonly string[],
  now: Date,
): Observation[] {
  return unlisted.map((project) => {
    const live = (keys.liveByLabel.get(projectKeyLabel(project)) ?? []).map((k) => ({
      hash: k.hash,
      role: k.role,
      createdAt: k.created_at,
    }));
    const fingerprint = live
      .map((k) => [k.hash, k.role, k.createdAt])
      .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    return {
      observed: sha256(JSON.stringify([project, 'offboard', fingerprint])),
      decision: reconcileProject(
        { project, intent: 'offboard', stored: { kind: 'unread' }, live },
        now,
        { graceMs: 0, leaseMs: 0 },
      ),
    };
  });
}

/** Builds the saved plan from the observations (and `prune`'s, when made with `--prune`). */
export function toSavedPlan(
  observations: readonly Observation[],
  at: { createdAt: Date; store: string; url: string; policy: ReconcilePolicy },
  prune?: readonly Observation[],
): SavedPlan {
  const all = prune === undefined ? observations : [...observations, ...prune];
  return {
    format: SAVED_PLAN_FORMAT,
    version: SAVED_PLAN_VERSION,
    createdAt: at.createdAt.toISOString(),
    store: at.store,
    url: at.url,
    policy: { graceMs: at.policy.graceMs, leaseMs: at.policy.leaseMs },
    fingerprint: sha256(all.map((o) => o.observed).join('\n')),
    projects: observations.map((o) => ({ observed: o.observed, decision: o.decision })),
    ...(prune === undefined
      ? {}
      : { prune: prune.map((o) => ({ observed: o.observed, decision: o.decision })) }),
  };
}

/** The plan as `provision`'s apply and renderers take it. */
export function planOfSaved(saved: SavedPlan): ProvisionPlan {
  const summary = { create: 0, replace: 0, unchanged: 0, revoke: 0, retire: 0, failed: 0 };
  for (const { decision } of saved.projects) {
    summary[decision.action] += 1;
    summary.revoke += decision.revoke.length;
    summary.retire += decision.retire.length;
  }
  const plan: ProvisionPlan = { projects: saved.projects.map((p) => p.decision), summary };
  if (saved.prune !== undefined) {
    plan.prune = saved.prune.map((p) => p.decision.project);
    plan.unlisted = plan.prune;
  }
  return plan;
}

const hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex hash');
const decisionSchema = z.strictObject({
  project: z.string(),
  action: z.enum(['create', 'replace', 'unchanged', 'failed']),
  reason: z.string(),
  mint: z.boolean(),
  keep: hash.optional(),
  revoke: z.array(hash),
  retire: z.array(hash),
  spare: z.array(z.strictObject({ hash, why: z.enum(['grace', 'in flight']), until: z.string() })),
  revokeFirst: z.boolean(),
  remember: z.strictObject({ hash, graceMs: z.int().min(0) }).optional(),
  revokesUnheld: z.boolean(),
});
const savedSchema = z.strictObject({
  format: z.literal(SAVED_PLAN_FORMAT),
  version: z.literal(SAVED_PLAN_VERSION),
  createdAt: z.iso.datetime(),
  store: z.string().min(1),
  url: z.string().min(1),
  policy: z.strictObject({ graceMs: z.int().min(0), leaseMs: z.int().min(1) }),
  fingerprint: hash,
  projects: z.array(z.strictObject({ observed: hash, decision: decisionSchema })),
  prune: z.array(z.strictObject({ observed: hash, decision: decisionSchema })).optional(),
});

/**
 * Reads a saved plan file's text. Anything but a plan of this format version is refused.
 *
 * @throws AdminError `invalid_plan` (exit 2): not JSON, another format or version, a bad field
 */
export function parseSavedPlan(text: string): SavedPlan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AdminError({
      code: 'invalid_plan',
      message: `the plan file is not JSON: ${describeError(error)}`,
    });
  }
  const result = savedSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = issue?.path.map(String).join('.') ?? '';
    throw new AdminError({
      code: 'invalid_plan',
      message: `the plan file is not a ${SAVED_PLAN_FORMAT} version ${SAVED_PLAN_VERSION} plan: ${at === '' ? '' : `${at} `}${issue?.message ?? 'invalid'}`,
    });
  }
  const saved = result.data as SavedPlan;
  for (const p of [...saved.projects, ...(saved.prune ?? [])]) checkProjectName(p.decision.project);
  return saved;
}

/** Normalises a server URL for comparison (a trailing slash is the same server). */
const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/**
 * Refuses a plan made for another store or server.
 *
 * @throws AdminError `plan_stale`
 */
export function checkPlanTarget(saved: SavedPlan, store: string, url: string): void {
  if (saved.store !== store) {
    throw new AdminError({
      code: 'plan_stale',
      message: `the plan was made for the store ${saved.store}, not ${store}: make a new plan`,
    });
  }
  if (!sameUrl(saved.url, url)) {
    throw new AdminError({
      code: 'plan_stale',
      message: `the plan was made for the server ${saved.url}, not ${url}: make a new plan`,
    });
  }
}

/** A decision as the file holds it (JSON drops the keys whose value is undefined). */
const asJson = (d: ProjectDecision): unknown => JSON.parse(JSON.stringify(d));

/**
 * Checks, under the lease, that the world is as the plan saw it and that the plan's decisions
 * are what {@link reconcileProject} decides on it, and returns the plan to apply.
 *
 * @throws AdminError `plan_stale` when a project's observed state changed; `invalid_plan` when
 *   a decision is not what the observed state gives (an edited file)
 */
export async function verifySavedPlan(
  ctx: PlanContext,
  keys: ServerKeys,
  saved: SavedPlan,
): Promise<ProvisionPlan> {
  const projects = saved.projects.map((p) => p.decision.project);
  const observations = await observeForPlan(
    { ...ctx, graceMs: saved.policy.graceMs, leaseDurationMs: saved.policy.leaseMs },
    keys,
    projects,
    new Date(saved.createdAt),
  );
  const changed = projects.filter(
    (_, i) => observations[i]?.observed !== saved.projects[i]?.observed,
  );
  if (changed.length > 0) {
    const named = changed.slice(0, 10).join(', ') + (changed.length > 10 ? ', …' : '');
    throw new AdminError({
      code: 'plan_stale',
      message: `the world changed since the plan was made (${saved.createdAt}): ${changed.length} of ${projects.length} projects differ (${named}): make a new plan`,
    });
  }
  const edited = projects.filter((_, i) => {
    const now = observations[i]!.decision;
    const then = saved.projects[i]!.decision;
    // A project unreadable both times fails both times, whatever the error's words.
    if (now.action === 'failed' && then.action === 'failed') return false;
    return !isDeepStrictEqual(asJson(now), asJson(then));
  });
  if (edited.length > 0) {
    throw new AdminError({
      code: 'invalid_plan',
      message: `the plan file's decisions are not what its observed state gives, for ${edited.length} project(s) (${edited.slice(0, 10).join(', ')}): was it edited?`,
    });
  }
  return planOfSaved(saved);
}

/**
 * Checks, under the lease, that the projects a `--prune` plan off-boards are still exactly the
 * unlisted ones, with the live keys it decided on, and that its decisions are what they give.
 *
 * @throws AdminError `plan_stale` when the unlisted set or their live keys changed;
 *   `invalid_plan` when a decision is not what the observed keys give (an edited file)
 */
export function verifySavedPrune(
  saved: SavedPlan,
  keys: ServerKeys,
  unlisted: readonly string[],
): void {
  const planned = (saved.prune ?? []).map((p) => p.decision.project);
  const now = [...unlisted].sort();
  if (!isDeepStrictEqual([...planned].sort(), now)) {
    throw new AdminError({
      code: 'plan_stale',
      message: `the world changed since the plan was made (${saved.createdAt}): the stored projects the file does not list are now ${now.join(', ') || 'none'}, not ${planned.join(', ') || 'none'}: make a new plan`,
    });
  }
  const observed = observeForPrune(keys, planned, new Date(saved.createdAt));
  observed.forEach((o, i) => {
    const then = saved.prune![i]!;
    if (o.observed !== then.observed) {
      throw new AdminError({
        code: 'plan_stale',
        message: `the world changed since the plan was made (${saved.createdAt}): the live keys of ${then.decision.project}, which the plan prunes, differ: make a new plan`,
      });
    }
    if (!isDeepStrictEqual(asJson(o.decision), asJson(then.decision))) {
      throw new AdminError({
        code: 'invalid_plan',
        message: `the plan file's prune decision for ${then.decision.project} is not what its observed state gives: was it edited?`,
      });
    }
  });
}
