/**
 * The `gcp:` store's one retry loop (house practice 14). google-gax's own retries are turned off
 * on every call (`retry: null`), so this is the only place that decides: a failure whose gRPC
 * code is in {@link TRANSIENT_GRPC_CODES} is retried with exponential backoff, anything else
 * fails at once; the final error is built here, once, with the attempt count.
 */
import pRetry from 'p-retry';
import { z } from 'zod';
import type { SecretStoreError } from './errors.js';
import { type GcpCallContext, gcpError, grpcCodeOf, TRANSIENT_GRPC_CODES } from './gcp-errors.js';
import { abortedError } from './guard.js';

/** How transient failures are retried (delays grow by `factor` from `minDelayMs`). */
export interface GcpRetryOptions {
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

/** The defaults of {@link GcpRetryOptions}. */
export const DEFAULT_GCP_RETRY: Readonly<Required<GcpRetryOptions>> = Object.freeze({
  retries: 4,
  minDelayMs: 250,
  maxDelayMs: 8000,
  factor: 2,
  jitter: true,
});

/** The schema of {@link GcpRetryOptions}, for the store's option validation. */
export const GcpRetrySchema = z.strictObject({
  retries: z.number().int().min(0).max(20).optional(),
  minDelayMs: z.number().int().min(0).max(60_000).optional(),
  maxDelayMs: z.number().int().min(0).max(600_000).optional(),
  factor: z.number().min(1).max(10).optional(),
  jitter: z.boolean().optional(),
});

/**
 * Runs `attempt` until it succeeds, fails with a non-transient code, runs out of retries or
 * `signal` fires; rejects with a {@link SecretStoreError} (`grpcCode` says which status).
 */
export async function withGcpRetry<T>(
  attempt: () => Promise<T>,
  retry: Readonly<Required<GcpRetryOptions>>,
  context: GcpCallContext,
  signal: AbortSignal | undefined,
): Promise<T> {
  let attempts = 0;
  try {
    return await pRetry(
      async () => {
        attempts += 1;
        return await raceAbort(attempt(), signal);
      },
      {
        retries: retry.retries,
        minTimeout: retry.minDelayMs,
        maxTimeout: retry.maxDelayMs,
        factor: retry.factor,
        randomize: retry.jitter,
        ...(signal === undefined ? {} : { signal }),
        shouldRetry: ({ error }) => TRANSIENT_GRPC_CODES.includes(grpcCodeOf(error) ?? ''),
      },
    );
  } catch (error) {
    if (signal?.aborted) {
      throw abortedError('gcp', context.operation, context.secret, signal.reason);
    }
    throw gcpError(error, context, attempts);
  }
}

/** True when `error` is a store error for gRPC status `code` (e.g. `NOT_FOUND`). */
export function isGrpcStatus(error: unknown, code: string): error is SecretStoreError {
  return (error as { grpcCode?: unknown } | null)?.grpcCode === code;
}

// A gax call cannot be cancelled through its promise: stop waiting for it instead (its result
// is dropped; a write that lands anyway is one the caller chose to abandon).
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
