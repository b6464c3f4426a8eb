/**
 * src/signal-fanout.ts: however many watchers share a signal, it carries one `abort` listener,
 * removed when the last watcher leaves; an abort runs each live watcher once, in any number,
 * and the same callback watched twice is two watches.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { watchAbort } from '../src/signal-fanout.js';

describe('watchAbort', () => {
  it('adds one listener for many watchers and removes it with the last', () => {
    const controller = new AbortController();
    const unwatch = Array.from({ length: 50 }, () => watchAbort(controller.signal, () => {}));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    for (const stop of unwatch.slice(1)) stop();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    unwatch[0]!();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    unwatch[0]!(); // twice: nothing more happens
    // a new watcher after the last left gets a listener again
    const again = watchAbort(controller.signal, () => {});
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    again();
  });

  it('runs each watcher still watching once on abort, and none that left', () => {
    const controller = new AbortController();
    const kept = vi.fn();
    const left = vi.fn();
    const shared = vi.fn();
    const stops = [
      watchAbort(controller.signal, kept),
      watchAbort(controller.signal, left),
      watchAbort(controller.signal, shared),
      watchAbort(controller.signal, shared),
    ];
    stops[1]!();
    stops[3]!(); // one of the two watches of `shared` leaves; the other stays
    controller.abort();
    controller.abort();
    expect([kept.mock.calls.length, left.mock.calls.length, shared.mock.calls.length]).toEqual([
      1, 0, 1,
    ]);
    for (const stop of stops) stop(); // after the abort: harmless
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
