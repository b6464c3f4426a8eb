import type { AssertionStore } from '../assertion-store.js';
import type { Durability } from '../durability.js';
import type { KeyStore } from '../key-store.js';
import type { EmulatorMetrics } from '../metrics.js';

/** What the route handlers share: the stores, persistence and limits of one emulator. */
export interface RouteDeps {
  keys: KeyStore;
  assertions: AssertionStore;
  metrics: EmulatorMetrics;
  bodyLimitBytes: number;
  /** Makes each change durable before it is answered, or undoes it and throws a 503. */
  durability: Durability;
  now(): Date;
}
