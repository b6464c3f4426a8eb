/**
 * Client and per-call options: validated once, strictly (an unknown key throws, naming it),
 * with named defaults (practice 6, like stripe-node's `stripe.core.ts`). Per-call options
 * override the client's.
 */
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { defaultNow, defaultSleep, type NowFn, type SleepFn } from './clock.js';
import { StemeValidationError } from './errors.js';
import { isApiKey } from './keys.js';
import {
  DEFAULT_RETRY,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
} from './retry-policy.js';
import { parseInput } from './validate.js';
import { SDK_VERSION } from './version.js';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from './wire.js';

/** Per-attempt timeout: 30 s. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Total deadline of a call, retries and waits included: 2 min. */
export const DEFAULT_DEADLINE_MS = 120_000;
/**
 * The largest request body sent, in bytes: the contract's server limit (1 MiB). A larger body is
 * refused before sending; sent, the server would answer 413 and close, and the client would often
 * see the broken pipe first and send it again.
 */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;
/** Default `User-Agent`. */
export const DEFAULT_USER_AGENT = `stemedb-sdk-ts/${SDK_VERSION}`;

/** Options of {@link StemeClient}. Only `baseUrl` is required. */
export interface StemeClientOptions {
  /** Where StemeDB is, e.g. `https://stemedb.example.com`; a path prefix is kept. */
  baseUrl: string | URL;
  /** `steme_live_…`; sent as the yaml's API-key header on every operation that needs one. */
  apiKey?: string | undefined;
  /** Retry policy, or `false` for none. @default DEFAULT_RETRY (2 s, 4 s, 8 s on 502/503) */
  retry?: RetryOptions | false | undefined;
  /**
   * Per-attempt timeout in ms: a wall-clock bound on sending, waiting and reading the body.
   * From 1 s up it is checked by a shared 50 ms sweep, so it may fire up to 50 ms late.
   * @default DEFAULT_TIMEOUT_MS
   */
  timeoutMs?: number | undefined;
  /**
   * Total time for a call, retries and waits included, in ms (the same 50 ms resolution from
   * 1 s up). @default DEFAULT_DEADLINE_MS
   */
  deadlineMs?: number | undefined;
  /** An undici dispatcher to send through; the client then neither makes nor closes one. */
  dispatcher?: Dispatcher | undefined;
  /** @default DEFAULT_USER_AGENT */
  userAgent?: string | undefined;
  /**
   * The largest request body sent, in bytes; a larger one is a `StemeValidationError` before
   * anything is sent. Raise it only for a server configured with a larger limit.
   * @default DEFAULT_MAX_BODY_BYTES (1 MiB, the contract's limit)
   */
  maxBodyBytes?: number | undefined;
  /** Allow `http://` to a host that is not loopback (keys would cross the network in clear). */
  allowInsecureHttp?: boolean | undefined;
  /** How to wait between attempts (tests inject a fake). @default a timer */
  sleep?: SleepFn | undefined;
  /** The wall clock in ms (tests inject a fake). @default Date.now */
  now?: NowFn | undefined;
}

/** Options every method takes; each overrides the client's. */
export interface CallOptions {
  /** Cancels the attempt in flight and any pending wait between attempts. */
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  deadlineMs?: number | undefined;
  retry?: RetryOptions | false | undefined;
  /**
   * The `Idempotency-Key` of a write (ignored by reads): 1 to 255 visible ASCII characters, the
   * same for every attempt of the call. Give one that names the write (e.g. `<scan>:<index>`)
   * to make a resend in a later call recognisable too. @default a random UUID per call
   */
  idempotencyKey?: string | undefined;
}

/** Client options with every default filled in. */
export interface ResolvedClientOptions {
  readonly baseUrl: URL;
  readonly apiKey: string | undefined;
  readonly retry: ResolvedRetryOptions | false;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly dispatcher: Dispatcher | undefined;
  readonly userAgent: string;
  readonly maxBodyBytes: number;
  readonly allowInsecureHttp: boolean;
  readonly sleep: SleepFn;
  readonly now: NowFn;
}

const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's limit
const ms = () => z.int().min(1).max(MAX_TIMER_MS);
const fn = <T>() => z.custom<T>((v) => typeof v === 'function', 'must be a function');

const ClientOptionsSchema = z.strictObject({
  baseUrl: z.union([z.string(), z.instanceof(URL)]),
  apiKey: z.string().optional(),
  retry: z.unknown().optional(), // checked by resolveRetryOptions
  timeoutMs: ms().optional(),
  deadlineMs: ms().optional(),
  dispatcher: z
    .custom<Dispatcher>(
      (v) => typeof (v as { dispatch?: unknown } | null)?.dispatch === 'function',
      'must be an undici Dispatcher',
    )
    .optional(),
  userAgent: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^\r\n]*$/, 'must be one line')
    .optional(),
  maxBodyBytes: z
    .int()
    .min(1)
    .max(2 ** 30)
    .optional(),
  allowInsecureHttp: z.boolean().optional(),
  sleep: fn<SleepFn>().optional(),
  now: fn<NowFn>().optional(),
});

