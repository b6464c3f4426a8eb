/**
 * The server's key list, read once per command and indexed by label: what provision, rotate,
 * revoke and list compare the store against.
 */
import { type ApiKeyInfo, hashApiKey, isApiKey, type StemeAdmin } from '@stemedb/sdk';
import { serverFailure } from './context.js';

/** The role every project key has (roadmap, Phase 3 script). */
export const PROJECT_KEY_ROLE = 'write_agent';

/** The server's keys, as one command read them. */
export interface ServerKeys {
  /** Every key, revoked ones included, as listed. */
  readonly all: readonly ApiKeyInfo[];
  /** Live (not revoked) keys by label. */
  readonly liveByLabel: ReadonlyMap<string, readonly ApiKeyInfo[]>;
  /** Live keys by hash. */
  readonly liveByHash: ReadonlyMap<string, ApiKeyInfo>;
}

/** Lists the server's keys once (`GET /v1/admin/api-keys`) and indexes the live ones. */
export async function readServerKeys(admin: StemeAdmin, signal?: AbortSignal): Promise<ServerKeys> {
  let all: ApiKeyInfo[];
  try {
    all = (await admin.listApiKeys({ signal })).keys;
  } catch (error) {
    throw serverFailure(error, 'listing the server keys');
  }
  const liveByLabel = new Map<string, ApiKeyInfo[]>();
  const liveByHash = new Map<string, ApiKeyInfo>();
  for (const key of all) {
    if (key.revoked_at !== null) continue;
    liveByHash.set(key.hash, key);
    const list = liveByLabel.get(key.label);
    if (list === undefined) liveByLabel.set(key.label, [key]);
    else list.push(key);
  }
  return { all, liveByLabel, liveByHash };
}

/** The hash of a stored value, or `undefined` when the value is not shaped like a key. */
export function storedHash(value: string | undefined): string | undefined {
  return value !== undefined && isApiKey(value) ? hashApiKey(value) : undefined;
}
