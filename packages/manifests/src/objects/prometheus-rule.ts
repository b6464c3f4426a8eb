/**
 * The PrometheusRule with StemeDB's six alerts (roadmap "Monitoring — alert-rules.yaml"), made
 * correct: every selector is scoped to the namespace and scrape job, rates are aggregated before
 * they are compared, and each departure from the roadmap says why next to it. A seventh alert,
 * StemeDBBackupStale, is not in the roadmap: it watches the backup (the Longhorn RecurringJob's
 * backups, or the rclone CronJob) and is added only when the caller passes `backup`. `test/promtool.test.ts` runs them on the real Prometheus engine.
 */
import { stringify } from 'yaml';
import type { KubeObject } from '../types.js';

/** The numbers the alerts compare against. */
export interface AlertThresholds {
  /** WAL fsync p99 above this many seconds is slow storage (Longhorn). @default 0.05 */
  walFsyncP99Seconds: number;
  /** A StemeDB PVC fuller than this fraction needs a resize (which means downtime). @default 0.75 */
  volumeUsedRatio: number;
  /** App-level 429 responses per second, summed over routes, above which projects are throttled. @default 1 */
  rateLimited429PerSecond: number;
  /** Fraction of requests answered 5xx above which the service is failing. @default 0.01 */
  errorRatio: number;
  /** How long the pod may be missing or down before paging; a Prometheus duration. @default '2m' */
  podAbsentFor: string;
}

/** How long StemeDBBackupStale's condition must hold before it fires. */
export const BACKUP_STALE_FOR = '15m';

/**
 * Below this many requests per second the 5xx ratio is not judged: one failed request out of a
 * handful would otherwise page at night. A total outage is StemeDBPodNotRunning's job.
 */
export const ERROR_RATIO_MIN_REQUESTS_PER_SECOND = 0.1;

/** One alerting rule, as Prometheus reads it. */
export interface PrometheusAlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: 'critical' | 'warning'; [key: string]: string };
  annotations: { summary: string; description: string; [key: string]: string };
}

export interface PrometheusRuleGroup {
  name: string;
  rules: PrometheusAlertRule[];
}

/** A `monitoring.coreos.com/v1` PrometheusRule (Prometheus Operator). */
export interface PrometheusRuleObject extends KubeObject {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  metadata: KubeObject['metadata'] & { namespace: string; labels: Record<string, string> };
  spec: { groups: PrometheusRuleGroup[] };
}

export interface PrometheusRuleProps {
  namespace: string;
  name: string;
  /** Labels for the PrometheusRule object itself. */
  labels: Record<string, string>;
  /** Value of the `release` label that the Prometheus Operator's `ruleSelector` matches. */
  releaseLabel: string;
  /** The app's `app` label; copied onto every alert so routes can match it. */
  appLabel: string;
  /** Scrape job of the StemeDB targets. With a ServiceMonitor this is the Service's name. */
  jobName: string;
  /** Container name, as kube-state-metrics reports it. */
  containerName: string;
  /** PVCs whose name starts with this are StemeDB's volumes, e.g. `stemedb-`. */
  pvcNamePrefix: string;
  thresholds: AlertThresholds;
  /** The backup CronJob to watch (StemeDBBackupStale); leave out when there is no backup. */
  backup?: BackupAlertProps;
}

/** The backup StemeDBBackupStale watches: whichever the method produces. */
export type BackupAlertProps = CronJobBackupAlertProps | LonghornBackupAlertProps;

/** The rclone backup CronJob, watched through kube-state-metrics. */
export interface CronJobBackupAlertProps {
  /** @default 'rclone' */
  method?: 'rclone';
  /** The CronJob's name, in `namespace`. */
  cronJobName: string;
  /**
   * Age of the last successful run above which the alert fires, in seconds: about twice the
   * schedule interval. @default 43200 (`DEFAULT_BACKUP_MAX_AGE_SECONDS`)
   */
  maxAgeSeconds: number;
}

