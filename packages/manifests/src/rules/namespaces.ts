/**
 * Namespaces. An object without one lands in whatever namespace the applying kubectl context
 * points at; an object in a namespace nobody creates fails to apply ("namespaces … not found").
 */
import { isObject } from '../validate/json.js';
import type { Rule } from '../validate/rule.js';

const SYSTEM = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** Kinds without a namespace. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'CSIDriver',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ClusterSecretStore',
  'ClusterExternalSecret',
  'ClusterIssuer',
  'APIService',
]);

export const namespaceUnset: Rule = {
  id: 'policy/namespace-unset',
  severity: 'error',
  description:
    'Every namespaced object sets metadata.namespace, so where it lands does not depend on the kubectl context.',
  *check(context) {
    for (const object of context.objects) {
      if (CLUSTER_SCOPED.has(object.kind) || !isObject(object.metadata)) continue;
      if (typeof object.metadata.namespace === 'string' && object.metadata.namespace !== '')
        continue;
      yield {
        object,
        path: 'metadata.namespace',
        message: `${object.kind} has no namespace: it lands in the applying context's namespace (often default)`,
        fix: 'set metadata.namespace (e.g. stemedb)',
      };
    }
  },
};

export const namespaceNotEmitted: Rule = {
  id: 'ref/namespace-not-emitted',
  severity: 'warning',
  description:
    'Every namespace objects are put in is emitted as a Namespace (or is a system namespace).',
  *check(context) {
    const emitted = new Set(context.ofKind('Namespace', '').map((n) => n.metadata.name));
    const reported = new Set<string>();
    for (const object of context.objects) {
      const namespace = object.metadata?.namespace;
      if (typeof namespace !== 'string' || SYSTEM.has(namespace) || emitted.has(namespace))
        continue;
      if (reported.has(namespace)) continue;
      reported.add(namespace);
      yield {
        object,
        path: 'metadata.namespace',
        message: `namespace "${namespace}" is not emitted: unless it already exists, apply fails with "namespaces \\"${namespace}\\" not found"`,
        fix: `emit a Namespace named ${namespace} (first in the bundle)`,
      };
    }
  },
};
