/**
 * Progress for a log, not a terminal (issue 22, "an operator at 10,000 projects"): when stderr
 * is a pipe or a file (a CI job, `kubectl logs`, `nohup`), one plain line every interval with
 * what is done, what failed and how long it has run, so a long run is seen to move without a
 * bar's control characters. Counts only: nothing here ever sees a key.
 */
import type { OutStream } from './io.js';

/** How often a line is printed unless the Io says otherwise. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 10_000;

/** `65_000` → `1m05s`; `9_000` → `9s`. */
export function formatElapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h${pad(m)}m${pad(s)}s`;
  if (m > 0) return `${m}m${pad(s)}s`;
  return `${s}s`;
}

/** A line printer: `update` records the counts, a timer prints them; `stop` ends the timer. */
export interface ProgressLines {
  update(done: number, total: number, failed?: number): void;
  stop(): void;
}

/** Starts printing `<label>: <done>/<total> projects done, <failed> failed, <elapsed> elapsed`. */
export function startProgressLines(
  stream: OutStream,
  label: string,
  intervalMs: number = DEFAULT_PROGRESS_INTERVAL_MS,
  now: () => number = Date.now,
): ProgressLines {
  const started = now();
  let done = 0;
  let total: number | undefined;
  let failed = 0;
  const timer = setInterval(() => {
    const count = total === undefined ? `${done}` : `${done}/${total}`;
    stream.write(
      `${label}: ${count} projects done, ${failed} failed, ${formatElapsed(now() - started)} elapsed\n`,
    );
  }, intervalMs);
  // A run that ends must not wait for the next tick.
  timer.unref?.();
  return {
    update(d, t, f) {
      done = d;
      total = t;
      if (f !== undefined) failed = f;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