/** The Longhorn RecurringJob, watched through longhorn-manager's metrics. */
export interface LonghornBackupAlertProps {
  method: 'longhorn';
  /** The RecurringJob's name: the `recurring_job` label of its backups. */
  recurringJobName: string;
  /** How long a volume may go without a new completed backup, in seconds. */
  maxAgeSeconds: number;
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** Builds the PrometheusRule; throws if a threshold or name cannot make a sensible rule. */
export function buildPrometheusRule(p: PrometheusRuleProps): PrometheusRuleObject {
  checkProps(p);
  const t = p.thresholds;
  const ns = `namespace=${q(p.namespace)}`;
  const app = `job=${q(p.jobName)}, ${ns}`;
  const pvc = `${ns}, persistentvolumeclaim=~${q(`${regexEscape(p.pvcNamePrefix)}.*`)}`;
  const requests = `stemedb_http_requests_total{${app}}`;
  const requestRate = `sum by (namespace) (rate(${requests}[5m]))`;
  const container = `${ns}, container=${q(p.containerName)}`;
  const extra = { app: p.appLabel };

  const rules: PrometheusAlertRule[] = [
    {
      alert: 'StemeDBPodNotRunning',
      // Roadmap: `absent(up{job="stemedb-api"}) > 0`. absent() is empty while a target exists,
      // so a pod that is scraped but down (up == 0: crash loop, hung /metrics) never fired.
      expr: `absent(up{${app}}) or max by (namespace, job) (up{${app}}) == 0`,
      for: t.podAbsentFor,
      labels: { severity: 'critical', ...extra },
      annotations: {
        summary: 'StemeDB pod is not running',
        description: `No healthy StemeDB target in namespace ${p.namespace} (job ${p.jobName}) for ${t.podAbsentFor}: the pod is missing, or is scraped and reports up == 0. Check \`kubectl -n ${p.namespace} get pods\` and the pod's events.`,
      },
    },
    {
      alert: 'StemeDBWALLatencyHigh',
      // Roadmap: histogram_quantile over the raw per-series rates. The quantile needs the
      // buckets summed by `le` first, or it is computed per scrape target and label set.
      expr: `histogram_quantile(0.99, sum by (namespace, le) (rate(stemedb_wal_fsync_latency_seconds_bucket{${app}}[5m]))) > ${t.walFsyncP99Seconds}`,
      for: '5m',
      labels: { severity: 'warning', ...extra },
      annotations: {
        summary: `WAL fsync p99 above ${ms(t.walFsyncP99Seconds)}`,
        description:
          'WAL fsync p99 is {{ $value | humanizeDuration }} over the last 5m, above ' +
          `${ms(t.walFsyncP99Seconds)} for 5m: Longhorn I/O is degraded. Check the volume's replicas and node disk latency.`,
      },
    },
    {
      alert: 'StemeDBDataVolumeNearlyFull',
      // Roadmap: an unscoped ratio per series. `max by (pvc)` collapses the duplicate series a
      // kubelet re-scrape or node move leaves behind, so one PVC is one alert; namespace-scoped
      // so another app's `stemedb-*` claim does not page us.
      expr: lines(
        'max by (namespace, persistentvolumeclaim) (',
        `  kubelet_volume_stats_used_bytes{${pvc}}`,
        `  / kubelet_volume_stats_capacity_bytes{${pvc}}`,
        `) > ${t.volumeUsedRatio}`,
      ),
      for: '5m',
      labels: { severity: 'warning', ...extra },
      annotations: {
        summary: `StemeDB PVC {{ $labels.persistentvolumeclaim }} above ${pct(t.volumeUsedRatio)} full`,
        description:
          'PVC {{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full. ' +
          'Resizing a Longhorn volume needs the pod stopped (Recreate): plan the downtime now.',
      },
    },
    {
      alert: 'StemeDBRateLimitSaturating',
      // Roadmap: per-series rate, so many routes each just under the limit never fired. Summed.
      // Only StemeDB's own 429s are counted: the Traefik middleware answers its 429s itself.
      expr: `sum by (namespace) (rate(stemedb_http_requests_total{${app}, status="429"}[5m])) > ${t.rateLimited429PerSecond}`,
      for: '5m',
      labels: { severity: 'warning', ...extra },
      annotations: {
        summary: `StemeDB rate-limits more than ${t.rateLimited429PerSecond} request/s (429)`,
        description:
          'StemeDB rejected {{ $value | humanize }} requests/s with 429 over the last 5m: ' +
          'projects are hitting their rate limits. Find the keys in the metering data and raise their limits or talk to the project.',
      },
    },
    {
      alert: 'StemeDBErrorRateHigh',
      // Roadmap: a per-series division, which matches 5xx series only with themselves (ratio 1)
      // and never with the 2xx traffic. Both sides are summed; with no traffic 0/0 is NaN and
      // NaN > x is false, and the `and` guard keeps a trickle of requests from paging.
      expr: lines(
        `sum by (namespace) (rate(stemedb_http_requests_total{${app}, status=~"5.."}[5m]))`,
        `  / ${requestRate}`,
        `  > ${t.errorRatio}`,
        `and ${requestRate} > ${ERROR_RATIO_MIN_REQUESTS_PER_SECOND}`,
      ),
      for: '5m',
      labels: { severity: 'critical', ...extra },
      annotations: {
        summary: `StemeDB 5xx ratio above ${pct(t.errorRatio)}`,
        description:
          '{{ $value | humanizePercentage }} of StemeDB requests failed with 5xx over the last 5m. ' +
          'Check the pod logs and the WAL latency alert.',
      },
    },
    {
      alert: 'StemeDBOOMKilled',
      // Roadmap: last_terminated_reason alone stays 1 until the next termination, so it fired
      // forever after one OOM. Requiring a restart in the last 10m makes it an event that resolves.
      // Summed per container so a second kube-state-metrics replica does not double the alert.
      expr: lines(
        `sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{${container}}[10m])) > 0`,
        'and on (namespace, pod, container)',
        `kube_pod_container_status_last_terminated_reason{${container}, reason="OOMKilled"} == 1`,
      ),
      // No `for:`: an OOM kill is an event, and the 10m increase window already holds it.
      labels: { severity: 'critical', ...extra },
      annotations: {
        summary: 'StemeDB container OOM-killed',
        description:
          'Container {{ $labels.container }} in pod {{ $labels.pod }} was OOM-killed and restarted in the last 10m. ' +
          'Raise the memory limit or find the leak (WAL replay after a restart also needs memory).',
      },
    },
  ];
  if (p.backup) {
    rules.push(
      p.backup.method === 'longhorn'
        ? longhornBackupStaleRule(p.namespace, p.pvcNamePrefix, p.backup, extra)
        : backupStaleRule(p.namespace, p.backup, extra),
    );
  }

  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: { ...p.labels, release: p.releaseLabel },
    },
    spec: { groups: [{ name: 'stemedb.rules', rules }] },
  };
}

