/**
 * `list`: the server's keys (label, role, created) and, for each, whether the store holds it
 * (the latest version of the label's secret hashes to the key's hash, the SDK's `hashApiKey`);
 * plus every stored secret whose key the server no longer knows.
 */

import { z } from 'zod';
import { PROJECT_KEY_SECRET_PREFIX, projectKeySecret, ROOT_KEY_SECRET } from '../stores/names.js';
import type { SecretStore } from '../stores/types.js';
import {
  type ClientOptions,
  DEFAULT_CONCURRENCY,
  fields,
  openClient,
  parseOptions,
  type ServerOptions,
  storeFailure,
} from './context.js';
import { pLimit } from './limit.js';
import { readServerKeys, storedHash } from './server-keys.js';

/** Options of {@link list}. */
export interface ListOptions extends ServerOptions {
  store: SecretStore;
  /** Include revoked keys. @default false */
  all?: boolean | undefined;
  /** Secrets read at once. @default DEFAULT_CONCURRENCY (16) */
  concurrency?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** One key of the server. */
export interface ListedKey {
  label: string;
  role: string;
  /** RFC 3339. */
  created: string;
  /** RFC 3339, or null while live. */
  revoked: string | null;
  /** The key's hash (its name on the server; not a secret). */
  hash: string;
  /** The secret that would hold it: `stemedb-key-<project>`, `stemedb-root-api-key`, or null. */
  secret: string | null;
  /** Whether that secret's latest version is this key. */
  stored: boolean;
}

/** One stored secret. */
export interface ListedSecret {
  secret: string;
  /** Whether its latest version is a live key on the server. */
  live: boolean;
}

/** What {@link list} returns. */
export interface ListResult {
  keys: ListedKey[];
  secrets: ListedSecret[];
}

const schema = z.strictObject({
  url: fields.url,
  adminKey: fields.adminKey,
  client: fields.client,
  store: fields.store,
  all: z.boolean().optional(),
  concurrency: fields.concurrency,
  signal: fields.signal,
});

/** The secret a key of this label and role belongs in, if any. */
function secretFor(label: string, role: string): string | null {
  if (label.startsWith('project-')) return projectKeySecret(label.slice('project-'.length));
  return role === 'admin' && label === 'root' ? ROOT_KEY_SECRET : null;
}

/** Lists keys and secrets side by side; never reads out a key. */
export async function list(options: ListOptions): Promise<ListResult> {
  const o = parseOptions(schema, options, 'list');
  const signal = o.signal;
  const client = openClient(o.url, o.adminKey, o.client as ClientOptions | undefined);
  try {
    const keys = await readServerKeys(client.admin, signal);
    let names: string[];
    try {
      names = [ROOT_KEY_SECRET, ...(await o.store.list(PROJECT_KEY_SECRET_PREFIX, { signal }))];
    } catch (error) {
      throw storeFailure(error, 'listing the stored keys');
    }
    const limit = pLimit(o.concurrency ?? DEFAULT_CONCURRENCY);
    const hashes = new Map<string, string | undefined>();
    await Promise.all(
      names.map((name) =>
        limit(async () => {
          try {
            const value = await o.store.readLatest(name, { signal });
            if (value !== undefined) hashes.set(name, storedHash(value));
          } catch (error) {
            throw storeFailure(error, `reading ${name}`);
          }
        }),
      ),
    );
    const listed: ListedKey[] = keys.all
      .filter((k) => o.all === true || k.revoked_at === null)
      .map((k) => {
        const secret = secretFor(k.label, k.role);
        return {
          label: k.label,
          role: k.role,
          created: k.created_at,
          revoked: k.revoked_at,
          hash: k.hash,
          secret,
          stored: secret !== null && hashes.get(secret) === k.hash,
        };
      });
    const secrets: ListedSecret[] = [...hashes.entries()]
      .map(([secret, hash]) => ({ secret, live: hash !== undefined && keys.liveByHash.has(hash) }))
      .sort((a, b) => a.secret.localeCompare(b.secret));
    return { keys: listed, secrets };
  } finally {
    await client.close();
  }
}
