/**
 * A pod scraped twice: `prometheus.io/scrape` annotations (for annotation-based discovery) and
 * a ServiceMonitor. Where both discoveries run, every series exists under two jobs, so sums
 * double, ratios skew and `absent(up{job=…})` watches only one of them.
 */
import { namespaceOf } from '../validate/context.js';
import { joinPath } from '../validate/paths.js';
import { podsOf, servicesOf } from '../validate/relations.js';
import type { Rule } from '../validate/rule.js';

export const policyDoubleScrape: Rule = {
  id: 'policy/double-scrape',
  severity: 'warning',
  description:
    'A pod scraped through a ServiceMonitor does not also carry prometheus.io/scrape annotations.',
  *check(context) {
    const monitored = new Set<unknown>();
    for (const monitor of context.ofKind('ServiceMonitor', 'monitoring.coreos.com')) {
      for (const service of servicesOf(context, monitor)) {
        for (const w of podsOf(context, service)) monitored.add(w.object);
      }
    }
    for (const w of context.workloads) {
      if (w.annotations['prometheus.io/scrape'] !== 'true' || !monitored.has(w.object)) continue;
      yield {
        object: w.object,
        path: joinPath(
          w.podPath.replace(/\.?spec$/, ''),
          'metadata',
          'annotations',
          'prometheus.io/scrape',
        ),
        message: `pods in ${namespaceOf(w.object)} are scraped by a ServiceMonitor and also annotated prometheus.io/scrape: with annotation discovery on, every series is collected twice under two job names`,
        fix: 'remove the prometheus.io/* annotations; the ServiceMonitor is the one source of scrape config',
      };
    }
  },
};
