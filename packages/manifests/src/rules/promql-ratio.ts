/**
 * Dividing per-series rates. `rate(x{status=~"5.."}[5m]) / rate(x[5m])` matches series with
 * identical label sets, so each 5xx series is divided by itself: the "error ratio" is 1 for
 * every status that had any error and absent otherwise, and the alert fires on a single 5xx.
 * Both sides must be aggregated to the same labels first (and matched on those labels).
 */
import { joinPath } from '../validate/paths.js';
import {
  excerpt,
  hasBareRate,
  isScalarLiteral,
  type PromExpr,
  parsedRules,
  unwrap,
  walk,
} from '../validate/promql-analysis.js';
import type { Rule } from '../validate/rule.js';

/** The labels an aggregation keeps, as a comparable key, or undefined when not aggregated. */
function groupingKey(expr: PromExpr): string | undefined {
  const node = unwrap(expr);
  if (node.type !== 'aggregate') return undefined;
  const g = node.grouping;
  return g ? `${g.kind}(${[...g.labels].sort().join(',')})` : 'by()';
}

/** Why `a / b` mismatches, or undefined when it is sound. */
export function ratioProblem(expr: PromExpr): string | undefined {
  if (expr.type !== 'binary' || expr.op !== '/' || expr.matching) return undefined;
  if (isScalarLiteral(expr.lhs) || isScalarLiteral(expr.rhs)) return undefined;
  if (hasBareRate(expr.lhs) || hasBareRate(expr.rhs)) {
    return 'divides per-series rates without aggregating them: vector matching pairs series with identical labels, so each series is divided by itself (or by nothing) instead of by the total';
  }
  const left = groupingKey(expr.lhs);
  const right = groupingKey(expr.rhs);
  if (left !== undefined && right !== undefined && left !== right) {
    return `divides aggregations that keep different labels (${left} vs ${right}) with no on(…)/ignoring(…): no series match and the result is always empty`;
  }
  return undefined;
}

export const promqlRatioWithoutAggregation: Rule = {
  id: 'promql/ratio-without-aggregation',
  severity: 'error',
  description:
    'A ratio of rates aggregates both sides to the same labels (sum by (…)) before dividing.',
  *check(context) {
    for (const ref of parsedRules(context)) {
      for (const node of walk(ref.parsed)) {
        const problem = ratioProblem(node);
        if (!problem || node.type !== 'binary') continue;
        yield {
          object: ref.object,
          path: joinPath(ref.path, 'expr'),
          message: `${ref.name}: "${excerpt(node.text)}" ${problem}`,
          fix: 'aggregate both sides to the same labels, e.g. sum by (namespace, job) (rate(x{status=~"5.."}[5m])) / sum by (namespace, job) (rate(x[5m]))',
        };
        break;
      }
    }
  },
};
