/**
 * The one revoke loop: `provision`, `rotate` and `revoke` revoke keys through it. A key already
 * gone (404: another run revoked it) counts as done; any other failure stops the loop and names
 * the key by its hash prefix (a hash, never a key).
 */
import { type StemeAdmin, StemeNotFoundError } from '@stemedb/sdk';
import { serverFailure } from './context.js';

/** Revokes `hashes` in order; resolves with those this call revoked. */
export async function revokeKeys(
  admin: StemeAdmin,
  hashes: readonly string[],
  signal: AbortSignal | undefined,
  what: string,
): Promise<string[]> {
  const revoked: string[] = [];
  for (const hash of hashes) {
    try {
      await admin.revokeApiKey(hash, { signal });
      revoked.push(hash);
    } catch (error) {
      if (error instanceof StemeNotFoundError) continue;
      const failure = serverFailure(error, `revoking key ${hash.slice(0, 12)}… of ${what}`);
      Object.defineProperty(failure, 'revoked', { value: revoked });
      throw failure;
    }
  }
  return revoked;
}

/** The hashes a failed {@link revokeKeys} had revoked before it failed. */
export function revokedBefore(error: unknown): string[] {
  const revoked = (error as { revoked?: unknown } | null)?.revoked;
  return Array.isArray(revoked) ? (revoked as string[]) : [];
}
