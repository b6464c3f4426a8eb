/**
 * provision, rotate and revoke with the `k8s:` store: the real @kubernetes/client-node against
 * the local Secrets API server (`startKubernetesSecretsServer`) and the emulator, on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { onboard } from '../../src/commands/onboard.js';
import { provision } from '../../src/commands/provision.js';
import { revoke } from '../../src/commands/revoke.js';
import { rotate } from '../../src/commands/rotate.js';
import { openSecretStore } from '../../src/stores/open.js';
import { startKubernetesSecretsServer } from '../../src/testing.js';
import { brokenProjects, startServer } from '../support/server.js';

const PROJECTS = ['alpha', 'beta', 'gamma'];
const NAMESPACE = 'stemedb';
const TOKEN = 'k8s-provision-test-token';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const server = await startServer();
  const k8s = await startKubernetesSecretsServer({ namespaces: [NAMESPACE], token: TOKEN });
  const store = await openSecretStore(`k8s:${NAMESPACE}`, {
    k8s: { server: k8s.url, token: TOKEN, retry: { minDelayMs: 1, maxDelayMs: 5, jitter: false } },
  });
  cleanups.push(
    () => server.close(),
    () => k8s.close(),
    () => store.close(),
  );
  return { server, k8s, store, base: { url: server.url, adminKey: server.rootKey, store } };
}

describe('provision with the k8s: store', () => {
  it('creates a Secret per project, a re-run writes nothing, and a 503 burst is ridden out', async () => {
    const { server, k8s, store, base } = await setup();
    k8s.failNext({ method: 'POST', count: 2, status: 503 });
    const result = await provision({ ...base, projects: PROJECTS, concurrency: 1 });
    expect(result.summary).toMatchObject({ created: 3, failed: 0 });
    expect(k8s.secrets(NAMESPACE).map((s) => s.metadata.name)).toEqual(
      PROJECTS.map((p) => `stemedb-key-${p}`),
    );
    expect(
      k8s
        .requests()
        .filter((r) => r.injected)
        .map((r) => r.status),
    ).toEqual([503, 503]);
    k8s.clearRequests();
    const again = await provision({ ...base, projects: PROJECTS });
    expect(again.summary).toMatchObject({ unchanged: 3, created: 0, replaced: 0, revoked: 0 });
    // Besides reads, only the preflight's SelfSubjectAccessReviews, which change nothing, and
    // the run lease (taken and released).
    const writes = k8s
      .requests()
      .filter(
        (r) =>
          r.method !== 'GET' &&
          !r.path.includes('selfsubjectaccessreviews') &&
          !r.path.includes('/leases/'),
      );
    expect(writes).toEqual([]);
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it('rotates all, revokes one, and onboard names the kubectl command', async () => {
    const { server, store, base } = await setup();
    await provision({ ...base, projects: PROJECTS });
    expect((await rotate({ ...base, all: true, graceMs: 0 })).summary).toMatchObject({
      replaced: 3,
      failed: 0,
    });
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
    expect(await revoke({ ...base, project: 'gamma' })).toMatchObject({ secretDeleted: true });
    expect(await store.list('stemedb-key-')).toEqual(['stemedb-key-alpha', 'stemedb-key-beta']);
    const info = await onboard({ url: 'https://s.example', store, project: 'alpha' });
    expect(info.fetchCommand).toBe(
      `kubectl get secret stemedb-key-alpha -n ${NAMESPACE} -o jsonpath='{.data.value}' | base64 -d`,
    );
  });
});
