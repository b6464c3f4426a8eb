/**
 * `render --format prometheus-rules`: the bundle's alerts as a plain Prometheus rule
 * file, which the real promtool accepts and which holds exactly the PrometheusRule's groups.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { prometheusRuleGroups } from '../src/output/prometheus-rules.js';
import { PROMTOOL, promtoolVersion } from './fixtures/promtool/harness.js';
import { BUNDLE, CONFIG, expectOneLineError, file, freshDir, run } from './support/cli.js';

describe('render --format prometheus-rules', () => {
  it('writes the PrometheusRule groups as a rule file, every alert of the bundle in it', async () => {
    const result = await run(['render', '--config', CONFIG, '--format', 'prometheus-rules']);
    expect(result.code, result.stderr).toBe(0);
    const parsed = parseYaml(result.stdout) as { groups: { rules: { alert: string }[] }[] };
    const rule = BUNDLE.find((o) => o.kind === 'PrometheusRule');
    expect(rule).toBeDefined();
    expect(parsed).toEqual({ groups: (rule?.spec as { groups: unknown } | undefined)?.groups });
    const alerts = parsed.groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toContain('StemeDBPodNotRunning');
    expect(alerts).toContain('StemeDBBackupStale');
  });

  it('--out writes a file that promtool check rules accepts', async (ctx) => {
    const out = join(freshDir(), 'rules.yaml');
    const result = await run(['render', '--config', CONFIG, '-f', 'prometheus-rules', '-o', out]);
    expect(result.code, result.stderr).toBe(0);
    if (promtoolVersion() === undefined) {
      if (process.env.CI) throw new Error('promtool not found (CI must not skip this test)');
      console.warn('[cli-render-prometheus-rules] promtool check skipped: promtool not installed');
      ctx.skip();
    }
    const check = spawnSync(PROMTOOL, ['check', 'rules', out], { encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('refuses a restore flag: the rule file is the bundle, not a restore step', async () => {
    const result = await run([
      'render',
      '--config',
      CONFIG,
      '--format',
      'prometheus-rules',
      '--restore-swap',
      'stemedb-db=pvc-1',
    ]);
    expectOneLineError(result, 2, /prometheus-rules writes the bundle's alerts, not a restore/);
  });

  it('fails, writing nothing, when monitoring is off and there are no alerts', async () => {
    const config = file(
      'no-monitoring.yaml',
      'ingress:\n  host: stemedb.threesix.ai\nimage:\n  tag: "0.9.0"\nmonitoring:\n  enabled: false\nbackup:\n  enabled: false\n',
    );
    const result = await run(['render', '--config', config, '--format', 'prometheus-rules']);
    expectOneLineError(result, 2, /no PrometheusRule/, true);
    expect(result.stdout).toBe('');
  });

  it('prometheusRuleGroups throws on a bundle without a PrometheusRule', () => {
    expect(() => prometheusRuleGroups(BUNDLE.filter((o) => o.kind !== 'PrometheusRule'))).toThrow(
      /no PrometheusRule/,
    );
  });
});
