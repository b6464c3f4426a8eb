/**
 * One run at a time per store (issue 22). The headline race: `rotate --all` and `provision`
 * running at once. Without a lease, provision sees the keys rotate has minted and not yet
 * stored as orphans and revokes them; rotate then stores those dead keys and revokes the old
 * ones: every project is left with a dead stored key and no live key. With the lease, the
 * second run waits for the first, or exits naming it.
 */
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { provision } from '../../src/commands/provision.js';
import { revoke } from '../../src/commands/revoke.js';
import { rotate } from '../../src/commands/rotate.js';
import { withRunLease } from '../../src/commands/run-lease.js';
import { createMemorySecretStore } from '../../src/stores/memory.js';
import { brokenProjects, FAST_RETRY, startServer } from '../support/server.js';
import { interceptStore } from '../support/stores.js';

const PROJECTS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setup() {
  const server = await startServer();
  const store = createMemorySecretStore();
  cleanups.push(
    () => server.close(),
    () => store.close(),
  );
  const base = { url: server.url, adminKey: server.rootKey, client: FAST_RETRY };
  await provision({ ...base, store, projects: PROJECTS });
  return { server, store, base };
}

describe('the run lease', () => {
  it('keeps rotate --all and provision from interleaving: every project keeps a live stored key', async () => {
    const { server, store, base } = await setup();
    let other: Promise<unknown> | undefined;
    // Just before rotate stores its first new key (all eight are minted by then), provision
    // starts; it gets half a second to do its worst before rotate goes on.
    const rotating = interceptStore(store, 'writeVersion', async (_name, n) => {
      if (n !== 1) return;
      other = provision({ ...base, store, projects: PROJECTS });
      await Promise.race([other, sleep(500)]);
    });
    // --grace 0, so that the check below is exactly one live key per project.
    const rotated = await rotate({ ...base, store: rotating, all: true, graceMs: 0 });
    const provisioned = (await other) as Awaited<ReturnType<typeof provision>>;
    expect(rotated.summary).toMatchObject({ replaced: 8, failed: 0 });
    expect(provisioned.summary).toMatchObject({ unchanged: 8, failed: 0, revoked: 0 });
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it('makes a second run wait up to lockTimeoutMs, then fail naming the holder', async () => {
    const { store, base } = await setup();
    let release!: () => void;
    const holding = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const first = withRunLease(store, { command: 'rotate' }, async () => {
      entered();
      await holding;
    });
    await inside;
    const started = Date.now();
    const second = provision({ ...base, store, projects: PROJECTS, lockTimeoutMs: 300 });
    await expect(second).rejects.toMatchObject({ code: 'lease_held' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const error = await second.catch((e: Error) => e);
    expect(String((error as Error).message)).toContain(
      `rotate on ${hostname()} (pid ${process.pid}) since 20`,
    );
    // revoke and rotate wait for it as well.
    await expect(revoke({ ...base, store, project: 'p1', lockTimeoutMs: 0 })).rejects.toMatchObject(
      { code: 'lease_held' },
    );
    await expect(rotate({ ...base, store, project: 'p1', lockTimeoutMs: 0 })).rejects.toMatchObject(
      { code: 'lease_held' },
    );
    release();
    await first;
  });

  it('lets a waiting run in as soon as the holder releases', async () => {
    const { store, base } = await setup();
    const first = withRunLease(store, { command: 'rotate' }, () => sleep(300));
    const result = await provision({ ...base, store, projects: PROJECTS, lockTimeoutMs: 5_000 });
    expect(result.summary.unchanged).toBe(8);
    await first;
  });

  it('takes over the lease of a run that stopped renewing once it expires', async () => {
    const { server, store, base } = await setup();
    // A run on another host that took the lease two minutes ago and died: expired.
    const stale = await store.acquireLease({
      holder: { id: 'gone', host: 'other-host', pid: 1, since: '2020-01-01T00:00:00.000Z' },
      durationMs: 60_000,
      now: () => new Date(Date.now() - 120_000),
    });
    expect(stale.acquired).toBe(true);
    const result = await provision({ ...base, store, projects: PROJECTS, lockTimeoutMs: 0 });
    expect(result.summary.failed).toBe(0);
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it('stops a run whose lease another run took over: its signal aborts with lease_lost', async () => {
    const store = createMemorySecretStore();
    cleanups.push(() => store.close());
    const reason = await withRunLease(
      store,
      { command: 'rotate', leaseDurationMs: 300 },
      async (signal) => {
        // This run stalls; another, judging by its clock that the lease expired, takes it.
        const other = await store.acquireLease({
          holder: { id: 'other', host: 'other-host', pid: 1, since: new Date().toISOString() },
          durationMs: 60_000,
          now: () => new Date(Date.now() + 10_000),
        });
        expect(other.acquired).toBe(true);
        await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
        return signal.reason as Error;
      },
    );
    expect(reason).toMatchObject({ code: 'lease_lost' });
    expect(reason.message).toContain('taken over by another run');
  });
});
