/**
 * `render --format prometheus-rules`: the bundle's alert rules as a plain Prometheus rule file
 * (`groups: …`), what `promtool check rules` and a Prometheus without the operator load. The
 * groups are the PrometheusRule's own, so such a Prometheus (the admin gate's tests, a user's
 * plain install) runs exactly the alerts the bundle deploys.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { PrometheusRuleGroup } from '../objects/prometheus-rule.js';
import type { KubeObject } from '../types.js';

/** The `--format` value that writes {@link renderPrometheusRules}. */
export const PROMETHEUS_RULES_FORMAT = 'prometheus-rules';

/**
 * The rule groups of every PrometheusRule in `objects`, in order. Throws when there is none:
 * an empty rule file would load cleanly and alert on nothing.
 */
export function prometheusRuleGroups(objects: readonly KubeObject[]): PrometheusRuleGroup[] {
  const rules = objects.filter(
    (o) => o.kind === 'PrometheusRule' && o.apiVersion === 'monitoring.coreos.com/v1',
  );
  if (rules.length === 0) throw new Error('the bundle has no PrometheusRule: no alerts to write');
  return rules.flatMap((o) => (o.spec as { groups: PrometheusRuleGroup[] }).groups);
}

/** The bundle's alert rules as the text of a Prometheus rule file. */
export function renderPrometheusRules(objects: readonly KubeObject[]): string {
  return stringify({ groups: prometheusRuleGroups(objects) }, { lineWidth: 0 });
}

/** Writes {@link renderPrometheusRules} to `out` (a file), or to `stdout` when `out` is absent or `-`. */
export async function writePrometheusRules(
  objects: readonly KubeObject[],
  options: { readonly out?: string; readonly stdout?: { write(text: string): unknown } } = {},
): Promise<void> {
  const text = renderPrometheusRules(objects);
  if (!options.out || options.out === '-') {
    (options.stdout ?? process.stdout).write(text);
    return;
  }
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, text, 'utf8');
}
