/**
 * The common options, resolved: `--url` (or `STEMEDB_URL`), `--store` (or `STEMEDB_STORE`, else
 * the development file store), `--gcp-endpoint`, and the admin key's source. Loaded only when a
 * command runs.
 */
import { join } from 'node:path';
import { resolveAdminKey } from '../admin-key.js';
import { openSecretStore } from '../stores/open.js';
import type { SecretStore } from '../stores/types.js';
import { type Io, UsageError } from './io.js';

/** The flags every command may get (commander's camelCase names). */
export interface CommonFlags {
  url?: string;
  store?: string;
  gcpEndpoint?: string;
  json?: boolean;
  adminKeyStdin?: boolean;
  adminKeyFromStore?: boolean;
  storeWritesPerMinute?: string;
  adopt?: boolean;
}

/** Where the development store is when neither `--store` nor `STEMEDB_STORE` says. */
export const DEFAULT_STORE_FILE = '.stemedb-admin/secrets.json';

/** The StemeDB URL from `--url` or `STEMEDB_URL`. */
export function urlOf(flags: CommonFlags, io: Io): string {
  const url = flags.url ?? io.env.STEMEDB_URL;
  if (url === undefined || url === '')
    throw new UsageError('no server: pass --url or set STEMEDB_URL');
  return url;
}

/** The store spec from `--store`, `STEMEDB_STORE`, or the development file in the working directory. */
export function storeSpecOf(flags: CommonFlags, io: Io): string {
  return flags.store ?? io.env.STEMEDB_STORE ?? `file:${join(io.cwd, DEFAULT_STORE_FILE)}`;
}

/** Opens the store the flags name. */
export function openStore(flags: CommonFlags, io: Io): Promise<SecretStore> {
  const writes = intFlag('store-writes-per-minute', flags.storeWritesPerMinute, 0, 1_000_000);
  const writeLimit = writes === undefined ? {} : { writeLimit: { writes, intervalMs: 60_000 } };
  return openSecretStore(storeSpecOf(flags, io), {
    env: io.env,
    ...(flags.gcpEndpoint === undefined ? {} : { gcpEndpoint: flags.gcpEndpoint }),
    gcp: writeLimit,
    k8s: { ...writeLimit, ...(flags.adopt === true ? { adopt: true } : {}) },
  });
}

/** The admin key from `STEMEDB_ADMIN_KEY`, `--admin-key-stdin` or `--admin-key-from-store`. */
export function adminKeyOf(flags: CommonFlags, io: Io, store: SecretStore): Promise<string> {
  return resolveAdminKey({
    env: io.env,
    stdin: flags.adminKeyStdin === true ? io.stdin : undefined,
    fromStore: flags.adminKeyFromStore === true ? store : undefined,
  });
}

/** Runs `body` with the flags' store open, closing it after. */
export async function withStore<T>(
  flags: CommonFlags,
  io: Io,
  body: (store: SecretStore) => Promise<T>,
): Promise<T> {
  const store = await openStore(flags, io);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

/** Parses a positive integer flag, or throws a usage error naming it. */
export function intFlag(
  name: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`,
    );
  }
  return n;
}
