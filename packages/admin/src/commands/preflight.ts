/**
 * The store check every changing command makes before it mints or revokes anything (issue 22:
 * a missing store permission was found at the write, after the key was minted, so every
 * project minted and revoked a key and the run exited 1). A refusal passes unchanged as the
 * store's `permission_denied` (exit 3).
 */
import type { SecretStore, StoreOperation } from '../stores/types.js';
import { storeFailure } from './context.js';

/** Runs `store.preflight` for `operations`; rejects before anything has changed. */
export async function preflightStore(
  store: SecretStore,
  operations: readonly StoreOperation[],
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    await store.preflight({ operations, signal });
  } catch (error) {
    throw storeFailure(error, `checking that store ${store.spec} can be written`);
  }
}