/**
 * Not in the roadmap, which left the backup CronJob unwatched (rule `policy/backup-unmonitored`):
 * if every run fails, nobody finds out until a restore is needed. Two ways to be stale, both as
 * an age in seconds with the labels (namespace, cronjob):
 * - the last success is older than `maxAgeSeconds`;
 * - there never was one (kube-state-metrics omits `last_successful_time` until the first
 *   success) and the CronJob is older than `maxAgeSeconds`. Its creation time, not `for:`, is
 *   what keeps a fresh install quiet until its first runs had their chance; `kube_cronjob_info`
 *   with a `for:` would page before the first scheduled run, or wait a whole interval more.
 * `max by` folds the duplicates a second kube-state-metrics replica reports.
 */
function backupStaleRule(
  namespace: string,
  b: CronJobBackupAlertProps,
  extra: Record<string, string>,
): PrometheusAlertRule {
  const cronJob = `namespace=${q(namespace)}, cronjob=${q(b.cronJobName)}`;
  const lastSuccess = `kube_cronjob_status_last_successful_time{${cronJob}}`;
  const maxAge = human(b.maxAgeSeconds);
  return {
    alert: 'StemeDBBackupStale',
    expr: lines(
      `time() - max by (namespace, cronjob) (${lastSuccess}) > ${b.maxAgeSeconds}`,
      `or time() - max by (namespace, cronjob) (kube_cronjob_created{${cronJob}}) > ${b.maxAgeSeconds}`,
      `  unless on (namespace, cronjob) ${lastSuccess}`,
    ),
    // The age only grows until a run succeeds; `for:` rides out a kube-state-metrics restart or
    // a scrape gap, and a quarter of an hour more hardly matters against 2 × the interval.
    for: BACKUP_STALE_FOR,
    labels: { severity: 'warning', ...extra },
    annotations: {
      summary: `StemeDB backup has not succeeded for more than ${maxAge}`,
      description:
        `Backup CronJob ${b.cronJobName} in namespace ${namespace} last succeeded {{ $value | humanizeDuration }} ago ` +
        `(or never, since it was created that long ago), more than ${maxAge}: a restore would lose everything written since. ` +
        `Check \`kubectl -n ${namespace} get jobs\` and the failed pods' logs; a job left Pending means the server pod is not running (the backup is pinned to its node).`,
    },
  };
}

/**
 * `backup.method: longhorn`. longhorn-manager exports one `longhorn_backup_state` series per
 * backup (labels `volume`, `backup`, `recurring_job`; 3 = Completed) but no timestamp, so age
 * is found by comparison with the past: a StemeDB volume that already existed `maxAgeSeconds`
 * ago (`longhorn_volume_capacity_bytes … offset`) is stale unless some backup of our job is
 * Completed now and was not Completed then. The offset on the volume is what keeps a brand-new
 * volume quiet until its first runs had their chance. A volume whose every backup fails, and
 * one never backed up, have no such backup and fire. `absent()` covers Longhorn's metrics not
 * being scraped at all, which would otherwise keep the alert silent forever.
 */
