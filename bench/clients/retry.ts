// The retry path: each request's first attempt is refused (503) by the minimal server and its
// second accepted, so a call costs two round trips. The SDK retries by its own schedule with the
// sleep injected as zero; raw undici does the same two requests by hand. The difference between
// the two is what the SDK's retry machinery costs.

import { StemeClient } from '@stemedb/sdk';
import { Pool, request } from 'undici';
import { type AssertionInput, RETRY_SUBJECT_PREFIX } from '../protocol.js';
import { type DriverFactory, expectAccepted } from './driver.js';

let sequence = 0;
/** A subject the minimal server has not seen, so it refuses its first attempt. */
function fresh(input: AssertionInput): AssertionInput {
  sequence += 1;
  return { ...input, subject: `${RETRY_SUBJECT_PREFIX}${process.pid}/${sequence}` };
}

export const createSdk: DriverFactory = (target) => {
  const sdk = new StemeClient({
    baseUrl: target.url,
    apiKey: target.apiKey,
    sleep: () => Promise.resolve(),
  });
  return {
    async send(input: AssertionInput) {
      await sdk.assert(fresh(input));
    },
    close: () => sdk.close(),
  };
};

export const createUndici: DriverFactory = (target) => {
  const pool = new Pool(target.url);
  const url = `${target.url}/v1/assert`;
  const headers = { 'content-type': 'application/json', 'x-api-key': target.apiKey };
  return {
    async send(input: AssertionInput) {
      const body = JSON.stringify(fresh(input));
      for (let attempt = 1; ; attempt += 1) {
        const res = await request(url, { dispatcher: pool, method: 'POST', headers, body });
        if (res.statusCode === 503 && attempt < 4) {
          await res.body.dump();
          continue;
        }
        if (res.statusCode !== 200 && res.statusCode !== 201) await res.body.dump();
        expectAccepted('undici-retry', res.statusCode);
        await res.body.json();
        return;
      }
    },
    close: () => pool.close(),
  };
};
