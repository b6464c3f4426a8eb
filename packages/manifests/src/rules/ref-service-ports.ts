import { arr, obj } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import { podsOf } from '../validate/relations.js';
import { routeBackends } from '../validate/routes.js';
import type { Rule } from '../validate/rule.js';
import type { Workload } from '../validate/workloads.js';

/** The container ports of a workload: number and name. */
export function containerPorts(w: Workload): { number: unknown; name: unknown }[] {
  return w.containers
    .filter((c) => !c.init)
    .flatMap((c) =>
      arr(c.container.ports).map((p) => ({ number: obj(p).containerPort, name: obj(p).name })),
    );
}

export const refServiceTargetPort: Rule = {
  id: 'ref/service-target-port',
  severity: 'error',
  description:
    "Each Service port's targetPort is a port (number or name) that the selected pods declare.",
  *check(context) {
    for (const service of context.ofKind('Service', '')) {
      const pods = podsOf(context, service);
      const declared = pods.flatMap(containerPorts);
      if (declared.length === 0) continue;
      for (const [i, port] of arr(obj(service.spec).ports).entries()) {
        const p = obj(port);
        const target = p.targetPort ?? p.port;
        const ok = declared.some((d) =>
          typeof target === 'string' ? d.name === target : d.number === target,
        );
        if (ok) continue;
        yield {
          object: service,
          path: joinPath('spec', 'ports', i, p.targetPort === undefined ? 'port' : 'targetPort'),
          message: `targetPort ${JSON.stringify(target)} is not a port of the selected pods (they declare ${declared.map((d) => (d.name ? `${String(d.name)}=${String(d.number)}` : String(d.number))).join(', ')}): traffic goes nowhere`,
          fix: 'set targetPort to the container port name (e.g. http) or number',
        };
      }
    }
  },
};

export const refIngressBackend: Rule = {
  id: 'ref/ingress-backend',
  severity: 'error',
  description:
    'Every Ingress or IngressRoute backend names an emitted Service and one of its ports (by number or name).',
  *check(context) {
    for (const b of routeBackends(context)) {
      const target = context.find('Service', b.namespace, b.service);
      if (!target) {
        yield {
          object: b.route,
          path: joinPath(b.path, b.nameField),
          message: `backend Service "${b.service}" is not emitted in namespace ${b.namespace}`,
          fix: 'name the Service the bundle emits for this workload',
        };
        continue;
      }
      const ports = arr(obj(target.spec).ports).map(obj);
      const ok =
        b.port.number !== undefined
          ? ports.some((p) => p.port === b.port.number)
          : ports.some((p) => p.name === b.port.name);
      if (ok) continue;
      yield {
        object: b.route,
        path: joinPath(b.path, b.portField),
        message: `Service "${b.service}" has no port ${JSON.stringify(b.port.number ?? b.port.name)} (it has ${ports.map((p) => String(p.name ?? p.port)).join(', ')})`,
        fix: 'use one of the Service port numbers, or better its port name',
      };
    }
  },
};
