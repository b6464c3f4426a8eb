/**
 * Phase 2's kill test (roadmap: "Kill pod → StemeDBPodNotRunning fires within 2 min"): stop
 * StemeDB, wait until Prometheus fires the alert (and, given one, Alertmanager holds it), start
 * StemeDB again, wait until it is healthy and the alert is gone. The deadlines come from the
 * rule's `for` and the scrape and evaluation intervals Prometheus runs with, so a rule tuned
 * to 10 s in a test and 2 m in a cluster are held to their own promise.
 *
 * StemeDB is started again whatever happens once the stop was tried: a failed wait, an
 * unreachable Prometheus, an interrupt (the run's signal) all end in the `finally` that starts
 * it, and the start itself is never given the signal that interrupted the run.
 */
import { describeError } from '../../errors.js';
import { POD_NOT_RUNNING_ALERT } from './bundle-alerts.js';
import {
  alertmanagerAlerts,
  type PromAlertRule,
  promAlerts,
  promIntervals,
} from './prometheus-api.js';
import { waitForHealth } from './restart.js';
import type { TargetSelector } from './scrape-checks.js';
import type { PhaseContext } from './types.js';

/** Added to every computed deadline: a pod's termination, service discovery, a slow API. */
export const DEFAULT_KILL_SLACK_MS = 30_000;
const POLL_MS = 1000;

/** What the kill test runs with. */
export interface KillTestOptions {
  prometheusUrl: string;
  alertmanagerUrl?: string | undefined;
  /** Stops StemeDB (scale to 0, kill the process); resolves once the stop was done. */
  stop: () => Promise<void>;
  /** Starts StemeDB again; resolves once the start was done (health is waited for after). */
  start: () => Promise<void>;
  /** The loaded StemeDBPodNotRunning rule (its `for`). */
  rule: PromAlertRule;
  target: TargetSelector;
  readyTimeoutMs: number;
  slackMs: number;
}

class CheckFailed extends Error {}

