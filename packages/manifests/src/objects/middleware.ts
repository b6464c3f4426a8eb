/** The Traefik rate-limit Middleware (roadmap middleware.yaml). */
import type { StemeDeploymentConfig } from '../config/index.js';
import type { TraefikMiddleware } from './crds.js';
import type { ObjectDescriptor } from './descriptor.js';
import { namespacedMeta, objectNames } from './meta.js';

/**
 * How an Ingress names a Middleware CRD: `<namespace>-<name>@kubernetescrd`. Derived from the
 * emitted object, never written by hand: the roadmap's `stemedb-ratelimit@kubernetescrd` is right
 * only while the namespace is `stemedb` and the Middleware `ratelimit`.
 */
export function middlewareRef(m: Pick<TraefikMiddleware, 'metadata'>): string {
  return `${m.metadata.namespace}-${m.metadata.name}@kubernetescrd`;
}

/**
 * Traefik v3 serves `traefik.io/v1alpha1`; the roadmap's `traefik.containo.us/v1alpha1` is the
 * v2 group, which k3s's bundled Traefik v3 no longer serves.
 *
 * The roadmap calls this limit global, but Traefik rate-limits per client IP by default; behind
 * k3s's ServiceLB that is often one node address, and with many CI runners it is many buckets.
 * `scope: global` groups by request host instead, one bucket for the whole API.
 */
export function buildMiddleware(c: StemeDeploymentConfig): TraefikMiddleware {
  const r = c.rateLimit;
  return {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'Middleware',
    metadata: namespacedMeta(c, objectNames(c).rateLimit, 'ingress'),
    spec: {
      rateLimit: {
        average: r.average,
        burst: r.burst,
        period: r.period,
        ...(r.scope === 'global' ? { sourceCriterion: { requestHost: true } } : {}),
      },
    },
  };
}

/** The rate-limit Middleware, before the IngressRoute that names it. */
export const middlewareObject: ObjectDescriptor = {
  id: 'middleware',
  kind: 'Middleware',
  when: (c) => c.rateLimit.enabled,
  build: buildMiddleware,
  invariants: [],
  docs: {
    object: 'Traefik Middleware (rate limit)',
    name: '`ratelimit`',
    when: '`rateLimit.enabled`',
  },
};
