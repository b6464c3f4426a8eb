/**
 * Invariants between the objects of a bundle, checked when the bundle is built (as cdk8s checks
 * a chart on synth). A failure here is a bug in this package, not in the config, so it throws at
 * once. The references between objects (selectors that must match, claims, ports, Services and
 * Middlewares that must be emitted) are the `ref/*` lint rules each object registers
 * (registry.ts): one relation is written once, as a rule, and `lint` reports the same rule for
 * manifests from anywhere. Only what holds of a bundle as a whole is checked here on its own.
 */
import type { KubeObject } from '../types.js';
import { objectRef } from '../types.js';
import { RuleContext, resolveOptions } from '../validate/context.js';
import type { Rule } from '../validate/rule.js';
import { OBJECT_REGISTRY } from './registry.js';

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

/** The rules every object of the registry must pass when built, each once. */
export const BUNDLE_INVARIANT_RULES: readonly Rule[] = [
  ...new Set(OBJECT_REGISTRY.flatMap((d) => d.invariants)),
];

/** One problem per finding of `rules` on `objects`, as `Kind/ns/name: rule at path: message`. */
function ruleProblems(
  objects: readonly KubeObject[],
  rules: readonly Rule[],
  existingClaims: readonly string[],
): string[] {
  const context = new RuleContext(objects, resolveOptions({ existingClaims }));
  return rules.flatMap((rule) =>
    [...rule.check(context)].map((issue) => {
      const object = typeof issue.object === 'string' ? issue.object : objectRef(issue.object);
      return `${object}: ${rule.id} at ${issue.path}: ${issue.message}`;
    }),
  );
}

/**
 * Throws {@link BundleInvariantError} listing every broken invariant of `objects`: an object
 * emitted twice, a namespaced object outside `namespace` and `clusterNamespaces` (those a
 * cluster provides, such as Longhorn's, where its RecurringJobs must live), and any finding of
 * the cross-reference rules the objects register (`BUNDLE_INVARIANT_RULES`).
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
  problems.push(...ruleProblems(objects, BUNDLE_INVARIANT_RULES, existingClaims));
  if (problems.length > 0) throw new BundleInvariantError(problems);
}
