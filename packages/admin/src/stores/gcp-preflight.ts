/**
 * The `gcp:` store's preflight: Secret Manager's `TestIamPermissions`, asked on a secret this
 * store manages, for the permissions the command's calls need.
 *
 * TestIamPermissions exists per secret, not per project, and "if the secret does not exist,
 * this call returns an empty set of permissions, not a NOT_FOUND error" (the API reference), so
 * it is asked on a secret that exists: the first one listed with the store's label (one
 * ListSecrets call, which also proves `secretmanager.secrets.list`). A project that holds no
 * such secret yet has nothing to ask on: the check passes, and the first write is the test.
 * `secretmanager.secrets.create` is a project permission no secret can answer for.
 */
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { preflightDenied } from './preflight.js';
import type { StoreOperation } from './types.js';

/** The permissions each operation needs, as TestIamPermissions names them. */
export const GCP_PREFLIGHT_PERMISSIONS: Readonly<Record<StoreOperation, readonly string[]>> =
  Object.freeze({
    read: ['secretmanager.versions.access'],
    write: ['secretmanager.versions.add'],
    delete: ['secretmanager.secrets.delete'],
  });

/** How gcp-preflight.ts makes its two calls (gcp.ts's retried, error-mapped `call`). */
export type GcpPreflightCall = <T>(
  operation: string,
  attempt: (client: SecretManagerServiceClient) => Promise<T>,
) => Promise<T>;

/** Rejects with `permission_denied` when a permission `operations` need is missing. */
export async function gcpPreflight(
  project: string,
  filter: string,
  operations: readonly StoreOperation[],
  call: GcpPreflightCall,
  /** A new options object for each call (gax writes the routing header into it). */
  callOptions: () => object,
): Promise<void> {
  const [secrets] = await call('preflight', (c) =>
    c.listSecrets(
      { parent: `projects/${project}`, pageSize: 1, filter },
      { ...callOptions(), autoPaginate: false },
    ),
  );
  const probe = secrets[0]?.name;
  if (probe === undefined || probe === null) return;
  const wanted = [...new Set(operations.flatMap((op) => GCP_PREFLIGHT_PERMISSIONS[op]))];
  const [answer] = await call('preflight', (c) =>
    c.testIamPermissions({ resource: probe, permissions: wanted }, callOptions()),
  );
  const held = new Set(answer.permissions ?? []);
  const missing = wanted.filter((p) => !held.has(p));
  if (missing.length > 0) {
    throw preflightDenied(
      'gcp',
      `Secret Manager of project ${project}`,
      missing,
      'Grant roles/secretmanager.admin, or the custom role in docs/stores.md.',
    );
  }
}
