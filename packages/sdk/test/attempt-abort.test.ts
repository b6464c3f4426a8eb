/**
 * src/attempt-abort.ts on its own, on fake timers: the shared sweep fires a long limit once, as
 * its kind, and stops when nothing is in flight; a stopped attempt is forgotten. (Its effect on
 * calls, real timeouts over real sockets, is in resilience.test.ts and bodies.test.ts.) The
 * watched attempts are an array with swap-removal: a generated run of starts, stops and time
 * checks it against a model (each attempt fires once, at or after its limit, only if not
 * stopped; the array never holds an attempt that ended).
 */
import fc from 'fast-check';
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

  it('swap-removal keeps exactly the attempts in flight, firing each expired one once', () => {
    type Op =
      | { kind: 'start'; ms: number }
      | { kind: 'stop'; pick: number }
      | { kind: 'advance'; ms: number };
    const op = fc.oneof(
      fc.record({ kind: fc.constant('start' as const), ms: fc.integer({ min: 1000, max: 3000 }) }),
      fc.record({ kind: fc.constant('stop' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 700 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops: Op[]) => {
        fake();
        const timers = new AttemptTimers();
        let clock = 0;
        const live: Array<{ abort: AttemptAbort; due: number; fired: number; stopped: boolean }> =
          [];
        const all: typeof live = [];
        try {
          for (const o of ops) {
            if (o.kind === 'start') {
              const entry = {
                abort: new AttemptAbort(),
                due: clock + o.ms,
                fired: 0,
                stopped: false,
              };
              entry.abort.once('abort', () => {
                entry.fired += 1;
                // the attempt ends when aborted, as the transport's finally does
                timers.stop(entry.abort, undefined);
                const at = live.indexOf(entry);
                expect(at).toBeGreaterThanOrEqual(0); // never fired once stopped or fired
                live.splice(at, 1);
              });
              timers.start(entry.abort, o.ms, 'attempt');
              live.push(entry);
              all.push(entry);
            } else if (o.kind === 'stop') {
              if (live.length === 0) continue;
              const [entry] = live.splice(o.pick % live.length, 1);
              entry!.stopped = true;
              timers.stop(entry!.abort, undefined);
            } else {
              vi.advanceTimersByTime(o.ms);
              clock += o.ms;
            }
            expect(timers.watched).toBe(live.length);
          }
          for (const entry of all) {
            expect(entry.fired).toBe(entry.stopped || entry.due > clock ? 0 : entry.fired);
            expect(entry.fired).toBeLessThanOrEqual(1);
            if (entry.fired === 1) {
              expect(clock).toBeGreaterThanOrEqual(entry.due);
              expect(entry.abort.kind).toBe('attempt');
            }
          }
          // whatever is still watched is not yet due (within one sweep)
          for (const entry of live) expect(entry.due).toBeGreaterThan(clock - SWEEP_MS);
        } finally {
          timers.close();
          vi.useRealTimers();
        }
      }),
    );
  });
});
