/** The Namespace (roadmap namespace.yaml), with Pod Security admission set to `restricted`. */
import type { V1Namespace } from '@kubernetes/client-node';
import type { StemeDeploymentConfig } from '../config/index.js';
import type { ObjectDescriptor } from './descriptor.js';
import { type Built, objectLabels } from './meta.js';

/**
 * Every pod we run (server and backup) meets the `restricted` Pod Security Standard, so the
 * namespace enforces it: a later edit that weakens a pod is refused at admission instead of
 * slipping through.
 */
export function buildNamespace(c: StemeDeploymentConfig): Built<V1Namespace> {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: c.namespace,
      labels: {
        ...objectLabels(c, 'namespace'),
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
    },
  };
}

/** The Namespace, first: everything else lives in it. */
export const namespaceObject: ObjectDescriptor = {
  id: 'namespace',
  kind: 'Namespace',
  when: () => true,
  build: buildNamespace,
  invariants: [],
  docs: {
    object: 'Namespace, Pod Security `restricted` enforced',
    name: '`stemedb`',
    when: 'always',
  },
};
