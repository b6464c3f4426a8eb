/**
 * `revoke <project>`: off-boarding. Revokes every live key labelled `project-<name>`, then
 * deletes `stemedb-key-<name>` from the store (in that order: a crash in between leaves a dead
 * stored key, which `list` shows, rather than a live key that nothing lists).
 */
import { z } from 'zod';
import { AdminError } from '../errors.js';
import { checkProjectName } from '../projects-file.js';
import { projectKeyLabel, projectKeySecret } from '../stores/names.js';
import type { SecretStore, StoreOperation } from '../stores/types.js';
import {
  type ClientOptions,
  fields,
  openClient,
  parseOptions,
  type RunOptions,
  runFields,
  type ServerOptions,
  storeFailure,
} from './context.js';
import { markOffboarded, offboardedSecret } from './offboarded.js';
import { reconcileProject } from './reconcile.js';
import { retiringSecret } from './retiring.js';
import { revokeKeys } from './revoke-keys.js';
import { withCheckedRunLease } from './run-lease.js';
import { readServerKeys } from './server-keys.js';

/** Options of {@link revoke}. */
export interface RevokeOptions extends ServerOptions, RunOptions {
  store: SecretStore;
  project: string;
  /**
   * Keep the stored secret (revoke on the server only), and mark the project off-boarded so
   * that `rotate --all` skips it. @default false
   */
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
  ...runFields,
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
  const client = openClient(o.url, o.adminKey, o.client as ClientOptions | undefined);
  const now = (o.now as (() => Date) | undefined) ?? (() => new Date());
  const lease = {
    command: 'revoke',
    lockTimeoutMs: o.lockTimeoutMs,
    onWait: o.onLeaseWait,
    leaseDurationMs: o.leaseDurationMs,
    signal: o.signal,
    now,
  };
  try {
    // Revoking first and then failing to write the store would leave a dead key stored: check
    // the permission the run needs (marking the secret, or deleting it) before anything changes.
    const operations: StoreOperation[] =
      o.keepSecret === true ? ['read', 'write'] : ['read', 'delete'];
    return await withCheckedRunLease(o.store, operations, lease, async (signal) => {
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
      const observed = {
        project,
        intent: 'offboard' as const,
        stored: { kind: 'unread' as const },
      };
      const decision = reconcileProject(
        {
          ...observed,
          live: live.map((k) => ({ hash: k.hash, role: k.role, createdAt: k.created_at })),
        },
        now(),
        { graceMs: 0, leaseMs: 0 },
      );
      const revoked = (
        await revokeKeys(client.admin, decision.revoke, signal, projectKeyLabel(project))
      ).length;
      if (o.keepSecret === true) await markOffboarded(o.store, project, now(), signal);
      let secretDeleted = false;
      if (stored && o.keepSecret !== true) {
        await o.store.delete(secret, { signal }).catch((e) => {
          throw storeFailure(e, `deleting ${secret}`);
        });
        secretDeleted = true;
      }
      if (o.keepSecret !== true) {
        for (const extra of [offboardedSecret(project), retiringSecret(project)]) {
          await o.store.delete(extra, { signal }).catch((e) => {
            throw storeFailure(e, `deleting ${extra}`);
          });
        }
      }
      return { project, revoked, secretDeleted };
    });
  } finally {
    await client.close();
  }
}
