// The closed-loop load: `concurrency` callers each send, await, and send again until the window
// closes; a warm-up window first (connections opened, code optimised) that is not recorded.
// Latency goes into node:perf_hooks' HDR histogram, in nanoseconds.

import { createHistogram, performance } from 'node:perf_hooks';
import type { Driver } from './clients/driver.js';
import { ASSERTION, type AssertionInput } from './protocol.js';

/** assertMany gets `concurrency × BATCH_PER_SLOT` items per call, so its batch tail is small. */
const BATCH_PER_SLOT = 32;

export interface Window {
  readonly requests: number;
  readonly elapsedMs: number;
  /** CPU time (user + system, all threads) the process spent in the window, in µs. */
  readonly cpuUs: number;
  /** Null for a batching driver, which has no per-request latency. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** Runs `driver` for `durationMs` with `concurrency` in flight and returns what it did. */
export async function runWindow(
  driver: Driver,
  concurrency: number,
  durationMs: number,
): Promise<Window> {
  const cpu = process.cpuUsage();
  let window: Omit<Window, 'cpuUs'>;
  if (driver.send) window = await runSingles(driver.send, concurrency, durationMs);
  else if (driver.sendBatch) window = await runBatches(driver.sendBatch, concurrency, durationMs);
  else throw new Error('a driver needs send or sendBatch');
  const used = process.cpuUsage(cpu);
  return { ...window, cpuUs: used.user + used.system };
}

async function runSingles(
  send: (input: AssertionInput) => Promise<void>,
  concurrency: number,
  durationMs: number,
): Promise<Omit<Window, 'cpuUs'>> {
  const histogram = createHistogram();
  const start = performance.now();
  const deadline = start + durationMs;
  let requests = 0;
  const caller = async () => {
    while (performance.now() < deadline) {
      const t0 = process.hrtime.bigint();
      await send(ASSERTION);
      histogram.record(process.hrtime.bigint() - t0);
      requests += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  const elapsedMs = performance.now() - start;
  return {
    requests,
    elapsedMs,
    p50Ms: requests > 0 ? histogram.percentile(50) / 1e6 : null,
    p99Ms: requests > 0 ? histogram.percentile(99) / 1e6 : null,
  };
}

async function runBatches(
  sendBatch: (inputs: readonly AssertionInput[], concurrency: number) => Promise<void>,
  concurrency: number,
  durationMs: number,
): Promise<Omit<Window, 'cpuUs'>> {
  const batch: readonly AssertionInput[] = Array.from(
    { length: concurrency * BATCH_PER_SLOT },
    () => ASSERTION,
  );
  const start = performance.now();
  const deadline = start + durationMs;
  let requests = 0;
  while (performance.now() < deadline) {
    await sendBatch(batch, concurrency);
    requests += batch.length;
  }
  return { requests, elapsedMs: performance.now() - start, p50Ms: null, p99Ms: null };
}
