/**
 * The local Secret Manager's request quotas: a write over the per-window quota fails
 * RESOURCE_EXHAUSTED as the real service's does, a refused call uses no quota, other kinds are
 * counted apart, and the `gcp:` store under its own write limit never meets the quota.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGcpSecretStore } from '../../src/index.js';
import {
  createQuotaGate,
  type SecretManagerEmulator,
  startSecretManagerEmulator,
} from '../../src/testing.js';

const KEY = `steme_live_${'a7'.repeat(24)}`;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('createQuotaGate', () => {
  it('admits `writes` in a window, refuses the next, and admits again once the oldest leaves', () => {
    const gate = createQuotaGate({ writes: 2, intervalMs: 1000 });
    expect(gate.admit('CreateSecret', 0)).toBeUndefined();
    expect(gate.admit('AddSecretVersion', 400)).toBeUndefined();
    expect(gate.admit('DeleteSecret', 999)).toMatch(/Quota exceeded .*'Write requests'/);
    // The refusal at 999 took nothing: the slot of the call at 0 frees at 1000 exactly.
    expect(gate.admit('UpdateSecret', 1000)).toBeUndefined();
    expect(gate.admit('UpdateSecret', 1399)).toMatch(/Write requests per 1000 ms/);
    expect(gate.admit('UpdateSecret', 1400)).toBeUndefined();
  });

  it('counts reads and accesses apart from writes, and leaves an unset kind unlimited', () => {
    const gate = createQuotaGate({ writes: 1, reads: 1 });
    expect(gate.admit('CreateSecret', 0)).toBeUndefined();
    expect(gate.admit('GetSecret', 0)).toBeUndefined();
    expect(gate.admit('ListSecrets', 1)).toMatch(/'Read requests per minute'/);
    for (let i = 0; i < 100; i++) expect(gate.admit('AccessSecretVersion', i)).toBeUndefined();
    expect(gate.admit('DisableSecretVersion', 59_999)).toMatch(/'Write requests per minute'/);
    expect(gate.admit('DisableSecretVersion', 60_000)).toBeUndefined();
  });

  it('refuses nonsense limits', () => {
    expect(() => createQuotaGate({ writes: -1 })).toThrow(/whole number/);
    expect(() => createQuotaGate({ writes: 1, intervalMs: 0 })).toThrow(/intervalMs/);
  });
});

async function gcp(options: { limit: number; quota: number; intervalMs: number }) {
  const sm: SecretManagerEmulator = await startSecretManagerEmulator({
    quota: { writes: options.quota, intervalMs: options.intervalMs },
  });
  const store = createGcpSecretStore({
    project: 'quota-test',
    endpoint: sm.endpoint,
    // No retries: a refusal must show as a failed write, not be hidden by a retry.
    retry: { retries: 0 },
    writeLimit: { writes: options.limit, intervalMs: options.intervalMs },
  });
  cleanups.push(
    () => sm.close(),
    () => store.close(),
  );
  return { sm, store };
}

describe('the local Secret Manager with a write quota', () => {
  it('answers RESOURCE_EXHAUSTED to a store writing past the quota, naming no key', async () => {
    const { sm, store } = await gcp({ limit: 0, quota: 3, intervalMs: 60_000 });
    // Two writes for a new secret (CreateSecret, AddSecretVersion), so the second secret's
    // version is the fourth write.
    await store.writeVersion('quota-one', KEY);
    const error = await store.writeVersion('quota-two', KEY).catch((e: unknown) => e);
    expect(error).toMatchObject({ grpcCode: 'RESOURCE_EXHAUSTED' });
    expect(JSON.stringify(error)).not.toContain(KEY);
    expect(String(error)).not.toContain(KEY);
    const refused = sm.calls().filter((c) => c.code === 'RESOURCE_EXHAUSTED');
    expect(refused.map((c) => c.method)).toEqual(['AddSecretVersion']);
    // Reads are another quota: the stored secret still reads back.
    expect(await store.readLatest('quota-one')).toBe(KEY);
  });

  it('never refuses a store whose own write limit is under the quota', async () => {
    const { sm, store } = await gcp({ limit: 4, quota: 5, intervalMs: 600 });
    const started = Date.now();
    for (let i = 0; i < 6; i++) await store.writeVersion(`quota-${i}`, KEY);
    expect(sm.calls().filter((c) => c.code === 'RESOURCE_EXHAUSTED')).toEqual([]);
    // 12 writes at 4 a window: the last went out in the third window after the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 600);
  });
});
