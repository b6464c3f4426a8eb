/**
 * An object without a namespace lands in whatever namespace the applying kubectl context points
 * at, often `default`: where it goes must not depend on who applies it.
 */
import { isObject } from '../validate/json.js';
import type { Rule } from '../validate/rule.js';

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

export const policyNamespaceUnset: Rule = {
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
