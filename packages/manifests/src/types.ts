/**
 * Shapes shared by every part of the manifests package: the objects it builds and the
 * findings its validation reports.
 */

/** Any Kubernetes object as plain JSON, the form in which it is rendered and validated. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** How bad a finding is: errors fail `render`/`validate` (exit 1); warnings are reported. */
export type Severity = 'error' | 'warning';

/** One problem found in one object, with enough context to fix it. */
export interface Finding {
  severity: Severity;
  /** Stable rule id, e.g. `schema/unknown-field` or `policy/pdb-blocks-eviction`. */
  ruleId: string;
  /** The object, as `Kind/namespace/name` (or `Kind/name` for cluster-scoped objects). */
  object: string;
  /** JSON path within the object, e.g. `spec.template.spec.securityContext.readOnlyRootFilesystem`. */
  path: string;
  message: string;
  /** What to change to make it right. */
  fix: string;
}

/** `Kind/namespace/name`, the way findings name an object. */
export function objectRef(obj: Pick<KubeObject, 'kind' | 'metadata'>): string {
  const { name, namespace } = obj.metadata;
  return namespace ? `${obj.kind}/${namespace}/${name}` : `${obj.kind}/${name}`;
}
