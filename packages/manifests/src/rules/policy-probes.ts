/**
 * Probes of a slow-starting database. After a crash StemeDB replays its WAL before it answers
 * (the roadmap allows 60 s). Without a readiness probe, Traefik sends requests to a pod that
 * cannot answer them; with a liveness probe but no startup probe, the kubelet kills the pod
 * mid-replay and it crash-loops forever; and whatever guards startup must allow the whole
 * replay.
 */
import type { RuleContext } from '../validate/context.js';
import { arr, num, obj } from '../validate/json.js';
import { joinPath } from '../validate/paths.js';
import type { Rule } from '../validate/rule.js';
import { type ContainerRef, claimVolumes, type Workload } from '../validate/workloads.js';

/** Long-running containers that serve traffic (they declare ports), in long-running pods. */
function* serving(context: RuleContext): Iterable<{ w: Workload; c: ContainerRef }> {
  for (const w of context.workloads) {
    if (w.kind === 'Job' || w.kind === 'CronJob') continue;
    for (const c of w.containers) {
      if (!c.init && arr(c.container.ports).length > 0) yield { w, c };
    }
  }
}

/** Seconds from container start until a probe that never succeeds gets the container killed. */
export function failureWindow(probe: unknown): number {
  const p = obj(probe);
  return (
    (num(p.initialDelaySeconds) ?? 0) +
    (num(p.periodSeconds) ?? 10) * (num(p.failureThreshold) ?? 3)
  );
}

export const policyReadinessProbeMissing: Rule = {
  id: 'policy/readiness-probe-missing',
  severity: 'error',
  description: 'A serving container has a readiness probe, so traffic waits until it can answer.',
  *check(context) {
    for (const { w, c } of serving(context)) {
      if (c.container.readinessProbe !== undefined) continue;
      yield {
        object: w.object,
        path: joinPath(c.path, 'readinessProbe'),
        message: `container "${c.name}" has no readiness probe: it receives traffic the moment it starts, before it can answer`,
        fix: `add ${joinPath(c.path, 'readinessProbe')} (e.g. httpGet /v1/health, periodSeconds 5)`,
      };
    }
  },
};

export const policyStartupProbeMissing: Rule = {
  id: 'policy/startup-probe-missing',
  severity: 'error',
  description:
    'A stateful container with a liveness probe also has a startup probe, so a long recovery is not killed by liveness.',
  *check(context) {
    for (const { w, c } of serving(context)) {
      if (claimVolumes(w).length === 0) continue;
      if (c.container.livenessProbe === undefined || c.container.startupProbe !== undefined)
        continue;
      yield {
        object: w.object,
        path: joinPath(c.path, 'startupProbe'),
        message: `container "${c.name}" keeps data on a volume and has a liveness probe but no startup probe: a slow recovery (WAL replay) is killed after ${failureWindow(c.container.livenessProbe)} s and the pod crash-loops`,
        fix: `add ${joinPath(c.path, 'startupProbe')} whose window (periodSeconds × failureThreshold) covers the longest recovery, e.g. periodSeconds 5, failureThreshold 24`,
      };
    }
  },
};

export const policyStartupWindowTooShort: Rule = {
  id: 'policy/startup-window-too-short',
  severity: 'error',
  description:
    'The probe that guards startup (the startup probe, else liveness) allows at least the startup budget (default 60 s of WAL replay).',
  *check(context) {
    const budget = context.options.startupBudgetSeconds;
    for (const { w, c } of serving(context)) {
      const startup = c.container.startupProbe;
      const guard = startup ?? c.container.livenessProbe;
      if (guard === undefined) continue;
      const window = failureWindow(guard);
      if (window >= budget) continue;
      const field = startup !== undefined ? 'startupProbe' : 'livenessProbe';
      yield {
        object: w.object,
        path: joinPath(c.path, field),
        message: `container "${c.name}" is killed if it does not answer within ${window} s of starting (${field}), less than the ${budget} s a recovery may take`,
        fix:
          startup !== undefined
            ? `raise ${joinPath(c.path, 'startupProbe', 'failureThreshold')} so that periodSeconds × failureThreshold ≥ ${budget}`
            : `add a startupProbe with periodSeconds × failureThreshold ≥ ${budget}; liveness waits until it succeeds`,
      };
    }
  },
};
