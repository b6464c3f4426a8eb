/**
 * The scrape path is not public. StemeDB serves `/metrics` on its API port, so a public route
 * to that port (an Ingress `Prefix /`, an IngressRoute `Host(...)` alone) hands request counts
 * by status, latencies and the server's internals to anyone: the ServiceMonitor reaches the pod
 * in-cluster and needs no route. Reported per backend that serves the path a ServiceMonitor
 * scrapes on the port it scrapes.
 */
import { arr, obj, str } from '../validate/json.js';
import { servicesOf } from '../validate/relations.js';
import { routeBackends } from '../validate/routes.js';
import type { Rule } from '../validate/rule.js';

/** Prometheus's default `metrics_path`, which the operator keeps when an endpoint sets none. */
const DEFAULT_SCRAPE_PATH = '/metrics';

export const policyPublicMetrics: Rule = {
  id: 'policy/public-metrics',
  severity: 'error',
  description:
    'No Ingress or IngressRoute routes the path a ServiceMonitor scrapes, on the port it scrapes, to the public.',
  *check(context) {
    // `namespace/service/port-name` -> the scrape paths of that port.
    const scraped = new Map<string, Set<string>>();
    for (const monitor of context.ofKind('ServiceMonitor', 'monitoring.coreos.com')) {
      for (const service of servicesOf(context, monitor)) {
        for (const endpoint of arr(obj(monitor.spec).endpoints).map(obj)) {
          const port = str(endpoint.port);
          if (!port) continue;
          const key = `${service.metadata.namespace ?? ''}/${service.metadata.name}/${port}`;
          const paths = scraped.get(key) ?? new Set<string>();
          paths.add(str(endpoint.path) ?? DEFAULT_SCRAPE_PATH);
          scraped.set(key, paths);
        }
      }
    }
    for (const b of routeBackends(context)) {
      const service = context.find('Service', b.namespace, b.service);
      if (!service) continue; // ref/ingress-backend reports it.
      const servicePort = arr(obj(service.spec).ports)
        .map(obj)
        .find((p) =>
          b.port.number !== undefined ? p.port === b.port.number : p.name === b.port.name,
        );
      const portName = str(servicePort?.name);
      if (!portName) continue; // A ServiceMonitor scrapes ports by name only.
      const paths = scraped.get(
        `${service.metadata.namespace ?? ''}/${service.metadata.name}/${portName}`,
      );
      for (const path of paths ?? []) {
        const serves = b.serves(path);
        if (serves === false) continue;
        const isRoute = b.route.kind === 'IngressRoute';
        // An unreadable match is reported too: Traefik refuses it, or reads it another way.
        const what =
          serves === undefined
            ? `has a match this check cannot read, on Service ${b.service} port ${portName}, which Prometheus scrapes at ${path}: it may route ${path}`
            : `routes ${path} on Service ${b.service} port ${portName}, the path and port Prometheus scrapes,`;
        yield {
          object: b.route,
          path: isRoute ? b.path.replace(/\.services\[\d+\]$/, '.match') : b.path,
          message: `${what} to the public: anyone can read the server's metrics`,
          fix: isRoute
            ? `exclude it in the match: ... && !PathPrefix(\`${path}\`)`
            : `an Ingress cannot exclude a path: use a Traefik IngressRoute whose match adds && !PathPrefix(\`${path}\`)`,
        };
      }
    }
  },
};
