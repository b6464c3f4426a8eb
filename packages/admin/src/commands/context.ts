/**
 * What every command shares: the server and client options, strict option validation, and the
 * one place where a failure of the SDK becomes an {@link AdminError} (so 401/403 mean the same
 * exit code in every command).
 */
import {
  isStemeError,
  StemeAuthenticationError,
  StemeClient,
  type StemeClientOptions,
  StemePermissionError,
} from '@stemedb/sdk';
import { z } from 'zod';
import { AdminError, type AdminErrorCode, describeError } from '../errors.js';
import { isSecretStoreError } from '../stores/errors.js';
import type { SecretStore } from '../stores/types.js';

/**
 * Client options a command passes through to the SDK's `StemeClient` (everything but the URL
 * and the key): `dispatcher`, `retry`, `timeoutMs`, `deadlineMs`, `sleep`, `now`,
 * `allowInsecureHttp`, `userAgent`. The SDK validates them.
 */
export type ClientOptions = Omit<StemeClientOptions, 'baseUrl' | 'apiKey'>;

/** Options of every command that talks to StemeDB with the admin key. */
export interface ServerOptions {
  /** StemeDB's base URL, e.g. `https://stemedb.example.com` (CLI: `--url` or `STEMEDB_URL`). */
  url: string;
  /** The admin key (CLI: `STEMEDB_ADMIN_KEY`, `--admin-key-stdin` or `--admin-key-from-store`). */
  adminKey: string;
  /** Passed to the SDK client: dispatcher, retry policy, timeouts, clock. */
  client?: ClientOptions | undefined;
}

/** The default number of projects worked on at once (`--concurrency`). */
export const DEFAULT_CONCURRENCY = 16;
/** The most projects worked on at once. */
export const MAX_CONCURRENCY = 256;
/**
 * How many stored keys planning reads at once (`--read-concurrency`). Planning changes nothing,
 * and a read is one cheap call (Secret Manager allows 90,000 accesses a minute), so it runs
 * wider than the writes: a re-run over 1,000 projects is bound by these round trips.
 */
export const DEFAULT_READ_CONCURRENCY = 64;

const storeSchema = z.custom<SecretStore>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    [
      'readLatest',
      'writeVersion',
      'writeIfAbsent',
      'list',
      'delete',
      'acquireLease',
      'close',
    ].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  'must be a SecretStore',
);

/**
 * Options of every command that changes keys (`provision`, `rotate`, `revoke`): the run lease
 * (withRunLease) and the clock the lease and the age of keys are judged by.
 */
export interface RunOptions {
  /** How long to wait for another run's lease (CLI `--lock-timeout`). @default 60_000 */
  lockTimeoutMs?: number | undefined;
  /** How long the lease lasts unless renewed (renewed every third of it). @default 60_000 */
  leaseDurationMs?: number | undefined;
  /** The clock. @default () => new Date() */
  now?: (() => Date) | undefined;
  /**
   * Called once, with a line naming the holder, when another run holds the lease and this one
   * starts to wait for it (the CLI prints it on stderr, so a waiting run does not look hung).
   */
  onLeaseWait?: ((message: string) => void) | undefined;
}

/** The zod fields of {@link RunOptions}, shared by every changing command's schema. */
export const runFields = {
  lockTimeoutMs: z.int().min(0).max(86_400_000).optional(),
  leaseDurationMs: z.int().min(1_000).max(86_400_000).optional(),
  now: z.custom<() => Date>((v) => typeof v === 'function', 'must be a function').optional(),
  onLeaseWait: z
    .custom<(message: string) => void>((v) => typeof v === 'function', 'must be a function')
    .optional(),
};

/** Zod fields every command's options schema may reuse. */
export const fields = {
  url: z.string().min(1, 'is required'),
  adminKey: z.string().min(1, 'is required'),
  client: z.record(z.string(), z.unknown()).optional(),
  store: storeSchema,
  concurrency: z.int().min(1).max(MAX_CONCURRENCY).optional(),
  signal: z.instanceof(AbortSignal).optional(),
  fn: z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function'),
  graceMs: z
    .int()
    .min(0)
    .max(30 * 86_400_000)
    .optional(),
  maxRevoke: z.int().min(0).optional(),
};

/**
 * Validates a command's options: unknown keys throw, and the message names the option (never a
 * value, which may be a key).
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  value: unknown,
  command: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  let field = issue?.path.map(String).join('.') ?? '';
  let problem = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') {
    field = [field, issue.keys[0] ?? ''].filter(Boolean).join('.');
    problem = 'is not a known option';
  }
  throw new AdminError({
    code: 'invalid_options',
    message: `${command}: option ${field === '' ? '(options)' : field} ${problem}`,
  });
}

/** A client for `url` with `apiKey`; bad client options become `invalid_options`. */
export function openClient(
  url: string,
  apiKey: string | undefined,
  client: ClientOptions = {},
): StemeClient {
  try {
    return new StemeClient({ ...client, baseUrl: url, apiKey });
  } catch (error) {
    if (isStemeError(error) && error.code === 'invalid_options') {
      throw new AdminError({
        code: 'invalid_options',
        message: error.message.replace('baseUrl', 'url'),
      });
    }
    throw error;
  }
}

/**
 * The error a whole command fails with when a server call it cannot do without fails: 401 and
 * 403 are auth failures (exit 3), anything else the server's failure (exit 1).
 */
export function serverFailure(error: unknown, doing: string): AdminError {
  if (error instanceof AdminError) return error;
  let code: AdminErrorCode = 'server_failed';
  let hint = '';
  if (error instanceof StemeAuthenticationError) {
    code = 'unauthorized';
    hint = ' (the server refused the admin key)';
  } else if (error instanceof StemePermissionError) {
    code = 'forbidden';
    hint = ' (the key is not an admin key)';
  }
  return new AdminError({
    code,
    message: `${doing}: ${describeError(error)}${hint}`,
    cause: error,
  });
}

/**
 * The error a command fails with when the store fails. A store's own errors pass unchanged:
 * they name the secret and the operation, and their codes say which exit code applies.
 */
export function storeFailure(error: unknown, doing: string): Error {
  if (error instanceof AdminError || isSecretStoreError(error)) return error;
  return new AdminError({
    code: 'store_failed',
    message: `${doing}: ${describeError(error)}`,
    cause: error,
  });
}