function longhornBackupStaleRule(
  namespace: string,
  pvcNamePrefix: string,
  b: LonghornBackupAlertProps,
  extra: Record<string, string>,
): PrometheusAlertRule {
  const volumes = `longhorn_volume_capacity_bytes{pvc_namespace=${q(namespace)}, pvc=~${q(`${regexEscape(pvcNamePrefix)}.*`)}}`;
  const backups = `longhorn_backup_state{recurring_job=${q(b.recurringJobName)}}`;
  const maxAge = human(b.maxAgeSeconds);
  const offset = `offset ${maxAge}`;
  return {
    alert: 'StemeDBBackupStale',
    expr: lines(
      `max by (pvc_namespace, pvc, volume) (${volumes} ${offset})`,
      '  unless on (volume) (',
      `    ${backups} == 3`,
      `    unless on (volume, backup) ${backups} ${offset} == 3`,
      '  )',
      `or absent(${volumes})`,
    ),
    for: BACKUP_STALE_FOR,
    labels: { severity: 'warning', ...extra },
    annotations: {
      summary: `StemeDB backup has not succeeded for more than ${maxAge}`,
      // The `absent()` branch has no pvc or volume label: say what it means instead of naming
      // an empty PVC.
      description:
        `{{ if $labels.pvc }}No Longhorn backup of PVC {{ $labels.pvc }} (volume {{ $labels.volume }}) by RecurringJob ${b.recurringJobName} completed in the last ${maxAge}` +
        `{{ else }}Longhorn's volume metrics for namespace ${namespace} are not scraped at all, so no backup by RecurringJob ${b.recurringJobName} can be seen{{ end }}: a restore would lose everything written since. ` +
        `Check \`kubectl -n longhorn-system get recurringjobs,backups.longhorn.io\`, the backup target's status in the Longhorn UI, and the PVC's recurring-job labels.`,
    },
  };
}

/** The rule groups of a PrometheusRule, as a plain Prometheus rule file holds them. */
export function alertRuleGroups(obj: PrometheusRuleObject): PrometheusRuleGroup[] {
  return obj.spec.groups;
}

/** A Prometheus rule file (`groups: …`) for `promtool check rules` / `promtool test rules`. */
export function toPromtoolRuleFile(obj: PrometheusRuleObject): string {
  return stringify({ groups: alertRuleGroups(obj) }, { lineWidth: 0 });
}

function checkProps(p: PrometheusRuleProps): void {
  const t = p.thresholds;
  const problems: string[] = [];
  for (const key of ['namespace', 'name', 'releaseLabel', 'appLabel', 'jobName'] as const) {
    if (!p[key]) problems.push(`${key} must not be empty`);
  }
  if (!p.containerName) problems.push('containerName must not be empty');
  if (!p.pvcNamePrefix) problems.push('pvcNamePrefix must not be empty (it would match every PVC)');
  if (!(t.walFsyncP99Seconds > 0)) problems.push('thresholds.walFsyncP99Seconds must be > 0');
  if (!(t.volumeUsedRatio > 0 && t.volumeUsedRatio < 1)) {
    problems.push('thresholds.volumeUsedRatio must be between 0 and 1');
  }
  if (!(t.rateLimited429PerSecond > 0))
    problems.push('thresholds.rateLimited429PerSecond must be > 0');
  if (!(t.errorRatio > 0 && t.errorRatio < 1))
    problems.push('thresholds.errorRatio must be between 0 and 1');
  if (!DURATION.test(t.podAbsentFor)) {
    problems.push(
      `thresholds.podAbsentFor must be a Prometheus duration like '2m', got '${t.podAbsentFor}'`,
    );
  }
  if (p.backup) {
    if (p.backup.method === 'longhorn') {
      if (!p.backup.recurringJobName) problems.push('backup.recurringJobName must not be empty');
    } else if (!p.backup.cronJobName) problems.push('backup.cronJobName must not be empty');
    if (!(Number.isInteger(p.backup.maxAgeSeconds) && p.backup.maxAgeSeconds > 0)) {
      problems.push('backup.maxAgeSeconds must be a whole number of seconds > 0');
    }
  }
  if (problems.length > 0) throw new Error(`buildPrometheusRule: ${problems.join('; ')}`);
}

/** A multi-line expression, rendered as a YAML block so the manifest stays readable. */
function lines(...parts: string[]): string {
  return parts.join('\n');
}

/** A PromQL string literal (Go escaping, which JSON's is a subset of). */
function q(value: string): string {
  return JSON.stringify(value);
}

/** Escapes RE2 metacharacters so a literal prefix stays literal inside `=~`. */
function regexEscape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function ms(seconds: number): string {
  return `${Math.round(seconds * 1000)}ms`;
}

/** Seconds as the largest whole unit that divides them: `43200` → `12h`, `5400` → `90m`. */
function human(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

function pct(ratio: number): string {
  return `${Math.round(ratio * 10000) / 100}%`;
}
