/**
 * What `apply` and `diff` share: their common options and one client per run, with the way its
 * errors become ClusterErrors that name the API server (never its credentials).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../types.js';
import type { ApplySetRef } from './applyset.js';
import { type FieldValidation, ServerSideApplyClient } from './client.js';
import { ClusterError, toClusterError } from './errors.js';
import { loadKubeConfig } from './kubeconfig.js';
import { pruneVolumeError, volumeChangeError } from './volume-guard.js';

/** The field manager our applies own fields as. */
export const DEFAULT_FIELD_MANAGER = 'stemedb-manifests';

/** Per-request timeout. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface ClusterOptions {
  /** The cluster to talk to. @default loadKubeConfig(): KUBECONFIG, ~/.kube/config, in-cluster */
  kubeConfig?: KubeConfig;
  /** @default 'stemedb-manifests' */
  fieldManager?: string;
  /**
   * Take over fields another manager owns instead of failing with a 409 conflict
   * (`kubectl apply --server-side --force-conflicts`). @default false
   */
  force?: boolean;
  /** How the server treats fields it does not know. @default 'Strict' (a 400), as kubectl does */
  fieldValidation?: FieldValidation;
  /** @default 30_000 */
  timeoutMs?: number;
  /**
   * Apply (or diff) even when a rendered Deployment mounts other claims than the live one,
   * which points the server at volumes that may not hold its data. @default false
   */
  allowVolumeChange?: boolean;
  /**
   * The ApplySet to keep (KEP 3659): every object but a Namespace is labelled as its member and
   * the parent Secret records their group-kinds before anything is applied. Needed by `prune`.
   */
  applySet?: ApplySetRef;
  /**
   * Delete the members of `applySet` that `objects` no longer holds (diff: report them as
   * `delete`). A PersistentVolumeClaim only with `allowVolumeChange`. @default false
   */
  prune?: boolean;
}

/** A client for one run, with how to turn its errors into ClusterErrors. */
export function openSession(options: ClusterOptions) {
  const kc = options.kubeConfig ?? loadKubeConfig();
  const server = kc.getCurrentCluster()?.server;
  if (!server)
    throw new ClusterError('cluster/no-kubeconfig', 'the kubeconfig has no current cluster');
  const client = ServerSideApplyClient.forKubeConfig(kc, {
    timeoutMs: options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    fieldValidation: options.fieldValidation ?? 'Strict',
  });
  const error = (e: unknown, obj: KubeObject) => toClusterError(e, obj, server);
  return {
    client,
    fieldManager: options.fieldManager ?? DEFAULT_FIELD_MANAGER,
    error,
    /**
     * Throws `cluster/volume-change` before anything is written when a rendered Deployment
     * would mount other claims than the live one (unless `allowVolumeChange`). For apply, which
     * reads the live Deployments first; diff checks the live object it reads anyway.
     */
    guardVolume(obj: KubeObject, live: KubeObject | undefined): void {
      if (options.allowVolumeChange || obj.kind !== 'Deployment') return;
      const refused = volumeChangeError(obj, live);
      if (refused) throw refused;
    },
    /** Throws `cluster/prune-volume` when a prune would delete a claim (unless `allowVolumeChange`). */
    guardPrune(doomed: readonly KubeObject[]): void {
      if (options.allowVolumeChange) return;
      const refused = pruneVolumeError(doomed);
      if (refused) throw refused;
    },
    async guardVolumes(objects: readonly KubeObject[]): Promise<void> {
      if (options.allowVolumeChange) return;
      for (const obj of objects.filter((o) => o.kind === 'Deployment')) {
        let live: KubeObject | undefined;
        try {
          live = await client.get(obj);
        } catch (e) {
          const cause = error(e, obj);
          // A kind or namespace the cluster lacks has no live claims: the apply reports it in
          // its place, after what it depends on.
          if (cause.code === 'cluster/unknown-kind' || cause.code === 'cluster/not-found') continue;
          throw cause;
        }
        const refused = volumeChangeError(obj, live);
        if (refused) throw refused;
      }
    },
  };
}
