/**
 * The send window: at most `concurrency` writes in flight (p-queue), fed one at a time by the
 * caller's loop, which waits while the queue is full, so that nothing but the window is ever
 * queued (no array of pending promises, however large the scan). It also holds the run's shared state: StemeDB down, a fatal error,
 * and the 429 back-off (a pause every send waits for, and fewer writes in flight, raised
 * again one at a time as writes succeed).
 */
import { setMaxListeners } from 'node:events';
import type { SleepFn, StemeError } from '@stemedb/sdk';
import PQueueImport from 'p-queue';
import { FENCE_EVERY_MS } from '../spool/lock.js';

// p-queue is ESM-only; the CJS build gets its namespace (see the SDK's interop.ts).
const PQueue = ((PQueueImport as unknown as { default?: typeof PQueueImport }).default ??
  PQueueImport) as typeof PQueueImport;

/** The back-off after a 429 without a usable `Retry-After`, doubled per 429 up to the max. */
export const RATE_LIMIT_BACKOFF_MS = 1_000;
/**
 * This many distinct records failing with a 500 (or another status that is not an outage) with
 * no success in between means the server fails, not the records: StemeDB counts as down.
 */
export const POISON_DOWN_RECORDS = 8;
/** The longest pause after a 429 without `Retry-After`. */
export const RATE_LIMIT_BACKOFF_MAX_MS = 30_000;

// At most this many abort listeners per write in flight: undici's, the SDK's sleep, the gate's.
const LISTENERS_PER_WRITE = 3;

/** The window and the run's shared state. */
export class Sender {
  readonly #queue: InstanceType<typeof PQueue>;
  readonly #max: number;
  readonly #sleep: SleepFn;
  readonly #now: () => number;
  readonly #controller = new AbortController();
  #pauseUntil = 0;
  #backoffMs = RATE_LIMIT_BACKOFF_MS;
  #okStreak = 0;
  /** Set once StemeDB counts as down for this run (the error that showed it). */
  down: StemeError | undefined;
  /** Set by a failure that ends the run (401/403, a spool write error, a lost lock). */
  fatal: unknown;
  /** How many 429s were seen (for the result's warning). */
  rateLimited = 0;
  /** Writes that succeeded in this run. */
  #successes = 0;
  /** Records failing (a 500) since the last success, with the success count at their first failure. */
  readonly #failing = new Map<number, number>();

