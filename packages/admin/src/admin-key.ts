/**
 * Where the admin key comes from (issue 8 §2): the `STEMEDB_ADMIN_KEY` environment variable,
 * stdin (`--admin-key-stdin`), or the store's `stemedb-root-api-key`
 * (`--admin-key-from-store`). Never from a flag: flags show in `ps` and in shell history.
 */
import { isApiKey } from '@stemedb/sdk';
import { AdminError } from './errors.js';
import { ROOT_KEY_SECRET } from './stores/names.js';
import type { SecretStore } from './stores/types.js';

/** The environment variable holding the admin key. */
export const ADMIN_KEY_ENV = 'STEMEDB_ADMIN_KEY';

/** Where to look for the admin key; at most one of `stdin` and `fromStore` may be set. */
export interface AdminKeySource {
  /** The environment (`STEMEDB_ADMIN_KEY`). @default process.env */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Read the key from this stream (`--admin-key-stdin`): the whole input, trimmed. */
  stdin?: AsyncIterable<string | Uint8Array> | undefined;
  /** Read the key from this store's `stemedb-root-api-key` (`--admin-key-from-store`). */
  fromStore?: SecretStore | undefined;
}

/**
 * Resolves the admin key. An explicit source (stdin, the store) wins over the environment.
 *
 * @throws AdminError `admin_key_missing` or `admin_key_malformed` (never quoting the value)
 */
export async function resolveAdminKey(source: AdminKeySource = {}): Promise<string> {
  if (source.stdin !== undefined && source.fromStore !== undefined) {
    throw new AdminError({
      code: 'invalid_options',
      message: 'give the admin key one way: --admin-key-stdin or --admin-key-from-store, not both',
    });
  }
  if (source.stdin !== undefined) {
    return checked(await readAll(source.stdin), 'stdin (--admin-key-stdin)');
  }
  if (source.fromStore !== undefined) {
    const stored = await source.fromStore.readLatest(ROOT_KEY_SECRET);
    if (stored === undefined) {
      throw new AdminError({
        code: 'admin_key_missing',
        message: `no ${ROOT_KEY_SECRET} in store ${source.fromStore.spec}: run stemedb-admin bootstrap first`,
      });
    }
    return checked(stored, `${ROOT_KEY_SECRET} in store ${source.fromStore.spec}`);
  }
  const fromEnv = (source.env ?? process.env)[ADMIN_KEY_ENV];
  if (fromEnv === undefined || fromEnv === '') {
    throw new AdminError({
      code: 'admin_key_missing',
      message: `no admin key: set ${ADMIN_KEY_ENV}, or pass --admin-key-stdin or --admin-key-from-store`,
    });
  }
  return checked(fromEnv, ADMIN_KEY_ENV);
}

function checked(value: string, where: string): string {
  const key = value.trim();
  if (key === '') {
    throw new AdminError({
      code: 'admin_key_missing',
      message: `the admin key from ${where} is empty`,
    });
  }
  if (!isApiKey(key)) {
    throw new AdminError({
      code: 'admin_key_malformed',
      message: `the admin key from ${where} is not a StemeDB key (steme_live_ + 48 lowercase hex)`,
    });
  }
  return key;
}

async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
