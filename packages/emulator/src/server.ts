import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AssertionStore } from './assertion-store.js';
import { type DataFs, nodeFs } from './data-dir.js';
import { inMemory, journaled } from './durability.js';
import { FaultInjector } from './faults.js';
import { IdempotencyStore } from './idempotency.js';
import { KeyStore } from './key-store.js';
import { Listener } from './listener.js';
import { createMetrics } from './metrics.js';
import { resolveOptions } from './options.js';
import { loadState } from './persistence.js';
import { createRequestHandler } from './pipeline.js';
import { RateLimiter } from './rate-limit.js';
import { Router } from './router.js';
import { buildRoutes } from './routes/index.js';
import type { Emulator, EmulatorOptions, RecordedRequest } from './types.js';

/** How many requests `requests()` remembers; older ones are dropped first. */
export const MAX_RECORDED_REQUESTS = 10_000;

/**
 * Starts a local StemeDB emulator and resolves once it is listening.
 *
 * @example
 * ```ts
 * const emu = await startEmulator();
 * await fetch(`${emu.url}/v1/health`);
 * await emu.close();
 * ```
 * @throws TypeError on invalid options (unknown keys, a malformed root key).
 */
export function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulatorWith(options, {});
}

/** What tests may inject beneath the public options (not exported from the package). */
export interface EmulatorInternals {
  /** The filesystem persistence uses; tests wrap it to make a disk fail. */
  fs?: DataFs;
  /** The smallest journal segment that is compacted; tests lower it to compact often. */
  minCompactionBytes?: number;
}

/** {@link startEmulator} with internal seams, for the emulator's own tests. */
export async function startEmulatorWith(
  options: EmulatorOptions,
  internals: EmulatorInternals,
): Promise<Emulator> {
  const opts = resolveOptions(options);
  const fs = internals.fs ?? nodeFs;
  const loaded = opts.dataDir ? await loadState(fs, opts.dataDir) : undefined;
  const keys = new KeyStore(loaded?.keys);
  const assertions = new AssertionStore(loaded?.assertions);
  const metrics = createMetrics();
  const durability =
    opts.dataDir && loaded
      ? journaled(
          fs,
          opts.dataDir,
          loaded,
          keys,
          assertions,
          (seconds) => metrics.fsyncSeconds.observe(seconds),
          internals.minCompactionBytes,
        )
      : inMemory(keys, assertions);
  // Seeded at every boot, idempotently, like STEMEDB_ROOT_API_KEY (roadmap, ship blocker 3).
  keys.seedRoot(opts.rootApiKey, new Date(opts.now()));
  await durability.keys();

  const routes = buildRoutes({
    keys,
    assertions,
    metrics,
    bodyLimitBytes: opts.bodyLimitBytes,
    durability,
    now: () => new Date(opts.now()),
  });

  const recorded: RecordedRequest[] = [];
  let closed = false;
  const server = createServer({ keepAliveTimeout: 5_000 });
  const listener = new Listener(server, opts.host);
  const faults = new FaultInjector({
    suspend: () => void listener.stop(),
    resume: () => void relisten(),
  });
  server.on(
    'request',
    createRequestHandler({
      router: new Router(routes),
      faults,
      keys,
      authEnabled: opts.auth,
      limiter: opts.rateLimit ? new RateLimiter(opts.rateLimit) : undefined,
      metrics,
      idempotency: opts.idempotency ? new IdempotencyStore(opts.now) : undefined,
      bodyLimitBytes: opts.bodyLimitBytes,
      record: (request) => {
        // A standing emulator (the CLI) may run for days: keep only the most recent requests.
        if (recorded.length >= MAX_RECORDED_REQUESTS) recorded.shift();
        recorded.push(request);
      },
    }),
  );

  const port = await listener.listen(opts.port);

  /** Listens again on the same port after a `refuse` outage; retries if it is briefly busy. */
  async function relisten(): Promise<void> {
    for (let attempt = 0; attempt < 50 && !closed && !listener.listening; attempt++) {
      try {
        await listener.listen(port);
        return;
      } catch {
        await sleep(20, undefined, { ref: false });
      }
    }
  }

  let closing: Promise<void> | undefined;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    port,
    rootApiKey: opts.rootApiKey,
    faults,
    requests: () => recorded.map((request) => ({ ...request, at: new Date(request.at) })),
    close() {
      closing ??= (async () => {
        closed = true;
        faults.dispose();
        await listener.stop();
        await durability.close();
      })();
      return closing;
    },
  };
}