  constructor(concurrency: number, sleep: SleepFn, now: () => number, signal?: AbortSignal) {
    this.#queue = new PQueue({ concurrency });
    this.#queue.addEventListener('next', this.#onNext);
    this.#queue.addEventListener('active', this.#onNext);
    this.#max = concurrency;
    // Every write in flight listens on the run's signal (undici, the SDK's retry sleep, the
    // 429 gate), so more than 10 at once is normal, not a leak: without this, Node printed a
    // MaxListenersExceededWarning on stderr for any concurrency above about 10.
    setMaxListeners(concurrency * LISTENERS_PER_WRITE + 16, this.#controller.signal);
    this.#sleep = sleep;
    this.#now = now;
    if (signal !== undefined) {
      if (signal.aborted) this.#controller.abort(signal.reason);
      else {
        const onAbort = () => this.#controller.abort(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        // Removed at the end of the run: a caller's long-lived signal must not collect one
        // listener per run (Node's MaxListeners warning).
        this.#detach = () => signal.removeEventListener('abort', onAbort);
      }
    }
  }

  #detach: (() => void) | undefined;

  /** Ends the run's hold on the caller's signal. */
  dispose(): void {
    this.#detach?.();
    this.#detach = undefined;
  }

  /** Set once the run's deadline (`timeoutMs`) passed: what remains stays spooled. */
  expired = false;

  /** True when the caller's signal (not our own stop) aborted the run. */
  get aborted(): boolean {
    return (
      this.#controller.signal.aborted &&
      this.down === undefined &&
      this.fatal === undefined &&
      !this.expired
    );
  }

  /** The run's deadline passed: stop sending, cancel what is in flight (it stays spooled). */
  expire(): void {
    if (this.stopped) return;
    this.expired = true;
    this.#controller.abort(new DOMException('the run reached its deadline', 'TimeoutError'));
  }

  /** Aborts every write in flight when the run stops. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once nothing more may be sent. */
  get stopped(): boolean {
    return this.down !== undefined || this.fatal !== undefined || this.#controller.signal.aborted;
  }

  /** The writes in flight may now be at most this many. */
  get concurrency(): number {
    return this.#queue.concurrency;
  }

  /** StemeDB is down for the run: stop, and cancel what is in flight (it stays spooled). */
  markDown(error: StemeError): void {
    if (this.stopped) return;
    this.down = error;
    this.#controller.abort(error);
  }

  /** The run must end with `error`. */
  fail(error: unknown): void {
    if (this.fatal !== undefined) return;
    this.fatal = error;
    this.#controller.abort(error);
  }

  /** A 429: everyone waits `retryAfterMs` (or the back-off), with half as many in flight. */
  slowDown(retryAfterMs: number | undefined): void {
    this.rateLimited += 1;
    const wait = retryAfterMs ?? this.#backoffMs;
    if (retryAfterMs === undefined) {
      this.#backoffMs = Math.min(this.#backoffMs * 2, RATE_LIMIT_BACKOFF_MAX_MS);
    }
    this.#pauseUntil = Math.max(this.#pauseUntil, this.#now() + wait);
    this.#queue.concurrency = Math.max(1, Math.floor(this.#queue.concurrency / 2));
    this.#okStreak = 0;
  }

  /**
   * Record `index` failed with a status that is neither an outage nor a refusal (a 500). True
   * when {@link POISON_DOWN_RECORDS} distinct records have failed so since the last success:
   * then it is the server that fails, not the records, and the run counts StemeDB as down.
   */
  failedRecord(index: number, error: StemeError): boolean {
    if (!this.#failing.has(index)) this.#failing.set(index, this.#successes);
    let since = 0;
    for (const at of this.#failing.values()) if (at === this.#successes) since += 1;
    if (since >= POISON_DOWN_RECORDS) {
      this.markDown(error);
      return true;
    }
    return false;
  }

  /** True when another write succeeded since record `index` first failed in this run. */
  succeededSince(index: number): boolean {
    const at = this.#failing.get(index);
    return at !== undefined && this.#successes > at;
  }

  /** A write succeeded: after a streak, one more may be in flight again. */
  succeeded(): void {
    this.#successes += 1;
    this.#backoffMs = RATE_LIMIT_BACKOFF_MS;
    if (this.#queue.concurrency >= this.#max) return;
    this.#okStreak += 1;
    if (this.#okStreak >= this.#queue.concurrency * 2) {
      this.#okStreak = 0;
      this.#queue.concurrency += 1;
    }
  }

  /** Checks the run's lock before sends (`Spool.checkFence`); set by the run. */
  fence: (() => Promise<void>) | undefined;
  /** When the last check of the lock came back good (by `now`). */
  #fencedAt = Number.NEGATIVE_INFINITY;
  /** The check of the lock now out, shared by every send that asks meanwhile. */
  #fenceCheck: Promise<void> | undefined;

  /**
   * Waits out a pause ordered by a 429 (no-op without one), and checks that the run still holds
   * its lock when the last good check came back {@link FENCE_EVERY_MS} ago or more: a run that
   * lost it (a stall, then another run took over) sends nothing more. A send that asks while a
   * check is out waits for that check's answer: when a stalled run wakes, the first send starts
   * a check and the others must not slip through because one "just started".
   */
  async gate(): Promise<void> {
    if (this.clear) return;
    await this.#gate();
  }

  /**
   * True when {@link gate} has nothing to wait for: no 429 pause, and a check of the lock came
   * back good less than {@link FENCE_EVERY_MS} ago with none out. Nearly every send finds it
   * so, and then goes on without a promise.
   */
  get clear(): boolean {
    const now = this.#now();
    const fenced = this.fence === undefined || this.#fenced(now);
    return fenced && (this.#pauseUntil <= now || this.stopped);
  }

  // A check of the lock counts as good for FENCE_EVERY_MS from when it came back; none is out.
  #fenced(now: number): boolean {
    return this.#fenceCheck === undefined && now - this.#fencedAt < FENCE_EVERY_MS;
  }

  async #gate(): Promise<void> {
    if (this.fence !== undefined) {
      try {
        await this.#checkFence(this.fence);
      } catch (error) {
        this.fail(error);
        return;
      }
    }
    for (;;) {
      const wait = this.#pauseUntil - this.#now();
      if (wait <= 0 || this.stopped) return;
      try {
        await this.#sleep(wait, this.signal);
      } catch {
        return; // aborted: the caller sees `stopped`
      }
    }
  }

  #checkFence(fence: () => Promise<void>): Promise<void> {
    if (this.#fenceCheck !== undefined) return this.#fenceCheck;
    if (this.#fenced(this.#now())) return Promise.resolve();
    this.#fenceCheck = fence()
      .then(() => {
        // Good from when it came back: a stall while it was out makes the next send check again.
        this.#fencedAt = this.#now();
      })
      .finally(() => {
        this.#fenceCheck = undefined;
      });
    return this.#fenceCheck;
  }

  /**
   * Starts `task` once the window has room. `task` must not reject: it records its own
   * outcome. Resolves when the task is started (or queued behind a full window), not when it
   * ends: the caller's loop then waits here rather than piling up promises.
   */
  async submit(task: () => Promise<void>): Promise<void> {
    // A bug in a task ends the run with it.
    void this.#queue.add(task).catch((error: unknown) => this.fail(error));
    while (
      this.#queue.pending + this.#queue.size >= this.#queue.concurrency &&
      this.#queue.size > 0
    ) {
      // Not `onSizeLessThan(1)`: each call made an AbortController and aborted it (a
      // DOMException with its stack) to drop its listeners, for every record sent. Lasting
      // 'next' and 'active' listeners (the events onSizeLessThan waits for) wake the waiting
      // caller instead.
      await new Promise<void>((resolve) => {
        const before = this.#room;
        this.#room =
          before === undefined
            ? resolve
            : () => {
                before();
                resolve();
              };
      });
    }
  }

  /** Wakes the callers of {@link submit} waiting for room in the window. */
  #room: (() => void) | undefined;

  #onNext = (): void => {
    const room = this.#room;
    if (room === undefined || this.#queue.size > 0) return;
    this.#room = undefined;
    room();
  };

  /** Resolves when every started task has ended. */
  async settle(): Promise<void> {
    await this.#queue.onIdle();
  }
}
