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
  type ServerOptions,
} from './context.js';
import { preflightStore } from './preflight.js';
import { executePlan, type ProvisionResult } from './provision-apply.js';
import { computePlan, type ProvisionPlan, type StoreReads } from './provision-plan.js';

/** Options of {@link planProvision}, {@link applyProvision} and {@link provision}. */
export interface ProvisionOptions extends ServerOptions {
  /** Where the project keys are (`stemedb-key-<project>`). */
  store: SecretStore;
  /** The project names (see `parseProjectsFile`); each is checked again here. */
  projects: readonly string[];
  /** Projects worked on at once. @default DEFAULT_CONCURRENCY (16) */
  concurrency?: number | undefined;
  /** Stored keys read at once while planning (it changes nothing). @default DEFAULT_READ_CONCURRENCY (64) */
  readConcurrency?: number | undefined;
  /** Called after each project is applied with the count done so far (the CLI's progress bar). */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** Cancels calls in flight and pending retry waits. */
  signal?: AbortSignal | undefined;
  /**
   * Which stored keys planning reads (see {@link StoreReads}). `provision` reads only those
   * it needs; `planProvision` reads all unless told otherwise.
   * @default 'all' (planProvision), 'needed' (provision)
   */
  storeReads?: StoreReads | undefined;
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
  storeReads: z.enum(['all', 'needed']).optional(),
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
    storeReads: o.storeReads,
  };
  return { client, ctx, projects: o.projects };
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
 * Carries out a plan made by {@link planProvision}: create, store, then revoke, per project.
 * Projects not in `options.projects` are skipped; failed projects are reported, never thrown.
 */
export async function applyProvision(
  plan: ProvisionPlan,
  options: ProvisionOptions,
): Promise<ProvisionResult> {
  const { client, ctx, projects } = resolve(options, 'provision');
  const wanted = new Set(projects);
  const kept = plan.projects.filter((p) => wanted.has(p.project));
  try {
    await preflightStore(ctx.store, ['read', 'write'], ctx.signal);
    return await executePlan(ctx, { ...plan, projects: kept });
  } finally {
    await client.close();
  }
}

/**
 * Plans and applies in one go. Resolves even when some projects failed (their `action` is
 * `failed`); rejects only when nothing could be planned.
 *
 * @example
 * ```ts
 * const store = await openSecretStore('gcp:my-project');
 * const result = await provision({ url, adminKey, store, projects: ['alpha', 'beta'] });
 * if (result.summary.failed > 0) process.exitCode = 1;
 * ```
 */
export async function provision(
  options: ProvisionOptions,
): Promise<ProvisionResult & { plan: ProvisionPlan }> {
  const { client, ctx, projects } = resolve(options, 'provision');
  try {
    await preflightStore(ctx.store, ['read', 'write'], ctx.signal);
    const plan = await computePlan({ ...ctx, storeReads: ctx.storeReads ?? 'needed' }, projects);
    return { ...(await executePlan(ctx, plan)), plan };
  } finally {
    await client.close();
  }
}