/** Runs the kill test and records check `kill-test`. */
export async function killTest(ctx: PhaseContext, o: KillTestOptions): Promise<void> {
  const steps: string[] = [];
  let stopTried = false;
  let failed = false;
  let startError: unknown;
  try {
    const iv = await promIntervals(o.prometheusUrl, ctx.signal);
    // Down is seen at the next scrape (plus its timeout); the rule sees it at the next
    // evaluation, holds it for `for`, and fires at the evaluation after that.
    const fireMs =
      o.rule.duration * 1000 + iv.scrapeMs + iv.scrapeTimeoutMs + 2 * iv.evaluationMs + o.slackMs;
    // An alert still active from before (a restart just now, phase1's) must clear first, or
    // its firing would prove nothing; one that does not clear while the target is up fails.
    const settleMs = iv.scrapeMs + iv.scrapeTimeoutMs + 2 * iv.evaluationMs + o.slackMs;
    let before: Awaited<ReturnType<typeof ours>> = [];
    const clear = await until(ctx, settleMs, async () => {
      before = await ours(ctx, o);
      return before.length === 0;
    });
    if (!clear) {
      throw new CheckFailed(
        `${POD_NOT_RUNNING_ALERT} is already ${before[0]?.state} before the stop: the test would prove nothing`,
      );
    }
    stopTried = true;
    await o.stop();
    const stoppedAt = Date.now();
    const fired = await until(ctx, fireMs, async () =>
      (await ours(ctx, o)).some((a) => a.state === 'firing'),
    );
    const firedAfter = seconds(Date.now() - stoppedAt);
    if (!fired) {
      throw new CheckFailed(
        `${POD_NOT_RUNNING_ALERT} not firing ${seconds(fireMs)} after the stop (for ${o.rule.duration}s, scrape ${seconds(iv.scrapeMs)}, evaluation ${seconds(iv.evaluationMs)})`,
      );
    }
    steps.push(`firing ${firedAfter} after the stop (deadline ${seconds(fireMs)})`);
    if (o.alertmanagerUrl !== undefined) {
      const amUrl = o.alertmanagerUrl;
      const amMs = 2 * iv.evaluationMs + o.slackMs;
      const received = await until(ctx, amMs, async () =>
        (await alertmanagerAlerts(amUrl, POD_NOT_RUNNING_ALERT, ctx.signal)).some(
          (a) => a.labels.namespace === undefined || a.labels.namespace === o.target.namespace,
        ),
      );
      if (!received) {
        throw new CheckFailed(
          `${POD_NOT_RUNNING_ALERT} fired but Alertmanager did not have it ${seconds(amMs)} later (is it in Prometheus' alerting config?)`,
        );
      }
      steps.push(`Alertmanager has it after ${seconds(Date.now() - stoppedAt)}`);
    }
  } catch (error) {
    failed = true;
    steps.push(failure(ctx, error));
  } finally {
    // Whatever happened above, a stopped StemeDB is started again before anything else.
    await startAgain();
  }
  if (failed || startError !== undefined) {
    // The phases after this one (gate all) need StemeDB serving again; an interrupted run
    // does not wait (the signal ends the wait at once).
    const wait = stopTried && startError === undefined && !ctx.signal?.aborted;
    if (wait && !(await waitForHealth(ctx, o.readyTimeoutMs))) {
      steps.push('not healthy after the start');
    }
    ctx.record({ check: 'kill-test', ok: false, detail: steps.join('; ') });
    return;
  }
  try {
    const iv = await promIntervals(o.prometheusUrl, ctx.signal);
    const startedAt = Date.now();
    if (!(await waitForHealth(ctx, o.readyTimeoutMs))) {
      throw new CheckFailed(`not healthy ${seconds(o.readyTimeoutMs)} after the start`);
    }
    const resolveMs = iv.scrapeMs + iv.scrapeTimeoutMs + 2 * iv.evaluationMs + o.slackMs;
    const resolved = await until(ctx, resolveMs, async () => (await ours(ctx, o)).length === 0);
    if (!resolved) {
      throw new CheckFailed(
        `healthy again, but ${POD_NOT_RUNNING_ALERT} still active ${seconds(resolveMs)} later`,
      );
    }
    steps.push(`healthy and resolved ${seconds(Date.now() - startedAt)} after the start`);
    ctx.record({ check: 'kill-test', ok: true, detail: steps.join('; ') });
  } catch (error) {
    steps.push(failure(ctx, error));
    ctx.record({ check: 'kill-test', ok: false, detail: steps.join('; ') });
  }

  /** Starts StemeDB if the stop was tried; a failed start is noted in the steps. */
  async function startAgain(): Promise<void> {
    if (stopTried) {
      try {
        await o.start();
      } catch (error) {
        startError = error;
        steps.push(`START FAILED, StemeDB may be down: ${describeError(error)}`);
      }
    }
  }
}

/** A step's failure in a few words: the check's own message, an interrupt, or the error. */
function failure(ctx: PhaseContext, error: unknown): string {
  if (error instanceof CheckFailed) return error.message;
  return ctx.signal?.aborted ? 'interrupted' : `failed: ${describeError(error)}`;
}

/** The pending or firing StemeDBPodNotRunning alerts of our namespace. */
async function ours(ctx: PhaseContext, o: KillTestOptions) {
  return (await promAlerts(o.prometheusUrl, ctx.signal)).filter(
    (a) =>
      a.labels.alertname === POD_NOT_RUNNING_ALERT &&
      (a.labels.namespace === undefined || a.labels.namespace === o.target.namespace),
  );
}

/** Polls `done` every second until it is true (resolves true) or `ms` passed (false). */
async function until(
  ctx: PhaseContext,
  ms: number,
  done: () => Promise<boolean>,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= deadline) return false;
    ctx.signal?.throwIfAborted();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
