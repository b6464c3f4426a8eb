/**
 * The retry loop: p-retry 7 counts attempts and stops; {@link planRetry} decides; the waits
 * run on the injectable `sleep` so that tests of the schedule take milliseconds.
 *
 * p-retry has no per-attempt delay (STACK.md), so its own backoff is set to zero and the wait
 * happens in `shouldRetry`, which p-retry calls only when a retry remains: there the schedule
 * or the server's `Retry-After` is applied, the deadline is checked, `onRetry` is told, and
 * the caller's `AbortSignal` can cut the wait short (practice 3, like undici's retry handler).
 */
import pRetryImport from 'p-retry';
import type { NowFn, SleepFn } from './clock.js';
import { errorFromAbort, errorFromTimeout } from './error-factory.js';
import { isStemeError, StemeAbortError, type StemeError, StemeUnavailableError } from './errors.js';
import { esmDefault } from './interop.js';
import { planRetry, type ResolvedRetryOptions, type RetryPlan } from './retry-policy.js';
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
}

/**
 * Runs `attempt` (given its number, from 1) until it succeeds, the policy gives up, the
 * retries run out, the deadline would pass, or the signal aborts. Always throws a StemeError
 * carrying the number of attempts made (`aborted` when `onRetry` threw).
 */
export async function runWithRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  run: RetryRun,
): Promise<T> {
  // An already-aborted signal stops the call before anything is sent.
  if (run.signal?.aborted) {
    throw finalError(errorFromAbort(run.signal.reason, run.method, run.path), 0, run);
  }
  // The first attempt runs outside p-retry: most calls succeed at once, and entering p-retry
  // costs 10–14 µs a call (issue #4 benchmark). Only a failure enters the loop below, which
  // replays it as attempt 1 so that p-retry counts and decides exactly as before.
  let first: unknown;
  try {
    return await attempt(1);
  } catch (error) {
    if (run.policy === false) throw finalError(error, 1, run);
    first = error;
  }
  return retryAfterFirstFailure(attempt, first, run);
}

// The p-retry loop, entered after attempt 1 failed with `first`.
async function retryAfterFirstFailure<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  first: unknown,
  run: RetryRun,
): Promise<T> {
  const { policy } = run;
  let attempts = 1;
  try {
    return await pRetry(
      async (n) => {
        if (n === 1) throw first; // already made, above
        if (run.signal?.aborted) throw errorFromAbort(run.signal.reason, run.method, run.path);
        attempts = n;
        return await attempt(n);
      },
      {
        retries: policy === false ? 0 : policy.delays.length,
        // p-retry's own wait is off (zero); the wait happens in shouldRetry, on run.sleep.
        minTimeout: 0,
        maxTimeout: 0,
        factor: 1,
        randomize: false,
        shouldRetry: async ({ error, attemptNumber }) => {
          if (policy === false || !isStemeError(error)) return false;
          const plan = planRetry(error, policy, run.replay, attemptNumber);
          if (plan === undefined) return false;
          await waitBeforeRetry(plan, error, attemptNumber, policy, run);
          return true;
        },
      },
    );
  } catch (error) {
    throw finalError(error, attempts, run);
  }
}

async function waitBeforeRetry(
  plan: RetryPlan,
  error: StemeError,
  attemptNumber: number,
  policy: ResolvedRetryOptions,
  run: RetryRun,
): Promise<void> {
  const elapsedMs = run.now() - run.startedAt;
  // Waiting past the deadline is pointless: fail now, saying why.
  if (elapsedMs + plan.delayMs >= run.deadlineMs) {
    const detail = ` before attempt ${attemptNumber + 1} could start (next wait ${plan.delayMs} ms); last error: ${stripPrefix(error, run)}`;
    throw errorFromTimeout('deadline', run.deadlineMs, run.method, run.path, detail, error);
  }
  try {
    await policy.onRetry?.({
      attempt: attemptNumber,
      delayMs: plan.delayMs,
      reason: plan.reason,
      error,
      method: run.method,
      path: run.path,
      elapsedMs,
    });
  } catch (thrown) {
    // The caller's hook said stop: still one error family for the caller.
    const why = thrown instanceof Error ? thrown.message : String(thrown);
    throw new StemeAbortError({
      code: 'aborted',
      message: `${run.method} ${run.path}: retrying stopped by onRetry: ${why}`,
      method: run.method,
      path: run.path,
      attempts: attemptNumber,
      cause: thrown,
    });
  }
  await sleepUnlessAborted(plan.delayMs, run);
}

// Races the (injectable) sleep against the signal, so that even a sleep which ignores its
// signal cannot hold up a cancellation.
async function sleepUnlessAborted(ms: number, run: RetryRun): Promise<void> {
  const { signal } = run;
  if (signal === undefined) return run.sleep(ms);
  if (signal.aborted) throw errorFromAbort(signal.reason, run.method, run.path);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(errorFromAbort(signal.reason, run.method, run.path));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([run.sleep(ms, signal), aborted]);
  } catch (error) {
    if (signal.aborted) throw errorFromAbort(signal.reason, run.method, run.path);
    throw error;
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

function finalError(error: unknown, attempts: number, run: RetryRun): unknown {
  if (!isStemeError(error)) return error; // a bug: let it show as it is
  error.attempts = Math.max(error.attempts, attempts);
  const { policy } = run;
  if (policy === false || attempts < policy.delays.length + 1 || attempts < 2) return error;
  // The retries ran out. Did the policy still want one?
  const plan = planRetry(error, policy, run.replay, attempts, () => 0);
  const outage =
    error.code === 'unavailable' || error.code === 'network' || plan?.reason === 'status';
  if (plan === undefined || !outage || error.status === 429) return error;
  const elapsedMs = run.now() - run.startedAt;
  return new StemeUnavailableError({
    code: 'unavailable',
    message: `${run.method} ${run.path}: StemeDB unavailable, gave up after ${attempts} attempts over ${(elapsedMs / 1000).toFixed(1)} s; last error: ${stripPrefix(error, run)}`,
    status: error.status,
    method: run.method,
    path: run.path,
    requestId: error.requestId,
    attempts,
    cause: error,
    body: error.body,
    serverCode: error.serverCode,
    retryAfterMs: (error as { retryAfterMs?: number }).retryAfterMs,
    elapsedMs,
  });
}

function stripPrefix(error: StemeError, run: RetryRun): string {
  return error.message.replace(`${run.method} ${run.path} failed: `, '');
}
