/**
 * One `abort` listener per caller's `AbortSignal`, however many calls share it.
 *
 * Documented usage such as `assertMany(inputs, { concurrency: 64, signal })` runs 64 attempts
 * (and as many waits between attempts) on one signal. One listener each made Node print
 * `MaxListenersExceededWarning` past 10. Here each signal gets a single listener that calls
 * every watcher registered on it, and is removed when the last one leaves.
 */

interface Watchers {
  readonly callbacks: Set<() => void>;
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
    const callbacks = new Set<() => void>();
    const fire = () => {
      bySignal.delete(signal);
      const pending = [...callbacks];
      callbacks.clear();
      for (const run of pending) run();
    };
    watchers = { callbacks, fire };
    bySignal.set(signal, watchers);
    signal.addEventListener('abort', fire, { once: true });
  }
  const { callbacks, fire } = watchers;
  callbacks.add(callback);
  return () => {
    if (!callbacks.delete(callback) || callbacks.size > 0) return;
    signal.removeEventListener('abort', fire);
    if (bySignal.get(signal) === watchers) bySignal.delete(signal);
  };
}
