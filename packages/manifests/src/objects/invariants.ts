/**
 * Invariants between the objects of a bundle, checked when the bundle is built (as cdk8s checks
 * a chart on synth): references that must resolve, selectors that must match. A failure here is
 * a bug in this package, not in the config, so it throws at once.
 */
import type { KubeObject } from '../types.js';
import { objectRef } from '../types.js';

/** Objects whose cross-references do not resolve. */
export class BundleInvariantError extends Error {
  readonly code = 'bundle/invariant';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`the built objects are inconsistent:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'BundleInvariantError';
    this.problems = problems;
  }
}

const CLUSTER_SCOPED = new Set(['Namespace', 'StorageClass']);

// Paths into plain JSON objects, read loosely on purpose: each object's own type is checked
// where it is built; here only the few fields that tie objects together are looked at.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Loose = any;

function find(objects: readonly KubeObject[], kind: string): Loose[] {
  return objects.filter((o) => o.kind === kind);
}

function matches(selector: Record<string, string>, labels: Record<string, string> = {}): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * Throws {@link BundleInvariantError} listing every broken invariant of `objects`. Namespaced
 * objects are in `namespace`, or in one of `clusterNamespaces` (those a cluster provides, such
 * as Longhorn's, where its RecurringJobs must live).
 */
export function assertBundleInvariants(
  objects: readonly KubeObject[],
  namespace: string,
  clusterNamespaces: readonly string[] = [],
  /** Claims the cluster has without the bundle emitting them (`storage.volumes.existingClaim`). */
  existingClaims: readonly string[] = [],
): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    const ref = objectRef(o);
    if (seen.has(ref)) problems.push(`${ref}: emitted twice`);
    seen.add(ref);
    const scoped = !CLUSTER_SCOPED.has(o.kind);
    const ns = o.metadata.namespace;
    if (scoped && ns !== namespace && !(ns && clusterNamespaces.includes(ns))) {
      problems.push(`${ref}: not in namespace ${namespace}`);
    }
  }

  const pvcs = new Set([
    ...find(objects, 'PersistentVolumeClaim').map((p) => p.metadata.name),
    ...existingClaims,
  ]);
  const services = find(objects, 'Service');
  for (const d of find(objects, 'Deployment')) {
    const pod = d.spec.template;
    if (!matches(d.spec.selector.matchLabels, pod.metadata.labels)) {
      problems.push(`${objectRef(d)}: selector does not match its pod labels`);
    }
    const portNames = new Set(
      pod.spec.containers.flatMap((ct: Loose) => ct.ports ?? []).map((p: Loose) => p.name),
    );
    for (const v of pod.spec.volumes ?? []) {
      const claim = v.persistentVolumeClaim?.claimName;
      if (claim && !pvcs.has(claim)) problems.push(`${objectRef(d)}: PVC ${claim} is not emitted`);
    }
    for (const s of services) {
      if (!matches(s.spec.selector, pod.metadata.labels)) {
        problems.push(`${objectRef(s)}: selector does not match ${objectRef(d)}'s pods`);
      }
      for (const p of s.spec.ports) {
        if (typeof p.targetPort === 'string' && !portNames.has(p.targetPort)) {
          problems.push(`${objectRef(s)}: targetPort ${p.targetPort} is not a container port`);
        }
      }
    }
  }

  for (const sm of find(objects, 'ServiceMonitor')) {
    const targets = services.filter((s) =>
      matches(sm.spec.selector.matchLabels, s.metadata.labels),
    );
    if (targets.length === 0) problems.push(`${objectRef(sm)}: selects no Service`);
    for (const e of sm.spec.endpoints) {
      if (!targets.every((s) => s.spec.ports.some((p: Loose) => p.name === e.port))) {
        problems.push(`${objectRef(sm)}: port ${e.port} is not a named port of the Service`);
      }
    }
  }

  const middlewares = new Set(
    find(objects, 'Middleware').map(
      (m) => `${m.metadata.namespace}-${m.metadata.name}@kubernetescrd`,
    ),
  );
  for (const ing of find(objects, 'Ingress')) {
    const refs = ing.metadata.annotations?.['traefik.ingress.kubernetes.io/router.middlewares'];
    for (const ref of refs ? String(refs).split(',') : []) {
      if (!middlewares.has(ref))
        problems.push(`${objectRef(ing)}: middleware ${ref} is not emitted`);
    }
  }
  for (const route of find(objects, 'IngressRoute')) {
    for (const r of route.spec?.routes ?? []) {
      for (const m of r.middlewares ?? []) {
        const ref = `${m.namespace ?? route.metadata.namespace}-${m.name}@kubernetescrd`;
        if (!middlewares.has(ref))
          problems.push(`${objectRef(route)}: middleware ${ref} is not emitted`);
      }
    }
  }

  if (problems.length > 0) throw new BundleInvariantError(problems);
}
