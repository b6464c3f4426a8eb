/**
 * The `k8s:` store's preflight: one `SelfSubjectAccessReview` (authorization.k8s.io/v1) per
 * RBAC verb the command's requests need on Secrets in the store's namespace. The API server
 * answers each from the caller's own RBAC, so nothing is written to find out; `create` on
 * `selfsubjectaccessreviews` is granted to every authenticated user by the default
 * `system:basic-user` ClusterRole.
 */
import type { V1SelfSubjectAccessReview } from '@kubernetes/client-node';
import { preflightDenied } from './preflight.js';
import type { StoreOperation } from './types.js';

/** The verbs each operation needs on Secrets (see the Role in docs/stores.md). */
export const K8S_PREFLIGHT_VERBS: Readonly<Record<StoreOperation, readonly string[]>> =
  Object.freeze({
    read: ['get'],
    write: ['get', 'create', 'patch'],
    delete: ['delete'],
  });

/** The review asking whether the caller may `verb` Secrets in `namespace`. */
export function secretsAccessReview(namespace: string, verb: string): V1SelfSubjectAccessReview {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { namespace, verb, group: '', resource: 'secrets' } },
  };
}

/**
 * Rejects with `permission_denied` naming the verbs the credentials lack; `allowed(verb)` sends
 * one review (k8s.ts's retried, error-mapped request).
 */
export async function k8sPreflight(
  namespace: string,
  operations: readonly StoreOperation[],
  allowed: (verb: string) => Promise<boolean>,
): Promise<void> {
  const verbs = [...new Set(operations.flatMap((op) => K8S_PREFLIGHT_VERBS[op]))];
  const answers = await Promise.all(verbs.map((verb) => allowed(verb)));
  const missing = verbs.filter((_, i) => answers[i] !== true);
  if (missing.length > 0) {
    throw preflightDenied(
      'k8s',
      `Kubernetes namespace ${namespace}`,
      missing.map((verb) => `${verb} on secrets`),
      'Bind the Role in docs/stores.md to the identity stemedb-admin runs as.',
    );
  }
}
