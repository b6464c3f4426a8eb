/**
 * Selectors that select nothing. A Deployment whose selector does not match its own template is
 * rejected by the API server; a Service, PodDisruptionBudget or NetworkPolicy whose selector
 * matches no pod in the bundle silently does nothing (no endpoints, no protection, no policy).
 */
import type { KubeObject } from '../types.js';
import { namespaceOf } from '../validate/context.js';
import { isObject, obj, strMap } from '../validate/json.js';
import type { Rule } from '../validate/rule.js';
import { formatLabels, isEmptySelector, selects, selectsMap } from '../validate/selectors.js';

export const refWorkloadSelector: Rule = {
  id: 'ref/workload-selector',
  severity: 'error',
  description:
    "A workload's spec.selector matches the labels of its own pod template (the API server rejects it otherwise).",
  *check(context) {
    for (const w of context.workloads) {
      if (!['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(w.kind)) continue;
      const selector = obj(w.object.spec).selector;
      if (!isObject(selector) || isEmptySelector(selector)) {
        yield {
          object: w.object,
          path: 'spec.selector',
          message: 'spec.selector is missing or empty',
          fix: `set spec.selector.matchLabels to the pod template's labels (${formatLabels(w.labels)})`,
        };
      } else if (!selects(selector, w.labels)) {
        yield {
          object: w.object,
          path: 'spec.selector',
          message: `spec.selector does not match the pod template's labels (${formatLabels(w.labels)}): the API server rejects it`,
          fix: 'make spec.selector.matchLabels a subset of spec.template.metadata.labels',
        };
      }
    }
  },
};

function selectsAnyPod(
  context: Parameters<Rule['check']>[0],
  object: KubeObject,
  test: (labels: Record<string, string>) => boolean,
) {
  const namespace = namespaceOf(object);
  return context.workloads.some((w) => w.namespace === namespace && test(w.labels));
}

export const refSelectorMatchesNothing: Rule = {
  id: 'ref/selector-matches-nothing',
  severity: 'error',
  description:
    "A Service's, PodDisruptionBudget's or NetworkPolicy's pod selector matches some pod template in the bundle.",
  *check(context) {
    for (const service of context.ofKind('Service', '')) {
      const selector = strMap(obj(service.spec).selector);
      if (Object.keys(selector).length === 0) continue; // No selector: endpoints are managed by hand.
      if (selectsAnyPod(context, service, (labels) => selectsMap(selector, labels))) continue;
      yield {
        object: service,
        path: 'spec.selector',
        message: `selector ${formatLabels(selector)} matches no pod in namespace ${namespaceOf(service)}: the Service has no endpoints`,
        fix: 'use the labels of the pod template it fronts',
      };
    }
    for (const pdb of context.ofKind('PodDisruptionBudget', 'policy')) {
      const selector = obj(pdb.spec).selector;
      if (selectsAnyPod(context, pdb, (labels) => selects(selector, labels))) continue;
      yield {
        object: pdb,
        path: 'spec.selector',
        message: 'selector matches no pod in the bundle: the budget protects nothing',
        fix: 'use the labels of the pod template it protects',
      };
    }
    for (const policy of context.ofKind('NetworkPolicy', 'networking.k8s.io')) {
      const selector = obj(policy.spec).podSelector;
      if (isEmptySelector(selector)) continue; // {} selects every pod of the namespace.
      if (selectsAnyPod(context, policy, (labels) => selects(selector, labels))) continue;
      yield {
        object: policy,
        path: 'spec.podSelector',
        message: 'podSelector matches no pod in the bundle: the policy restricts nothing',
        fix: 'use the labels of the pod template it should restrict',
      };
    }
  },
};
