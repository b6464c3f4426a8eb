/**
 * The public routes of a bundle, Ingress and Traefik IngressRoute alike: each backend a route
 * sends traffic to (a Service and one of its ports), and whether the route serves a given path.
 * One reading for the rules that follow traffic in (backend references, NetworkPolicies, the
 * scrape path), so that an IngressRoute is never seen by one rule and missed by another.
 */
import type { KubeObject } from '../types.js';
import { apiGroup, namespaceOf, type RuleContext } from './context.js';
import { arr, obj, str } from './json.js';
import { joinPath } from './paths.js';
import { ruleServesPath } from './traefik-rule.js';

/** One backend of a route. */
export interface RouteBackend {
  /** The Ingress or IngressRoute. */
  route: KubeObject;
  /** Path of the backend in the route (`spec.rules[0].http.paths[0].backend.service`). */
  path: string;
  /** Field names of the Service name and port below `path`. */
  nameField: string;
  portField: string;
  /** The Service, by name, in the route's namespace. */
  namespace: string;
  service: string;
  /** The Service port, by number or by name. */
  port: { number: number | undefined; name: string | undefined };
  /**
   * Can a request for `requestPath` reach this backend? Undefined when it cannot be told (a
   * Traefik rule this reader does not understand).
   */
  serves(requestPath: string): boolean | undefined;
}

/** Does an Ingress path (`pathType`, `path`) serve `requestPath`? Kubernetes Ingress semantics. */
export function ingressPathServes(
  pathType: string | undefined,
  path: string | undefined,
  requestPath: string,
): boolean {
  const p = path ?? '/';
  if (pathType === 'Exact') return requestPath === p;
  // Prefix matches whole path elements (`/metrics` serves `/metrics/x`, not `/metricsx`); Traefik
  // reads ImplementationSpecific as a plain string prefix.
  if (pathType === 'Prefix') {
    const base = p.replace(/\/+$/, '');
    return base === '' || requestPath === base || requestPath.startsWith(`${base}/`);
  }
  return requestPath.startsWith(p);
}

const portOf = (value: unknown): RouteBackend['port'] =>
  typeof value === 'number'
    ? { number: value, name: undefined }
    : typeof value === 'string' && /^\d+$/.test(value)
      ? { number: Number(value), name: undefined }
      : { number: undefined, name: str(value) };

/** Every Service backend of every Ingress and IngressRoute in the bundle. */
export function* routeBackends(context: RuleContext): Iterable<RouteBackend> {
  for (const ingress of context.ofKind('Ingress', 'networking.k8s.io')) {
    const spec = obj(ingress.spec);
    const base = { route: ingress, namespace: namespaceOf(ingress), nameField: 'name' };
    const fromService = (backend: unknown, path: string, serves: RouteBackend['serves']) => {
      const service = obj(obj(backend).service);
      if (typeof service.name !== 'string') return undefined; // A resource backend.
      const port = obj(service.port);
      return {
        ...base,
        path: joinPath(path, 'service'),
        portField: 'port',
        service: service.name,
        port: {
          number: typeof port.number === 'number' ? port.number : undefined,
          name: str(port.name),
        },
        serves,
      };
    };
    if (spec.defaultBackend !== undefined) {
      const b = fromService(spec.defaultBackend, 'spec.defaultBackend', () => true);
      if (b) yield b;
    }
    for (const [r, rule] of arr(spec.rules).entries()) {
      for (const [i, p] of arr(obj(obj(rule).http).paths).entries()) {
        const entry = obj(p);
        const b = fromService(
          entry.backend,
          joinPath('spec', 'rules', r, 'http', 'paths', i, 'backend'),
          (requestPath) => ingressPathServes(str(entry.pathType), str(entry.path), requestPath),
        );
        if (b) yield b;
      }
    }
  }
  for (const route of context.ofKind('IngressRoute')) {
    if (apiGroup(route.apiVersion) !== 'traefik.io') continue;
    for (const [r, rt] of arr(obj(route.spec).routes).entries()) {
      const match = str(obj(rt).match) ?? '';
      for (const [s, svc] of arr(obj(rt).services).entries()) {
        const service = obj(svc);
        if ((service.kind ?? 'Service') !== 'Service' || typeof service.name !== 'string') continue;
        yield {
          route,
          path: joinPath('spec', 'routes', r, 'services', s),
          nameField: 'name',
          portField: 'port',
          namespace: str(service.namespace) ?? namespaceOf(route),
          service: service.name,
          port: portOf(service.port),
          serves: (requestPath) => ruleServesPath(match, requestPath),
        };
      }
    }
  }
}
