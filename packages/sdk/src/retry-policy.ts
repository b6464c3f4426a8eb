/**
 * Retry options as data (practice 3, like ky's `source/types/retry.ts`), and the one function
 * that decides whether a failed attempt is retried and after how long.
 *
 * The defaults come from the roadmap ("Aphoria retry logic"): 502 and 503 are retried after
 * 2 s, 4 s and 8 s, four attempts in all, so that a Recreate deploy of the single replica does
 * not fail a caller. Refused connections (the in-cluster view of the same restart) are
 * retried on the same schedule.
 *
 * An ambiguous failure (the error's `ambiguous`: a write sent and no definite answer) is
 * retried like any other by default; with `retryAmbiguous: false` it never is, so that the
 * caller can read back before sending again (README, "Retries and ambiguous writes").
 */
import { z } from 'zod';
import {
  type StemeError,
  StemeNetworkError,
  StemeRateLimitError,
  StemeTimeoutError,
} from './errors.js';
import { networkCodeInfo } from './network-codes.js';
import { parseInput } from './validate.js';
import type { Replay } from './wire.js';

/** Why an attempt is retried. */
export type RetryReason = 'status' | 'retry-after' | 'network' | 'timeout';

/** What `onRetry` is told before each wait. */
export interface RetryInfo {
  /** The attempt that failed, from 1. */
  attempt: number;
  /** How long the SDK now waits before the next attempt, in milliseconds. */
  delayMs: number;
  reason: RetryReason;
  /** The failure (redacted like every StemeError). */
  error: StemeError;
  method: string;
  path: string;
  /** Time since the call started, in milliseconds. */
  elapsedMs: number;
}

/** Retry options; every field is optional and falls back to {@link DEFAULT_RETRY}. */
export interface RetryOptions {
  /** The waits before the 2nd, 3rd... attempts, in ms. Its length is the number of retries. */
  delays?: readonly number[];
  /** Statuses retried on the schedule (or after their `Retry-After`). */
  statusCodes?: readonly number[];
  /** Retry refused connections, resets and (for idempotent calls) attempt timeouts. */
  retryOnNetworkErrors?: boolean;
  /**
   * Retry a failure after which the server may have applied the write (`error.ambiguous`: a
   * reset or timeout after sending, a 502 or 504). `false`: such a failure is thrown at once,
   * with `ambiguous: true`, whatever else this policy says; read back before resending.
   * Without an `Idempotency-Key` the server honours, `true` makes a write at-least-once.
   * @default true
   */
  retryAmbiguous?: boolean;
  /** The longest `Retry-After` honoured, in ms; longer ones are cut to this. */
  maxRetryAfterMs?: number;
  /** 0..1: each scheduled wait is drawn from [delay × (1 − jitter), delay]. */
  jitter?: number;
  /** Called before each wait. If it throws, retrying stops and its error is thrown. */
  onRetry?: (info: RetryInfo) => void | Promise<void>;
}

/** Retry options with every default filled in. */
export interface ResolvedRetryOptions {
  readonly delays: readonly number[];
  readonly statusCodes: readonly number[];
  readonly retryOnNetworkErrors: boolean;
  readonly retryAmbiguous: boolean;
  readonly maxRetryAfterMs: number;
  readonly jitter: number;
  readonly onRetry: ((info: RetryInfo) => void | Promise<void>) | undefined;
}

/** 2 s, 4 s, 8 s: the roadmap's schedule ("Aphoria retry logic"). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = Object.freeze([2000, 4000, 8000]);
/** 502 and 503: what Traefik answers while the single replica restarts (roadmap). */
export const DEFAULT_RETRY_STATUS_CODES: readonly number[] = Object.freeze([502, 503]);
/** One minute: the roadmap allows up to 60 s for a start after a crash (WAL replay). */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/** The default retry policy. */
export const DEFAULT_RETRY: ResolvedRetryOptions = Object.freeze({
  delays: DEFAULT_RETRY_DELAYS_MS,
  statusCodes: DEFAULT_RETRY_STATUS_CODES,
  retryOnNetworkErrors: true,
  retryAmbiguous: true,
  maxRetryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS,
  jitter: 0,
  onRetry: undefined,
});

