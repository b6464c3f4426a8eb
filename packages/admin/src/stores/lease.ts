/**
 * The run lease over a {@link LeaseCell}: one algorithm for every store. A lease is free when
 * there is no record, when the record expired (`renewedAt + durationMs` has passed: its run
 * crashed or stalled), or when its holder is a process of this host that no longer runs (a
 * crash here need not wait out the lease). Every change is a compare-and-swap on the cell, so
 * of two runs claiming at once exactly one wins.
 */
import { hostname } from 'node:os';
import { SecretStoreError, type SecretStoreKind } from './errors.js';
import { isProcessAlive } from './file-io.js';
import type { LeaseCell } from './lease-cell.js';
import type {
  LeaseAttempt,
  LeaseHolder,
  LeaseOptions,
  LeaseRecord,
  StoreLease,
} from './lease-types.js';

/** When `record` expires, in epoch milliseconds. */
export function leaseExpiry(record: LeaseRecord): number {
  return Date.parse(record.renewedAt) + record.durationMs;
}

/** Whether a run other than `me` may take over `record` at `now`. */
export function leaseIsFree(record: LeaseRecord, me: LeaseHolder, now: Date): boolean {
  if (record.holder.id === me.id) return true;
  if (!(leaseExpiry(record) > now.getTime())) return true;
  // Same host, process gone: it crashed (pid reuse makes this conservative, never unsafe).
  return record.holder.host === hostname() && !isProcessAlive(record.holder.pid);
}

/** One attempt to take the lease kept in `cell` (see {@link SecretStoreLeases.acquireLease}). */
export async function acquireLeaseIn(
  cell: LeaseCell,
  options: LeaseOptions,
  store: SecretStoreKind,
): Promise<LeaseAttempt> {
  const now = options.now ?? (() => new Date());
  const { holder, durationMs, signal } = options;
  const fresh = (): LeaseRecord => ({ holder, renewedAt: now().toISOString(), durationMs });
  const seen = await cell.read(signal);
  let token: string | undefined;
  if (seen === undefined) token = await cell.create(fresh(), signal);
  else if (leaseIsFree(seen.record, holder, now())) {
    token = await cell.replace(fresh(), seen.token, signal);
  }
  if (token === undefined) {
    // Lost a race or held: report whoever holds it now.
    const now2 = await cell.read(signal);
    if (now2 === undefined || now2.record.holder.id === holder.id) {
      return acquireLeaseIn(cell, options, store);
    }
    return {
      acquired: false,
      holder: now2.record.holder,
      expiresAt: new Date(leaseExpiry(now2.record)).toISOString(),
    };
  }
  return { acquired: true, lease: heldLease(cell, options, store, token) };
}

function heldLease(
  cell: LeaseCell,
  options: LeaseOptions,
  store: SecretStoreKind,
  first: string,
): StoreLease {
  const now = options.now ?? (() => new Date());
  const { holder, durationMs } = options;
  let token = first;
  let released: Promise<void> | undefined;
  async function swap(renewedAt: string): Promise<boolean> {
    const record: LeaseRecord = { holder, renewedAt, durationMs };
    const next = await cell.replace(record, token, options.signal);
    if (next !== undefined) {
      token = next;
      return true;
    }
    // Our token is stale: still ours (an earlier write of ours that reported failure), or lost.
    const seen = await cell.read(options.signal);
    if (seen?.record.holder.id !== holder.id) return false;
    token = seen.token;
    const retried = await cell.replace(record, token, options.signal);
    if (retried === undefined) return false;
    token = retried;
    return true;
  }
  return {
    holder,
    async renew() {
      if (released !== undefined || !(await swap(now().toISOString()))) {
        throw new SecretStoreError({
          code: 'lease_lost',
          store,
          message: `The run lease of the ${store} store was taken over by another run (this run stalled past its expiry)`,
        });
      }
    },
    release() {
      // Expired at once rather than deleted: a replace is the one conditional write every
      // store's cell has, and the record still tells who held the lease last.
      released ??= swap(new Date(0).toISOString()).then(
        () => undefined,
        () => undefined,
      );
      return released;
    },
  };
}
