import type { Reply } from '../reply.js';
import type { Route } from '../router.js';
import type { RouteDeps } from './context.js';

/** `GET /metrics` (getMetrics): Prometheus text, open as Prometheus scrapes without a key. */
export function metricsRoute(deps: RouteDeps): Route {
  return {
    method: 'GET',
    template: '/metrics',
    access: 'public',
    handle: async (): Promise<Reply> => ({
      status: 200,
      body: await deps.metrics.registry.metrics(),
      contentType: deps.metrics.registry.contentType,
    }),
  };
}
