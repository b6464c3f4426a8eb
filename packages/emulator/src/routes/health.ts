import { json } from '../reply.js';
import type { Route } from '../router.js';

/** `GET /v1/health` (getHealth): 200 `{"status":"ok"}` without a key (roadmap probes). */
export const healthRoute: Route = {
  method: 'GET',
  template: '/v1/health',
  access: 'public',
  handle: () => json(200, { status: 'ok' }),
};
