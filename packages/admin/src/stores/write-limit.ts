/**
 * The client-side limit on store writes (`--store-writes-per-minute`): every write request the
 * `gcp:` and `k8s:` stores send, each retry attempt included (each one counts against the
 * backend's quota), first takes a slot from a p-throttle sliding window, so that no `interval`
 * ever holds more than `writes` of them.
 *
 * Secret Manager allows 600 write requests a minute per project by default
 * (https://cloud.google.com/secret-manager/quotas); the default stays 10 % under it, so that a
 * run and a person or pipeline writing beside it do not meet RESOURCE_EXHAUSTED, and a large
 * first run takes at most 600/540 ≈ 1.11× the time the quota itself allows.
 */
import pThrottleImport from 'p-throttle';
import { z } from 'zod';
import type { SecretStoreKind } from './errors.js';
import { abortedError } from './guard.js';
import { DEFAULT_STORE_WRITES_PER_MINUTE } from './write-limit-default.js';

// p-throttle is ESM-only: the CJS build `require()`s it and gets its namespace (see limit.ts).
const pThrottle: typeof pThrottleImport =
  (pThrottleImport as unknown as { default?: typeof pThrottleImport }).default ?? pThrottleImport;

export { DEFAULT_STORE_WRITES_PER_MINUTE };

/** The write limit of a `gcp:` or `k8s:` store. */
export interface StoreWriteLimit {
  /** Write requests allowed in any `intervalMs`; 0 turns the limit off. @default 540 */
  writes: number;
  /** The window, in milliseconds. @default 60_000 */
  intervalMs?: number | undefined;
}

/** The schema of {@link StoreWriteLimit}, for the stores' option schemas. */
export const StoreWriteLimitSchema = z.strictObject({
  writes: z.number().int().min(0).max(1_000_000),
  intervalMs: z.number().int().positive().max(3_600_000).optional(),
});

/** Waits for a write slot; rejects with `aborted` when `signal` fires first. */
export type WriteSlot = (
  operation: string,
  name: string | undefined,
  signal: AbortSignal | undefined,
) => Promise<void>;

/** The slot-taker of a store with `limit` (undefined: the default). */
export function createWriteLimiter(
  limit: StoreWriteLimit | undefined,
  store: SecretStoreKind,
): WriteSlot {
  const writes = limit?.writes ?? DEFAULT_STORE_WRITES_PER_MINUTE;
  if (writes === 0) return async () => undefined;
  // strict: each call is placed in a sliding window, never `writes` at a window's end and
  // `writes` more at the next one's start (which a fixed window allows).
  const slot = pThrottle({ limit: writes, interval: limit?.intervalMs ?? 60_000, strict: true })(
    (): Promise<void> => Promise.resolve(),
  );
  return async (operation, name, signal) => {
    if (signal === undefined) return slot();
    if (signal.aborted) throw abortedError(store, operation, name, signal.reason);
    await new Promise<void>((resolve, reject) => {
      // The slot is still taken when the wait is abandoned: a later write goes no sooner.
      const onAbort = () => reject(abortedError(store, operation, name, signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      slot().then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, reject);
    });
  };
}
