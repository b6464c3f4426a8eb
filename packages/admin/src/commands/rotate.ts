/**
 * `rotate <project>|--all`: give a project a new key, in provision's safe order (create the
 * new key, store it, then revoke the old ones), so the project is never without a working
 * stored key. Not the server's rotate route: that revokes the old key before the new one is
 * stored, and a crash in between would leave the project with no working key at all.
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
  type ServerOptions,
  storeFailure,
} from './context.js';
import { preflightStore } from './preflight.js';
import { executePlan, type ProvisionResult } from './provision-apply.js';
import type { ProjectPlan } from './provision-plan.js';
import { readServerKeys } from './server-keys.js';

/** Options of {@link rotate}: one `project`, or `all` of the store's projects. */
export interface RotateOptions extends ServerOptions {
  store: SecretStore;
  project?: string | undefined;
  /** Every project with a stored `stemedb-key-<project>`. */
  all?: boolean | undefined;
  /** @default DEFAULT_CONCURRENCY (16) */
  concurrency?: number | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
  signal?: AbortSignal | undefined;
}

const schema = z.strictObject({
  url: fields.url,
  adminKey: fields.adminKey,
  client: fields.client,
  store: fields.store,
  project: z.string().optional(),
  all: z.boolean().optional(),
  concurrency: fields.concurrency,
  onProgress: fields.fn.optional(),
  signal: fields.signal,
});

/**
 * Rotates the key of one project or of all. Every rotated project's action is `replaced`;
 * failures are reported per project, never thrown.
 *
 * @throws AdminError `project_not_found` when the project has neither a stored secret nor a
 *   live key
 */
export async function rotate(options: RotateOptions): Promise<ProvisionResult> {
  const o = parseOptions(schema, options, 'rotate');
  if ((o.project === undefined) === (o.all !== true)) {
    throw new AdminError({ code: 'invalid_options', message: 'rotate: give one project or --all' });
  }
  const client = openClient(o.url, o.adminKey, o.client as ClientOptions | undefined);
  const signal = o.signal;
  try {
    await preflightStore(o.store, ['read', 'write'], signal);
    const keys = await readServerKeys(client.admin, signal);
    let projects: string[];
    if (o.project !== undefined) {
      const project = checkProjectName(o.project);
      const stored = await o.store.readLatest(projectKeySecret(project), { signal }).catch((e) => {
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
      projects = names.map((n) => n.slice(PROJECT_KEY_SECRET_PREFIX.length));
    }
    // Every live key of the label goes once the new one is stored: a forced replace.
    const plans: ProjectPlan[] = projects.map((project) => ({
      project,
      action: 'replace',
      reason: 'rotate',
      revoke: (keys.liveByLabel.get(projectKeyLabel(project)) ?? []).map((k) => k.hash),
    }));
    const ctx = {
      admin: client.admin,
      store: o.store,
      concurrency: o.concurrency ?? DEFAULT_CONCURRENCY,
      signal,
      onProgress: o.onProgress as RotateOptions['onProgress'],
    };
    const summary = { create: 0, replace: plans.length, unchanged: 0, revoke: 0, failed: 0 };
    return await executePlan(ctx, { projects: plans, summary });
  } finally {
    await client.close();
  }
}
