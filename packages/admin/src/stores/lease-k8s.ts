/**
 * The k8s: store's lease cell: a `coordination.k8s.io/v1` Lease (`stemedb-admin-lease` in the
 * store's namespace), the object Kubernetes' own leader election uses. The record maps onto the
 * Lease's fields (holderIdentity, acquireTime, renewTime, leaseDurationSeconds) so `kubectl get
 * lease` shows who holds it; host, pid and command ride in an annotation. Replace carries the
 * resourceVersion read, so the API server refuses a stale one with 409: the compare-and-swap.
 */
import type { V1Lease } from '@kubernetes/client-node';
import type { K8sClient, K8sRequestOptions } from './k8s-connection.js';
import type { CellRead, LeaseCell } from './lease-cell.js';
import type { LeaseRecord } from './lease-types.js';

/** The Lease's name. */
export const K8S_LEASE_NAME = 'stemedb-admin-lease';
const HOLDER_ANNOTATION = 'stemedb.dev/lease-holder';

/** Runs one Lease request through the store's retry loop (k8s.ts). */
export type K8sLeaseCall = <T>(
  operation: string,
  signal: AbortSignal | undefined,
  attempt: (client: K8sClient, options: K8sRequestOptions) => Promise<T>,
) => Promise<T>;

/** The lease cell of the k8s: store in `namespace`. */
export function k8sLeaseCell(
  namespace: string,
  call: K8sLeaseCall,
  isStatus: (error: unknown, status: number) => boolean,
): LeaseCell {
  const name = K8S_LEASE_NAME;
  const body = (record: LeaseRecord, resourceVersion?: string): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      labels: { 'app.kubernetes.io/managed-by': 'stemedb-admin' },
      annotations: {
        [HOLDER_ANNOTATION]: JSON.stringify({
          host: record.holder.host,
          pid: record.holder.pid,
          command: record.holder.command,
        }),
      },
    },
    spec: {
      holderIdentity: record.holder.id,
      acquireTime: new Date(record.holder.since),
      renewTime: new Date(record.renewedAt),
      leaseDurationSeconds: Math.ceil(record.durationMs / 1000),
    },
  });
  const parse = (lease: V1Lease): CellRead | undefined => {
    const spec = lease.spec;
    const token = lease.metadata?.resourceVersion;
    if (spec?.holderIdentity === undefined || token === undefined) return undefined;
    let extra: { host?: string; pid?: number; command?: string } = {};
    try {
      extra = JSON.parse(lease.metadata?.annotations?.[HOLDER_ANNOTATION] ?? '{}');
    } catch {
      // A Lease edited by hand: the holder is still its identity.
    }
    const iso = (v: unknown) => new Date(v as string | Date).toISOString();
    return {
      token,
      record: {
        holder: {
          id: spec.holderIdentity,
          host: extra.host ?? 'unknown host',
          pid: extra.pid ?? 0,
          since: spec.acquireTime === undefined ? iso(0) : iso(spec.acquireTime),
          command: extra.command,
        },
        renewedAt: spec.renewTime === undefined ? iso(0) : iso(spec.renewTime),
        durationMs: (spec.leaseDurationSeconds ?? 0) * 1000,
      },
    };
  };
  return {
    async read(signal) {
      try {
        const lease = await call('readLease', signal, (c, o) =>
          c.coordination.readNamespacedLease({ name, namespace }, o),
        );
        // A Lease with no holder (released by another tool) is as good as none: take it over.
        return parse(lease) ?? { token: lease.metadata?.resourceVersion ?? '', record: freeRecord };
      } catch (error) {
        if (isStatus(error, 404)) return undefined;
        throw error;
      }
    },
    async create(record, signal) {
      try {
        const made = await call('createLease', signal, (c, o) =>
          c.coordination.createNamespacedLease({ namespace, body: body(record) }, o),
        );
        return made.metadata?.resourceVersion ?? '';
      } catch (error) {
        if (isStatus(error, 409)) return undefined;
        throw error;
      }
    },
    async replace(record, token, signal) {
      try {
        const made = await call('replaceLease', signal, (c, o) =>
          c.coordination.replaceNamespacedLease({ name, namespace, body: body(record, token) }, o),
        );
        return made.metadata?.resourceVersion ?? '';
      } catch (error) {
        if (isStatus(error, 409) || isStatus(error, 404)) return undefined;
        throw error;
      }
    },
  };
}

const freeRecord: LeaseRecord = {
  holder: { id: '', host: 'nobody', pid: 0, since: new Date(0).toISOString() },
  renewedAt: new Date(0).toISOString(),
  durationMs: 0,
};
