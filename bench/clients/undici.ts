// The baseline: raw `undici.request` over one keep-alive Pool, the practical limit for a Node
// client. It does what any caller must: serialise the body, send the key, check the status and
// read the JSON answer (an unread undici body holds its socket).

import { Pool, request } from 'undici';
import type { AssertionInput } from '../protocol.js';
import { type DriverFactory, expectAccepted } from './driver.js';

export const create: DriverFactory = (target) => {
  // Pool's defaults: unlimited connections (one per request in flight), keep-alive, no pipelining.
  const pool = new Pool(target.url);
  const url = `${target.url}/v1/assert`;
  const headers = { 'content-type': 'application/json', 'x-api-key': target.apiKey };
  return {
    async send(input: AssertionInput) {
      const res = await request(url, {
        dispatcher: pool,
        method: 'POST',
        headers,
        body: JSON.stringify(input),
      });
      if (res.statusCode !== 200 && res.statusCode !== 201) await res.body.dump();
      expectAccepted('undici', res.statusCode);
      await res.body.json();
    },
    close: () => pool.close(),
  };
};
