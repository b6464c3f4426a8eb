/**
 * Reasoning about parsed PromQL, and the alerting and recording rules of the bundle's
 * PrometheusRules, for the promql/* rules.
 */
import type { KubeObject } from '../types.js';
import type { RuleContext } from './context.js';
import { arr, isObject, type Json, str } from './json.js';
import { joinPath } from './paths.js';
import { type PromExpr, parsePromQL } from './promql.js';

export { type PromExpr, parsePromQL } from './promql.js';

/** The expression without parentheses, unary minus, offset or @ around it. */
export function unwrap(expr: PromExpr): PromExpr {
  let node = expr;
  while (node.type === 'wrap' && node.kind !== 'subquery') node = node.expr;
  return node;
}

/** Every sub-expression, depth first, the expression itself first. */
export function* walk(expr: PromExpr): Iterable<PromExpr> {
  yield expr;
  switch (expr.type) {
    case 'call':
    case 'aggregate':
      for (const arg of expr.args) yield* walk(arg);
      break;
    case 'binary':
      yield* walk(expr.lhs);
      yield* walk(expr.rhs);
      break;
    case 'wrap':
      yield* walk(expr.expr);
      break;
    default:
  }
}

/** Functions that turn a counter's range into a per-series rate. */
export const RATE_FUNCTIONS = new Set(['rate', 'irate', 'increase', 'delta', 'idelta', 'deriv']);

/** True when `expr` contains a per-series rate (rate, irate, increase…) outside any aggregation. */
export function hasBareRate(expr: PromExpr): boolean {
  const node = unwrap(expr);
  if (node.type === 'aggregate') return false;
  if (node.type === 'call' && RATE_FUNCTIONS.has(node.name)) return true;
  if (node.type === 'call') return node.args.some(hasBareRate);
  if (node.type === 'binary') return hasBareRate(node.lhs) || hasBareRate(node.rhs);
  return false;
}

/** True when `expr` is a literal number (a scalar, not a vector). */
export function isScalarLiteral(expr: PromExpr): boolean {
  const node = unwrap(expr);
  return (
    node.type === 'number' ||
    (node.type === 'call' && (node.name === 'scalar' || node.name === 'time'))
  );
}

/** One alerting or recording rule of a PrometheusRule, with its path. */
export interface PromRuleRef {
  object: KubeObject;
  rule: Json;
  /** Path of the rule, e.g. `spec.groups[0].rules[1]`. */
  path: string;
  /** The alert or record name. */
  name: string;
  expr: string | undefined;
}

/** Every rule of every PrometheusRule in the bundle. */
export function* promRules(context: RuleContext): Iterable<PromRuleRef> {
  for (const object of context.ofKind('PrometheusRule', 'monitoring.coreos.com')) {
    const spec = isObject(object.spec) ? object.spec : {};
    for (const [g, group] of arr(spec.groups).entries()) {
      if (!isObject(group)) continue;
      for (const [r, rule] of arr(group.rules).entries()) {
        if (!isObject(rule)) continue;
        const expr = rule.expr;
        yield {
          object,
          rule,
          path: joinPath('spec', 'groups', g, 'rules', r),
          name: str(rule.alert) ?? str(rule.record) ?? `rule ${r}`,
          expr:
            typeof expr === 'string' ? expr : typeof expr === 'number' ? String(expr) : undefined,
        };
      }
    }
  }
}

/** Parsed expressions of every rule that parses, with the rule. */
export function* parsedRules(context: RuleContext): Iterable<PromRuleRef & { parsed: PromExpr }> {
  for (const ref of promRules(context)) {
    if (ref.expr === undefined) continue;
    const result = parsePromQL(ref.expr);
    if (result.ok) yield { ...ref, parsed: result.expr };
  }
}

/** An expression, shortened to one line for messages. */
export function excerpt(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
