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

/** Idle buckets are swept once the map holds this many (and at most once per this many takes). */
export const SWEEP_THRESHOLD = 1_000;

/**
 * One token bucket per key hash (the app-level per-key limit of the roadmap). The clock is
 * injectable so tests of the arithmetic need no waiting. A bucket that has refilled to the
 * burst is the same as no bucket, so such buckets are dropped: memory follows the callers of
 * the last few seconds, not every id ever seen (issue 11, item 13).
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  #takesSinceSweep = 0;

  /** How many buckets are held (for tests of the sweep). */
  get size(): number {
    return this.#buckets.size;
  }

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Takes one token from `id`'s bucket, or says how many whole seconds until one is back. */
  take(id: string): TakeResult {
    const now = this.nowMs();
    if (++this.#takesSinceSweep >= SWEEP_THRESHOLD && this.#buckets.size >= SWEEP_THRESHOLD) {
      this.#sweep(now);
    }
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

  #sweep(now: number): void {
    this.#takesSinceSweep = 0;
    const fullAfterMs = (this.settings.burst / this.settings.perSecond) * 1000;
    for (const [id, bucket] of this.#buckets) {
      if (now - bucket.updatedMs >= fullAfterMs) this.#buckets.delete(id);
    }
  }
}
