// axios, the most used general-purpose client, as a user would configure it for a service:
// one instance with a base URL, the key as a default header, and a keep-alive agent with
// enough sockets for the concurrency (axios's own default agent does not keep connections alive).

import { Agent } from 'node:http';
import axios from 'axios';
import type { AssertionInput } from '../protocol.js';
import { type DriverFactory, expectAccepted } from './driver.js';

export const create: DriverFactory = (target, concurrency) => {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const api = axios.create({
    baseURL: target.url,
    httpAgent: agent,
    headers: { 'x-api-key': target.apiKey },
  });
  return {
    async send(input: AssertionInput) {
      const res = await api.post<{ id: string }>('/v1/assert', input);
      expectAccepted('axios', res.status);
    },
    close: async () => agent.destroy(),
  };
};
