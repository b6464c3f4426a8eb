/**
 * Time, as the SDK sees it: injectable so that tests of the retry schedule take milliseconds
 * (practice 8). Pass `sleep` and `now` in the client options to replace them.
 */
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits `ms` milliseconds. Should reject early when `signal` aborts; the SDK also races it
 * against the signal, so a sleep that ignores it still cannot delay a cancellation.
 */
export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The wall-clock time in milliseconds (like `Date.now`). */
export type NowFn = () => number;

/** The default sleep: a timer that an `AbortSignal` cancels. */
export const defaultSleep: SleepFn = async (ms, signal) => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};

/** The default clock: `Date.now()`. */
export const defaultNow: NowFn = () => Date.now();
