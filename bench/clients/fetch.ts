// `globalThis.fetch` as most code calls it: undici's global dispatcher (keep-alive by default).

import type { AssertionInput } from '../protocol.js';
import { type DriverFactory, expectAccepted } from './driver.js';

export const create: DriverFactory = (target) => {
  const url = `${target.url}/v1/assert`;
  const headers = { 'content-type': 'application/json', 'x-api-key': target.apiKey };
  return {
    async send(input: AssertionInput) {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(input) });
      if (!res.ok) await res.body?.cancel();
      expectAccepted('fetch', res.status);
      await res.json();
    },
    close: async () => {},
  };
};
