/**
 * Where the kubeconfig comes from. Every source is injected (env, home, service-account root),
 * so these tests read only the temp files they write.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isClusterError } from '../src/cluster/errors.js';
import { describeKubeConfig, loadKubeConfig } from '../src/cluster/kubeconfig.js';

const root = mkdtempSync(join(tmpdir(), 'stemedb-kubeconfig-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A kubeconfig file with one context per entry of `contexts` (name → server). */
function kubeconfig(contexts: Record<string, string>, current?: string): string {
  const file = join(root, `config-${n++}`);
  const names = Object.keys(contexts);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: names.map((c) => ({ name: c, cluster: { server: contexts[c] } })),
      users: names.map((c) => ({ name: c, user: { token: `token-${c}` } })),
      contexts: names.map((c) => ({ name: c, context: { cluster: c, user: c } })),
      'current-context': current ?? names[0],
    }),
  );
  return file;
}

/** A home directory, with or without ~/.kube/config. */
function home(withConfig?: string): string {
  const dir = mkdtempSync(join(root, 'home-'));
  if (withConfig) {
    mkdirSync(join(dir, '.kube'));
    writeFileSync(join(dir, '.kube', 'config'), withConfig);
  }
  return dir;
}

const server = (source: Parameters<typeof loadKubeConfig>[0]) =>
  loadKubeConfig(source).getCurrentCluster()?.server;

describe('loadKubeConfig', () => {
  it('uses an explicit file first', () => {
    const file = kubeconfig({ explicit: 'https://explicit:6443' });
    const env = { KUBECONFIG: kubeconfig({ env: 'https://env:6443' }) };
    expect(server({ kubeconfig: file, env, homeDir: home() })).toBe('https://explicit:6443');
  });

  it('then KUBECONFIG, merging its files with the first one winning', () => {
    const a = kubeconfig({ a: 'https://a:6443', shared: 'https://from-a:6443' }, 'shared');
    const b = kubeconfig({ b: 'https://b:6443', shared: 'https://from-b:6443' }, 'b');
    const kc = loadKubeConfig({ env: { KUBECONFIG: [a, b].join(delimiter) }, homeDir: home() });
    expect(kc.getCurrentContext()).toBe('shared');
    expect(kc.getCurrentCluster()?.server).toBe('https://from-a:6443');
    expect(kc.getContexts().map((c) => c.name)).toEqual(['a', 'shared', 'b']);
  });

  it('then ~/.kube/config', () => {
    const dir = home(
      stringify({
        clusters: [{ name: 'h', cluster: { server: 'https://home:6443' } }],
        users: [{ name: 'h', user: {} }],
        contexts: [{ name: 'h', context: { cluster: 'h', user: 'h' } }],
        'current-context': 'h',
      }),
    );
    expect(server({ env: {}, homeDir: dir })).toBe('https://home:6443');
  });

  it('then the in-cluster service account', () => {
    const sa = join(root, 'sa', 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'sa-token');
    writeFileSync(join(sa, 'namespace'), 'stemedb\n');
    const env = { KUBERNETES_SERVICE_HOST: '10.43.0.1', KUBERNETES_SERVICE_PORT: '443' };
    const kc = loadKubeConfig({ env, homeDir: home(), root: join(root, 'sa') });
    expect(kc.getCurrentCluster()).toMatchObject({
      server: 'https://10.43.0.1:443',
      caFile: join(sa, 'ca.crt'),
    });
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('stemedb');
  });

  it('fails, instead of using http://localhost:8080, when there is none', () => {
    expect(() => loadKubeConfig({ env: {}, homeDir: home(), root: join(root, 'nothing') })).toThrow(
      'no kubeconfig found: set KUBECONFIG, create ~/.kube/config, pass --kubeconfig, or run inside a cluster',
    );
  });

  it('says which KUBECONFIG file is missing', () => {
    const missing = join(root, 'missing');
    expect(() => loadKubeConfig({ env: { KUBECONFIG: missing }, homeDir: home() })).toThrow(
      `KUBECONFIG names ${missing}, which does not exist`,
    );
  });

  it('switches to the context asked for, and lists the known ones when it does not exist', () => {
    const file = kubeconfig({ dev: 'https://dev:6443', prod: 'https://prod:6443' });
    expect(server({ kubeconfig: file, context: 'prod' })).toBe('https://prod:6443');
    let error: unknown;
    try {
      loadKubeConfig({ kubeconfig: file, context: 'staging' });
    } catch (e) {
      error = e;
    }
    expect(isClusterError(error) && error.code).toBe('cluster/no-kubeconfig');
    expect((error as Error).message).toBe(
      'no context "staging" in the kubeconfig (it has: dev, prod)',
    );
  });

  it('describes the context and server without credentials', () => {
    const kc = loadKubeConfig({ kubeconfig: kubeconfig({ dev: 'https://dev:6443' }) });
    expect(describeKubeConfig(kc)).toBe('context "dev" (https://dev:6443)');
  });
});
