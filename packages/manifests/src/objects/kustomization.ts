/** The `kustomization.yaml` of the kustomize directory output (roadmap kustomization.yaml). */
import type { KubeObject } from '../types.js';
import type { Kustomization } from './crds.js';

/** The file an object is written to: `<kind>-<name>.yaml`, lowercased. */
export function objectFileName(obj: Pick<KubeObject, 'kind' | 'metadata'>): string {
  return `${obj.kind}-${obj.metadata.name}.yaml`.toLowerCase();
}

/**
 * Lists every object's file, in bundle (apply) order, and keeps that order with
 * `sortOptions: fifo` (kustomize ≥ 5.0, in kubectl ≥ 1.27).
 *
 * There is no `namespace:` field: every object already carries its namespace, and kustomize's
 * namespace transformer would not rewrite the namespace inside the Ingress's middleware
 * reference or the ServiceMonitor's `namespaceSelector`, so an overlay changing it would break
 * them. Change `namespace` in the config and regenerate instead.
 */
export function buildKustomization(objects: readonly KubeObject[]): Kustomization {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: objects.map(objectFileName),
    sortOptions: { order: 'fifo' },
  };
}