const CallOptionsSchema = z.strictObject({
  signal: z.instanceof(AbortSignal).optional(),
  timeoutMs: ms().optional(),
  deadlineMs: ms().optional(),
  retry: z.unknown().optional(),
  // Visible ASCII, no space at either end: a header value that any proxy passes unchanged.
  idempotencyKey: z
    .string()
    .min(1)
    .max(MAX_IDEMPOTENCY_KEY_LENGTH)
    .regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/, 'must be visible ASCII characters')
    .optional(),
});

/** Validates client options and fills in the defaults. */
export function resolveClientOptions(input: StemeClientOptions): ResolvedClientOptions {
  const given = parseInput(ClientOptionsSchema, input, 'client option', 'invalid_options');
  if (given.apiKey !== undefined && !isApiKey(given.apiKey)) {
    throw optionError('apiKey', 'is not a StemeDB API key (steme_live_ + 48 lowercase hex)');
  }
  const allowInsecureHttp = given.allowInsecureHttp ?? false;
  return Object.freeze({
    baseUrl: checkBaseUrl(given.baseUrl, allowInsecureHttp, given.apiKey),
    apiKey: given.apiKey,
    retry: resolveRetryOptions(given.retry as RetryOptions | false | undefined, DEFAULT_RETRY),
    timeoutMs: given.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    deadlineMs: given.deadlineMs ?? DEFAULT_DEADLINE_MS,
    dispatcher: given.dispatcher,
    userAgent: given.userAgent ?? DEFAULT_USER_AGENT,
    maxBodyBytes: given.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    allowInsecureHttp,
    sleep: given.sleep ?? defaultSleep,
    now: given.now ?? defaultNow,
  });
}

/** The options one call runs with: the call's own over the client's. */
export interface EffectiveCallOptions {
  signal: AbortSignal | undefined;
  timeoutMs: number;
  deadlineMs: number;
  retry: ResolvedRetryOptions | false;
  idempotencyKey: string | undefined;
}

/** Validates per-call options and merges them over the client's. */
export function resolveCallOptions(
  client: ResolvedClientOptions,
  call: CallOptions | undefined,
): EffectiveCallOptions {
  // No options, or none given (assertMany hands each item the `{}` left once `concurrency` is
  // taken out): zod would return every field undefined, so the client's options are the answer.
  if (call === undefined || isEmptyPlainObject(call)) {
    const { timeoutMs, deadlineMs, retry } = client;
    return { signal: undefined, timeoutMs, deadlineMs, retry, idempotencyKey: undefined };
  }
  const given = parseInput(CallOptionsSchema, call, 'call option', 'invalid_options');
  return {
    signal: given.signal,
    timeoutMs: given.timeoutMs ?? client.timeoutMs,
    deadlineMs: given.deadlineMs ?? client.deadlineMs,
    retry: resolveRetryOptions(given.retry as RetryOptions | false | undefined, client.retry),
    idempotencyKey: given.idempotencyKey,
  };
}

function isEmptyPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // No own key at all, enumerable or not, and nothing inherited but Object.prototype's: zod
  // reads each option by name, so it could find one anywhere else.
  return Object.getPrototypeOf(value) === Object.prototype && Reflect.ownKeys(value).length === 0;
}

/** True for hosts whose traffic never leaves the machine: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function checkBaseUrl(
  value: string | URL,
  allowInsecureHttp: boolean,
  apiKey: string | undefined,
): URL {
  // Before parsing, on the text as given and decoded: a key in the path would be shown by
  // String(), JSON and inspect of the client, and sent in every request line. The message
  // never repeats the URL.
  const text = String(value);
  if (containsKey(text, apiKey) || containsKey(safeDecode(text), apiKey)) {
    throw optionError(
      'baseUrl',
      'contains an API key: pass the key as apiKey, never in the URL (it would be logged with the URL)',
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw optionError('baseUrl', 'is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw optionError('baseUrl', `must be http: or https:, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw optionError('baseUrl', 'must not carry credentials; pass the key as apiKey');
  }
  if (url.search !== '' || url.hash !== '') {
    throw optionError('baseUrl', 'must not have a query or a fragment');
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !allowInsecureHttp) {
    throw optionError(
      'baseUrl',
      `is plain http to ${url.host}, which is not loopback: the API key would cross the network in clear. Use https, or set allowInsecureHttp: true`,
    );
  }
  return url;
}

function optionError(field: string, problem: string): StemeValidationError {
  return new StemeValidationError({
    code: 'invalid_options',
    field,
    message: `Invalid client option ${field}: ${problem}`,
  });
}

// A key-shaped token (valid or not), or the client's own key or its 48-hex tail.
function containsKey(text: string, apiKey: string | undefined): boolean {
  if (/steme_live_/i.test(text)) return true;
  if (apiKey === undefined) return false;
  const lower = text.toLowerCase();
  return lower.includes(apiKey.toLowerCase()) || lower.includes(apiKey.slice(-48).toLowerCase());
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
