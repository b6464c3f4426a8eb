/**
 * `revoke <project>`: off-boarding. Revokes every live key labelled `project-<name>`, then
 * deletes `stemedb-key-<name>` from the store (in that order: a crash in between leaves a dead
 * stored key, which `list` shows, rather than a live key that nothing lists).
 */
import { StemeNotFoundError } from '@stemedb/sdk';
import { z } from 'zod';
import { AdminError } from '../errors.js';
import { checkProjectName } from '../projects-file.js';
import { projectKeyLabel, projectKeySecret } from '../stores/names.js';
import type { SecretStore } from '../stores/types.js';
import {
  type ClientOptions,
  fields,
  openClient,
  parseOptions,
  type ServerOptions,
  serverFailure,
  storeFailure,
} from './context.js';
import { preflightStore } from './preflight.js';
import { readServerKeys } from './server-keys.js';

/** Options of {@link revoke}. */
export interface RevokeOptions extends ServerOptions {
  store: SecretStore;
  project: string;
  /** Keep the stored secret (revoke on the server only). @default false */
  keepSecret?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

/** What revoke did. */
export interface RevokeResult {
  project: string;
  /** How many live keys of the label were revoked. */
  revoked: number;
  /** Whether a stored secret was deleted. */
  secretDeleted: boolean;
}

const schema = z.strictObject({
  url: fields.url,
  adminKey: fields.adminKey,
  client: fields.client,
  store: fields.store,
  project: z.string(),
  keepSecret: z.boolean().optional(),
  signal: fields.signal,
});

/**
 * Revokes the project's keys and deletes its stored secret.
 *
 * @throws AdminError `project_not_found` when there is neither a live key nor a stored secret
 */
export async function revoke(options: RevokeOptions): Promise<RevokeResult> {
  const o = parseOptions(schema, options, 'revoke');
  const project = checkProjectName(o.project);
  const secret = projectKeySecret(project);
  const signal = o.signal;
  const client = openClient(o.url, o.adminKey, o.client as ClientOptions | undefined);
  try {
    // Revoking first and then failing to delete would leave a dead key stored.
    if (o.keepSecret !== true) await preflightStore(o.store, ['read', 'delete'], signal);
    const keys = await readServerKeys(client.admin, signal);
    const live = keys.liveByLabel.get(projectKeyLabel(project)) ?? [];
    const stored = await o.store.list(secret, { signal }).then(
      (names) => names.includes(secret),
      (e) => {
        throw storeFailure(e, `listing ${secret}`);
      },
    );
    if (live.length === 0 && !stored) {
      throw new AdminError({
        code: 'project_not_found',
        message: `revoke: project ${project} has no live key and no stored secret`,
      });
    }
    let revoked = 0;
    for (const key of live) {
      try {
        await client.admin.revokeApiKey(key.hash, { signal });
        revoked += 1;
      } catch (error) {
        if (error instanceof StemeNotFoundError) continue;
        throw serverFailure(
          error,
          `revoking key ${key.hash.slice(0, 12)}… of ${projectKeyLabel(project)}`,
        );
      }
    }
    let secretDeleted = false;
    if (stored && o.keepSecret !== true) {
      await o.store.delete(secret, { signal }).catch((e) => {
        throw storeFailure(e, `deleting ${secret}`);
      });
      secretDeleted = true;
    }
    return { project, revoked, secretDeleted };
  } finally {
    await client.close();
  }
}
