// The measured clients by name. Each is loaded only in the worker that measures it, so one
// client's modules never count against another's memory.

import type { DriverFactory } from './driver.js';

type Loader = () => Promise<DriverFactory>;

export const CLIENTS: Readonly<Record<string, Loader>> = {
  undici: async () => (await import('./undici.js')).create,
  sdk: async () => (await import('./sdk.js')).create,
  'sdk-many': async () => (await import('./sdk.js')).createMany,
  fetch: async () => (await import('./fetch.js')).create,
  axios: async () => (await import('./axios.js')).create,
  // The retry-path pair (retry.ts); against the minimal server only.
  'sdk-retry': async () => (await import('./retry.js')).createSdk,
  'undici-retry': async () => (await import('./retry.js')).createUndici,
  // Loads no client at all: the worker's own resident set, for reading the RSS column.
  none: async () => () => ({ send: async () => {}, close: async () => {} }),
};

/** The load clients, in report order; the first is the baseline the others are compared to. */
export const LOAD_CLIENTS = ['undici', 'sdk', 'sdk-many', 'fetch', 'axios'] as const;
export const BASELINE = 'undici';
