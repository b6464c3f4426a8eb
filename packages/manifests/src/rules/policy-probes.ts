/**
 * Probes of a slow-starting database. After a crash StemeDB replays its WAL before it answers
 * (the roadmap allows 60 s). Without a readiness probe, Traefik sends requests to a pod that
 * cannot answer them; with a liveness probe but no startup probe, the kubelet kills the pod
 * mid-replay and it crash-loops forever; whatever guards startup must allow the replay with a
 * margin (a window equal to the worst case seen kills the first replay that is a little
 * slower); and liveness must not restart a database that is alive but slow.
 */
import {
  MIN_LIVENESS_TIMEOUT_SECONDS,
  MIN_LIVENESS_WINDOW_SECONDS,
  MIN_STARTUP_MARGIN,
} from '../defaults.js';
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
  description: `The probe that guards startup (the startup probe, else liveness) allows ${MIN_STARTUP_MARGIN} × the expected WAL replay (default 60 s).`,
  *check(context) {
    const replay = context.options.walReplaySeconds;
    const budget = MIN_STARTUP_MARGIN * replay;
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
        message: `container "${c.name}" is killed if it does not answer within ${window} s of starting (${field}), less than ${MIN_STARTUP_MARGIN} × the ${replay} s a WAL replay may take: a replay a little slower than that is killed and starts again, a crash loop while recovering`,
        fix:
          startup !== undefined
            ? `raise ${joinPath(c.path, 'startupProbe', 'failureThreshold')} so that periodSeconds × failureThreshold ≥ ${budget}`
            : `add a startupProbe with periodSeconds × failureThreshold ≥ ${budget}; liveness waits until it succeeds`,
      };
    }
  },
};

/** Seconds one check may take before it counts as failed (the kubelet's default is 1). */
function probeTimeout(probe: unknown): number {
  return num(obj(probe).timeoutSeconds) ?? 1;
}

export const policyLivenessKillsSlowDatabase: Rule = {
  id: 'policy/liveness-kills-slow-database',
  severity: 'error',
  description: `A stateful container's liveness probe fails only when the process is stuck: each check may take ${MIN_LIVENESS_TIMEOUT_SECONDS} s, and it restarts after ${MIN_LIVENESS_WINDOW_SECONDS} s without an answer, looser than readiness.`,
  *check(context) {
    for (const { w, c } of serving(context)) {
      if (claimVolumes(w).length === 0) continue;
      const liveness = c.container.livenessProbe;
      if (liveness === undefined) continue;
      const timeout = probeTimeout(liveness);
      const window = failureWindow(liveness);
      const readiness = c.container.readinessProbe;
      const problems: string[] = [];
      if (timeout < MIN_LIVENESS_TIMEOUT_SECONDS) {
        problems.push(`a check that takes over ${timeout} s counts as failed`);
      }
      if (window < MIN_LIVENESS_WINDOW_SECONDS) {
        problems.push(`${window} s of slow answers restart it`);
      }
      if (readiness !== undefined && window <= failureWindow(readiness)) {
        problems.push(
          `it is as tight as readiness (${failureWindow(readiness)} s), so a slow pod is restarted rather than taken out of the Service`,
        );
      }
      if (problems.length === 0) continue;
      yield {
        object: w.object,
        path: joinPath(c.path, 'livenessProbe'),
        message: `container "${c.name}" keeps data on a volume, and its liveness probe restarts it while it is alive but slow (an I/O stall, a compaction): ${problems.join('; ')}. Each restart adds a WAL replay to the stall`,
        fix: `give ${joinPath(c.path, 'livenessProbe')} timeoutSeconds ≥ ${MIN_LIVENESS_TIMEOUT_SECONDS} and periodSeconds × failureThreshold ≥ ${MIN_LIVENESS_WINDOW_SECONDS} (e.g. timeoutSeconds 10, periodSeconds 20, failureThreshold 6), looser than readiness; readiness takes a slow pod out of traffic`,
      };
    }
  },
};
