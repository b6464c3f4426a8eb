/**
 * src/attempt-abort.ts on its own, on fake timers: the shared sweep fires a long limit once, as
 * its kind, and stops when nothing is in flight; a stopped attempt is forgotten. (Its effect on
 * calls, real timeouts over real sockets, is in resilience.test.ts and bodies.test.ts.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AttemptAbort, AttemptTimers, SWEEP_MS } from '../src/attempt-abort.js';

afterEach(() => {
  vi.useRealTimers();
});

const fake = () =>
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'performance'] });

describe('AttemptTimers', () => {
  it('fires a long limit once, as its kind, and stops sweeping when nothing is in flight', () => {
    fake();
    const timers = new AttemptTimers();
    const abort = new AttemptAbort();
    const listener = vi.fn();
    abort.once('abort', listener);
    timers.start(abort, 5000, 'deadline');
    vi.advanceTimersByTime(4900);
    expect(abort.aborted).toBe(false);
    vi.advanceTimersByTime(200);
    expect([abort.kind, listener.mock.calls.length]).toEqual(['deadline', 1]);
    vi.advanceTimersByTime(10 * SWEEP_MS);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('forgets a stopped attempt, and a removed listener is not called', () => {
    fake();
    const timers = new AttemptTimers();
    const abort = new AttemptAbort();
    const listener = vi.fn();
    abort.once('abort', listener);
    abort.removeListener('abort', listener);
    const timer = timers.start(abort, 2000, 'attempt');
    timers.stop(abort, timer);
    vi.advanceTimersByTime(5000);
    expect(abort.aborted).toBe(false);
    abort.fire('user');
    expect([abort.kind, listener.mock.calls.length]).toEqual(['user', 0]);
    timers.close();
  });
});
