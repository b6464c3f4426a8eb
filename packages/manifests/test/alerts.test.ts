/**
 * The PrometheusRule's shape: the roadmap's six alerts, plus StemeDBBackupStale when a backup
 * CronJob is given; every selector namespace-scoped, thresholds and names taken from the props,
 * invariants checked when it is built. What the alerts do on real
 * series is promtool.test.ts's job.
 */
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_ALERT_THRESHOLDS, DEFAULT_BACKUP_MAX_AGE_SECONDS } from '../src/defaults.js';
import {
  type AlertThresholds,
  alertRuleGroups,
  buildPrometheusRule,
  type PrometheusRuleProps,
  toPromtoolRuleFile,
} from '../src/objects/prometheus-rule.js';
import { render } from './fixtures/promtool/harness.js';

const PROPS: PrometheusRuleProps = {
  namespace: 'stemedb',
  name: 'stemedb-alerts',
  labels: { 'app.kubernetes.io/name': 'stemedb', 'app.kubernetes.io/part-of': 'stemedb' },
  releaseLabel: 'kube-prometheus',
  appLabel: 'stemedb-api',
  jobName: 'stemedb-api',
  containerName: 'stemedb-api',
  pvcNamePrefix: 'stemedb-',
  thresholds: DEFAULT_ALERT_THRESHOLDS,
};
/** PROPS with the backup CronJob, as the bundle passes them when backup is enabled. */
const WITH_BACKUP: PrometheusRuleProps = {
  ...PROPS,
  backup: { cronJobName: 'stemedb-backup', maxAgeSeconds: DEFAULT_BACKUP_MAX_AGE_SECONDS },
};

const rulesOf = (props: PrometheusRuleProps) =>
  alertRuleGroups(buildPrometheusRule(props)).flatMap((g) => g.rules);
const byName = (props: PrometheusRuleProps) =>
  Object.fromEntries(rulesOf(props).map((r) => [r.alert, r]));

/** Every `metric{…}` selector in an expression. */
function selectors(expr: string): string[] {
  return [...expr.matchAll(/[a-z_:]+\{[^}]*\}/g)].map((m) => m[0]);
}

