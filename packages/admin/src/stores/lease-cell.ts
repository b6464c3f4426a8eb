/**
 * The one place a store keeps its lease record: read it with a version token, create it when
 * absent, replace it only when the token still matches (a compare-and-swap). Each store builds
 * a cell from what it already has (a Map, a file under the file lock, a Kubernetes Lease with
 * its resourceVersion, a Secret Manager secret with its etag); lease.ts builds the lease on it.
 */
import type { LeaseRecord } from './lease-types.js';

/** A record and the token that makes the next replace conditional on it. */
export interface CellRead {
  readonly record: LeaseRecord;
  readonly token: string;
}

/** An atomic cell holding one lease record. */
export interface LeaseCell {
  /** The record, or `undefined` when there is none yet. */
  read(signal?: AbortSignal): Promise<CellRead | undefined>;
  /** Creates it; the new token, or `undefined` when one exists already. */
  create(record: LeaseRecord, signal?: AbortSignal): Promise<string | undefined>;
  /** Replaces it when `token` is still current; the new token, or `undefined` when it is not. */
  replace(record: LeaseRecord, token: string, signal?: AbortSignal): Promise<string | undefined>;
}

/** A cell in process memory (the `memory:` store, and the tests). */
export function memoryLeaseCell(): LeaseCell {
  let current: CellRead | undefined;
  let counter = 0;
  const next = (record: LeaseRecord) => {
    counter += 1;
    current = { record, token: String(counter) };
    return current.token;
  };
  return {
    async read() {
      return current;
    },
    async create(record) {
      return current === undefined ? next(record) : undefined;
    },
    async replace(record, token) {
      return current?.token === token ? next(record) : undefined;
    },
  };
}
