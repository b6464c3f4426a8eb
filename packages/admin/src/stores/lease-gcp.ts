/**
 * The gcp: store's lease cell: a secret with no versions, `stemedb-admin-lease`, whose
 * annotation `stemedb-admin-lease` holds the record. Secret Manager gives every secret an etag
 * that changes with each update, and UpdateSecret with an etag fails (ABORTED) when the secret
 * changed meanwhile: that is the compare-and-swap. Expiry is the record's own `renewedAt +
 * durationMs` rather than the secret's `expire_time` (which deletes the secret): a deleted
 * lease secret would let a stalled holder's next renew recreate it over a newer holder.
 */
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { isGrpcStatus } from './gcp-retry.js';
import type { CellRead, LeaseCell } from './lease-cell.js';
import type { LeaseRecord } from './lease-types.js';

/** The lease secret's name (and the annotation's key). */
export const GCP_LEASE_SECRET = 'stemedb-admin-lease';

/** Runs one Secret Manager call through the store's retry loop (gcp.ts). */
export type GcpLeaseCall = <T>(
  operation: string,
  signal: AbortSignal | undefined,
  attempt: (client: SecretManagerServiceClient) => Promise<T>,
) => Promise<T>;

/** The lease cell of the gcp: store of `parent` (`projects/<project>`). */
export function gcpLeaseCell(parent: string, call: GcpLeaseCall, timeout: number): LeaseCell {
  const name = `${parent}/secrets/${GCP_LEASE_SECRET}`;
  // A new object per call: gax writes each call's routing header into it (see gcp.ts).
  const options = () => ({ retry: null, timeout });
  const annotations = (record: LeaseRecord) => ({ [GCP_LEASE_SECRET]: JSON.stringify(record) });
  const parse = (secret: { etag?: string | null; annotations?: Record<string, string> | null }) => {
    const text = secret.annotations?.[GCP_LEASE_SECRET];
    const token = secret.etag ?? '';
    try {
      const record = JSON.parse(text ?? '') as LeaseRecord;
      if (typeof record.holder?.id === 'string') return { token, record } satisfies CellRead;
    } catch {
      // No record (made by hand, or emptied): free, take it over.
    }
    return { token, record: FREE } satisfies CellRead;
  };
  return {
    async read(signal) {
      try {
        const [secret] = await call('readLease', signal, (c) => c.getSecret({ name }, options()));
        return parse(secret);
      } catch (error) {
        if (isGrpcStatus(error, 'NOT_FOUND')) return undefined;
        throw error;
      }
    },
    async create(record, signal) {
      try {
        const [secret] = await call('createLease', signal, (c) =>
          c.createSecret(
            {
              parent,
              secretId: GCP_LEASE_SECRET,
              secret: { replication: { automatic: {} }, annotations: annotations(record) },
            },
            options(),
          ),
        );
        return secret.etag ?? '';
      } catch (error) {
        if (isGrpcStatus(error, 'ALREADY_EXISTS')) return undefined;
        throw error;
      }
    },
    async replace(record, token, signal) {
      try {
        const [secret] = await call('replaceLease', signal, (c) =>
          c.updateSecret(
            {
              secret: { name, etag: token, annotations: annotations(record) },
              updateMask: { paths: ['annotations'] },
            },
            options(),
          ),
        );
        return secret.etag ?? '';
      } catch (error) {
        // ABORTED: the etag is stale (another run changed it); NOT_FOUND: deleted by hand.
        if (
          isGrpcStatus(error, 'ABORTED') ||
          isGrpcStatus(error, 'FAILED_PRECONDITION') ||
          isGrpcStatus(error, 'NOT_FOUND')
        ) {
          return undefined;
        }
        throw error;
      }
    },
  };
}

const FREE: LeaseRecord = {
  holder: { id: '', host: 'nobody', pid: 0, since: new Date(0).toISOString() },
  renewedAt: new Date(0).toISOString(),
  durationMs: 0,
};
