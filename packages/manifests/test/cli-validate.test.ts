/** `stemedb-manifests validate`, run as users run it: see support/cli.ts. */
import { describe, expect, it } from 'vitest';
import { CONFIG, FAILING, run } from './support/cli.js';

describe('validate', () => {
  it('prints the report and exits 0 when there are only warnings', async () => {
    const result = await run(['validate', '--config', CONFIG]);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/(^No problems found\.|\n0 errors, \d+ warnings?\.)\n$/);
    expect(result.stderr).toBe('');
  });

  it('--json gives machine-readable findings', async () => {
    const result = await run(['validate', '--config', FAILING, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: false, errors: 1 });
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        ruleId: 'policy/liveness-kills-slow-database',
        object: 'Deployment/stemedb/stemedb-api',
        path: expect.any(String),
        message: expect.any(String),
        fix: expect.any(String),
      }),
    );
    expect(result.stderr).toMatch(/^stemedb-manifests: 1 error in the bundle[^\n]*\n$/);
  });

  it('--list-rules lists every rule with its severity', async () => {
    const result = await run(['validate', '--list-rules', '--json']);
    expect(result.code).toBe(0);
    const rules = JSON.parse(result.stdout) as { id: string; severity: string }[];
    expect(rules.map((r) => r.id)).toContain('policy/pdb-blocks-eviction');
    expect(rules.every((r) => r.severity === 'error' || r.severity === 'warning')).toBe(true);
  });
});
