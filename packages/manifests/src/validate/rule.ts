/**
 * What a rule is: an id, a severity, a one-line description (for docs and `--list-rules`), and
 * a check that reports issues. The engine adds the id and severity to make findings.
 */
import type { KubeObject, Severity } from '../types.js';
import type { RuleContext } from './context.js';

/** A rule as documented: what `RULES` lists. */
export interface RuleInfo {
  /** Stable id, `family/name`: `schema/…`, `ref/…`, `policy/…`, `promql/…`. */
  readonly id: string;
  readonly severity: Severity;
  /** What the rule checks and why, in one sentence. */
  readonly description: string;
}

/** One problem a rule found. */
export interface Issue {
  /** The object, or its `Kind/namespace/name` when there is no object (a kustomization). */
  object: KubeObject | string;
  /** JSON path within the object, e.g. `spec.template.spec.securityContext`. */
  path: string;
  message: string;
  /** What to change to make it right. */
  fix: string;
}

/** A rule: its documentation and its check. */
export interface Rule extends RuleInfo {
  check(context: RuleContext): Iterable<Issue>;
}