const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's limit

const RetryOptionsSchema = z.strictObject({
  delays: z.array(z.int().min(0).max(MAX_TIMER_MS)).max(100).optional(),
  statusCodes: z.array(z.int().min(100).max(599)).optional(),
  retryOnNetworkErrors: z.boolean().optional(),
  retryAmbiguous: z.boolean().optional(),
  maxRetryAfterMs: z.int().min(0).max(MAX_TIMER_MS).optional(),
  jitter: z.number().min(0).max(1).optional(),
  onRetry: z.custom<RetryOptions['onRetry']>((v) => typeof v === 'function').optional(),
});

/**
 * Validates `input` and fills the gaps from `base`. `false` turns retrying off.
 *
 * @param field - where the option sits, for error messages (`retry`)
 */
export function resolveRetryOptions(
  input: RetryOptions | false | undefined,
  base: ResolvedRetryOptions | false = DEFAULT_RETRY,
  field = 'retry',
): ResolvedRetryOptions | false {
  if (input === false) return false;
  if (input === undefined) return base;
  const given = parseInput(RetryOptionsSchema, input, 'option', 'invalid_options', field);
  const from = base === false ? DEFAULT_RETRY : base;
  return Object.freeze({
    delays: Object.freeze([...(given.delays ?? from.delays)]),
    statusCodes: Object.freeze([...(given.statusCodes ?? from.statusCodes)]),
    retryOnNetworkErrors: given.retryOnNetworkErrors ?? from.retryOnNetworkErrors,
    retryAmbiguous: given.retryAmbiguous ?? from.retryAmbiguous,
    maxRetryAfterMs: given.maxRetryAfterMs ?? from.maxRetryAfterMs,
    jitter: given.jitter ?? from.jitter,
    onRetry: given.onRetry ?? from.onRetry,
  });
}

/** What to do after a failed attempt: retry after `delayMs`, or (undefined) give up. */
export interface RetryPlan {
  delayMs: number;
  reason: RetryReason;
}

/**
 * Decides whether the attempt numbered `attempt` (from 1), which failed with `error`, is
 * retried, and how long to wait first. Whether retries remain is the caller's concern.
 */
export function planRetry(
  error: StemeError,
  policy: ResolvedRetryOptions,
  replay: Replay,
  attempt: number,
  random: () => number = Math.random,
): RetryPlan | undefined {
  // First: whatever else is listed, an ambiguous failure is the caller's to resolve when they
  // asked for it, and always for an operation a repeat would harm (a second key issued, the
  // first one's plaintext lost), whether the doubt came from a reset or from a 502.
  if (error.ambiguous && (!policy.retryAmbiguous || replay === 'at-most-once')) return undefined;
  const scheduled = (reason: RetryReason): RetryPlan => {
    const base = policy.delays[Math.min(attempt, policy.delays.length) - 1] ?? 0;
    return { delayMs: Math.round(base * (1 - policy.jitter * random())), reason };
  };
  if (error.status !== undefined) {
    const listed = policy.statusCodes.includes(error.status);
    const { retryAfter } = error;
    // A 429 is retried only when the server says when (unless the caller listed 429).
    const rateLimitWithWait = error instanceof StemeRateLimitError && retryAfter !== undefined;
    if (!listed && !rateLimitWithWait) return undefined;
    if (retryAfter?.ms !== undefined) {
      return { delayMs: Math.min(retryAfter.ms, policy.maxRetryAfterMs), reason: 'retry-after' };
    }
    return scheduled('status'); // no Retry-After, or a malformed one
  }
  if (!policy.retryOnNetworkErrors) return undefined;
  if (error instanceof StemeNetworkError) {
    if (!networkCodeInfo(error.networkCode).retried) return undefined;
    if (error.phase !== 'connect' && replay === 'at-most-once') return undefined;
    return scheduled('network');
  }
  if (error instanceof StemeTimeoutError && error.timeout === 'attempt') {
    return replay === 'idempotent' ? scheduled('timeout') : undefined;
  }
  return undefined;
}
