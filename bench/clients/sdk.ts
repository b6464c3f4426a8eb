// @stemedb/sdk with its defaults, as the README tells a user to construct it: `assert` for one
// write at a time, `assertMany` for a batch with a concurrency bound.

import { StemeClient } from '@stemedb/sdk';
import type { AssertionInput, Target } from '../protocol.js';
import type { DriverFactory } from './driver.js';

function client(target: Target): StemeClient {
  return new StemeClient({ baseUrl: target.url, apiKey: target.apiKey });
}

export const create: DriverFactory = (target) => {
  const sdk = client(target);
  return {
    async send(input: AssertionInput) {
      await sdk.assert(input);
    },
    close: () => sdk.close(),
  };
};

export const createMany: DriverFactory = (target) => {
  const sdk = client(target);
  return {
    async sendBatch(inputs: readonly AssertionInput[], concurrency: number) {
      // assertMany resolves with one outcome per input and never rejects for one item's
      // failure, so a failed write has to be looked for, or it would count as a request done.
      const outcomes = await sdk.assertMany(inputs, { concurrency });
      const failed = outcomes.find((outcome) => !outcome.ok);
      if (failed && !failed.ok) throw failed.error;
    },
    close: () => sdk.close(),
  };
};
