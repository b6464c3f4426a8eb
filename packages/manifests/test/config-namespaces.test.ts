/**
 * Reserved namespaces: the bundle stamps Pod Security `restricted` and default-deny
 * NetworkPolicies on its namespace, so the cluster's own namespaces and the operators' ones the
 * config names are refused (config errors: exit 2), and a namespace that merely looks like one
 * is not.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/index.js';
import { MINIMAL } from './objects-fixtures.js';
import { file, MINIMAL_YAML, run } from './support/cli.js';

function refusal(over: Record<string, unknown>): string[] {
  try {
    parseConfig({ ...MINIMAL, ...over });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe('reserved namespaces', () => {
  it.each(['kube-system', 'kube-public', 'kube-node-lease', 'default', 'longhorn-system'])(
    'refuses %s',
    (namespace) => {
      expect(refusal({ namespace })).toEqual([
        expect.stringMatching(/^namespace: must not be a namespace the cluster owns/),
      ]);
    },
  );

  it('refuses the namespace of an operator the config names, wherever it was moved', () => {
    expect(
      refusal({ namespace: 'observability', monitoring: { prometheusNamespace: 'observability' } }),
    ).toEqual([
      expect.stringMatching(
        /^namespace: is monitoring\.prometheusNamespace, an operator's namespace/,
      ),
    ]);
    expect(
      refusal({ namespace: 'traefik', networkPolicy: { traefikNamespace: 'traefik' } }),
    ).toEqual([expect.stringMatching(/^namespace: is networkPolicy\.traefikNamespace/)]);
    expect(
      refusal({ namespace: 'storage', backup: { longhorn: { namespace: 'storage' } } }),
    ).toEqual([expect.stringMatching(/^namespace: is backup\.longhorn\.namespace/)]);
  });

  it('takes near misses: monitoring once Prometheus lives elsewhere, kube-system-stemedb', () => {
    expect(
      refusal({ namespace: 'monitoring', monitoring: { prometheusNamespace: 'observability' } }),
    ).toEqual([]);
    expect(refusal({ namespace: 'kube-system-stemedb' })).toEqual([]);
  });

  it('exits 2 from validate on namespace: kube-system', async () => {
    const config = file('kube-system.yaml', `${MINIMAL_YAML}namespace: kube-system\n`);
    const result = await run(['validate', '-c', config]);
    expect(result.code, result.stderr).toBe(2);
    // One line per config error, at the value's line and column, with a code frame under it.
    expect(result.stderr).toMatch(
      /kube-system\.yaml:5:12: namespace: must not be a namespace the cluster owns \(/,
    );
    expect(result.stderr).toContain('> 5 | namespace: kube-system');
  });
});
