/**
 * How the objects of a bundle point at each other, for rules of more than one family: the pods a
 * Service selects, the Services a ServiceMonitor selects, and the ReadWriteOnce claims a pod
 * template mounts. Here, not in one rule file, so that rules import helpers and never each other.
 */
import type { KubeObject } from '../types.js';
import { namespaceOf, type RuleContext } from './context.js';
import { arr, obj, strMap } from './json.js';
import { selects, selectsMap } from './selectors.js';
import { type ClaimVolume, claimVolumes, type Workload } from './workloads.js';

/** The workloads a Service selects. */
export function podsOf(context: RuleContext, service: KubeObject): Workload[] {
  const selector = strMap(obj(service.spec).selector);
  if (Object.keys(selector).length === 0) return [];
  return context.workloads.filter(
    (w) => w.namespace === namespaceOf(service) && selectsMap(selector, w.labels),
  );
}

/** The Services a ServiceMonitor selects in the bundle. */
export function servicesOf(context: RuleContext, monitor: KubeObject): KubeObject[] {
  const spec = obj(monitor.spec);
  const ns = obj(spec.namespaceSelector);
  const names = arr(ns.matchNames);
  const inScope = (service: KubeObject) =>
    ns.any === true ||
    (names.length > 0
      ? names.includes(namespaceOf(service))
      : namespaceOf(service) === namespaceOf(monitor));
  return context
    .ofKind('Service', '')
    .filter((service) => inScope(service) && selects(spec.selector, service.metadata.labels ?? {}));
}

/** The claims of `w` that the bundle emits with a ReadWriteOnce(Pod) access mode. */
export function rwoClaims(context: RuleContext, w: Workload): (ClaimVolume & { mode: string })[] {
  const out: (ClaimVolume & { mode: string })[] = [];
  for (const claim of claimVolumes(w)) {
    const modes = context.claimAccessModes(w.namespace, claim.claimName) ?? [];
    if (modes.includes('ReadWriteMany')) continue;
    const mode = modes.find((m) => m === 'ReadWriteOncePod' || m === 'ReadWriteOnce');
    if (mode) out.push({ ...claim, mode });
  }
  return out;
}
