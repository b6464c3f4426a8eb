/**
 * `Idempotency-Key`, honoured as Stripe does (https://docs.stripe.com/api/idempotent_requests);
 * the yaml marks the header `x-assumed`, since whether StemeDB honours it is unknown.
 *
 * - Keyed per API key: two callers may use the same key string without meeting.
 * - The first request with a key runs; its answer is kept for {@link IDEMPOTENCY_TTL_MS} (24 h,
 *   on the emulator's clock). A later request with the same key and the same method, path and
 *   body gets that answer again (status, headers, body) without being applied again, plus
 *   `Idempotent-Replayed: true`. With another method, path or body it is 400
 *   `idempotency_error`, and nothing is applied.
 * - Only completed answers are kept: what the route answered when it ran to the end (a 2xx).
 *   An error (a 400 for a bad body, a 404, a 503 when the write could not be made durable and
 *   was undone) keeps nothing, as Stripe keeps nothing for a request that failed validation, so
 *   the key may be used again; a fault that answered before the request reached its route never
 *   gets here. A request arriving while the first with its key is still running waits for that
 *   one and gets its answer.
 * - In memory only: a restart forgets every key (README, "Idempotency-Key").
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { prereadBody } from './body.js';
import { HttpError } from './errors.js';
import type { Reply } from './reply.js';

/** How long an answer is kept for replay: 24 h, as Stripe keeps it. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** The most answers kept at once; past it the oldest is dropped first (a long-running emulator). */
export const MAX_IDEMPOTENCY_ENTRIES = 100_000;
/** The request header. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** The header a replayed answer carries, as Stripe's does. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

interface Entry {
  readonly fingerprint: string;
  readonly createdAt: number;
  /** The answer, once the first request completed; until then, the promise of it. */
  reply: Reply | undefined;
  pending: Promise<Reply | undefined> | undefined;
}

/** The answers kept for idempotent requests. */
export class IdempotencyStore {
  // Insertion order is creation order (the clock only moves forward here), so expired and
  // surplus entries are always at the head.
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly nowMs: () => number,
    private readonly maxEntries = MAX_IDEMPOTENCY_ENTRIES,
  ) {}

  /** How many answers are kept (expired ones may linger until the next request). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Runs `apply` for a write, unless its `Idempotency-Key` was seen: then replays or refuses.
   * Without the header it just runs `apply`.
   *
   * @param scope - whose keys these are: the caller's API key hash
   */
  async run(
    req: IncomingMessage,
    scope: string,
    target: { method: string; path: string; bodyLimitBytes: number },
    apply: () => Promise<Reply>,
  ): Promise<Reply> {
    const key = headerKey(req);
    if (key === undefined) return apply();
    const body = await prereadBody(req, target.bodyLimitBytes);
    const fingerprint = createHash('sha256')
      .update(`${target.method} ${target.path}\n`)
      .update(body)
      .digest('hex');
    const id = `${scope}\n${key}`;
    for (;;) {
      this.#prune(this.nowMs());
      const seen = this.#entries.get(id);
      if (seen === undefined) return this.#first(id, fingerprint, apply);
      if (seen.fingerprint !== fingerprint) throw reused();
      const reply = seen.reply ?? (await seen.pending);
      if (reply !== undefined) return replayed(reply);
      // The first request kept no answer while this one waited: try to be the first again.
    }
  }

  // The first request with this key: runs it, and keeps its answer if it succeeded.
  async #first(id: string, fingerprint: string, apply: () => Promise<Reply>): Promise<Reply> {
    let settle: (reply: Reply | undefined) => void = () => {};
    const entry: Entry = {
      fingerprint,
      createdAt: this.nowMs(),
      reply: undefined,
      pending: new Promise((resolve) => {
        settle = resolve;
      }),
    };
    this.#entries.set(id, entry);
    let reply: Reply | undefined;
    try {
      reply = await apply();
      return reply;
    } finally {
      const completed = reply !== undefined && reply.status < 300;
      if (completed) entry.reply = reply;
      else this.#entries.delete(id);
      entry.pending = undefined;
      settle(completed ? reply : undefined);
    }
  }

  #prune(now: number): void {
    for (const [id, entry] of this.#entries) {
      const expired = now - entry.createdAt >= IDEMPOTENCY_TTL_MS;
      if (!expired && this.#entries.size < this.maxEntries) return;
      if (entry.pending !== undefined && !expired) return; // never drop one still running
      this.#entries.delete(id);
    }
  }
}

// Stripe allows keys up to 255 characters; the yaml says 1 to 255.
function headerKey(req: IncomingMessage): string | undefined {
  const value = req.headers[IDEMPOTENCY_HEADER];
  if (value === undefined) return undefined;
  const key = Array.isArray(value) ? value.join(', ') : value;
  if (key.length < 1 || key.length > 255) {
    throw new HttpError(400, 'invalid_request', 'Idempotency-Key must be 1 to 255 characters');
  }
  return key;
}

function reused(): HttpError {
  return new HttpError(
    400,
    'idempotency_error',
    'This Idempotency-Key was already used with another request (method, path or body); use a new key for a new request',
  );
}

function replayed(reply: Reply): Reply {
  return { ...reply, headers: { ...reply.headers, [REPLAYED_HEADER]: 'true' } };
}
