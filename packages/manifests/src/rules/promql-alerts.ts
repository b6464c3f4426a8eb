/**
 * How alerts are written. `absent(x)` returns 1 or nothing, so a comparison after it is noise
 * (and `absent(x) > 1` never fires). An alert on a rate or quantile without `for:` pages on a
 * single noisy evaluation and resolves on the next: flapping. Some alerts are one-shot by
 * nature (an OOMKilled reason, a counter increase) and rightly have no `for`.
 * `rate()` of a metric that is not a counter measures nothing meaningful.
 */
import { joinPath } from '../validate/paths.js';
import {
  excerpt,
  hasBareRate,
  isScalarLiteral,
  parsedRules,
  unwrap,
  walk,
} from '../validate/promql-analysis.js';
import type { Rule } from '../validate/rule.js';
import { durationSeconds } from '../validate/units.js';

const COMPARISONS = new Set(['>', '<', '>=', '<=', '==', '!=']);

export const promqlAbsentComparison: Rule = {
  id: 'promql/absent-comparison',
  severity: 'warning',
  description:
    'absent(…) is used on its own: it returns 1 or nothing, so comparing it adds nothing (or, like > 1, never fires).',
  *check(context) {
    for (const ref of parsedRules(context)) {
      for (const node of walk(ref.parsed)) {
        if (node.type !== 'binary' || !COMPARISONS.has(node.op)) continue;
        const lhs = unwrap(node.lhs);
        if (lhs.type !== 'call' || (lhs.name !== 'absent' && lhs.name !== 'absent_over_time'))
          continue;
        yield {
          object: ref.object,
          path: joinPath(ref.path, 'expr'),
          message: `${ref.name}: "${excerpt(node.text)}" compares ${lhs.name}(), which is 1 when the series is missing and empty otherwise: the comparison is redundant at best`,
          fix: `use ${excerpt(lhs.text)} alone`,
        };
      }
    }
  },
};

/**
 * Functions whose value moves with every evaluation: alerts on them need `for`. `increase`,
 * `changes` and `resets` are left out: `increase(restarts[10m]) > 0` detects an event, and a
 * `for` would only delay (or, for a short event, swallow) it.
 */
const NOISY = new Set([
  'rate',
  'irate',
  'deriv',
  'histogram_quantile',
  'avg_over_time',
  'quantile_over_time',
]);

export const promqlAlertMissingFor: Rule = {
  id: 'promql/alert-missing-for',
  severity: 'warning',
  description:
    'An alert on a rate, ratio or quantile has a for: duration, so one noisy evaluation does not page.',
  *check(context) {
    for (const ref of parsedRules(context)) {
      if (typeof ref.rule.alert !== 'string') continue;
      const forSeconds = durationSeconds(ref.rule.for);
      if (forSeconds !== undefined && forSeconds > 0) continue;
      const noisy = [...walk(ref.parsed)].some((n) => n.type === 'call' && NOISY.has(n.name));
      if (!noisy) continue;
      yield {
        object: ref.object,
        path: joinPath(ref.path, 'for'),
        message: `${ref.name} alerts on a rate or quantile without "for": a single spike pages and resolves a minute later`,
        fix: 'set for: to a few evaluation intervals (e.g. 5m)',
      };
    }
  },
};

const COUNTER_SUFFIX = /(_total|_count|_sum|_bucket|_created)$/;

export const promqlRateOfNonCounter: Rule = {
  id: 'promql/rate-of-non-counter',
  severity: 'warning',
  description:
    'rate/irate/increase are applied to counters (…_total, …_count, …_sum, …_bucket), not to gauges.',
  *check(context) {
    for (const ref of parsedRules(context)) {
      for (const node of walk(ref.parsed)) {
        if (node.type !== 'call' || !['rate', 'irate', 'increase'].includes(node.name)) continue;
        const arg = node.args[0] ? unwrap(node.args[0]) : undefined;
        if (arg?.type !== 'selector' || !arg.metric || COUNTER_SUFFIX.test(arg.metric)) continue;
        yield {
          object: ref.object,
          path: joinPath(ref.path, 'expr'),
          message: `${ref.name}: ${node.name}(${arg.metric}…) — "${arg.metric}" is not named like a counter; ${node.name} of a gauge reads every decrease as a counter reset`,
          fix: "use deriv() or delta() for a gauge, or the metric's _total counter",
        };
      }
    }
  },
};

export const promqlThresholdOnSeriesRate: Rule = {
  id: 'promql/threshold-on-series-rate',
  severity: 'warning',
  description:
    'An alert compares an aggregated rate with its threshold, not each series: a total spread over many series never crosses it.',
  *check(context) {
    for (const ref of parsedRules(context)) {
      if (typeof ref.rule.alert !== 'string') continue;
      for (const node of walk(ref.parsed)) {
        if (node.type !== 'binary' || !COMPARISONS.has(node.op)) continue;
        const [series, threshold] = isScalarLiteral(node.rhs)
          ? [node.lhs, node.rhs]
          : [node.rhs, node.lhs];
        if (!isScalarLiteral(threshold) || !hasBareRate(series)) continue;
        // `increase(x[10m]) > 0` detects an event: any series above 0 is the sum above 0.
        if (
          threshold.type !== 'string' &&
          /^0(\.0*)?$/.test(threshold.text.trim()) &&
          ['>', '!='].includes(node.op)
        )
          continue;
        const inner = unwrap(series);
        // Ratios and quantiles have rules of their own (ratio-without-aggregation, histogram-*).
        if (
          inner.type === 'binary' ||
          (inner.type === 'call' && inner.name === 'histogram_quantile')
        )
          continue;
        yield {
          object: ref.object,
          path: joinPath(ref.path, 'expr'),
          message: `${ref.name}: "${excerpt(node.text)}" compares each series' rate (per route, status, pod…) with the threshold: 20 series at half the threshold each never fire`,
          fix: `aggregate first: sum by (namespace) (${excerpt(inner.text, 60)}) ${node.op} ${excerpt(threshold.text)}`,
        };
        break;
      }
    }
  },
};
