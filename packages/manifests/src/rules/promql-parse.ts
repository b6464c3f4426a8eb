/**
 * Every alerting and recording rule expression parses as PromQL. The operator rejects a
 * PrometheusRule with a broken expression only at admission (if its webhook runs at all);
 * Prometheus otherwise drops the whole group, and every alert in it, with one log line.
 */
import { joinPath } from '../validate/paths.js';
import { excerpt, parsePromQL, promRules } from '../validate/promql-analysis.js';
import type { Rule } from '../validate/rule.js';

export const promqlParseError: Rule = {
  id: 'promql/parse-error',
  severity: 'error',
  description:
    'Every PrometheusRule expression is valid PromQL (parsed with the Prometheus grammar).',
  *check(context) {
    for (const ref of promRules(context)) {
      if (ref.expr === undefined) continue; // The schema rules report a missing expr.
      const result = parsePromQL(ref.expr);
      if (result.ok) continue;
      yield {
        object: ref.object,
        path: joinPath(ref.path, 'expr'),
        message: `${ref.name}: ${result.message} in "${excerpt(ref.expr)}"`,
        fix: 'fix the expression (check it with promtool check rules); Prometheus would drop the whole rule group',
      };
    }
  },
};
