/**
 * A NetworkPolicy that restricts ingress to the server must still admit the traffic the bundle
 * itself sets up: Traefik reaching the port an Ingress or IngressRoute routes to, and Prometheus reaching the
 * port a ServiceMonitor scrapes. Otherwise the site times out (504) and the metrics vanish,
 * which fires `absent()` alerts, or, worse, silences every other alert.
 */
import type { KubeObject } from '../types.js';
import type { RuleContext } from '../validate/context.js';
import { namespaceOf } from '../validate/context.js';
import { arr, obj } from '../validate/json.js';
import { podsOf, servicesOf } from '../validate/relations.js';
import { routeBackends } from '../validate/routes.js';
import type { Rule } from '../validate/rule.js';
import { isEmptySelector, selects } from '../validate/selectors.js';
import type { Workload } from '../validate/workloads.js';

/** Traffic the bundle expects to reach a pod. */
interface Flow {
  source: 'ingress' | 'prometheus';
  via: KubeObject;
  workload: Workload;
  port: { number: number | undefined; name: string | undefined };
}

/** The container port a Service port's targetPort lands on, in `w`. */
function landing(servicePort: Record<string, unknown>, w: Workload): Flow['port'] | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  for (const c of w.containers) {
    for (const p of arr(c.container.ports).map(obj)) {
      if (
        (typeof target === 'string' && p.name === target) ||
        (typeof target === 'number' && p.containerPort === target)
      ) {
        return {
          number: p.containerPort as number,
          name: typeof p.name === 'string' ? p.name : undefined,
        };
      }
    }
  }
  return typeof target === 'number' ? { number: target, name: undefined } : undefined;
}

function* flows(context: RuleContext): Iterable<Flow> {
  for (const b of routeBackends(context)) {
    const service = context.find('Service', b.namespace, b.service);
    if (!service) continue;
    const servicePort = arr(obj(service.spec).ports)
      .map(obj)
      .find((p) =>
        b.port.number !== undefined ? p.port === b.port.number : p.name === b.port.name,
      );
    if (!servicePort) continue;
    for (const w of podsOf(context, service)) {
      const landed = landing(servicePort, w);
      if (landed) yield { source: 'ingress', via: b.route, workload: w, port: landed };
    }
  }
  for (const monitor of context.ofKind('ServiceMonitor', 'monitoring.coreos.com')) {
    for (const service of servicesOf(context, monitor)) {
      for (const endpoint of arr(obj(monitor.spec).endpoints)) {
        const servicePort = arr(obj(service.spec).ports)
          .map(obj)
          .find((p) => p.name === obj(endpoint).port);
        if (!servicePort) continue;
        for (const w of podsOf(context, service)) {
          const landed = landing(servicePort, w);
          if (landed) yield { source: 'prometheus', via: monitor, workload: w, port: landed };
        }
      }
    }
  }
}

function portAdmits(entry: Record<string, unknown>, port: Flow['port']): boolean {
  if ((entry.protocol ?? 'TCP') !== 'TCP') return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'string') return entry.port === port.name;
  if (typeof entry.port !== 'number' || port.number === undefined) return false;
  const end = typeof entry.endPort === 'number' ? entry.endPort : entry.port;
  return entry.port <= port.number && port.number <= end;
}

function peerAdmits(policy: KubeObject, peer: Record<string, unknown>, namespace: string): boolean {
  if (peer.ipBlock !== undefined) return false; // Pod traffic is not judged by IP here.
  if (peer.namespaceSelector === undefined) return namespace === namespaceOf(policy);
  return selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': namespace });
}

function admits(policy: KubeObject, rule: unknown, flow: Flow, from: string | undefined): boolean {
  const r = obj(rule);
  const ports = arr(r.ports).map(obj);
  if (ports.length > 0 && !ports.some((p) => portAdmits(p, flow.port))) return false;
  const peers = arr(r.from).map(obj);
  return from === undefined || peers.length === 0 || peers.some((p) => peerAdmits(policy, p, from));
}

const restrictsIngress = (policy: KubeObject) => {
  const types = arr(obj(policy.spec).policyTypes);
  return types.length === 0 || types.includes('Ingress');
};

export const refNetworkPolicyBlocksTraffic: Rule = {
  id: 'ref/network-policy-blocks-traffic',
  severity: 'error',
  description:
    'NetworkPolicies admit Traefik to the ports Ingresses and IngressRoutes route to and Prometheus to the ports ServiceMonitors scrape.',
  *check(context) {
    const seen = new Set<string>();
    for (const flow of flows(context)) {
      const policies = context
        .ofKind('NetworkPolicy', 'networking.k8s.io')
        .filter(
          (p) =>
            namespaceOf(p) === flow.workload.namespace &&
            restrictsIngress(p) &&
            (isEmptySelector(obj(p.spec).podSelector) ||
              selects(obj(p.spec).podSelector, flow.workload.labels)),
        );
      if (policies.length === 0) continue;
      const from = context.options.trafficSources[flow.source];
      if (
        policies.some((p) => arr(obj(p.spec).ingress).some((rule) => admits(p, rule, flow, from)))
      )
        continue;
      const policy = policies[0]!;
      const who = flow.source === 'ingress' ? 'Traefik' : 'Prometheus';
      const port = flow.port.name
        ? `${flow.port.name} (${String(flow.port.number)})`
        : String(flow.port.number);
      const key = `${policy.metadata.name}/${flow.source}/${port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      yield {
        object: policy,
        path: 'spec.ingress',
        message: `blocks ${who}${from ? ` (namespace ${from})` : ''} from port ${port} of ${flow.workload.kind} ${flow.workload.object.metadata.name}, which ${flow.via.kind} ${flow.via.metadata.name} ${flow.source === 'ingress' ? 'routes to' : 'scrapes'}`,
        fix: `add an ingress rule: from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ${from ?? `<${who}'s namespace>`} } }], ports: [{ port: ${flow.port.name ?? flow.port.number}, protocol: TCP }]`,
      };
    }
  },
};
