/**
 * Issue 22 against the emulator over loopback: orphans judged with time, rotation with a grace
 * period that survives a crash, the store bound to the server (--max-revoke), off-boarding
 * remembered. Each test fails on the code before issue 22.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { provision } from '../../src/commands/provision.js';
import { revoke } from '../../src/commands/revoke.js';
import { rotate } from '../../src/commands/rotate.js';
import { createFileSecretStore } from '../../src/stores/file.js';
import { createMemorySecretStore } from '../../src/stores/memory.js';
import { projectKeyLabel, projectKeySecret } from '../../src/stores/names.js';
import {
  brokenProjects,
  FAST_RETRY,
  keyWorks,
  startServer,
  type TestServer,
  tempDir,
} from '../support/server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const MIN = 60_000;
const HOUR = 3_600_000;
const at = (ms: number) => () => new Date(Date.now() + ms);

async function setup(projects: readonly string[]) {
  const server = await startServer();
  const store = createMemorySecretStore();
  cleanups.push(
    () => server.close(),
    () => store.close(),
  );
  const base = { url: server.url, adminKey: server.rootKey, client: FAST_RETRY };
  await provision({ ...base, store, projects });
  return { server, store, base };
}

async function liveHashes(server: TestServer, project: string): Promise<string[]> {
  return (await server.liveKeys(project)).map((k) => k.hash).sort();
}

describe('orphans judged with time', () => {
  it('spares a live key the store does not hold while it is younger than the lease, revokes it after', async () => {
    const { server, store, base } = await setup(['alpha']);
    // Another run's key between create and store, as far as this run can tell.
    const inFlight = await server.admin.admin.createApiKey({
      label: projectKeyLabel('alpha'),
      role: 'write_agent',
    });
    const first = await provision({ ...base, store, projects: ['alpha'] });
    expect(first.plan.projects[0]?.spare).toMatchObject([
      { hash: inFlight.hash, why: 'in flight' },
    ]);
    expect(await liveHashes(server, 'alpha')).toContain(inFlight.hash);
    const later = await provision({ ...base, store, projects: ['alpha'], now: at(2 * MIN) });
    expect(later.projects[0]?.hashes.revoked).toEqual([inFlight.hash]);
    expect(await brokenProjects(server, store, ['alpha'])).toEqual([]);
  });
});

describe('rotation with a grace period', () => {
  it('keeps the old key working through the grace, then the next provision retires it', async () => {
    const tmp = tempDir('grace');
    cleanups.push(tmp.remove);
    const path = join(tmp.dir, 'secrets.json');
    const server = await startServer();
    cleanups.push(() => server.close());
    const base = { url: server.url, adminKey: server.rootKey, client: FAST_RETRY };
    const first = createFileSecretStore({ path });
    await provision({ ...base, store: first, projects: ['alpha', 'beta'] });
    const old = (await first.readLatest(projectKeySecret('alpha')))!;

    const rotated = await rotate({ ...base, store: first, project: 'alpha' });
    expect(rotated.projects[0]).toMatchObject({ action: 'replaced', revoked: 0 });
    const fresh = (await first.readLatest(projectKeySecret('alpha')))!;
    expect(await keyWorks(server.url, fresh)).toBe(true);
    expect(await keyWorks(server.url, old)).toBe(true);
    await first.close();

    // A new process (nothing kept in memory): the retire time comes from the stored version.
    const again = createFileSecretStore({ path });
    cleanups.push(() => again.close());
    const within = await provision({
      ...base,
      store: again,
      projects: ['alpha', 'beta'],
      now: at(HOUR),
    });
    expect(within.summary).toMatchObject({ unchanged: 2, revoked: 0, retired: 0 });
    expect(within.plan.projects[0]?.spare).toMatchObject([{ why: 'grace' }]);
    expect(await keyWorks(server.url, old)).toBe(true);

    const after = await provision({
      ...base,
      store: again,
      projects: ['alpha', 'beta'],
      now: at(2 * HOUR + MIN),
    });
    expect(after.plan.projects[0]?.retire).toHaveLength(1);
    expect(after.summary).toMatchObject({ unchanged: 2, revoked: 1, retired: 1 });
    expect(after.projects[0]?.hashes.retired).toHaveLength(1);
    expect(await keyWorks(server.url, old)).toBe(false);
    expect(await brokenProjects(server, again, ['alpha', 'beta'])).toEqual([]);
  });

  it('with grace 0 revokes the old key at once', async () => {
    const { server, store, base } = await setup(['alpha']);
    const old = (await store.readLatest(projectKeySecret('alpha')))!;
    await rotate({ ...base, store, project: 'alpha', graceMs: 0 });
    expect(await keyWorks(server.url, old)).toBe(false);
    expect(await brokenProjects(server, store, ['alpha'])).toEqual([]);
  });

  it('a second rotation within the grace revokes the oldest key: never two old keys live', async () => {
    const { server, store, base } = await setup(['alpha']);
    await rotate({ ...base, store, project: 'alpha' });
    await rotate({ ...base, store, project: 'alpha' });
    expect(await server.liveKeys('alpha')).toHaveLength(2);
  });
});

describe('the store is bound to the server (--max-revoke)', () => {
  const TWENTY = Array.from({ length: 20 }, (_, i) => `proj-${i}`);

  it('refuses to revoke the live keys of 20 projects from an empty store, changing nothing', async () => {
    const { server, base } = await setup(TWENTY);
    const wrong = createMemorySecretStore();
    cleanups.push(() => wrong.close());
    const before = (await server.admin.admin.listApiKeys()).keys.length;
    const run = provision({ ...base, store: wrong, projects: TWENTY, now: at(2 * MIN) });
    await expect(run).rejects.toMatchObject({ code: 'mass_revoke_refused' });
    const message = String(((await run.catch((e) => e)) as Error).message);
    expect(message).toContain('refusing to revoke the live keys of 20 projects');
    expect(message).toContain(
      '0 of 20 live project keys are in this store: is it the right store?',
    );
    expect((await server.admin.admin.listApiKeys()).keys.length).toBe(before);
    expect(await wrong.list('stemedb-key-')).toEqual([]);
  });

  it('proceeds with allowMassRevoke, and allows up to maxRevoke projects', async () => {
    const { server, store, base } = await setup(TWENTY);
    // Three projects' stored keys lost: within the default limit of 3.
    for (const p of TWENTY.slice(0, 3)) await store.delete(projectKeySecret(p));
    const within = await provision({ ...base, store, projects: TWENTY, now: at(2 * MIN) });
    expect(within.summary).toMatchObject({ replaced: 0, created: 3, revoked: 3 });
    for (const p of TWENTY.slice(0, 4)) await store.delete(projectKeySecret(p));
    await expect(
      provision({ ...base, store, projects: TWENTY, now: at(3 * MIN), maxRevoke: 3 }),
    ).rejects.toMatchObject({ code: 'mass_revoke_refused' });
    const allowed = await provision({
      ...base,
      store,
      projects: TWENTY,
      now: at(3 * MIN),
      allowMassRevoke: true,
    });
    expect(allowed.summary).toMatchObject({ created: 4, revoked: 4 });
    expect(await brokenProjects(server, store, TWENTY)).toEqual([]);
  });
});

describe('--max-revoke counts every live key the store does not hold', () => {
  const FIVE = ['alpha', 'beta', 'gamma', 'delta', 'eps'];

  /** A second store's working keys: one more live key of each label, held elsewhere. */
  async function otherStoreKeys(server: TestServer): Promise<number> {
    for (const p of FIVE) {
      await server.admin.admin.createApiKey({ label: projectKeyLabel(p), role: 'write_agent' });
    }
    return (await server.admin.admin.listApiKeys()).keys.filter((k) => !k.revoked_at).length;
  }

  it('provision refuses to revoke them beside stored live keys of five projects', async () => {
    const { server, store, base } = await setup(FIVE);
    const live = await otherStoreKeys(server);
    // Past the lease: they are judged orphans, not another run's keys in flight.
    const run = provision({ ...base, store, projects: FIVE, now: at(2 * MIN) });
    await expect(run).rejects.toMatchObject({ code: 'mass_revoke_refused' });
    expect(String(((await run.catch((e) => e)) as Error).message)).toContain(
      'refusing to revoke the live keys of 5 projects',
    );
    expect((await server.admin.admin.listApiKeys()).keys.filter((k) => !k.revoked_at)).toHaveLength(
      live,
    );
    const allowed = await provision({
      ...base,
      store,
      projects: FIVE,
      now: at(2 * MIN),
      allowMassRevoke: true,
    });
    expect(allowed.summary).toMatchObject({ unchanged: 5, revoked: 5 });
    expect(await brokenProjects(server, store, FIVE)).toEqual([]);
  });

  it('rotate --all refuses to revoke them first, changing nothing', async () => {
    const { server, store, base } = await setup(FIVE);
    const live = await otherStoreKeys(server);
    const run = rotate({ ...base, store, all: true, now: at(2 * MIN) });
    await expect(run).rejects.toMatchObject({ code: 'mass_revoke_refused' });
    const keys = (await server.admin.admin.listApiKeys()).keys;
    expect(keys.filter((k) => !k.revoked_at)).toHaveLength(live);
    // Nothing minted either.
    expect(keys.filter((k) => k.label.startsWith('project-'))).toHaveLength(10);
    const rotated = await rotate({ ...base, store, all: true, maxRevoke: 5 });
    expect(rotated.summary).toMatchObject({ replaced: 5, revoked: 5 });
  });
});

