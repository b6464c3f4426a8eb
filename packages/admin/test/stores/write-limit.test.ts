/**
 * The client-side write limit (`--store-writes-per-minute`, the stores' `writeLimit`): against
 * the local Secret Manager and the Kubernetes API double, with a short window so that the test
 * sees writes held back, and every write request (retries included) counted in a sliding window.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createGcpSecretStore,
  createK8sSecretStore,
  isSecretStoreError,
  type SecretStore,
} from '../../src/index.js';
import { DEFAULT_STORE_WRITES_PER_MINUTE } from '../../src/stores/write-limit.js';
import { startKubernetesSecretsServer, startSecretManagerEmulator } from '../../src/testing.js';

const KEY = `steme_live_${'e5'.repeat(24)}`;
const WINDOW_MS = 1000;
// Slots are granted on the client and counted where they arrive: a request may travel a little
// longer than the one before it, so a window this much shorter is what arrivals must respect.
const SLACK_MS = 300;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The most arrival times in any window of `ms` (sliding). */
function busiestWindow(times: readonly number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && (sorted[j] ?? 0) - (sorted[i] ?? 0) < ms) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

const GCP_WRITES = ['CreateSecret', 'AddSecretVersion', 'DeleteSecret', 'DestroySecretVersion'];

async function gcp(writes: number) {
  const sm = await startSecretManagerEmulator();
  const store = createGcpSecretStore({
    project: 'limit-test',
    endpoint: sm.endpoint,
    retry: { minDelayMs: 1, maxDelayMs: 2, jitter: false },
    writeLimit: { writes, intervalMs: WINDOW_MS },
  });
  cleanups.push(
    () => sm.close(),
    () => store.close(),
  );
  const times = () =>
    sm
      .calls()
      .filter((c) => GCP_WRITES.includes(c.method))
      .map((c) => c.at);
  return { sm, store, times };
}

async function k8s(writes: number) {
  const server = await startKubernetesSecretsServer({ namespaces: ['limit'] });
  const store = createK8sSecretStore({
    namespace: 'limit',
    server: server.url,
    retry: { minDelayMs: 1, maxDelayMs: 2, jitter: false },
    writeLimit: { writes, intervalMs: WINDOW_MS },
  });
  cleanups.push(
    () => server.close(),
    () => store.close(),
  );
  const times = () =>
    server
      .requests()
      .filter((r) => r.method !== 'GET')
      .map((r) => r.at);
  return { server, store, times };
}

async function writeMany(store: SecretStore, n: number): Promise<number> {
  // Connect first (the client loads and dials on its first call), so that no write's travel
  // includes it.
  await store.readLatest('stemedb-warm-up');
  const started = performance.now();
  await Promise.all(
    Array.from({ length: n }, (_, i) => store.writeVersion(`stemedb-key-p${i}`, KEY)),
  );
  return performance.now() - started;
}

describe('the write limit', () => {
  it('defaults to 540 a minute, 90 % of Secret Manager quota of 600', () => {
    expect(DEFAULT_STORE_WRITES_PER_MINUTE).toBe(540);
  });

  it('gcp: holds writes back so that no window has more than the limit', async () => {
    const { store, times } = await gcp(3);
    // 4 new secrets: 8 write requests (create and add each), at 3 per window: >= 2 windows.
    const took = await writeMany(store, 4);
    expect(times()).toHaveLength(8);
    expect(busiestWindow(times(), WINDOW_MS - SLACK_MS)).toBeLessThanOrEqual(3);
    expect(took).toBeGreaterThanOrEqual(2 * WINDOW_MS - 20);
  });

  it('gcp: counts every retry attempt as a write', async () => {
    const { sm, store, times } = await gcp(2);
    await store.writeVersion('stemedb-key-a', KEY);
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    sm.clearCalls();
    sm.failNext('AddSecretVersion', { count: 3, code: 'UNAVAILABLE' });
    await store.writeVersion('stemedb-key-a', KEY);
    expect(times()).toHaveLength(4);
    expect(busiestWindow(times(), WINDOW_MS - SLACK_MS)).toBeLessThanOrEqual(2);
  });

  it('gcp: with the limit off (0), the same writes go at once', async () => {
    const { store, times } = await gcp(0);
    await writeMany(store, 4);
    expect(busiestWindow(times(), WINDOW_MS)).toBe(8);
  });

  it('k8s: holds writes back so that no window has more than the limit', async () => {
    const { store, times } = await k8s(2);
    const took = await writeMany(store, 5);
    expect(times()).toHaveLength(5);
    expect(busiestWindow(times(), WINDOW_MS - SLACK_MS)).toBeLessThanOrEqual(2);
    expect(took).toBeGreaterThanOrEqual(2 * WINDOW_MS - 20);
  });

  it('a write waiting for a slot is aborted by its signal', async () => {
    const sm = await startSecretManagerEmulator();
    const store = createGcpSecretStore({
      project: 'limit-test',
      endpoint: sm.endpoint,
      // The first write (create and add) takes both slots of the minute.
      writeLimit: { writes: 2, intervalMs: 60_000 },
    });
    cleanups.push(
      () => sm.close(),
      () => store.close(),
    );
    await store.writeVersion('stemedb-key-a', KEY);
    const controller = new AbortController();
    const pending = store
      .writeVersion('stemedb-key-b', KEY, { signal: controller.signal })
      .catch((e: unknown) => e);
    setTimeout(() => controller.abort(new Error('stop')), 50);
    const error = await pending;
    expect(isSecretStoreError(error) && error.code).toBe('aborted');
  });
});
