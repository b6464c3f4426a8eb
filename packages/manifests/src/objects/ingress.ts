/** The Traefik Ingress with cert-manager TLS (roadmap ingress.yaml). */
import type { V1Ingress } from '@kubernetes/client-node';
import type { StemeDeploymentConfig } from '../config.js';
import type { TraefikMiddleware } from './crds.js';
import { type Built, namespacedMeta, objectNames } from './meta.js';
import { middlewareRef } from './middleware.js';

/**
 * TLS ends at Traefik, so the server runs plain HTTP and `STEMEDB_TLS_CERT_PATH` stays unset.
 * The middleware annotation is built from the Middleware object itself (see
 * {@link middlewareRef}), so the two cannot disagree. `router.tls: "true"` makes the router
 * serve TLS on the `websecure` entry point. The backend port is referred to by name.
 */
export function buildIngress(
  c: StemeDeploymentConfig,
  middleware?: TraefikMiddleware,
): Built<V1Ingress> {
  const n = objectNames(c);
  const annotations: Record<string, string> = {
    'traefik.ingress.kubernetes.io/router.entrypoints': c.ingress.entryPoints.join(','),
    'traefik.ingress.kubernetes.io/router.tls': 'true',
  };
  if (middleware) {
    annotations['traefik.ingress.kubernetes.io/router.middlewares'] = middlewareRef(middleware);
  }
  if (c.ingress.clusterIssuer) {
    annotations['cert-manager.io/cluster-issuer'] = c.ingress.clusterIssuer;
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: namespacedMeta(c, n.app, 'ingress', { annotations }),
    spec: {
      ingressClassName: c.ingress.className,
      tls: [{ hosts: [c.ingress.host], secretName: c.ingress.tlsSecretName }],
      rules: [
        {
          host: c.ingress.host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: n.app, port: { name: n.port } } },
              },
            ],
          },
        },
      ],
    },
  };
}
