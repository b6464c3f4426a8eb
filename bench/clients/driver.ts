// What every measured client looks like to measure.ts: one way to write one assertion (or a batch
// of them), set up the way a user of that client would set it up, and a way to close it.

import type { AssertionInput, Target } from '../protocol.js';

export interface Driver {
  /** Writes one assertion; resolves once the response body has been read and checked. */
  readonly send?: (input: AssertionInput) => Promise<void>;
  /** Writes `inputs` with at most `concurrency` in flight (assertMany); no per-request latency. */
  readonly sendBatch?: (inputs: readonly AssertionInput[], concurrency: number) => Promise<void>;
  close(): Promise<void>;
}

/** Builds a driver for `target`, sized for `concurrency` requests in flight. */
export type DriverFactory = (target: Target, concurrency: number) => Driver | Promise<Driver>;

/** Throws unless `status` is a success the contract allows for POST /v1/assert. */
export function expectAccepted(client: string, status: number): void {
  if (status !== 200 && status !== 201) {
    throw new Error(`${client}: POST /v1/assert answered ${status}`);
  }
}
