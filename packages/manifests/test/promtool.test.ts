/**
 * Issue §4: the alert rules (the roadmap's six and StemeDBBackupStale) run on the real
 * Prometheus engine. Each fires on the failure it
 * describes once its `for:` window has passed (and not a minute before), and stays quiet on
 * healthy traffic. promtool comes from the Debian package `prometheus`; CI installs it
 * (.ci/run), so there a missing promtool fails instead of skipping.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_ALERT_THRESHOLDS } from '../src/defaults.js';
import { buildPrometheusRule, type PrometheusRuleObject } from '../src/objects/prometheus-rule.js';
import { ALERT_CASES } from './fixtures/promtool/cases.js';
import {
  PROMTOOL,
  promtoolTestFile,
  promtoolVersion,
  runPromtool,
  writePromtoolFiles,
} from './fixtures/promtool/harness.js';
import { LONGHORN_BACKUP_CASES } from './fixtures/promtool/longhorn-cases.js';

const INSTALL_HINT =
  'promtool not found: install the Debian package `prometheus` (apt-get install -y prometheus), or set PROMTOOL to its path';
const version = promtoolVersion();
const skip = version === undefined && !process.env.CI;
if (skip) console.warn(`[promtool.test] skipped: ${INSTALL_HINT}`);

const PROPS = {
  namespace: 'stemedb',
  name: 'stemedb-alerts',
  labels: { 'app.kubernetes.io/name': 'stemedb' },
  releaseLabel: 'prometheus',
  appLabel: 'stemedb-api',
  jobName: 'stemedb-api',
  containerName: 'stemedb-api',
  pvcNamePrefix: 'stemedb-',
  // 1h, not the default 12h: see the StemeDBBackupStale cases.
  backup: { cronJobName: 'stemedb-backup', maxAgeSeconds: 3600 },
};
const rule = buildPrometheusRule({ ...PROPS, thresholds: DEFAULT_ALERT_THRESHOLDS });
const root = mkdtempSync(join(tmpdir(), 'stemedb-promtool-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function requirePromtool(): void {
  if (version === undefined) throw new Error(`${INSTALL_HINT} (CI must not skip these tests)`);
}

function promtool(args: string[], dir: string): string {
  const run = runPromtool(args, dir);
  expect(run.status, `${PROMTOOL} ${args.join(' ')} failed:\n${run.output}`).toBe(0);
  return run.output;
}

describe('alert test cases', () => {
  it('cover all seven alerts, each with a firing and a quiet case', () => {
    const alerts = rule.spec.groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(ALERT_CASES.map((c) => c.alert).sort()).toEqual([...alerts].sort());
    for (const c of ALERT_CASES) {
      expect(c.firing.length, c.alert).toBeGreaterThan(0);
      expect(c.quiet.length, c.alert).toBeGreaterThan(0);
    }
  });

  it('checks each firing case a minute before its for: window ends, and when it ends', () => {
    const file = promtoolTestFile(rule, ALERT_CASES);
    const group = file.tests.find((t) =>
      t.name.startsWith('StemeDBPodNotRunning fires: the pod is gone'),
    );
    // Expression true from 3m, `for: 2m`: pending at 4m, firing at 5m.
    expect(group?.alert_rule_test.map((t) => [t.eval_time, t.exp_alerts.length])).toEqual([
      ['4m', 0],
      ['5m', 1],
    ]);
    const backup = file.tests.find((t) =>
      t.name.startsWith('StemeDBBackupStale fires: the backup never succeeded'),
    );
    // Older than 1h from 61m, `for: 15m`: pending at 75m, firing at 76m.
    expect(backup?.alert_rule_test.map((t) => [t.eval_time, t.exp_alerts.length])).toEqual([
      ['75m', 0],
      ['76m', 1],
    ]);
  });
});

describe.skipIf(skip)(`promtool (${version ?? 'missing'})`, () => {
  it('accepts the rendered rule file (promtool check rules)', () => {
    requirePromtool();
    const dir = writePromtoolFiles(rule, ALERT_CASES, root);
    expect(promtool(['check', 'rules', 'rules.yaml'], dir)).toContain('SUCCESS: 7 rules found');
  });

  it('fires each alert within its for: window and keeps it quiet otherwise (promtool test rules)', () => {
    requirePromtool();
    const dir = writePromtoolFiles(rule, ALERT_CASES, root);
    expect(promtool(['test', 'rules', 'tests.yaml'], dir)).toContain('SUCCESS');
  });

  it("tells the roadmap's rules apart: each of its six alerts fails a case", () => {
    requirePromtool();
    const roadmap = parse(
      readFileSync(join(import.meta.dirname, 'fixtures/promtool/roadmap-alert-rules.yaml'), 'utf8'),
    ) as PrometheusRuleObject;
    // StemeDBBackupStale is ours, not the roadmap's: it has no rule there to test.
    const roadmapAlerts = new Set(roadmap.spec.groups.flatMap((g) => g.rules.map((r) => r.alert)));
    const cases = ALERT_CASES.filter((c) => roadmapAlerts.has(c.alert));
    expect(cases).toHaveLength(6);
    const run = runPromtool(
      ['test', 'rules', 'tests.yaml'],
      writePromtoolFiles(roadmap, cases, root),
    );
    expect(run.status, run.output).not.toBe(0);
    for (const c of cases) {
      expect(run.output, `no case caught the roadmap's ${c.alert}`).toContain(`name: ${c.alert} `);
    }
    // The failures the corrections are about, by name.
    for (const name of [
      'StemeDBPodNotRunning fires: the pod is scraped but down',
      'StemeDBDataVolumeNearlyFull stays quiet: full volumes that are not ours',
      'StemeDBRateLimitSaturating fires: two routes each return 1 429/s',
      'StemeDBErrorRateHigh stays quiet: 0.5% of 10 requests/s fail',
      'StemeDBOOMKilled stays quiet: an old OOM kill, no restart since',
    ]) {
      expect(run.output).toContain(`name: ${name}`);
    }
  });

  it('follows the thresholds it is built with', () => {
    requirePromtool();
    const strict = buildPrometheusRule({
      ...PROPS,
      thresholds: { ...DEFAULT_ALERT_THRESHOLDS, errorRatio: 0.001 },
    });
    // 0.5% errors is quiet at the default 1% and fires at 0.1%.
    const run = runPromtool(
      ['test', 'rules', 'tests.yaml'],
      writePromtoolFiles(strict, ALERT_CASES, root),
    );
    expect(run.output).toContain(
      'name: StemeDBErrorRateHigh stays quiet: 0.5% of 10 requests/s fail',
    );
  });

  it('follows the backup age it is built with', () => {
    requirePromtool();
    // A maximum age of one interval (30m) instead of two pages on a single failed run.
    const strict = buildPrometheusRule({
      ...PROPS,
      thresholds: DEFAULT_ALERT_THRESHOLDS,
      backup: { cronJobName: 'stemedb-backup', maxAgeSeconds: 1800 },
    });
    const run = runPromtool(
      ['test', 'rules', 'tests.yaml'],
      writePromtoolFiles(
        strict,
        ALERT_CASES.filter((c) => c.alert === 'StemeDBBackupStale'),
        root,
      ),
    );
    expect(run.output).toContain(
      'name: StemeDBBackupStale stays quiet: one run fails, and the next succeeds 10 minutes late',
    );
    expect(run.output).not.toContain('name: StemeDBBackupStale stays quiet: a run succeeds every');
  });

  describe('StemeDBBackupStale with backup.method longhorn', () => {
    // 1h as for the CronJob cases: the expression is the same at any age.
    const longhorn = buildPrometheusRule({
      ...PROPS,
      thresholds: DEFAULT_ALERT_THRESHOLDS,
      backup: { method: 'longhorn', recurringJobName: 'stemedb-backup', maxAgeSeconds: 3600 },
    });

    it('accepts the rendered rule file (promtool check rules)', () => {
      requirePromtool();
      const dir = writePromtoolFiles(longhorn, [LONGHORN_BACKUP_CASES], root);
      expect(promtool(['check', 'rules', 'rules.yaml'], dir)).toContain('SUCCESS: 7 rules found');
    });

    it('fires on a stale, failed or never-made backup and not on a fresh or brand-new volume', () => {
      requirePromtool();
      const dir = writePromtoolFiles(longhorn, [LONGHORN_BACKUP_CASES], root);
      expect(promtool(['test', 'rules', 'tests.yaml'], dir)).toContain('SUCCESS');
    });

    it('is not the CronJob rule: the kube-state-metrics cases fail it', () => {
      requirePromtool();
      const cronJobCases = ALERT_CASES.filter((c) => c.alert === 'StemeDBBackupStale');
      const run = runPromtool(
        ['test', 'rules', 'tests.yaml'],
        writePromtoolFiles(longhorn, cronJobCases, root),
      );
      expect(run.status, run.output).not.toBe(0);
      expect(run.output).toContain('name: StemeDBBackupStale fires: the backup never succeeded');
    });
  });
});
