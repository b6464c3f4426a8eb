/** Token-bucket settings: `burst` tokens at most, refilled at `perSecond`. */
export interface RateLimitSettings {
  burst: number;
  perSecond: number;
}

/**
 * Default per-key limit: generous enough for test suites and local tools, low enough that a
 * runaway loop meets the 429 path it would meet in production (roadmap alerts count 429s).
 */
export const DEFAULT_RATE_LIMIT: RateLimitSettings = { burst: 200, perSecond: 100 };

/** The result of taking a token. */
export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * One token bucket per key hash (the app-level per-key limit of the roadmap). The clock is
 * injectable so tests of the arithmetic need no waiting.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Takes one token from `id`'s bucket, or says how many whole seconds until one is back. */
  take(id: string): TakeResult {
    const now = this.nowMs();
    const bucket = this.#buckets.get(id) ?? { tokens: this.settings.burst, updatedMs: now };
    const refilled = ((now - bucket.updatedMs) / 1000) * this.settings.perSecond;
    bucket.tokens = Math.min(this.settings.burst, bucket.tokens + refilled);
    bucket.updatedMs = now;
    this.#buckets.set(id, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    // Retry-After is whole seconds (components.headers.Retry-After), so round up and never say 0.
    const seconds = (1 - bucket.tokens) / this.settings.perSecond;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(seconds)) };
  }
}
