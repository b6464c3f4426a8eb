/**
 * What `apply` and `diff` share: their common options and one client per run, with the way its
 * errors become ClusterErrors that name the API server (never its credentials).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../types.js';
import { type FieldValidation, ServerSideApplyClient } from './client.js';
import { ClusterError, toClusterError } from './errors.js';
import { loadKubeConfig } from './kubeconfig.js';

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
  return {
    client,
    fieldManager: options.fieldManager ?? DEFAULT_FIELD_MANAGER,
    error: (error: unknown, obj: KubeObject) => toClusterError(error, obj, server),
  };
}
