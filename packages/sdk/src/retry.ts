/**
 * The retry loop. p-retry drives it and its attempt number is the only count; after each
 * failed attempt, {@link decide} runs once: it asks the policy (retry-policy.ts) whether and
 * when to try again, and when the answer is no it builds the error the caller gets, with the
 * number of attempts made. The waits run on the injectable `sleep`, so that tests of the
 * schedule take milliseconds.
 *
 * p-retry has no per-attempt delay (STACK.md): its own backoff is off, `retries` is unbounded
 * (the decision stops the loop, not p-retry), and the wait happens in `onFailedAttempt`, which
 * p-retry awaits after every failure. There `onRetry` is told and the caller's `AbortSignal`
 * can cut the wait short (practice 3, like undici's retry handler).
 */
import pRetryImport, { AbortError as StopRetrying } from 'p-retry';
import type { NowFn, SleepFn } from './clock.js';
import { errorFromAbort, errorFromTimeout } from './error-factory.js';
import {
  StemeAbortError,
  StemeError,
  StemeNetworkError,
  StemeRateLimitError,
  StemeUnavailableError,
} from './errors.js';
import { esmDefault } from './interop.js';
import { planRetry, type ResolvedRetryOptions, type RetryPlan } from './retry-policy.js';
import { watchAbort } from './signal-fanout.js';
import type { Replay } from './wire.js';

const pRetry = esmDefault(pRetryImport);

/** Everything the loop needs to know about one call. */
export interface RetryRun {
  policy: ResolvedRetryOptions | false;
  replay: Replay;
  method: string;
  path: string;
  sleep: SleepFn;
  now: NowFn;
  signal: AbortSignal | undefined;
  /** `now()` when the call started. */
  startedAt: number;
  deadlineMs: number;
  /**
   * Set by the loop once an attempt failed ambiguously: the call's final error then says so,
   * whatever later attempts answered (a 503 after a reset does not undo the reset's doubt).
   */
  ambiguous: boolean;
}

/** What a call that succeeded returned, and after how many attempts (p-retry's count). */
export interface Attempted<T> {
  readonly value: T;
  readonly attempts: number;
}

/**
 * Runs `attempt` (given its number, from 1) until it succeeds or {@link decide} stops it (the
 * policy gives up, the retries run out, the deadline would pass, the signal aborts, `onRetry`
 * throws). Always rejects with a StemeError carrying the number of attempts made, or with the
 * attempt's own non-SDK error (a bug, shown as it is).
 */
export async function runWithRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  run: RetryRun,
): Promise<Attempted<T>> {
  // An already-aborted signal stops the call before anything is sent.
  if (run.signal?.aborted) throw errorFromAbort(run.signal.reason, run.method, run.path);
  // Shortcut: the first attempt runs outside p-retry, since most calls succeed at once and
  // entering p-retry costs a few microseconds. Its failure is handed to p-retry as p-retry's
  // own attempt 1 (below), so p-retry's number stays the only count. Invariant: attempt 1's
  // failure reaches p-retry's decision exactly as if p-retry had made the attempt itself.
  let first: unknown;
  try {
    return { value: await attempt(1), attempts: 1 };
  } catch (error) {
    first = error;
  }
  return pRetry(
    async (n) => {
      if (n === 1) throw first;
      // Aborted before attempt n could start (a sleep that ignored the signal): n - 1 were
      // made. p-retry's AbortError ends the loop with it as it is, without a decision.
      if (run.signal?.aborted) {
        throw new StopRetrying(
          errorFromAbort(run.signal.reason, run.method, run.path, n - 1, run.ambiguous),
        );
      }
      return { value: await attempt(n), attempts: n };
    },
    {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: 0,
      maxTimeout: 0,
      factor: 1,
      randomize: false,
      onFailedAttempt: async ({ error, attemptNumber }) => {
        const next = decide(error, attemptNumber, run);
        if (!next.retry) throw next.error;
        await waitBeforeRetry(next.plan, next.failure, attemptNumber, run);
      },
    },
  );
}

/** After a failed attempt: try again after `plan`, or stop with the caller's `error`. */
type Decision =
  | { retry: true; plan: RetryPlan; failure: StemeError }
  | { retry: false; error: unknown };

/**
 * The one decision after attempt number `attempt` failed with `error`: whether to try again,
 * and if not, the error the call rejects with.
 */
