/**
 * An injectable clock and sleep: sleeping advances the clock at once, and every wait asked
 * for is recorded, so a test can assert the exact schedule in milliseconds of real time.
 */
import type { NowFn, SleepFn } from '../../src/index.js';

export interface FakeTime {
  now: NowFn;
  sleep: SleepFn;
  /** Every wait the SDK asked for, in order. */
  sleeps: number[];
  /** Moves the clock. */
  advance(ms: number): void;
}

/** A fake clock; `onSleep` runs inside each sleep (e.g. to restart a server). */
export function fakeTime(onSleep?: (ms: number, index: number) => void | Promise<void>): FakeTime {
  let t = Date.UTC(2026, 0, 1);
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleeps,
    advance: (ms) => {
      t += ms;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
      await onSleep?.(ms, sleeps.length - 1);
    },
  };
}

/** A sleep that never ends by itself: only the SDK's abort race can end the wait. */
export const sleepForever: SleepFn = () => new Promise<void>(() => {});
