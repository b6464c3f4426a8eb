// One measurement in a process of its own: load one client, warm it up, measure one window,
// report the result with the process's peak resident set, and exit. Forked by load.ts with the
// LoadSpec as its one argument (JSON).

import { CLIENTS } from './clients/index.js';
import { variantFactory } from './clients/sdk-variant.js';
import { runWindow } from './measure.js';
import type { LoadResult, LoadSpec, WorkerMessage } from './protocol.js';

async function measure(spec: LoadSpec): Promise<LoadResult> {
  // `sdk@<name>`: a copy of the SDK with one shortcut removed (bench/shortcuts.ts).
  const variant = spec.client.startsWith('sdk@') ? spec.client.slice(4) : undefined;
  const load = variant === undefined ? CLIENTS[spec.client] : () => variantFactory(variant);
  if (!load) throw new Error(`unknown client ${spec.client}`);
  const driver = await (await load())(spec.target, spec.concurrency);
  try {
    if (spec.warmupMs > 0) await runWindow(driver, spec.concurrency, spec.warmupMs);
    const window = await runWindow(driver, spec.concurrency, spec.durationMs);
    return {
      client: spec.client,
      target: spec.target.name,
      concurrency: spec.concurrency,
      requests: window.requests,
      elapsedMs: window.elapsedMs,
      rps: window.elapsedMs > 0 ? (window.requests * 1000) / window.elapsedMs : 0,
      p50Ms: window.p50Ms,
      p99Ms: window.p99Ms,
      cpuUsPerRequest: window.requests > 0 ? window.cpuUs / window.requests : null,
      maxRssKb: process.resourceUsage().maxRSS,
    };
  } finally {
    await driver.close();
  }
}

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => process.send?.(message, () => resolve()) ?? resolve());
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
try {
  await send({ type: 'result', result: await measure(spec) });
} catch (error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  await send({ type: 'error', message });
}
// Exit at once rather than wait on whatever a client leaves scheduled; --cpu-prof still writes.
process.exit(0);
