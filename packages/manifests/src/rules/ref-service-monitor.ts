import { namespaceOf } from '../validate/context.js';
import { arr, obj } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import { servicesOf } from '../validate/relations.js';
import type { Rule } from '../validate/rule.js';
import { formatLabels } from '../validate/selectors.js';

export const refServicemonitorSelector: Rule = {
  id: 'ref/servicemonitor-selector',
  severity: 'error',
  description:
    "A ServiceMonitor's selector matches the labels of an emitted Service in the namespaces it watches.",
  *check(context) {
    for (const monitor of context.ofKind('ServiceMonitor', 'monitoring.coreos.com')) {
      if (servicesOf(context, monitor).length > 0) continue;
      const matchLabels = obj(obj(monitor.spec).selector).matchLabels;
      const candidates = context
        .ofKind('Service', '')
        .filter((s) => namespaceOf(s) === namespaceOf(monitor));
      yield {
        object: monitor,
        path: 'spec.selector',
        message: `selector ${formatLabels(obj(matchLabels) as Record<string, string>)} matches no Service's labels (${candidates.map((s) => `${s.metadata.name}: ${formatLabels(s.metadata.labels ?? {})}`).join('; ') || 'no Services'}): nothing is scraped. It matches Service labels, not the Service's pod selector`,
        fix: "put the selector's labels on the Service's metadata.labels (e.g. app.kubernetes.io/name: stemedb-api)",
      };
    }
  },
};

export const refServicemonitorPort: Rule = {
  id: 'ref/servicemonitor-port',
  severity: 'error',
  description:
    "Each ServiceMonitor endpoint's port is the name of a port of the Services it selects.",
  *check(context) {
    for (const monitor of context.ofKind('ServiceMonitor', 'monitoring.coreos.com')) {
      const services = servicesOf(context, monitor);
      const named = services
        .flatMap((s) => arr(obj(s.spec).ports).map((p) => obj(p).name))
        .filter((n) => typeof n === 'string');
      for (const [i, endpoint] of arr(obj(monitor.spec).endpoints).entries()) {
        const e = obj(endpoint);
        if (e.port === undefined) {
          if (e.targetPort !== undefined) continue; // Deprecated, but it does name the pod port.
          yield {
            object: monitor,
            path: joinPath('spec', 'endpoints', i, 'port'),
            message: 'endpoint has no port: Prometheus scrapes every port of the Service',
            fix: 'set port to the name of the metrics port of the Service (e.g. http)',
          };
          continue;
        }
        const port = String(e.port);
        if (named.includes(port)) continue;
        const numeric = /^\d+$/.test(port);
        if (services.length === 0 && !numeric) continue; // The selector rule already reports it.
        yield {
          object: monitor,
          path: joinPath('spec', 'endpoints', i, 'port'),
          message: numeric
            ? `port "${port}" is a number, but ServiceMonitor endpoints name a Service port: no port is named "${port}", so nothing is scraped`
            : `no selected Service has a port named "${port}" (named ports: ${named.join(', ') || 'none'})`,
          fix: 'name the Service port (spec.ports[*].name: http) and use that name here (port: http)',
        };
      }
    }
  },
};
