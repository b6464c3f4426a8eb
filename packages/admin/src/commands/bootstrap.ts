/**
 * `bootstrap`: make the root key and store it as `stemedb-root-api-key`, unless one is stored
 * already (idempotent, through the store's `writeIfAbsent`, so two runs at once keep one key).
 * The server is then seeded from that secret (`STEMEDB_ROOT_API_KEY`, roadmap ship blocker 3).
 */
import { generateApiKey, hashApiKey, isApiKey } from '@stemedb/sdk';
import { z } from 'zod';
import { AdminError } from '../errors.js';
import { ROOT_KEY_SECRET } from '../stores/names.js';
import type { SecretStore } from '../stores/types.js';
import {
  type ClientOptions,
  fields,
  openClient,
  parseOptions,
  serverFailure,
  storeFailure,
} from './context.js';

/** Options of {@link bootstrap}. */
export interface BootstrapOptions {
  store: SecretStore;
  /** Only check: confirm a root key is stored and (with `url`) that the server accepts it. */
  check?: boolean | undefined;
  /**
   * StemeDB's base URL. With `check`, the stored key is tried on the server's admin API and a
   * refusal fails (exit 3). Without it, a key this run just created is **never** tried (the
   * server cannot know it before it is seeded from the secret); a key that was stored already
   * is tried, and a refusal is reported as `serverAccepts: false`, not an error.
   */
  url?: string | undefined;
  /** Put the key in the result (`--reveal`); otherwise it is never returned. */
  reveal?: boolean | undefined;
  client?: ClientOptions | undefined;
  /** Makes the key (tests). @default generateApiKey (24 bytes of crypto.randomBytes) */
  generateKey?: (() => string) | undefined;
  signal?: AbortSignal | undefined;
}

/** What bootstrap did. Holds the key only when `reveal` was asked for. */
export interface BootstrapResult {
  secret: typeof ROOT_KEY_SECRET;
  /** Whether this run stored the key (false: one was stored already, or `check`). */
  created: boolean;
  /** The hash of the stored root key (the server's name for it; not a secret). */
  hash: string;
  /**
   * Whether the server accepted the key on its admin API; undefined without `url`, and for a
   * key this run created (not seeded anywhere yet).
   */
  serverAccepts?: boolean | undefined;
  /** The key itself, only with `reveal`. */
  key?: string | undefined;
}

const schema = z.strictObject({
  store: fields.store,
  check: z.boolean().optional(),
  url: z.string().min(1).optional(),
  reveal: z.boolean().optional(),
  client: fields.client,
  generateKey: fields.fn.optional(),
  signal: fields.signal,
});

/**
 * Stores a new root key unless one exists; with `check`, changes nothing and fails with
 * `root_key_missing` when none is stored. With `url`, tries the key: a 401 or 403 fails with
 * `unauthorized`/`forbidden` (exit 3).
 */
export async function bootstrap(options: BootstrapOptions): Promise<BootstrapResult> {
  const o = parseOptions(schema, options, 'bootstrap');
  const store = o.store;
  const signal = o.signal;
  let key: string;
  let created = false;
  try {
    if (o.check === true) {
      const stored = await store.readLatest(ROOT_KEY_SECRET, { signal });
      if (stored === undefined) {
        throw new AdminError({
          code: 'root_key_missing',
          message: `no ${ROOT_KEY_SECRET} in store ${store.spec}: run stemedb-admin bootstrap`,
        });
      }
      key = stored;
    } else {
      await store.preflight({ operations: ['read', 'write'], signal });
      const make = (o.generateKey as (() => string) | undefined) ?? generateApiKey;
      const result = await store.writeIfAbsent(ROOT_KEY_SECRET, make(), { signal });
      key = result.value;
      created = result.written;
    }
  } catch (error) {
    throw storeFailure(error, `reading or writing ${ROOT_KEY_SECRET}`);
  }
  if (!isApiKey(key)) {
    throw new AdminError({
      code: 'root_key_missing',
      message: `${ROOT_KEY_SECRET} in store ${store.spec} is not a StemeDB key (steme_live_ + 48 lowercase hex)`,
    });
  }
  const result: BootstrapResult = { secret: ROOT_KEY_SECRET, created, hash: hashApiKey(key) };
  // A key made a moment ago cannot be known to the server: it learns the root key from the
  // secret at its next start (STEMEDB_ROOT_API_KEY). Trying it would only fail (issue 22 §6:
  // exit 3 after storing it). A kept key may be seeded already: try it, and outside --check
  // report a refusal rather than fail on it.
  if (o.url !== undefined && !created) {
    result.serverAccepts = await tryKey(o.url, key, o.client as ClientOptions, signal, {
      refusalFails: o.check === true,
    });
  }
  if (o.reveal === true) result.key = key;
  return result;
}

async function tryKey(
  url: string,
  key: string,
  client: ClientOptions | undefined,
  signal: AbortSignal | undefined,
  { refusalFails }: { refusalFails: boolean },
): Promise<boolean> {
  const c = openClient(url, key, client);
  try {
    await c.admin.listApiKeys({ signal });
    return true;
  } catch (error) {
    const failure = serverFailure(error, 'checking the root key against the server');
    if (!refusalFails && (failure.code === 'unauthorized' || failure.code === 'forbidden')) {
      return false;
    }
    throw failure;
  } finally {
    await c.close();
  }
}
