/**
 * What buildBundle does beyond the minimal rendering. Every object of the minimal config except
 * the PrometheusRule is pinned, field for field and in order, by the render snapshot
 * (`__snapshots__/bundle-minimal.yaml`, render.test.ts), and its secure defaults by the rules
 * (validate-bundle.test.ts); so what is left here is the PrometheusRule the snapshot leaves out,
 * the alerts that follow from the config, and that the bundle passes validate().
 */
import { describe, expect, it } from 'vitest';
import { buildBundle, validate } from '../src/index.js';
import { at, MINIMAL, pick, withConfig } from './objects-fixtures.js';

const bundle = buildBundle(MINIMAL);

describe('buildBundle', () => {
  it('passes validate() without errors', () => {
    // A rule that throws is reported as validate/rule-failed: a bug in that rule, not in the
    // objects, so it is left to the validation tests.
    const errors = validate(bundle).findings.filter(
      (f) => f.severity === 'error' && f.ruleId !== 'validate/rule-failed',
    );
    expect(errors).toEqual([]);
  });

  it('applies the PrometheusRule last, in the namespace, labelled for the release and as ours', () => {
    const rule = pick(bundle, 'PrometheusRule');
    expect(bundle.at(-1)).toBe(rule);
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata.namespace).toBe('stemedb');
    expect(rule.metadata.labels).toMatchObject({
      release: 'prometheus',
      'app.kubernetes.io/part-of': 'stemedb',
      'app.kubernetes.io/managed-by': 'stemedb-manifests',
    });
  });
});

describe('the alerts of the bundle', () => {
  it("has the roadmap's six alerts and StemeDBBackupStale in the PrometheusRule", () => {
    const groups = at(pick(bundle, 'PrometheusRule'), 'spec.groups') as {
      rules: { alert?: string; expr: string }[];
    }[];
    const rules = groups.flatMap((g) => g.rules).filter((r) => r.alert);
    expect(rules).toHaveLength(7);
    const backup = rules.find((r) => r.alert === 'StemeDBBackupStale');
    expect(backup?.expr).toContain(
      'longhorn_backup_state{recurring_job="stemedb-backup"} offset 12h == 3',
    );
  });

  it('watches the CronJob through kube-state-metrics with backup.method rclone', () => {
    const groups = at(
      pick(buildBundle(withConfig({ backup: { method: 'rclone' } })), 'PrometheusRule'),
      'spec.groups',
    ) as { rules: { alert?: string; expr: string }[] }[];
    const backup = groups.flatMap((g) => g.rules).find((r) => r.alert === 'StemeDBBackupStale');
    expect(backup?.expr).toContain(
      'kube_cronjob_status_last_successful_time{namespace="stemedb", cronjob="stemedb-backup"}) > 43200',
    );
  });

  it('has no backup alert when backup is off', () => {
    const groups = at(
      pick(buildBundle(withConfig({ backup: { enabled: false } })), 'PrometheusRule'),
      'spec.groups',
    ) as { rules: { alert?: string }[] }[];
    const alerts = groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toHaveLength(6);
    expect(alerts).not.toContain('StemeDBBackupStale');
  });

  it('takes the backup alert age from monitoring.alerts.backupMaxAgeSeconds', () => {
    const stale = (backup: Record<string, unknown>) => {
      const config = withConfig({
        backup,
        monitoring: { alerts: { backupMaxAgeSeconds: 172800 } },
      });
      const groups = at(pick(buildBundle(config), 'PrometheusRule'), 'spec.groups') as {
        rules: { alert?: string; expr: string }[];
      }[];
      return groups.flatMap((g) => g.rules).find((r) => r.alert === 'StemeDBBackupStale')?.expr;
    };
    expect(stale({ method: 'rclone' })).toMatch(/\) > 172800\n/);
    expect(stale({})).toMatch(/offset 2d\)\n/);
    expect(stale({})).not.toContain('offset 12h');
  });
});
