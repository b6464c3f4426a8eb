/**
 * How the `k8s:` store lays a secret's versions out in one Kubernetes Secret (a Secret has no
 * versions of its own). The choice, and why:
 *
 * - `data.value`: the latest value. This is the key a Deployment's `secretKeyRef`, an
 *   ExternalSecret or `kubectl get secret … -o jsonpath='{.data.value}'` reads, so consumers
 *   never need to know about versions.
 * - `data.version-<n>`: every kept version's value (the latest included), so that a rotation
 *   keeps the previous key readable for a rollback.
 * - annotation `stemedb.io/versions`: the kept versions' ids and times as JSON, oldest first
 *   (annotations are not secret, so they hold no value).
 * - label `app.kubernetes.io/managed-by: stemedb-admin`: what `list` selects on.
 *
 * At most `maxVersions` versions are kept (oldest dropped first); ids keep increasing, since the
 * next id is one more than the newest kept. A whole rewrite is one PUT with the Secret's
 * `resourceVersion` as precondition, so concurrent writers never lose a version silently.
 * A Secret made by something else (say `kubectl create secret generic … --from-literal=value=…`)
 * reads as one version, `1`, and is adopted by the first write.
 */
import type { V1Secret } from '@kubernetes/client-node';

/** The data key holding the latest value. */
export const VALUE_KEY = 'value';
/** The annotation listing the kept versions. */
export const VERSIONS_ANNOTATION = 'stemedb.io/versions';
/** The label every Secret this store writes carries. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Its value. */
export const MANAGED_BY = 'stemedb-admin';
/** How many versions a Secret keeps by default. */
export const DEFAULT_MAX_VERSIONS = 10;

const VERSION_KEY_PREFIX = 'version-';

/** One kept version (no value). */
export interface KeptVersion {
  readonly version: string;
  readonly createdAt: string | undefined;
}

/** What a Secret holds, decoded. */
export interface DecodedSecret {
  /** The latest value and its id; undefined when the Secret has no `value`. */
  readonly latest: { value: string; version: string } | undefined;
  /** The kept versions, oldest first. */
  readonly versions: KeptVersion[];
}

/** Decodes a Secret read from the API. */
export function decodeSecret(secret: V1Secret): DecodedSecret {
  const data = secret.data ?? {};
  const encoded = data[VALUE_KEY];
  const value = encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
  let versions = parseVersions(secret.metadata?.annotations?.[VERSIONS_ANNOTATION]);
  if (versions.length === 0 && value !== undefined && value !== '') {
    versions = [{ version: '1', createdAt: isoOf(secret.metadata?.creationTimestamp) }];
  }
  const newest = versions.at(-1);
  return {
    latest:
      value === undefined || value === '' || newest === undefined
        ? undefined
        : { value, version: newest.version },
    versions,
  };
}

/**
 * The body that adds `value` as a new version: a fresh Secret when `current` is undefined,
 * else `current` rewritten, with its `resourceVersion` as the PUT's precondition. Data keys and
 * labels this store does not own are kept.
 */
export function secretWithNewVersion(
  name: string,
  current: V1Secret | undefined,
  value: string,
  now: Date,
  maxVersions: number,
): { body: V1Secret; version: string } {
  const decoded =
    current === undefined ? { latest: undefined, versions: [] } : decodeSecret(current);
  const data: Record<string, string> = { ...(current?.data ?? {}) };
  const kept = [...decoded.versions];
  // An adopted Secret's value becomes version 1 in full, so that it survives as a version.
  if (decoded.latest !== undefined && data[versionKey(decoded.latest.version)] === undefined) {
    data[versionKey(decoded.latest.version)] = data[VALUE_KEY] ?? '';
  }
  const version = String(Number(kept.at(-1)?.version ?? '0') + 1);
  kept.push({ version, createdAt: now.toISOString() });
  while (kept.length > maxVersions) {
    const dropped = kept.shift();
    if (dropped !== undefined) delete data[versionKey(dropped.version)];
  }
  const encoded = Buffer.from(value, 'utf8').toString('base64');
  data[VALUE_KEY] = encoded;
  data[versionKey(version)] = encoded;
  const body: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: current?.type ?? 'Opaque',
    metadata: {
      name,
      ...(current?.metadata?.resourceVersion === undefined
        ? {}
        : { resourceVersion: current.metadata.resourceVersion }),
      labels: { ...(current?.metadata?.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY },
      annotations: {
        ...(current?.metadata?.annotations ?? {}),
        [VERSIONS_ANNOTATION]: JSON.stringify(kept),
      },
    },
    data,
  };
  return { body, version };
}

function versionKey(version: string): string {
  return `${VERSION_KEY_PREFIX}${version}`;
}

// Someone may have edited the annotation by hand: anything that is not a list of increasing
// decimal ids is ignored (the Secret then reads as an adopted one).
function parseVersions(text: string | undefined): KeptVersion[] {
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: KeptVersion[] = [];
  for (const item of parsed) {
    const version = (item as { version?: unknown })?.version;
    const createdAt = (item as { createdAt?: unknown })?.createdAt;
    if (typeof version !== 'string' || !/^[1-9][0-9]*$/.test(version)) return [];
    if (out.length > 0 && Number(version) <= Number(out.at(-1)?.version)) return [];
    out.push({ version, createdAt: typeof createdAt === 'string' ? createdAt : undefined });
  }
  return out;
}

function isoOf(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : undefined;
}
