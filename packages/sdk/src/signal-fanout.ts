/**
 * One `abort` listener per caller's `AbortSignal`, however many calls share it.
 *
 * Documented usage such as `assertMany(inputs, { concurrency: 64, signal })` runs 64 attempts
 * (and as many waits between attempts) on one signal. One listener each made Node print
 * `MaxListenersExceededWarning` past 10. Here each signal gets a single listener that calls
 * every watcher registered on it, and is removed when the last one leaves. The watchers are a
 * {@link SlotList}, not a Set: every attempt joins and leaves, and a Set with that churn kept
 * garbage alive (slot-list.ts).
 */

import { SlotList, type Slotted } from './slot-list.js';

interface Watch extends Slotted {
  readonly run: () => void;
}

interface Watchers {
  readonly watches: SlotList<Watch>;
  readonly fire: () => void;
}

const bySignal = new WeakMap<AbortSignal, Watchers>();

/**
 * Calls `callback` (once) when `signal` aborts. Returns the function that stops watching; call
 * it when the work the signal guards has ended, aborted or not.
 */
export function watchAbort(signal: AbortSignal, callback: () => void): () => void {
  let watchers = bySignal.get(signal);
  if (watchers === undefined) {
    const watches = new SlotList<Watch>();
    const fire = () => {
      bySignal.delete(signal);
      for (const watch of watches.drain()) watch.run();
    };
    watchers = { watches, fire };
    bySignal.set(signal, watchers);
    signal.addEventListener('abort', fire, { once: true });
  }
  const { watches, fire } = watchers;
  const watch: Watch = { run: callback, slot: -1 };
  watches.add(watch);
  return () => {
    if (!watches.delete(watch) || watches.size > 0) return;
    signal.removeEventListener('abort', fire);
    if (bySignal.get(signal) === watchers) bySignal.delete(signal);
  };
}
