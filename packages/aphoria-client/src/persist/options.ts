/**
 * The options of `persistScan`, `flushSpool` and `spoolStatus`: validated once, strictly
 * (unknown keys throw, naming them), defaults as named constants (practice 6).
 */
import type { NowFn, RetryOptions, SleepFn, StemeClientOptions } from '@stemedb/sdk';
import { z } from 'zod';
import { createHostedConfig } from '../config/hosted-config.js';
import { AphoriaOptionsError } from '../errors.js';
import type { HostedConfig } from '../types.js';
import type { PersistProgress } from './results.js';

/** Assertions in flight at once unless told otherwise. */
export const DEFAULT_PERSIST_CONCURRENCY = 8;
/**
 * How many times one record may fail with a 5xx that is not an outage (500, 501, 507...) before
 * it is dead-lettered, counted over runs in its journal.
 */
export const DEFAULT_MAX_ATTEMPTS = 3;
/**
 * How long a run of `persistScan` or `flushSpool` may take (10 min): at the deadline what is
 * not sent stays spooled, so a server that keeps answering 429 never hangs a CI job.
 */
export const DEFAULT_RUN_TIMEOUT_MS = 10 * 60_000;
/** The longest `timeoutMs` (a timer's limit, about 24.8 days). */
export const MAX_RUN_TIMEOUT_MS = 2_147_483_647;
/** The most assertions in flight at once (the SDK's own bound). */
export const MAX_PERSIST_CONCURRENCY = 256;

/** What the run's StemeDB client may be given (everything but the URL and the key). */
export interface PersistClientOptions {
  /** The SDK's retry policy. @default the SDK's: 2 s, 4 s, 8 s on 502/503 and refusals */
  retry?: RetryOptions | false | undefined;
  timeoutMs?: number | undefined;
  deadlineMs?: number | undefined;
  /** An undici dispatcher (a proxy agent, say); the caller closes it. */
  dispatcher?: Dispatcher | undefined;
  /** How to wait (between retries, and after a 429). @default a timer */
  sleep?: SleepFn | undefined;
  now?: NowFn | undefined;
}

/** Options of both {@link persistScan} and {@link flushSpool}. */
export interface RunOptions {
  /** From `loadHostedConfig` or `createHostedConfig`. */
  config: HostedConfig;
  /** @default DEFAULT_PERSIST_CONCURRENCY */
  concurrency?: number | undefined;
  /** With `true`, a spool left unsent rejects with `PersistIncompleteError`. @default false */
  strict?: boolean | undefined;
  /**
   * Attempts of one record failing with a 5xx that is not an outage before it is dead-lettered
   * (`<scan>.dead` beside the journal), counted over runs. @default DEFAULT_MAX_ATTEMPTS
   */
  maxAttempts?: number | undefined;
  /**
   * The run's deadline, in ms: what is not sent by then stays spooled (the call resolves, or
   * rejects with `PersistIncompleteError` with `strict`). The CLI's `--timeout`.
   * @default DEFAULT_RUN_TIMEOUT_MS
   */
  timeoutMs?: number | undefined;
  onProgress?: ((progress: PersistProgress) => void) | undefined;
  /** Each warning, once. @default one line on stderr, prefixed `aphoria-client:` */
  onWarning?: ((message: string) => void) | undefined;
  /** Stops sending; what is not acknowledged stays spooled, and the call rejects. */
  signal?: AbortSignal | undefined;
  clientOptions?: PersistClientOptions | undefined;
}

/** Options of {@link flushSpool}. */
export interface FlushOptions extends RunOptions {
  /**
   * Send the spool to this StemeDB URL instead of the config's, journals written for another
   * server included (each journal records the origin it was written for, and a flush refuses to
   * send one elsewhere without this). The CLI's `--to <url>`.
   */
  to?: string | undefined;
}

/** Options of {@link persistScan}. */
export interface PersistOptions extends RunOptions {}

/** Options of {@link spoolStatus}. */
export interface SpoolStatusOptions {
  config: HostedConfig;
}

/** Options with every default filled in. */
export interface ResolvedRunOptions {
  config: HostedConfig;
  concurrency: number;
  strict: boolean;
  maxAttempts: number;
  timeoutMs: number;
  onProgress: ((progress: PersistProgress) => void) | undefined;
  onWarning: (message: string) => void;
  signal: AbortSignal | undefined;
  clientOptions: PersistClientOptions;
  /** `FlushOptions.to`, when given (the config's `url` is then already set to it). */
  to: string | undefined;
}

