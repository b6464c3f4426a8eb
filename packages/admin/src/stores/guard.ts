/**
 * Checks every store makes before and around a call: closed, aborted, bad name or value.
 * One place, so that every store fails the same way with the same codes.
 */
import { SecretStoreError, type SecretStoreKind } from './errors.js';

/** Throws `store_closed` when the store has been closed. */
export function assertOpen(closed: boolean, store: SecretStoreKind, operation: string): void {
  if (closed) {
    throw new SecretStoreError({
      code: 'store_closed',
      store,
      operation,
      message: `The ${store} secret store is closed`,
    });
  }
}

/** Throws `aborted` when `signal` has fired. */
export function assertNotAborted(
  signal: AbortSignal | undefined,
  store: SecretStoreKind,
  operation: string,
  secret?: string,
): void {
  if (signal?.aborted) throw abortedError(store, operation, secret, signal.reason);
}

/** The error a store throws when the caller's signal fires. */
export function abortedError(
  store: SecretStoreKind,
  operation: string,
  secret: string | undefined,
  reason: unknown,
): SecretStoreError {
  return new SecretStoreError({
    code: 'aborted',
    store,
    operation,
    secret,
    message: `${operation}${secret === undefined ? '' : ` ${secret}`} on the ${store} secret store was aborted`,
    cause: reason,
  });
}
