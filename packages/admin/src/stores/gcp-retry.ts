/**
 * The `gcp:` store's retry decision: google-gax's own retries are turned off on every call
 * (`retry: null`), and the shared loop (retry.ts) retries a failure whose gRPC code is in
 * {@link TRANSIENT_GRPC_CODES}; anything else fails at once, built by `gcpError`.
 */
import type { SecretStoreError } from './errors.js';
import { type GcpCallContext, gcpError, grpcCodeOf, TRANSIENT_GRPC_CODES } from './gcp-errors.js';
import { abortedError } from './guard.js';
import { type StoreRetryOptions, withRetry } from './retry.js';

/** Runs one Secret Manager call with retries; rejects with a {@link SecretStoreError}. */
export function withGcpRetry<T>(
  attempt: () => Promise<T>,
  retry: Readonly<Required<StoreRetryOptions>>,
  context: GcpCallContext,
  signal: AbortSignal | undefined,
): Promise<T> {
  return withRetry(attempt, {
    retry,
    signal,
    shouldRetry: (error) => TRANSIENT_GRPC_CODES.includes(grpcCodeOf(error) ?? ''),
    fail: (error, attempts) => gcpError(error, context, attempts),
    aborted: (reason) => abortedError('gcp', context.operation, context.secret, reason),
  });
}

/** True when `error` is a store error for gRPC status `code` (e.g. `NOT_FOUND`). */
export function isGrpcStatus(error: unknown, code: string): error is SecretStoreError {
  return (error as { grpcCode?: unknown } | null)?.grpcCode === code;
}
