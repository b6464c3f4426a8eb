/**
 * `histogram_quantile` needs the `le` label of the buckets. Aggregating without keeping `le`
 * (`sum(rate(x_bucket[5m]))`) leaves nothing to compute a quantile from: the result is empty
 * and the alert can never fire. Not aggregating at all computes one quantile per series (per
 * pod, instance, route…): after each restart a new pod's series appear beside the old ones, and
 * the threshold is judged per fragment rather than for the service.
 */
import { joinPath } from '../validate/paths.js';
import { excerpt, type PromExpr, parsedRules, unwrap, walk } from '../validate/promql-analysis.js';
import type { Rule } from '../validate/rule.js';

function keepsLe(expr: PromExpr): boolean | undefined {
  const node = unwrap(expr);
  if (node.type !== 'aggregate') return undefined;
  const g = node.grouping;
  if (!g) return false;
  return g.kind === 'by' ? g.labels.includes('le') : !g.labels.includes('le');
}

function* quantiles(context: Parameters<Rule['check']>[0]) {
  for (const ref of parsedRules(context)) {
    for (const node of walk(ref.parsed)) {
      if (node.type !== 'call' || node.name !== 'histogram_quantile' || !node.args[1]) continue;
      yield { ref, node, keeps: keepsLe(node.args[1]) };
    }
  }
}

export const promqlHistogramQuantileWithoutLe: Rule = {
  id: 'promql/histogram-quantile-without-le',
  severity: 'error',
  description:
    'histogram_quantile over an aggregation keeps the le label (sum by (le)), or it returns nothing.',
  *check(context) {
    for (const { ref, node, keeps } of quantiles(context)) {
      if (keeps !== false) continue;
      yield {
        object: ref.object,
        path: joinPath(ref.path, 'expr'),
        message: `${ref.name}: "${excerpt(node.text)}" aggregates the buckets without keeping "le": histogram_quantile gets no buckets, returns nothing, and the alert never fires`,
        fix: 'keep le in the aggregation: histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))',
      };
    }
  },
};

export const promqlHistogramQuantileUnaggregated: Rule = {
  id: 'promql/histogram-quantile-unaggregated',
  severity: 'warning',
  description:
    'histogram_quantile aggregates the bucket rates (sum by (le)), so the quantile is of the service, not of each series.',
  *check(context) {
    for (const { ref, node, keeps } of quantiles(context)) {
      if (keeps !== undefined) continue;
      yield {
        object: ref.object,
        path: joinPath(ref.path, 'expr'),
        message: `${ref.name}: "${excerpt(node.text)}" computes one quantile per series (per pod/instance): after a restart old and new pods' series are judged separately`,
        fix: 'aggregate the bucket rates first: histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))',
      };
    }
  },
};
