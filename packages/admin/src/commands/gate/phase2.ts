/**
 * The Phase 2 gate (roadmap: "Kill pod → StemeDBPodNotRunning fires within 2 min. Run backup
 * job manually → GCS has files"), automated against the Prometheus that watches StemeDB:
 * its target is up, the bundle's alerts are loaded and healthy, the kill test (with a stop
 * and a start), and a fresh backup.
 */
import { backupFreshness } from './backup-freshness.js';
import { BUNDLE_ALERTS, POD_NOT_RUNNING_ALERT } from './bundle-alerts.js';
import { DEFAULT_KILL_SLACK_MS, killTest } from './kill-test.js';
import { DEFAULT_READY_TIMEOUT_MS, DEFAULT_RESTART_TIMEOUT_MS, runShell } from './restart.js';
import { checkRules, checkTarget, loadedRules, targetOf } from './scrape-checks.js';
import type { PhaseContext } from './types.js';

/** Phase 2's options, part of {@link GateOptions}. */
export interface Phase2Options {
  /** Phase 2: the Prometheus that scrapes StemeDB (required for phase2; `all` runs Phase 2 with it). */
  prometheusUrl?: string | undefined;
  /** Phase 2: the Alertmanager that Prometheus sends to; the kill test waits for the alert there too. */
  alertmanagerUrl?: string | undefined;
  /** Phase 2: a shell command that stops StemeDB (`kubectl scale --replicas=0 …`); with `startCmd`, runs the kill test. */
  stopCmd?: string | undefined;
  /** Phase 2: a shell command that starts StemeDB again (`kubectl scale --replicas=1 …`). */
  startCmd?: string | undefined;
  /** Phase 2, library only: stops StemeDB in-process instead of `stopCmd`. */
  stop?: (() => Promise<void>) | undefined;
  /** Phase 2, library only: starts StemeDB in-process instead of `startCmd`; always called after a tried stop. */
  start?: (() => Promise<void>) | undefined;
  /** Phase 2: an rclone `remote:path` holding the backups; without it Longhorn's backup metrics are asked of Prometheus. */
  backupRemote?: string | undefined;
  /** Phase 2: the oldest a backup may be, in seconds. @default 43200 (twice the 6-hour schedule) */
  backupMaxAgeSeconds?: number | undefined;
  /** Phase 2: the alerts that must be loaded. @default BUNDLE_ALERTS */
  alerts?: readonly string[] | undefined;
  /** Phase 2: added to each kill-test deadline, in ms. @default 30000 */
  killSlackMs?: number | undefined;
  /** How long the stop and start commands may run, in ms. @default 300000 */
  restartTimeoutMs?: number | undefined;
  /** How long to wait for health after the start, in ms. @default 120000 */
  readyTimeoutMs?: number | undefined;
}

/** Runs Phase 2's checks, recording each. */
export async function runPhase2(ctx: PhaseContext, o: Phase2Options): Promise<void> {
  const prometheusUrl = o.prometheusUrl as string;
  const rules = await loadedRules(prometheusUrl, ctx.signal);
  const target = targetOf(rules instanceof Error ? [] : rules);
  const up = await checkTarget(ctx, prometheusUrl, target);
  checkRules(ctx, rules, o.alerts ?? BUNDLE_ALERTS);

  const stop = o.stop ?? shell(o.stopCmd, o.restartTimeoutMs);
  const start = o.start ?? shell(o.startCmd, o.restartTimeoutMs);
  if (stop !== undefined && start !== undefined) {
    const rule =
      rules instanceof Error ? undefined : rules.find((r) => r.name === POD_NOT_RUNNING_ALERT);
    if (rule === undefined || !up) {
      // Stopping StemeDB proves nothing when its alert is not loaded or it is not scraped.
      ctx.record({
        check: 'kill-test',
        ok: false,
        detail: `not run: ${rule === undefined ? `${POD_NOT_RUNNING_ALERT} is not loaded` : 'the target is not up'}`,
      });
    } else {
      await killTest(ctx, {
        prometheusUrl,
        alertmanagerUrl: o.alertmanagerUrl,
        stop,
        start,
        rule,
        target,
        readyTimeoutMs: o.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
        slackMs: o.killSlackMs ?? DEFAULT_KILL_SLACK_MS,
      });
    }
  }
  await backupFreshness(ctx, {
    prometheusUrl,
    backupRemote: o.backupRemote,
    namespace: target.namespace,
    maxAgeSeconds: o.backupMaxAgeSeconds,
  });
}

/**
 * A shell command as a stop or start function. It gets no signal: an interrupted gate must
 * still start StemeDB again, and the start must not be cut by the interrupt that ended the run.
 */
function shell(cmd: string | undefined, timeoutMs: number | undefined) {
  if (cmd === undefined) return undefined;
  return async () => {
    const r = await runShell(cmd, timeoutMs ?? DEFAULT_RESTART_TIMEOUT_MS);
    if (r.code !== 0) throw new Error(`exit ${r.code}${r.lastLine ? `: ${r.lastLine}` : ''}`);
  };
}
