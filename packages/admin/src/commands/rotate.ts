/**
 * `rotate <project>|--all [--grace <duration>]`: give a project a new key, in provision's safe
 * order (mint, store, then revoke), so the project is never without a working stored key. The
 * replaced key stays live for the grace period (default 2 h: External Secrets refreshes hourly,
 * a CI variable copied from `onboard` never does), and the next `provision` or `rotate` after
 * it retires it; `--grace 0` revokes it at once. Not the server's rotate route: that revokes
 * the old key before the new one is stored.
 *
 * The retire time needs no record of its own, so no crash can lose it: it is the stored
 * version's creation time plus the grace, and the replaced key is the newest live key of the
 * label older than that version (reconcile.ts).
 */
import { z } from 'zod';
import { AdminError } from '../errors.js';
import { checkProjectName } from '../projects-file.js';
import { PROJECT_KEY_SECRET_PREFIX, projectKeyLabel, projectKeySecret } from '../stores/names.js';
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
  storeFailure,
} from './context.js';
import { checkMassRevoke } from './mass-revoke.js';
import { offboardedProjects } from './offboarded.js';
import { executePlan, type ProvisionResult } from './provision-apply.js';
import { computePlan } from './provision-plan.js';
import { DEFAULT_LEASE_DURATION_MS, withCheckedRunLease } from './run-lease.js';
import { readServerKeys } from './server-keys.js';

/** Options of {@link rotate}: one `project`, or `all` of the store's projects. */
export interface RotateOptions extends ServerOptions, RunOptions {
  store: SecretStore;
  project?: string | undefined;
  /** Every project with a stored `stemedb-key-<project>`, except those off-boarded. */
  all?: boolean | undefined;
  /** How long the replaced key stays live (`--grace`); 0 revokes it at once. @default DEFAULT_GRACE_MS (2 h) */
  graceMs?: number | undefined;
  /** @default DEFAULT_CONCURRENCY (16) */
  concurrency?: number | undefined;
  onProgress?: ((done: number, total: number, failed: number) => void) | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Once aborted (the CLI's first Ctrl-C or SIGTERM), no new project is started; those in
   * flight finish, and the result lists the rest in `interrupted`.
   */
  stop?: AbortSignal | undefined;
  /**
   * The most projects whose live keys the store does not hold a run may revoke (`--max-revoke`):
   * rotate revokes every such key of a project first, so a store that is not this server's would
   * revoke another store's working keys. @default DEFAULT_MAX_REVOKE (3)
   */
  maxRevoke?: number | undefined;
  /** Skip the `maxRevoke` check (`--allow-mass-revoke`). @default false */
  allowMassRevoke?: boolean | undefined;
}

const schema = z.strictObject({
  url: fields.url,
  adminKey: fields.adminKey,
  client: fields.client,
  store: fields.store,
  project: z.string().optional(),
  all: z.boolean().optional(),
  graceMs: fields.graceMs,
  concurrency: fields.concurrency,
  onProgress: fields.fn.optional(),
  signal: fields.signal,
  stop: fields.signal,
  maxRevoke: fields.maxRevoke,
  allowMassRevoke: z.boolean().optional(),
  ...runFields,
});

/**
 * Rotates the key of one project or of all. Every rotated project's action is `replaced`;
 * failures are reported per project, never thrown.
 *
 * @throws AdminError `project_not_found` when the project has neither a stored secret nor a
 *   live key; `lease_held` when another run holds the store's lease past `lockTimeoutMs`;
 *   `mass_revoke_refused` when it would revoke live keys the store does not hold for more than
 *   `maxRevoke` projects (nothing is changed)
 */
export async function rotate(options: RotateOptions): Promise<ProvisionResult> {
  const o = parseOptions(schema, options, 'rotate');
  if ((o.project === undefined) === (o.all !== true)) {
    throw new AdminError({ code: 'invalid_options', message: 'rotate: give one project or --all' });
  }
  const client = openClient(o.url, o.adminKey, o.client as ClientOptions | undefined);
  const now = (o.now as (() => Date) | undefined) ?? (() => new Date());
  const lease = {
    command: 'rotate',
    lockTimeoutMs: o.lockTimeoutMs,
    onWait: o.onLeaseWait,
    leaseDurationMs: o.leaseDurationMs,
    signal: o.signal,
    stop: o.stop,
    now,
  };
  try {
    return await withCheckedRunLease(o.store, ['read', 'write'], lease, async (signal) => {
      const ctx = {
        admin: client.admin,
        store: o.store,
        concurrency: o.concurrency ?? DEFAULT_CONCURRENCY,
        signal,
        now,
        graceMs: o.graceMs,
        leaseDurationMs: o.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS,
        onProgress: o.onProgress as RotateOptions['onProgress'],
        stop: o.stop,
      };
      let projects: string[];
      if (o.project !== undefined) {
        const project = checkProjectName(o.project);
        const keys = await readServerKeys(client.admin, signal);
        const stored = await o.store
          .readLatest(projectKeySecret(project), { signal })
          .catch((e) => {
            throw storeFailure(e, `reading ${projectKeySecret(project)}`);
          });
        if (stored === undefined && !keys.liveByLabel.has(projectKeyLabel(project))) {
          throw new AdminError({
            code: 'project_not_found',
            message: `rotate: project ${project} has no stored key and no live key; provision it first`,
          });
        }
        projects = [project];
      } else {
        const names = await o.store.list(PROJECT_KEY_SECRET_PREFIX, { signal }).catch((e) => {
          throw storeFailure(e, 'listing the stored project keys');
        });
        const gone = await offboardedProjects(o.store, signal);
        projects = names
          .map((n) => n.slice(PROJECT_KEY_SECRET_PREFIX.length))
          .filter((p) => !gone.has(p));
      }
      const plan = await computePlan(ctx, projects, 'rotate');
      checkMassRevoke('rotate', plan, {
        maxRevoke: o.maxRevoke,
        allowMassRevoke: o.allowMassRevoke,
      });
      return executePlan(ctx, plan);
    });
  } finally {
    await client.close();
  }
}
