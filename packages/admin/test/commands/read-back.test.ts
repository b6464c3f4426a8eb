/**
 * Read back before undoing (issue 22): a store write that lands but reports failure must not
 * be "undone" by revoking the new key, which would leave the store's latest key dead. Made
 * real where a real component can: the local Secret Manager applying AddSecretVersion and then
 * answering DEADLINE_EXCEEDED, the Kubernetes API double applying the Secret's server-side apply
 * (a PATCH) and then answering 504.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { provision } from '../../src/commands/provision.js';
import { rotate } from '../../src/commands/rotate.js';
import { createMemorySecretStore } from '../../src/stores/memory.js';
import { projectKeySecret } from '../../src/stores/names.js';
import { openSecretStore } from '../../src/stores/open.js';
import type { SecretStore } from '../../src/stores/types.js';
import { startKubernetesSecretsServer, startSecretManagerEmulator } from '../../src/testing.js';
import { brokenProjects, FAST_RETRY, keyWorks, startServer } from '../support/server.js';
import { interceptStore } from '../support/stores.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const RETRY = { retries: 2, minDelayMs: 1, maxDelayMs: 5, jitter: false };

async function expectStoredKeyWorks(store: SecretStore, project: string) {
  const server = current!;
  const stored = await store.readLatest(projectKeySecret(project));
  expect(await keyWorks(server.url, stored!)).toBe(true);
  expect(await brokenProjects(server, store, [project])).toEqual([]);
}
let current: Awaited<ReturnType<typeof startServer>> | undefined;

async function server() {
  current = await startServer();
  const s = current;
  cleanups.push(() => s.close());
  return { url: s.url, adminKey: s.rootKey, client: FAST_RETRY };
}

describe('a store write that lands and then reports failure', () => {
  it('memory: the write is done, the new key stays live', async () => {
    const base = await server();
    const inner = createMemorySecretStore();
    cleanups.push(() => inner.close());
    const store: SecretStore = {
      ...inner,
      async writeVersion(name, value, options) {
        await inner.writeVersion(name, value, options);
        throw new Error('DEADLINE_EXCEEDED after the write committed');
      },
    };
    const result = await provision({ ...base, store, projects: ['alpha'] });
    expect(result.projects[0]).toMatchObject({ action: 'created', revoked: 0 });
    await expectStoredKeyWorks(inner, 'alpha');
  });

  it('gcp: AddSecretVersion applied, then DEADLINE_EXCEEDED on every attempt', async () => {
    const base = await server();
    const sm = await startSecretManagerEmulator();
    const store = await openSecretStore('gcp:test-project', {
      gcpEndpoint: sm.endpoint,
      gcp: { retry: RETRY },
    });
    cleanups.push(
      () => sm.close(),
      () => store.close(),
    );
    await provision({ ...base, store, projects: ['alpha'] });
    const armed = interceptStore(store, 'writeVersion', () =>
      sm.failNext('AddSecretVersion', { code: 'DEADLINE_EXCEEDED', count: 3, afterApply: true }),
    );
    const result = await rotate({ ...base, store: armed, project: 'alpha', graceMs: 0 });
    expect(result.projects[0]).toMatchObject({ action: 'replaced' });
    expect(
      sm
        .calls()
        .filter((c) => c.injected)
        .map((c) => c.code),
    ).toEqual(['DEADLINE_EXCEEDED', 'DEADLINE_EXCEEDED', 'DEADLINE_EXCEEDED']);
    await expectStoredKeyWorks(store, 'alpha');
  });

  it("k8s: the Secret's server-side apply applied, then 504 on every attempt", async () => {
    const base = await server();
    const k8s = await startKubernetesSecretsServer({ namespaces: ['stemedb'] });
    const store = await openSecretStore('k8s:stemedb', {
      k8s: { server: k8s.url, retry: RETRY },
    });
    cleanups.push(
      () => k8s.close(),
      () => store.close(),
    );
    await provision({ ...base, store, projects: ['alpha'] });
    const armed = interceptStore(store, 'writeVersion', () =>
      // The store writes a Secret by server-side apply (PATCH); the run lease's renewals and
      // release are PUTs of a Lease, which a PUT fault would hit instead.
      k8s.failNext({ method: 'PATCH', status: 504, count: 3, afterApply: true }),
    );
    const result = await rotate({ ...base, store: armed, project: 'alpha', graceMs: 0 });
    expect(result.projects[0]).toMatchObject({ action: 'replaced' });
    expect(
      k8s
        .requests()
        .filter((r) => r.injected)
        .map((r) => `${r.status} ${r.method} ${r.path.split('?')[0]}`),
    ).toEqual(
      Array(3).fill(`504 PATCH /api/v1/namespaces/stemedb/secrets/${projectKeySecret('alpha')}`),
    );
    await expectStoredKeyWorks(store, 'alpha');
  });

  it('a write that fails without landing still revokes the new key (nobody holds it)', async () => {
    const base = await server();
    const inner = createMemorySecretStore();
    cleanups.push(() => inner.close());
    const store = interceptStore(inner, 'writeVersion', () => {
      throw new Error('refused');
    });
    const result = await provision({ ...base, store, projects: ['alpha'] });
    expect(result.projects[0]).toMatchObject({ action: 'failed' });
    expect(await current!.liveKeys('alpha')).toEqual([]);
  });
});
