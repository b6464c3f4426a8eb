/**
 * An object in a namespace nobody creates fails to apply ("namespaces … not found"): every
 * namespace the bundle uses is emitted as a Namespace, or is one the cluster always has.
 */
import { CLUSTER_NAMESPACES } from '../defaults.js';
import type { Rule } from '../validate/rule.js';

/** Namespaces every cluster of the target kind has (Kubernetes' own and Longhorn's). */
const SYSTEM = new Set(CLUSTER_NAMESPACES);

/**
 * Longhorn reads its objects (RecurringJobs) only in the namespace it was installed in, which
 * its install created: whatever that namespace is called, the bundle must not emit it.
 */
const isLonghornObject = (apiVersion: unknown) =>
  typeof apiVersion === 'string' && apiVersion.startsWith('longhorn.io/');

export const refNamespaceNotEmitted: Rule = {
  id: 'ref/namespace-not-emitted',
  severity: 'warning',
  description:
    "Every namespace objects are put in is emitted as a Namespace (or is a system namespace, or Longhorn's own).",
  *check(context) {
    const emitted = new Set(context.ofKind('Namespace', '').map((n) => n.metadata.name));
    const reported = new Set<string>();
    for (const object of context.objects) {
      const namespace = object.metadata?.namespace;
      if (typeof namespace !== 'string' || SYSTEM.has(namespace) || emitted.has(namespace))
        continue;
      if (isLonghornObject(object.apiVersion)) continue;
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
