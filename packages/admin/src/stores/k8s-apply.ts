/**
 * What the `k8s:` store sends as a server-side apply (`PATCH` with
 * `application/apply-patch+yaml`, `fieldManager=stemedb-admin`, `force=true`): only the fields
 * it owns (its label, its versions annotation, `value` and the `version-<n>` keys), so that the
 * API server keeps everything else another manager set (labels, ownerReferences, finalizers,
 * other data keys), which a PUT of the whole object dropped. `metadata.resourceVersion` rides
 * along as a precondition, so a concurrent change is still a 409 and the write is redone.
 */
import type { V1Secret } from '@kubernetes/client-node';
import {
  MANAGED_BY,
  MANAGED_BY_LABEL,
  secretWithNewVersion,
  VERSIONS_ANNOTATION,
} from './k8s-format.js';

/** The field manager of every write, as `kubectl get secret --show-managed-fields` shows it. */
export const K8S_FIELD_MANAGER = 'stemedb-admin';

// The data keys this store writes; any other key belongs to someone else.
const OWN_DATA_KEY = /^(value|version-[1-9][0-9]*)$/;

/** True when the Secret carries the label this store sets on everything it writes. */
export function isManagedSecret(secret: V1Secret): boolean {
  return secret.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
}

/** The apply configuration adding `value` as a new version of `current`. */
export function applyConfiguration(
  name: string,
  current: V1Secret,
  value: string,
  now: Date,
  maxVersions: number,
): { body: V1Secret; version: string } {
  const { body, version } = secretWithNewVersion(name, current, value, now, maxVersions);
  const data = Object.fromEntries(
    Object.entries(body.data ?? {}).filter(([key]) => OWN_DATA_KEY.test(key)),
  );
  const resourceVersion = current.metadata?.resourceVersion;
  return {
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      // Named, so that it stays owned: an apply that stops naming a field it owned drops it.
      type: current.type ?? 'Opaque',
      metadata: {
        name,
        ...(resourceVersion === undefined ? {} : { resourceVersion }),
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
        annotations: {
          [VERSIONS_ANNOTATION]: body.metadata?.annotations?.[VERSIONS_ANNOTATION] ?? '[]',
        },
      },
      data,
    },
    version,
  };
}
