/**
 * How an attempt is cut short: by its own timeout, by the call's deadline, or by the caller's
 * `AbortSignal`, without an `AbortController` and a timer per attempt.
 *
 * Why: a new `AbortController`, a `setTimeout`/`clearTimeout` pair and an `addEventListener`
 * on the controller's `EventTarget` cost about as much per call as the whole raw undici request
 * (bench/README.md has the figures). Instead:
 *
 * - {@link AttemptAbort} is a plain object with one listener: the attempt's handler in
 *   exchange.ts, which aborts the request through undici's dispatch controller. (Until undici 8
 *   it was passed to undici as the request's `signal`, shaped as the `EventEmitter` undici
 *   accepts there; undici 8 made any signal cost a copy of the request options, a queue hook
 *   and Node's `addAbortListener` per request, so the SDK no longer hands undici a signal.)
 * - Timers: one shared, unref'd sweep per client checks the attempts in flight every
 *   {@link SWEEP_MS} ms, so an attempt adds to and removes from a list instead of arming a
 *   timer (at c=1 a lone 30 s timer also creates and drops a timer list every call). A limit
 *   under {@link NATIVE_TIMER_BELOW_MS} gets a native timer of its own, so short timeouts
 *   stay precise (undici's own fast timers make the same split, at 1 s).
 *
 * Invariant: an attempt has exactly one listener (its handler in exchange.ts), so one slot is
 * all the listener list it needs.
 *
 * The limits keep their meaning: each is one wall-clock bound on the attempt (send, wait and
 * read the body), firing at most {@link SWEEP_MS} ms late.
 */

import { SlotList } from './slot-list.js';

/** Why an attempt was cut short. */
export type AbortKind = 'user' | 'attempt' | 'deadline';

/** How often the shared sweep looks for attempts past their limit, in ms. */
export const SWEEP_MS = 50;
/** Limits shorter than this get a native timer of their own, in ms. */
export const NATIVE_TIMER_BELOW_MS = 1000;

type Listener = () => void;

/** The abort handle of one attempt: `aborted`, `reason` and one `'abort'` listener. */
export class AttemptAbort {
  aborted = false;
  /** What the attempt's exchange rejects with on abort. */
  reason: Error | undefined = undefined;
  /** Set when the attempt was cut short. */
  kind: AbortKind | undefined = undefined;
  /** When the sweep fires it, on the sweep's clock (`performance.now()`). */
  expiresAt = Number.POSITIVE_INFINITY;
  /** The kind the timer fires as. */
  timerKind: AbortKind = 'attempt';
  /** Its index in the sweep's {@link SlotList} while watched, else -1. */
  slot = -1;
  #listener: Listener | undefined = undefined;

  // The few EventEmitter methods a listener needs (one listener at a time).
  on(_event: 'abort', listener: Listener): this {
    this.#listener = listener;
    return this;
  }
  once(event: 'abort', listener: Listener): this {
    return this.on(event, listener);
  }
  addListener(event: 'abort', listener: Listener): this {
    return this.on(event, listener);
  }
  removeListener(_event: 'abort', listener: Listener): this {
    if (this.#listener === listener) this.#listener = undefined;
    return this;
  }
  off(event: 'abort', listener: Listener): this {
    return this.removeListener(event, listener);
  }
  /** Cuts the attempt short (once); its exchange then rejects with `reason`. */
  fire(kind: AbortKind): void {
    if (this.aborted) return;
    this.aborted = true;
    this.kind = kind;
    this.reason = new AttemptAbortedError(kind);
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }
}

/** The internal reason an attempt was aborted with; the transport maps it to a StemeError. */
export class AttemptAbortedError extends Error {
  override readonly name = 'AttemptAbortedError';
  constructor(readonly kind: AbortKind) {
    super(`attempt aborted (${kind})`);
  }
}

/** The attempts in flight of one client, and the one timer that sweeps them. */
export class AttemptTimers {
  // A SlotList, not a Set: see slot-list.ts for what a Set with this churn cost.
  readonly #inFlight = new SlotList<AttemptAbort>();
  #sweep: NodeJS.Timeout | undefined = undefined;

  /**
   * Fires `abort` as `kind` after `ms`. Returns what {@link stop} needs: a native timer, or
   * nothing when the sweep watches it.
   */
  start(abort: AttemptAbort, ms: number, kind: AbortKind): NodeJS.Timeout | undefined {
    abort.timerKind = kind;
    if (ms < NATIVE_TIMER_BELOW_MS) return setTimeout(() => abort.fire(kind), ms);
    abort.expiresAt = performance.now() + ms;
    this.#inFlight.add(abort);
    if (this.#sweep === undefined) {
      this.#sweep = setInterval(() => this.#sweepNow(), SWEEP_MS);
      this.#sweep.unref(); // an idle client never holds the process open
    }
    return undefined;
  }

  /** Forgets an attempt that ended. */
  stop(abort: AttemptAbort, timer: NodeJS.Timeout | undefined): void {
    if (timer !== undefined) clearTimeout(timer);
    else this.#inFlight.delete(abort);
  }

  /** How many attempts the sweep watches. */
  get watched(): number {
    return this.#inFlight.size;
  }

  /** Stops the sweep (the client is closing). */
  close(): void {
    if (this.#sweep !== undefined) clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  #sweepNow(): void {
    if (this.#inFlight.size === 0) {
      this.close(); // restarted by the next attempt
      return;
    }
    const now = performance.now();
    // Collected first: firing one ends its attempt, which removes it (and moves another).
    for (const abort of this.#inFlight.filter((a) => a.expiresAt <= now)) {
      this.#inFlight.delete(abort);
      abort.fire(abort.timerKind);
    }
  }
}
