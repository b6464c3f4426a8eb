/**
 * The run lease of every store (issue 22, "one run at a time per store"): one holder at a time,
 * the holder named to whoever waits, renewed, taken over after it expires, lost when taken
 * over. Memory and file in process; k8s: against the Kubernetes API double (a Lease with
 * resourceVersion conflicts); gcp: against the local Secret Manager (UpdateSecret by etag).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createFileSecretStore } from '../../src/stores/file.js';
import { createGcpSecretStore } from '../../src/stores/gcp.js';
import { createK8sSecretStore } from '../../src/stores/k8s.js';
import type { LeaseHolder, LeaseOptions } from '../../src/stores/lease-types.js';
import { createMemorySecretStore } from '../../src/stores/memory.js';
import type { SecretStore } from '../../src/stores/types.js';
import { startKubernetesSecretsServer, startSecretManagerEmulator } from '../../src/testing.js';
import { tempDir } from '../support/server.js';

const FAST_RETRY = { minDelayMs: 1, maxDelayMs: 5, jitter: false };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// Two stores over the same backing state: two runs, in two processes as far as the store knows.
type Pair = () => Promise<[SecretStore, SecretStore]>;
const kinds: [string, Pair][] = [
  [
    'memory',
    async () => {
      const store = createMemorySecretStore();
      cleanups.push(() => store.close());
      return [store, store];
    },
  ],
  [
    'file',
    async () => {
      const tmp = tempDir('lease');
      const path = `${tmp.dir}/secrets.json`;
      const a = createFileSecretStore({ path });
      const b = createFileSecretStore({ path });
      cleanups.push(
        tmp.remove,
        () => a.close(),
        () => b.close(),
      );
      return [a, b];
    },
  ],
  [
    'k8s',
    async () => {
      const server = await startKubernetesSecretsServer({ namespaces: ['stemedb'] });
      const open = () =>
        createK8sSecretStore({ namespace: 'stemedb', server: server.url, retry: FAST_RETRY });
      const [a, b] = [open(), open()];
      cleanups.push(
        () => server.close(),
        () => a.close(),
        () => b.close(),
      );
      return [a, b];
    },
  ],
  [
    'gcp',
    async () => {
      const emulator = await startSecretManagerEmulator();
      const open = () =>
        createGcpSecretStore({
          project: 'stemedb-test',
          endpoint: emulator.endpoint,
          retry: FAST_RETRY,
        });
      const [a, b] = [open(), open()];
      cleanups.push(
        () => emulator.close(),
        () => a.close(),
        () => b.close(),
      );
      return [a, b];
    },
  ],
];

// A holder on another host, so that "same host, process gone" never frees it.
const holder = (id: string, pid = 4242): LeaseHolder => ({
  id,
  host: `elsewhere-${id}`,
  pid,
  since: '2026-01-02T03:04:05.000Z',
  command: 'provision',
});

describe.each(kinds)('the %s store lease', (_kind, pair) => {
  const at = (iso: string) => () => new Date(iso);
  const options = (id: string, now: string): LeaseOptions => ({
    holder: holder(id),
    durationMs: 60_000,
    now: at(now),
  });

  it('is held by one run at a time, and the other is told who holds it and until when', async () => {
    const [a, b] = await pair();
    const first = await a.acquireLease(options('one', '2026-01-02T03:04:05.000Z'));
    expect(first.acquired).toBe(true);
    const second = await b.acquireLease(options('two', '2026-01-02T03:04:30.000Z'));
    expect(second).toMatchObject({
      acquired: false,
      holder: { id: 'one', host: 'elsewhere-one', pid: 4242, since: '2026-01-02T03:04:05.000Z' },
      expiresAt: '2026-01-02T03:05:05.000Z',
    });
  });

  it('is renewed by its holder, taken over once expired, and then lost to the old holder', async () => {
    const [a, b] = await pair();
    let now = '2026-01-02T03:00:00.000Z';
    const first = await a.acquireLease({ ...options('one', now), now: () => new Date(now) });
    if (!first.acquired) throw new Error('not acquired');
    now = '2026-01-02T03:00:50.000Z';
    await first.lease.renew();
    // 50 s + 60 s: still held at 03:01:40, as the renew moved expiry on.
    const during = await b.acquireLease(options('two', '2026-01-02T03:01:40.000Z'));
    expect(during.acquired).toBe(false);
    const after = await b.acquireLease(options('two', '2026-01-02T03:01:51.000Z'));
    expect(after.acquired).toBe(true);
    await expect(first.lease.renew()).rejects.toMatchObject({ code: 'lease_lost' });
    // The stalled holder's release must not free the new holder's lease.
    await first.lease.release();
    const third = await a.acquireLease(options('three', '2026-01-02T03:01:52.000Z'));
    expect(third).toMatchObject({ acquired: false, holder: { id: 'two' } });
  });

  it('is free again once released', async () => {
    const [a, b] = await pair();
    const first = await a.acquireLease(options('one', '2026-01-02T03:00:00.000Z'));
    if (!first.acquired) throw new Error('not acquired');
    await first.lease.release();
    const next = await b.acquireLease(options('two', '2026-01-02T03:00:01.000Z'));
    expect(next.acquired).toBe(true);
  });

  it('has exactly one winner when two runs claim a free lease at once', async () => {
    const [a, b] = await pair();
    const now = '2026-01-02T03:00:00.000Z';
    const results = await Promise.all([
      a.acquireLease(options('one', now)),
      b.acquireLease(options('two', now)),
      a.acquireLease(options('three', now)),
    ]);
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
  });
});
