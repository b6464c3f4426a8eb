import type { AfterApplyOptions } from './after-apply.js';

/**
 * The emulator's public types. They are the interface the SDK, the manifests package and every
 * test in the repo program against, so change them only together with their users.
 */

/** Options for {@link startEmulator}. Unknown keys are rejected. */
export interface EmulatorOptions {
  /**
   * TCP port to listen on. `0` picks a free ephemeral port (read it back from {@link Emulator.port}).
   * @default 0
   */
  port?: number;
  /**
   * Interface to bind.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * The root (admin) key, seeded at boot as the real server seeds `STEMEDB_ROOT_API_KEY`.
   * Must be `steme_live_` + 48 lowercase hex characters, or {@link startEmulator} rejects.
   * @default process.env.STEMEDB_ROOT_API_KEY, else a freshly generated key
   */
  rootApiKey?: string;
  /**
   * Whether requests need an `X-API-Key`. `false` behaves like `STEMEDB_AUTH_ENABLED=false`:
   * every path is open and every caller acts as admin.
   * @default true
   */
  auth?: boolean;
  /**
   * Optional directory to persist keys (SHA-256 hashes only, never plaintext) and assertions,
   * so they survive {@link Emulator.close} and a new {@link startEmulator} on the same directory.
   * Each change is appended to an fsynced journal before it is answered (writes of one
   * event-loop turn share one fsync); the journal is compacted into `keys.json` and
   * `assertions.json` (temporary file, fsync, rename, directory fsync) in the background and at
   * {@link Emulator.close}. A write that cannot be made durable is answered 503 and undone. The
   * directory is created 0700; its files are validated on load. See the README's Persistence.
   * @default undefined (everything lives in memory)
   */
  dataDir?: string;
  /**
   * Per-key token bucket. When a key's bucket is empty the answer is 429 with `Retry-After`
   * (whole seconds, rounded up). With `auth: false` a key proves nothing, so the bucket is per
   * client address instead. Buckets idle long enough to be full again are dropped. `false`
   * disables rate limiting.
   * @default { burst: 200, perSecond: 100 }
   */
  rateLimit?: { burst: number; perSecond: number } | false;
  /**
   * Largest accepted request body in bytes; larger bodies get 413 and the connection is closed
   * once the rest of the body (up to 32 MiB more, within 5 s) has been read and discarded, so a
   * client still writing its body can read the 413. Bodies nested deeper than 128 levels get 400.
   * @default 1_048_576 (1 MiB)
   */
  bodyLimitBytes?: number;
  /**
   * Honour `Idempotency-Key` on writes, as Stripe does (see the README). `false` ignores the
   * header, as a server without the feature would (whether StemeDB honours it is unknown), so
   * that a client's correctness can be tested without it.
   * @default true
   */
  idempotency?: boolean;
  /**
   * The wall clock, in milliseconds since the epoch: timestamps it stores (`accepted_at`, a
   * key's `created_at`) and the 24 h after which an `Idempotency-Key` is forgotten. Tests inject
   * a fake to step over a day.
   * @default Date.now
   */
  now?: () => number;
}

/** One request the emulator saw, as returned by {@link Emulator.requests}. Never holds a key. */
export interface RecordedRequest {
  /** The HTTP method, e.g. `POST`. */
  method: string;
  /**
   * The request path without its query string, e.g. `/v1/assert`; a path over 1,024 characters
   * is cut there and ends in `…`, so the log stays bounded in bytes as well as in count.
   */
  path: string;
  /** The status answered; `0` when the connection was reset by a `reset` fault instead. */
  status: number;
  /** When the request arrived. */
  at: Date;
  /** SHA-256 hex of the `X-API-Key` sent, if any (never the key itself). */
  keyHash?: string;
  /** The `Idempotency-Key` sent, if any (its first 255 characters). */
  idempotencyKey?: string;
}

/** Fault injection, to replay restarts and outages (see the README). */
export interface Faults {
  /**
   * Starts an outage window of `ms` milliseconds now, replacing any current one.
   * `502`/`503` answer every request (health and metrics included) like Traefik does while the
   * replica restarts; `503` carries `Retry-After` when `retryAfterSeconds` is given.
   * `'refuse'` stops listening so connections are refused, then listens again on the same port.
   * `'reset'` accepts connections and resets them before any response.
   */
  outage(opts: {
    ms: number;
    mode: 502 | 503 | 'refuse' | 'reset';
    retryAfterSeconds?: number;
  }): void;
  /**
   * The next `n` requests, on any path, answer `status`. 502/503 default to Traefik's plain-text
   * bodies; other statuses to an ErrorBody JSON. `body` and `contentType` override the body.
   */
  failNext(
    n: number,
    status: number,
    opts?: { retryAfterSeconds?: number; body?: string; contentType?: string },
  ): void;
  /**
   * Loses the answer of state-changing requests that succeeded, after they were applied (an
   * assertion stored, a key created, rotated or revoked): `'reset'` resets the socket with no
   * response (Toxiproxy's `reset_peer`), `502` answers Traefik's `Bad Gateway` instead. Exactly
   * one of `count` (the next N successful writes; `0` turns it off) or `ratio` (each successful
   * write with that probability, from a PRNG seeded by `seed`, so a run replays exactly).
   * Replaces any earlier `afterApply`; combines with the other faults (which fire first, before
   * anything is applied). @throws RangeError on bad options.
   */
  afterApply(opts: AfterApplyOptions): void;
  /** Adds `ms` of delay before every response; `0` clears it. */
  latency(ms: number): void;
  /**
   * Ends any outage (listening again if it refused connections), pending failures, latency and
   * after-apply faults.
   */
  clear(): void;
}

/** A running emulator, as resolved by {@link startEmulator}. */
export interface Emulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The port actually bound. */
  port: number;
  /** The root (admin) key. A local development key: never reuse it anywhere real. */
  rootApiKey: string;
  /** Fault injection controls. */
  faults: Faults;
  /**
   * The requests seen so far (the most recent 10,000), in the order answered. Returns a copy.
   */
  requests(): RecordedRequest[];
  /**
   * Stops listening, destroys open (keep-alive) sockets and waits for pending writes to the data
   * directory. Idempotent.
   */
  close(): Promise<void>;
}