function decide(error: unknown, attempt: number, run: RetryRun): Decision {
  if (!(error instanceof StemeError)) return { retry: false, error }; // a bug: show it as it is
  if (error.ambiguous) run.ambiguous = true;
  const ambiguous = run.ambiguous;
  const { policy } = run;
  const plan = policy === false ? undefined : planRetry(error, policy, run.replay, attempt);
  if (policy === false || plan === undefined) {
    return { retry: false, error: error.withAttempts(attempt, ambiguous) };
  }
  if (attempt > policy.delays.length) {
    // The retries ran out while the policy still wanted one.
    return {
      retry: false,
      error:
        policy.delays.length === 0
          ? error.withAttempts(attempt, ambiguous)
          : gaveUp(error, attempt, plan, run),
    };
  }
  const elapsedMs = run.now() - run.startedAt;
  if (elapsedMs + plan.delayMs >= run.deadlineMs) {
    // Waiting past the deadline is pointless: fail now, saying why.
    const note = ` before attempt ${attempt + 1} could start (next wait ${plan.delayMs} ms); last error: ${error.detail}`;
    return {
      retry: false,
      error: errorFromTimeout('deadline', run.deadlineMs, run.method, run.path, {
        note,
        cause: error,
        attempts: attempt,
        ambiguous,
      }),
    };
  }
  return { retry: true, plan, failure: error };
}

/**
 * The error of a call whose retries ran out: for an outage (502/503, a network failure, a
 * listed status), one StemeUnavailableError that says how long it tried; otherwise (a 429, an
 * attempt timeout) the last error itself.
 */
function gaveUp(error: StemeError, attempts: number, plan: RetryPlan, run: RetryRun): StemeError {
  const outage =
    error instanceof StemeUnavailableError ||
    error instanceof StemeNetworkError ||
    (plan.reason === 'status' && !(error instanceof StemeRateLimitError));
  const ambiguous = run.ambiguous;
  if (!outage) return error.withAttempts(attempts, ambiguous);
  const elapsedMs = run.now() - run.startedAt;
  const detail = `StemeDB unavailable, gave up after ${attempts} attempts over ${(elapsedMs / 1000).toFixed(1)} s; last error: ${error.detail}`;
  return new StemeUnavailableError({
    code: 'unavailable',
    message: `${run.method} ${run.path}: ${detail}`,
    detail,
    status: error.status,
    method: run.method,
    path: run.path,
    requestId: error.requestId,
    attempts,
    cause: error,
    body: error.body,
    serverCode: error.serverCode,
    retryAfter: error.retryAfter,
    elapsedMs,
    ambiguous,
  });
}

async function waitBeforeRetry(
  plan: RetryPlan,
  error: StemeError,
  attemptNumber: number,
  run: RetryRun,
): Promise<void> {
  const { policy } = run;
  try {
    if (policy !== false) {
      await policy.onRetry?.({
        attempt: attemptNumber,
        delayMs: plan.delayMs,
        reason: plan.reason,
        error,
        method: run.method,
        path: run.path,
        elapsedMs: run.now() - run.startedAt,
      });
    }
  } catch (thrown) {
    // The caller's hook said stop: still one error family for the caller.
    const why = thrown instanceof Error ? thrown.message : String(thrown);
    throw new StemeAbortError({
      code: 'aborted',
      message: `${run.method} ${run.path}: retrying stopped by onRetry: ${why}`,
      detail: `retrying stopped by onRetry: ${why}`,
      method: run.method,
      path: run.path,
      attempts: attemptNumber,
      cause: thrown,
      ambiguous: run.ambiguous,
    });
  }
  await sleepUnlessAborted(plan.delayMs, attemptNumber, run);
}

// Races the (injectable) sleep against the signal, so that even a sleep which ignores its
// signal cannot hold up a cancellation.
async function sleepUnlessAborted(ms: number, attempts: number, run: RetryRun): Promise<void> {
  const { signal } = run;
  if (signal === undefined) return run.sleep(ms);
  const aborted = () =>
    errorFromAbort(signal.reason, run.method, run.path, attempts, run.ambiguous);
  if (signal.aborted) throw aborted();
  // The sleep gets a signal of its own, aborted from the one shared listener on the caller's
  // (a timer with the caller's signal would add a listener per waiting call).
  const own = new AbortController();
  let unwatch: (() => void) | undefined;
  const abortion = new Promise<never>((_, reject) => {
    unwatch = watchAbort(signal, () => {
      own.abort(signal.reason);
      reject(aborted());
    });
  });
  try {
    await Promise.race([run.sleep(ms, own.signal), abortion]);
  } catch (error) {
    if (signal.aborted) throw aborted();
    throw error;
  } finally {
    unwatch?.();
  }
}
