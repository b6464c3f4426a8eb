/**
 * The public route: a Traefik v3 `IngressRoute` (roadmap ingress.yaml, which was an Ingress).
 * The Ingress API cannot exclude a path, and StemeDB serves `/metrics` on its API port (there is
 * no separate metrics port to leave unrouted), so a `Prefix /` Ingress made the scrape path
 * public. Traefik's rule language can: `Host(...) && !PathPrefix(`/metrics`)`
 * (https://doc.traefik.io/traefik/reference/routing-configuration/http/routing/rules-and-priority/).
 */
import type { IIngressRoute } from '@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute';
import type { StemeDeploymentConfig } from '../config/index.js';
import { METRICS_PATH } from '../defaults.js';
import { refIngressMiddleware } from '../rules/ref-ingress-middleware.js';
import { refIngressBackend } from '../rules/ref-service-ports.js';
import type { ObjectMeta, TraefikMiddleware } from './crds.js';
import type { ObjectDescriptor } from './descriptor.js';
import { namespacedMeta, objectNames } from './meta.js';
import { buildMiddleware } from './middleware.js';

/** A Traefik v3 `IngressRoute`, as `@kubernetes-models/traefik` types it, with our metadata. */
export type TraefikIngressRoute = Omit<IIngressRoute, 'metadata'> & { metadata: ObjectMeta };

/**
 * The Traefik match of the public route: the host, minus the scrape path. Backticks, as Traefik
 * reads rule values as Go string literals; the host is a DNS name (config schema), so it holds
 * no backtick.
 */
export function publicMatch(host: string, metricsPath: string = METRICS_PATH): string {
  return `Host(\`${host}\`) && !PathPrefix(\`${metricsPath}\`)`;
}

/**
 * TLS ends at Traefik, so the server runs plain HTTP and `STEMEDB_TLS_CERT_PATH` stays unset.
 * The secret is the one the cert-manager Certificate writes (see `certificate.ts`): cert-manager
 * issues for Ingresses by annotation, never for IngressRoutes. The middleware is referred to by
 * the emitted object's name and namespace, so the two cannot disagree. The backend port is the
 * Service port's name. `kubernetes.io/ingress.class` keeps `ingress.className` meaningful: it is
 * how Traefik's CRD provider filters IngressRoutes when it is given an ingress class.
 */
export function buildIngressRoute(
  c: StemeDeploymentConfig,
  middleware?: TraefikMiddleware,
): TraefikIngressRoute {
  const n = objectNames(c);
  return {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'IngressRoute',
    metadata: namespacedMeta(c, n.app, 'ingress', {
      annotations: { 'kubernetes.io/ingress.class': c.ingress.className },
    }),
    spec: {
      entryPoints: [...c.ingress.entryPoints],
      routes: [
        {
          kind: 'Rule',
          match: publicMatch(c.ingress.host),
          services: [{ kind: 'Service', name: n.app, port: n.port }],
          ...(middleware
            ? {
                middlewares: [
                  { name: middleware.metadata.name, namespace: middleware.metadata.namespace },
                ],
              }
            : {}),
        },
      ],
      tls: { secretName: c.ingress.tlsSecretName },
    },
  };
}

/** The public route: every Middleware and Service it names is emitted. */
export const ingressRouteObject: ObjectDescriptor = {
  id: 'ingress-route',
  kind: 'IngressRoute',
  when: () => true,
  build: (c) => buildIngressRoute(c, c.rateLimit.enabled ? buildMiddleware(c) : undefined),
  invariants: [refIngressMiddleware, refIngressBackend],
  docs: {
    object: 'Traefik IngressRoute (TLS; the host except the scrape path `/metrics`)',
    name: '`stemedb-api`',
    when: 'always',
  },
};
