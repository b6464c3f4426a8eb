import type { Route } from '../router.js';
import { createKeyRoute, listKeysRoute, revokeKeyRoute, rotateKeyRoute } from './admin-keys.js';
import { assertRoute, listAssertionsRoute } from './assertions.js';
import type { RouteDeps } from './context.js';
import { healthRoute } from './health.js';
import { metricsRoute } from './metrics.js';

export type { RouteDeps } from './context.js';

/** Every operation of the yaml, one route each. */
export function buildRoutes(deps: RouteDeps): Route[] {
  return [
    healthRoute,
    assertRoute(deps),
    listAssertionsRoute(deps),
    createKeyRoute(deps),
    listKeysRoute(deps),
    rotateKeyRoute(deps),
    revokeKeyRoute(deps),
    metricsRoute(deps),
  ];
}
