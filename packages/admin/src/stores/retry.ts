/**
 * The stores' one retry loop (house practice 14), shared by `gcp:` and `k8s:`: the store says
 * which failures are transient (`shouldRetry`) and how a final failure reads (`fail`); this
 * counts the attempts, waits with exponential backoff (p-retry) and stops waiting when the
 * caller's signal fires. The client libraries' own retries are off, so this is the only loop.
 */
import pRetryImport from 'p-retry';
import { z } from 'zod';
import type { SecretStoreError } from './errors.js';

// p-retry is ESM-only; the CJS build gets its namespace (as the SDK's interop.ts explains).
const pRetry = ((pRetryImport as unknown as { default?: typeof pRetryImport }).default ??
  pRetryImport) as typeof pRetryImport;

/** How transient failures are retried (delays grow by `factor` from `minDelayMs`). */
export interface StoreRetryOptions {
  /**
   * Retries after the first attempt; 0 turns retrying off.
   * @default 4
   */
  retries?: number | undefined;
  /** @default 250 */
  minDelayMs?: number | undefined;
  /** @default 8000 */
  maxDelayMs?: number | undefined;
  /** @default 2 */
  factor?: number | undefined;
  /**
   * Multiply each delay by a random 1-2 (so that many clients do not retry in step).
   * @default true
   */
  jitter?: boolean | undefined;
}

/** The defaults of {@link StoreRetryOptions}. */
export const DEFAULT_STORE_RETRY: Readonly<Required<StoreRetryOptions>> = Object.freeze({
  retries: 4,
  minDelayMs: 250,
  maxDelayMs: 8000,
  factor: 2,
  jitter: true,
});

/** The schema of {@link StoreRetryOptions}, for the stores' option validation. */
export const StoreRetrySchema = z.strictObject({
  retries: z.number().int().min(0).max(20).optional(),
  minDelayMs: z.number().int().min(0).max(60_000).optional(),
  maxDelayMs: z.number().int().min(0).max(600_000).optional(),
  factor: z.number().min(1).max(10).optional(),
  jitter: z.boolean().optional(),
});

/** The defaults with `given`'s defined fields over them. */
export function resolveRetry(given: StoreRetryOptions | undefined): Required<StoreRetryOptions> {
  const out = { ...DEFAULT_STORE_RETRY };
  for (const [key, value] of Object.entries(given ?? {})) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** What {@link withRetry} needs to know about a store's failures. */
export interface RetryPolicy {
  readonly retry: Readonly<Required<StoreRetryOptions>>;
  readonly signal: AbortSignal | undefined;
  /** True for a failure worth another attempt. */
  shouldRetry(error: unknown): boolean;
  /** The error for the final failure. */
  fail(error: unknown, attempts: number): SecretStoreError;
  /** The error when the caller's signal fired. */
  aborted(reason: unknown): SecretStoreError;
}

/** Runs `attempt` until it succeeds, fails for good, runs out of retries or is aborted. */
export async function withRetry<T>(
  attempt: (signal: AbortSignal | undefined) => Promise<T>,
  policy: RetryPolicy,
): Promise<T> {
  const { retry, signal } = policy;
  let attempts = 0;
  const once = () => {
    attempts += 1;
    return raceAbort(attempt(signal), signal);
  };
  try {
    signal?.throwIfAborted();
    // The first attempt runs outside p-retry, whose set-up costs more than the call it wraps
    // when nothing fails (a re-run over 1,000 projects makes 1,000 reads). A failure is handed
    // to p-retry as its own first attempt, so the waits, the count and the abort are p-retry's.
    let first: unknown;
    try {
      return await once();
    } catch (error) {
      first = error;
    }
    return await pRetry(
      async (attemptNumber) => {
        if (attemptNumber === 1) throw first;
        return await once();
      },
      {
        retries: retry.retries,
        minTimeout: retry.minDelayMs,
        maxTimeout: retry.maxDelayMs,
        factor: retry.factor,
        randomize: retry.jitter,
        ...(signal === undefined ? {} : { signal }),
        shouldRetry: ({ error }) => policy.shouldRetry(error),
      },
    );
  } catch (error) {
    if (signal?.aborted) throw policy.aborted(signal.reason);
    throw policy.fail(error, attempts);
  }
}

// The calls waiting on each signal, behind one abort listener per signal: EventTarget finds a
// listener by walking its list, so a listener added and removed per call costs each call time
// in proportion to the calls in flight (64 reads at once while planning).
const waiting = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();

function whenAborted(signal: AbortSignal, reject: (reason: unknown) => void): () => void {
  let rejects = waiting.get(signal);
  if (rejects === undefined) {
    const all = new Set<(reason: unknown) => void>();
    signal.addEventListener(
      'abort',
      () => {
        for (const r of all) r(signal.reason);
        all.clear();
      },
      { once: true },
    );
    waiting.set(signal, all);
    rejects = all;
  }
  const set = rejects;
  set.add(reject);
  return () => set.delete(reject);
}

// A client call cannot always be cancelled through its promise: stop waiting for it instead
// (its result is dropped; a write that lands anyway is one the caller chose to abandon).
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const forget = whenAborted(signal, reject);
    promise.then(
      (value) => {
        forget();
        resolve(value);
      },
      (error: unknown) => {
        forget();
        reject(error);
      },
    );
  });
}
