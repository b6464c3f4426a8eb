/**
 * What every store's `preflight` shares: the operations a command asks about, and the one error
 * a refusal becomes (`permission_denied`, exit 3), naming what is missing and that nothing was
 * changed, so an operator fixes the role once instead of reading one failure per project.
 */
import { SecretStoreError, type SecretStoreKind } from './errors.js';
import type { PreflightOptions, StoreOperation } from './types.js';

/** What `preflight` checks when the caller names nothing: a command that reads and writes. */
export const DEFAULT_PREFLIGHT_OPERATIONS: readonly StoreOperation[] = Object.freeze([
  'read',
  'write',
]);

/** The operations `options` asks about, each once. */
export function preflightOperations(options: PreflightOptions | undefined): StoreOperation[] {
  return [...new Set(options?.operations ?? DEFAULT_PREFLIGHT_OPERATIONS)];
}

/** The refusal: `missing` names each permission (or RBAC verb) the credentials lack. */
export function preflightDenied(
  store: SecretStoreKind,
  where: string,
  missing: readonly string[],
  fix: string,
): SecretStoreError {
  return new SecretStoreError({
    code: 'permission_denied',
    store,
    operation: 'preflight',
    message: `The ${where} may not be written by these credentials: missing ${missing.join(', ')}; nothing was changed. ${fix}`,
  });
}
