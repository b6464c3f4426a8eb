/**
 * Phase 2's first two checks: Prometheus scrapes StemeDB (its target is up), and every alert
 * of the bundle is loaded and healthy. The target is found by the labels the loaded
 * StemeDBPodNotRunning rule selects on, so a bundle rendered with another namespace or
 * Service name is checked against its own target.
 */
import { describeError } from '../../errors.js';
import { POD_NOT_RUNNING_ALERT } from './bundle-alerts.js';
import { type PromAlertRule, promAlertRules, promTargets } from './prometheus-api.js';
import type { PhaseContext } from './types.js';

/** The labels that pick StemeDB's scrape target. */
export interface TargetSelector {
  job: string;
  namespace: string;
}

/** The bundle's defaults: job = the Service's name, in namespace `stemedb`. */
export const DEFAULT_TARGET: TargetSelector = Object.freeze({
  job: 'stemedb-api',
  namespace: 'stemedb',
});

/** The `job` and `namespace` that StemeDBPodNotRunning's `up{…}` selects, or the defaults. */
export function targetOf(rules: readonly PromAlertRule[]): TargetSelector {
  const query = rules.find((r) => r.name === POD_NOT_RUNNING_ALERT)?.query ?? '';
  const up = /up\{([^}]*)\}/.exec(query)?.[1] ?? '';
  const label = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(up)?.[1];
  return {
    job: label('job') ?? DEFAULT_TARGET.job,
    namespace: label('namespace') ?? DEFAULT_TARGET.namespace,
  };
}

/** Check `prometheus-target`: some target with the selector's labels is up. */
export async function checkTarget(
  ctx: PhaseContext,
  prometheusUrl: string,
  target: TargetSelector,
): Promise<boolean> {
  const which = `job=${target.job}, namespace=${target.namespace}`;
  try {
    const mine = (await promTargets(prometheusUrl, ctx.signal)).filter(
      (t) => t.labels.job === target.job && t.labels.namespace === target.namespace,
    );
    const up = mine.filter((t) => t.health === 'up');
    const down = mine.filter((t) => t.health !== 'up');
    if (mine.length === 0) {
      ctx.record({
        check: 'prometheus-target',
        ok: false,
        detail: `no scrape target with ${which} (is the ServiceMonitor selected by Prometheus?)`,
      });
    } else if (up.length === 0) {
      const first = down[0];
      ctx.record({
        check: 'prometheus-target',
        ok: false,
        detail: `target ${which} is down: ${first?.scrapeUrl}: ${first?.lastError || first?.health}`,
      });
    } else {
      ctx.record({
        check: 'prometheus-target',
        ok: true,
        detail: `${up.length} of ${mine.length} target(s) up (${which})`,
      });
    }
    return up.length > 0;
  } catch (error) {
    ctx.record({
      check: 'prometheus-target',
      ok: false,
      detail: `Prometheus: ${describeError(error)}`,
    });
    return false;
  }
}

/** Check `alert-rules`: every one of `expected` is loaded and its last evaluation succeeded. */
export function checkRules(
  ctx: PhaseContext,
  rules: readonly PromAlertRule[] | Error,
  expected: readonly string[],
): boolean {
  if (rules instanceof Error) {
    ctx.record({ check: 'alert-rules', ok: false, detail: `Prometheus: ${describeError(rules)}` });
    return false;
  }
  const missing = expected.filter((name) => !rules.some((r) => r.name === name));
  const unhealthy = rules.filter((r) => expected.includes(r.name) && r.health !== 'ok');
  const problems = [
    ...(missing.length > 0 ? [`missing: ${missing.join(', ')}`] : []),
    ...unhealthy.map((r) => `${r.name} ${r.health}: ${r.lastError ?? 'no error given'}`),
  ];
  ctx.record({
    check: 'alert-rules',
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `all ${expected.length} alerts loaded and healthy`
        : problems.join('; ').slice(0, 300),
  });
  return problems.length === 0;
}

/** The loaded alert rules, or the error that kept them from being read. */
export async function loadedRules(
  prometheusUrl: string,
  signal: AbortSignal | undefined,
): Promise<PromAlertRule[] | Error> {
  try {
    return await promAlertRules(prometheusUrl, signal);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
