import { namespaceOf } from '../validate/context.js';
import { arr, obj } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import { podsOf } from '../validate/relations.js';
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
    'Every Ingress backend names an emitted Service and one of its ports (by number or name).',
  *check(context) {
    for (const ingress of context.ofKind('Ingress', 'networking.k8s.io')) {
      const spec = obj(ingress.spec);
      const backends: { backend: unknown; path: string }[] = [];
      if (spec.defaultBackend !== undefined)
        backends.push({ backend: spec.defaultBackend, path: 'spec.defaultBackend' });
      arr(spec.rules).forEach((rule, r) => {
        arr(obj(obj(rule).http).paths).forEach((p, i) => {
          backends.push({
            backend: obj(p).backend,
            path: joinPath('spec', 'rules', r, 'http', 'paths', i, 'backend'),
          });
        });
      });
      for (const { backend, path } of backends) {
        const service = obj(obj(backend).service);
        if (typeof service.name !== 'string') continue; // A resource backend, or a schema error.
        const target = context.find('Service', namespaceOf(ingress), service.name);
        if (!target) {
          yield {
            object: ingress,
            path: joinPath(path, 'service', 'name'),
            message: `backend Service "${service.name}" is not emitted in namespace ${namespaceOf(ingress)}`,
            fix: 'name the Service the bundle emits for this workload',
          };
          continue;
        }
        const port = obj(service.port);
        const ports = arr(obj(target.spec).ports).map(obj);
        const ok =
          port.number !== undefined
            ? ports.some((p) => p.port === port.number)
            : ports.some((p) => p.name === port.name);
        if (ok) continue;
        yield {
          object: ingress,
          path: joinPath(path, 'service', 'port'),
          message: `Service "${service.name}" has no port ${JSON.stringify(port.number ?? port.name)} (it has ${ports.map((p) => String(p.name ?? p.port)).join(', ')})`,
          fix: 'use one of the Service port numbers, or better its port name',
        };
      }
    }
  },
};
