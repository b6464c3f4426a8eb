import type { AssertionStore } from '../assertion-store.js';
import type { KeyStore } from '../key-store.js';
import type { EmulatorMetrics } from '../metrics.js';

/** What the route handlers share: the stores, persistence and limits of one emulator. */
export interface RouteDeps {
  keys: KeyStore;
  assertions: AssertionStore;
  metrics: EmulatorMetrics;
  bodyLimitBytes: number;
  /** Resolves once the key store is durable (at once without a data directory). */
  persistKeys(): Promise<void>;
  /** Resolves once the assertions are durable (at once without a data directory). */
  persistAssertions(): Promise<void>;
  now(): Date;
}