/** The default `onWarning`: one line on stderr (never `process.emitWarning`: no `(node:` lines). */
export function warnOnStderr(message: string): void {
  process.stderr.write(`aphoria-client: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
}

type Dispatcher = NonNullable<StemeClientOptions['dispatcher']>;

const fn = <T>() => z.custom<T>((v) => typeof v === 'function', 'must be a function');

// A config is checked by its shape only: it was validated where it was made, and zod must
// never get to print its key.
const ConfigSchema = z.custom<HostedConfig>((v) => {
  const c = v as Partial<HostedConfig> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.url === 'string' &&
    typeof c.apiKey === 'string' &&
    typeof c.apiKeyEnv === 'string' &&
    typeof c.spoolDir === 'string' &&
    c.spoolDir !== ''
  );
}, 'must be a HostedConfig (from loadHostedConfig or createHostedConfig)');

const ClientOptionsSchema = z.strictObject({
  retry: z.unknown().optional(), // the SDK checks it
  timeoutMs: z.int().min(1).optional(),
  deadlineMs: z.int().min(1).optional(),
  dispatcher: z
    .custom<Dispatcher>((v) => typeof (v as { dispatch?: unknown } | null)?.dispatch === 'function')
    .optional(),
  sleep: fn<SleepFn>().optional(),
  now: fn<NowFn>().optional(),
});

const RunOptionsSchema = z.strictObject({
  config: ConfigSchema,
  concurrency: z.int().min(1).max(MAX_PERSIST_CONCURRENCY).optional(),
  strict: z.boolean().optional(),
  maxAttempts: z.int().min(1).max(100).optional(),
  timeoutMs: z.int().min(1).max(MAX_RUN_TIMEOUT_MS).optional(),
  onProgress: fn<(p: PersistProgress) => void>().optional(),
  onWarning: fn<(m: string) => void>().optional(),
  signal: z.instanceof(AbortSignal).optional(),
  clientOptions: ClientOptionsSchema.optional(),
});

const FlushOptionsSchema = RunOptionsSchema.extend({
  to: z
    .string()
    .refine(
      (v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol),
      'must be an http(s) URL',
    )
    .optional(),
});

const StatusOptionsSchema = z.strictObject({ config: ConfigSchema });

/** Validates run options and fills in the defaults. @throws AphoriaOptionsError */
export function resolveRunOptions(options: unknown, where: string): ResolvedRunOptions {
  const o = parseOptions(
    where === 'flushSpool' ? FlushOptionsSchema : RunOptionsSchema,
    options,
    where,
  );
  const to = (o as { to?: string }).to;
  return {
    config: to === undefined ? o.config : retarget(o.config, to),
    to,
    concurrency: o.concurrency ?? DEFAULT_PERSIST_CONCURRENCY,
    strict: o.strict ?? false,
    maxAttempts: o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    timeoutMs: o.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS,
    onProgress: o.onProgress,
    onWarning: o.onWarning ?? warnOnStderr,
    signal: o.signal,
    clientOptions: (o.clientOptions ?? {}) as PersistClientOptions,
  };
}

/** The config with another URL (`to`), checked as any config's URL is; the key kept private. */
function retarget(config: HostedConfig, to: string): HostedConfig {
  const { apiKey, apiKeyEnv, configPath, spoolDir } = config;
  return createHostedConfig({ url: to, apiKey, apiKeyEnv, configPath, spoolDir });
}

/** Validates the options of `spoolStatus`. @throws AphoriaOptionsError */
export function resolveStatusOptions(options: unknown): SpoolStatusOptions {
  return parseOptions(StatusOptionsSchema, options, 'spoolStatus');
}

/**
 * The one option parser of the package's calls (`persistScan`, `flushSpool`, `spoolStatus`,
 * `readScanHistory`): strict, the first problem named by its field, never a value quoted (it
 * could be the config, which holds the key). `shape` says what the options look like.
 *
 * @throws AphoriaOptionsError
 */
export function parseOptions<T>(
  schema: z.ZodType<T>,
  value: unknown,
  where: string,
  shape = 'with a config',
): T {
  if (typeof value !== 'object' || value === null) {
    throw new AphoriaOptionsError(`${where}: options must be an object ${shape}`);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  const problem =
    issue.code === 'unrecognized_keys'
      ? `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k.slice(0, 64))).join(', ')}`
      : `${field || 'options'} ${issue.message.replace(/^Invalid input: /, '')}`;
  throw new AphoriaOptionsError(`${where}: ${problem}`, { field: field || undefined });
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration such as `20s`, `10m`, `1h` or `500ms` (a whole number and a unit) into ms;
 * `undefined` when it is not one. The CLI's `--timeout`.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,9})(ms|s|m|h)$/.exec(text.trim());
  if (m === null) return undefined;
  const ms = Number(m[1]) * UNITS[m[2]!]!;
  return ms >= 1 && ms <= MAX_RUN_TIMEOUT_MS ? ms : undefined;
}

/** `10m`, `20s` or `1500ms`: a duration as `--timeout` takes it. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
