import { Counter, Histogram, Registry } from 'prom-client';

/** The metrics the roadmap's alert rules read, on a registry of this emulator's own. */
export interface EmulatorMetrics {
  registry: Registry;
  /** `stemedb_http_requests_total{method,route,status}`; `route` is the path template. */
  requests: Counter<'method' | 'route' | 'status'>;
  /** `stemedb_wal_fsync_latency_seconds`: the real duration of each data-directory write. */
  fsyncSeconds: Histogram;
}

/** The `route` label for paths that match no route, so raw paths never become labels. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * A fresh registry per emulator: the global one would mix the counts of every emulator in a
 * test process and throw on the second registration of the same name.
 */
export function createMetrics(): EmulatorMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'stemedb_http_requests_total',
    help: 'HTTP requests answered by StemeDB, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const fsyncSeconds = new Histogram({
    name: 'stemedb_wal_fsync_latency_seconds',
    help: 'Time to make a write durable. The emulator has no WAL: it observes data-directory writes.',
    // fsync is sub-millisecond on tmpfs and tens of milliseconds on a busy disk.
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return { registry, requests, fsyncSeconds };
}