describe('buildPrometheusRule', () => {
  it("has the roadmap's six alerts, in its order", () => {
    expect(rulesOf(PROPS).map((r) => r.alert)).toEqual([
      'StemeDBPodNotRunning',
      'StemeDBWALLatencyHigh',
      'StemeDBDataVolumeNearlyFull',
      'StemeDBRateLimitSaturating',
      'StemeDBErrorRateHigh',
      'StemeDBOOMKilled',
    ]);
  });

  it('adds StemeDBBackupStale after them when given the backup CronJob', () => {
    expect(rulesOf(WITH_BACKUP).map((r) => r.alert)).toEqual([
      ...rulesOf(PROPS).map((r) => r.alert),
      'StemeDBBackupStale',
    ]);
  });

  it('uses the default thresholds of the roadmap', () => {
    expect(DEFAULT_ALERT_THRESHOLDS).toEqual({
      walFsyncP99Seconds: 0.05,
      volumeUsedRatio: 0.75,
      rateLimited429PerSecond: 1,
      errorRatio: 0.01,
      podAbsentFor: '2m',
    });
    // Twice the default 6-hourly backup schedule.
    expect(DEFAULT_BACKUP_MAX_AGE_SECONDS).toBe(12 * 60 * 60);
  });

  it('is a PrometheusRule in the namespace, selected by the release label', () => {
    const obj = buildPrometheusRule(WITH_BACKUP);
    expect(obj.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(obj.kind).toBe('PrometheusRule');
    expect(obj.metadata).toEqual({
      name: 'stemedb-alerts',
      namespace: 'stemedb',
      labels: { ...PROPS.labels, release: 'kube-prometheus' },
    });
    expect(() => new PrometheusRule(obj).validate()).not.toThrow();
  });

  it('scopes every selector to the namespace', () => {
    for (const rule of rulesOf({ ...WITH_BACKUP, namespace: 'steme-prod' })) {
      const found = selectors(rule.expr);
      expect(found.length, rule.alert).toBeGreaterThan(0);
      for (const s of found) expect(s, rule.alert).toContain('namespace="steme-prod"');
    }
  });

  it("scopes StemeDB's own metrics to its scrape job (the Service's name)", () => {
    for (const rule of rulesOf({ ...WITH_BACKUP, jobName: 'steme-svc' })) {
      for (const s of selectors(rule.expr).filter((x) => /^(up|stemedb_)/.test(x))) {
        expect(s, rule.alert).toContain('job="steme-svc"');
      }
    }
  });

  it('gives every alert a severity, the app label, a summary and a description', () => {
    for (const rule of rulesOf(WITH_BACKUP)) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels.severity);
      expect(rule.labels.app, rule.alert).toBe('stemedb-api');
      expect(rule.annotations.summary, rule.alert).toMatch(/\S/);
      expect(rule.annotations.description, rule.alert).toMatch(/\S/);
    }
  });

  it('waits out flapping with for: on all but the OOM kill, which is an event', () => {
    const rules = byName(WITH_BACKUP);
    expect(rules.StemeDBPodNotRunning?.for).toBe('2m');
    for (const name of [
      'StemeDBWALLatencyHigh',
      'StemeDBDataVolumeNearlyFull',
      'StemeDBRateLimitSaturating',
      'StemeDBErrorRateHigh',
    ]) {
      expect(rules[name]?.for, name).toBe('5m');
    }
    expect(rules.StemeDBOOMKilled?.for).toBeUndefined();
    expect(rules.StemeDBBackupStale?.for).toBe('15m');
  });

  it('puts the thresholds it is given into the expressions', () => {
    const thresholds: AlertThresholds = {
      walFsyncP99Seconds: 0.2,
      volumeUsedRatio: 0.9,
      rateLimited429PerSecond: 7,
      errorRatio: 0.05,
      podAbsentFor: '10m',
    };
    const rules = byName({ ...PROPS, thresholds });
    expect(rules.StemeDBWALLatencyHigh?.expr).toMatch(/\) > 0\.2$/);
    expect(rules.StemeDBDataVolumeNearlyFull?.expr).toMatch(/\) > 0\.9$/);
    expect(rules.StemeDBRateLimitSaturating?.expr).toMatch(/\) > 7$/);
    expect(rules.StemeDBErrorRateHigh?.expr).toContain('> 0.05\n');
    expect(rules.StemeDBPodNotRunning?.for).toBe('10m');
  });

  it('selects the PVCs by a literal prefix, regex metacharacters escaped', () => {
    const expr = byName({ ...PROPS, pvcNamePrefix: 'steme.db-' }).StemeDBDataVolumeNearlyFull?.expr;
    expect(expr).toContain('persistentvolumeclaim=~"steme\\\\.db-.*"');
  });

  it('names the container in the OOM alert', () => {
    const expr = byName({ ...PROPS, containerName: 'api' }).StemeDBOOMKilled?.expr;
    expect(selectors(expr ?? '')).toEqual([
      'kube_pod_container_status_restarts_total{namespace="stemedb", container="api"}',
      'kube_pod_container_status_last_terminated_reason{namespace="stemedb", container="api", reason="OOMKilled"}',
    ]);
  });

  it('watches the backup CronJob by name, up to the age it is given', () => {
    const rule = byName({
      ...WITH_BACKUP,
      namespace: 'steme-prod',
      backup: { cronJobName: 'nightly', maxAgeSeconds: 129600 },
    }).StemeDBBackupStale;
    const cronJob = 'namespace="steme-prod", cronjob="nightly"';
    expect(rule?.expr).toBe(
      [
        `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${cronJob}}) > 129600`,
        `or time() - max by (namespace, cronjob) (kube_cronjob_created{${cronJob}}) > 129600`,
        `  unless on (namespace, cronjob) kube_cronjob_status_last_successful_time{${cronJob}}`,
      ].join('\n'),
    );
    expect(rule?.labels.severity).toBe('warning');
    expect(rule?.annotations.summary).toBe('StemeDB backup has not succeeded for more than 36h');
    expect(rule?.annotations.description).toContain(
      'Backup CronJob nightly in namespace steme-prod',
    );
  });

  it("watches the Longhorn RecurringJob's backups of our volumes, up to the age it is given", () => {
    const rule = byName({
      ...WITH_BACKUP,
      namespace: 'steme-prod',
      backup: { method: 'longhorn', recurringJobName: 'nightly', maxAgeSeconds: 129600 },
    }).StemeDBBackupStale;
    const volumes = 'longhorn_volume_capacity_bytes{pvc_namespace="steme-prod", pvc=~"stemedb-.*"}';
    const backups = 'longhorn_backup_state{recurring_job="nightly"}';
    expect(rule?.expr).toBe(
      [
        `max by (pvc_namespace, pvc, volume) (${volumes} offset 36h)`,
        '  unless on (volume) (',
        `    ${backups} == 3`,
        `    unless on (volume, backup) ${backups} offset 36h == 3`,
        '  )',
        `or absent(${volumes})`,
      ].join('\n'),
    );
    expect(rule?.expr).not.toContain('kube_cronjob');
    expect(rule?.for).toBe('15m');
    expect(rule?.annotations.summary).toBe('StemeDB backup has not succeeded for more than 36h');
    expect(rule?.annotations.description).toContain('RecurringJob nightly');
  });

  it('describes the absent() case (no pvc or volume label) without naming an empty PVC', () => {
    const rule = byName({
      ...WITH_BACKUP,
      backup: { method: 'longhorn', recurringJobName: 'nightly', maxAgeSeconds: 129600 },
    }).StemeDBBackupStale;
    const description = rule?.annotations.description ?? '';
    // The same template filling promtool checks against Prometheus' own (promtool.test.ts).
    const absent = render(description, { severity: 'warning' }, '1');
    expect(absent).not.toMatch(/PVC\s+\(|volume \)/);
    expect(absent).toMatch(
      /^Longhorn's volume metrics for namespace stemedb are not scraped at all/,
    );
    const stale = render(description, { pvc: 'stemedb-wal', volume: 'pvc-1' }, '1');
    expect(stale).toMatch(
      /^No Longhorn backup of PVC stemedb-wal \(volume pvc-1\) by RecurringJob nightly/,
    );
  });

  it.each<{
    given: Partial<PrometheusRuleProps> | { thresholds: Partial<AlertThresholds> };
    want: RegExp;
  }>([
    { given: { thresholds: { errorRatio: 1.5 } }, want: /errorRatio must be between 0 and 1/ },
    {
      given: { thresholds: { volumeUsedRatio: 0 } },
      want: /volumeUsedRatio must be between 0 and 1/,
    },
    { given: { thresholds: { walFsyncP99Seconds: -1 } }, want: /walFsyncP99Seconds must be > 0/ },
    {
      given: { thresholds: { rateLimited429PerSecond: Number.NaN } },
      want: /rateLimited429PerSecond/,
    },
    {
      given: { thresholds: { podAbsentFor: '2 minutes' } },
      want: /podAbsentFor must be a Prometheus duration/,
    },
    { given: { pvcNamePrefix: '' }, want: /pvcNamePrefix must not be empty/ },
    { given: { jobName: '' }, want: /jobName must not be empty/ },
    {
      given: { backup: { cronJobName: '', maxAgeSeconds: 43200 } },
      want: /backup.cronJobName must not be empty/,
    },
    {
      given: { backup: { method: 'longhorn', recurringJobName: '', maxAgeSeconds: 43200 } },
      want: /backup.recurringJobName must not be empty/,
    },
    {
      given: { backup: { cronJobName: 'stemedb-backup', maxAgeSeconds: 0 } },
      want: /backup.maxAgeSeconds must be a whole number of seconds > 0/,
    },
    {
      given: { backup: { cronJobName: 'stemedb-backup', maxAgeSeconds: 1.5 } },
      want: /backup.maxAgeSeconds/,
    },
  ])('rejects $want', ({ given, want }) => {
    const thresholds = {
      ...DEFAULT_ALERT_THRESHOLDS,
      ...('thresholds' in given ? given.thresholds : {}),
    };
    const props = { ...PROPS, ...given, thresholds } as PrometheusRuleProps;
    expect(() => buildPrometheusRule(props)).toThrow(want);
  });
});

describe('toPromtoolRuleFile', () => {
  it('is a plain Prometheus rule file holding the same groups', () => {
    const obj = buildPrometheusRule(WITH_BACKUP);
    expect(parse(toPromtoolRuleFile(obj))).toEqual({ groups: obj.spec.groups });
  });
});
