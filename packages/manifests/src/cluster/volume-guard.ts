/**
 * The one change apply must not make silently: pointing the server at other claims. Changing
 * `storage.volumes.layout` or a claim name on a live deployment makes the rendered Deployment
 * mount new, empty volumes; the data stays on the old claims and the server starts empty.
 * diff and apply compare the claims of each rendered Deployment with the live one's and refuse
 * unless the caller allows it.
 */
import { type KubeObject, objectRef } from '../types.js';
import { ClusterError } from './errors.js';

/** The PVC names a Deployment's pod template mounts, sorted. */
export function claimsOf(deployment: KubeObject): string[] {
  const spec = deployment.spec as
    | { template?: { spec?: { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } } }
    | undefined;
  const names = (spec?.template?.spec?.volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : [],
  );
  return [...new Set(names)].sort();
}

/**
 * A ClusterError when `rendered` would move a live Deployment to other claims, else undefined.
 * A Deployment that does not exist yet, or mounts the same claims, moves nothing.
 */
export function volumeChangeError(
  rendered: KubeObject,
  live: KubeObject | undefined,
): ClusterError | undefined {
  if (!live) return undefined;
  const before = claimsOf(live);
  const after = claimsOf(rendered);
  if (before.join('\n') === after.join('\n')) return undefined;
  const ref = objectRef(rendered);
  const list = (names: string[]) => names.join(', ') || 'none';
  return new ClusterError(
    'cluster/volume-change',
    `${ref}: would move the server from claims ${list(before)} to ${list(after)}, which do not hold its data; nothing was applied. Keep storage.volumes as deployed, copy the data over first (docs/restore.md), or pass --allow-volume-change (allowVolumeChange) if the new claims already hold it`,
    { object: ref },
  );
}

/**
 * A ClusterError when a prune would delete a PersistentVolumeClaim, else undefined. A pruned
 * claim is one the config stopped rendering, most often after a layout or claim-name change:
 * the data is still on it, and with reclaimPolicy Delete its volume goes with it. So a claim is
 * never pruned silently, only with `allowVolumeChange`, as a move to other claims is.
 */
export function pruneVolumeError(doomed: readonly KubeObject[]): ClusterError | undefined {
  const claims = doomed.filter((o) => o.kind === 'PersistentVolumeClaim').map(objectRef);
  if (claims.length === 0) return undefined;
  return new ClusterError(
    'cluster/prune-volume',
    `refusing to prune ${claims.join(', ')}: the config no longer renders ${claims.length === 1 ? 'this claim' : 'these claims'}, but deleting a claim may delete its volume and the data on it; nothing was applied. Keep it in the config (storage.volumes), or copy the data off and pass --allow-volume-change (allowVolumeChange) to delete it`,
    { object: claims[0] },
  );
}