describe('off-boarding remembered', () => {
  it('revoke --keep-secret marks the project; rotate --all skips it; provision lists it as unlisted', async () => {
    const { server, store, base } = await setup(['alpha', 'beta', 'gamma']);
    await revoke({ ...base, store, project: 'beta', keepSecret: true });
    const rotated = await rotate({ ...base, store, all: true, graceMs: 0 });
    expect(rotated.projects.map((p) => p.project)).toEqual(['alpha', 'gamma']);
    expect(await server.liveKeys('beta')).toEqual([]);
    // gamma is no longer in the file: reported, not touched; beta is off-boarded: not reported.
    const result = await provision({ ...base, store, projects: ['alpha'] });
    expect(result.unlisted).toEqual(['gamma']);
    expect(await server.liveKeys('gamma')).toHaveLength(1);
  });

  it('--prune off-boards the unlisted projects, counted against --max-revoke', async () => {
    const { server, store, base } = await setup(['alpha', 'beta', 'gamma', 'delta', 'eps']);
    await expect(
      provision({ ...base, store, projects: ['alpha'], prune: true }),
    ).rejects.toMatchObject({ code: 'mass_revoke_refused' });
    const result = await provision({ ...base, store, projects: ['alpha', 'beta'], prune: true });
    expect(result.pruned).toEqual([
      { project: 'delta', revoked: 1 },
      { project: 'eps', revoked: 1 },
      { project: 'gamma', revoked: 1 },
    ]);
    expect(await server.liveKeys('gamma')).toEqual([]);
    const next = await provision({ ...base, store, projects: ['alpha', 'beta'] });
    expect(next.unlisted).toEqual([]);
    // Listed again: provisioned, and the mark cleared so rotate --all includes it again.
    const back = await provision({ ...base, store, projects: ['alpha', 'beta', 'gamma'] });
    expect(back.projects[2]).toMatchObject({ project: 'gamma', action: 'created' });
    const rotated = await rotate({ ...base, store, all: true, graceMs: 0 });
    expect(rotated.projects.map((p) => p.project)).toEqual(['alpha', 'beta', 'gamma']);
  });
});
