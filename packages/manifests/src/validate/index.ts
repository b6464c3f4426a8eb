/**
 * Validation of a bundle of Kubernetes objects: every rule runs on every render and the result
 * is one aggregated report, so a user fixes everything in one pass instead of one error per
 * run (STYLE.md practice 11). Each finding names the object, the field path, the rule id, a
 * message and the fix.
 */
import { ALL_RULES } from '../rules/index.js';
import { type Finding, type KubeObject, objectRef } from '../types.js';
import { RuleContext, resolveOptions, type ValidateOptions } from './context.js';
import type { Rule, RuleInfo } from './rule.js';

export type { KustomizationLayout, TrafficSources, ValidateOptions } from './context.js';
export { formatReport } from './format.js';
export type { RuleInfo } from './rule.js';

/** The outcome of `validate()`. */
export interface ValidationReport {
  findings: Finding[];
  errors: number;
  warnings: number;
  /** True when there are no errors (warnings do not fail a render). */
  ok: boolean;
}

/** Every rule `validate()` runs: id, severity and description, for docs. */
export const RULES: readonly RuleInfo[] = Object.freeze(
  ALL_RULES.map(({ id, severity, description }) => Object.freeze({ id, severity, description })),
);

/** The id reported when a rule itself throws: a bug in the rule, never in the bundle. */
export const RULE_FAILED_ID = 'validate/rule-failed';

/** Runs every rule on `objects` and returns one report. Throws only on invalid options. */
export function validate(
  objects: readonly KubeObject[],
  options?: ValidateOptions,
): ValidationReport {
  const context = new RuleContext(objects, resolveOptions(options));
  const order = new Map<string, number>();
  objects.forEach((o, i) => {
    const ref = safeRef(o);
    if (!order.has(ref)) order.set(ref, i);
  });
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const add = (finding: Finding): void => {
    const key = `${finding.ruleId}\u0000${finding.object}\u0000${finding.path}\u0000${finding.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(finding);
  };
  for (const rule of ALL_RULES) {
    try {
      for (const issue of rule.check(context)) {
        add({
          severity: rule.severity,
          ruleId: rule.id,
          object: typeof issue.object === 'string' ? issue.object : safeRef(issue.object),
          path: issue.path,
          message: issue.message,
          fix: issue.fix,
        });
      }
    } catch (error) {
      add(ruleFailed(rule, error));
    }
  }
  // Group by object in bundle order (objects not in the bundle, e.g. the kustomization, last).
  const rank = (f: Finding): number => order.get(f.object) ?? objects.length;
  findings.sort((a, b) => rank(a) - rank(b));
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { findings, errors, warnings: findings.length - errors, ok: errors === 0 };
}

function safeRef(object: KubeObject): string {
  const kind = typeof object?.kind === 'string' ? object.kind : '(no kind)';
  const name = typeof object?.metadata?.name === 'string' ? object.metadata.name : '(no name)';
  const namespace = object?.metadata?.namespace;
  return objectRef({
    kind,
    metadata: { name, ...(typeof namespace === 'string' ? { namespace } : {}) },
  });
}

function ruleFailed(rule: Rule, error: unknown): Finding {
  return {
    severity: 'error',
    ruleId: RULE_FAILED_ID,
    object: '(bundle)',
    path: '',
    message: `rule ${rule.id} failed: ${error instanceof Error ? error.message : String(error)}`,
    fix: 'report this as a bug in @stemedb/manifests; every other rule still ran',
  };
}
