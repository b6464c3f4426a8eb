/**
 * provision, rotate and revoke with the `gcp:` store: the real Secret Manager client against the
 * local gRPC Secret Manager (`startSecretManagerEmulator`) and the emulator, both on loopback.
 * Issue 8 §3: "a Secret Manager that fails some calls (UNAVAILABLE, then OK)".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/commands/bootstrap.js';
import { planProvision, provision } from '../../src/commands/provision.js';
import { revoke } from '../../src/commands/revoke.js';
import { rotate } from '../../src/commands/rotate.js';
import { DEFAULT_LEASE_DURATION_MS } from '../../src/commands/run-lease.js';
import { createSecretManagerClient } from '../../src/stores/gcp-client.js';
import { projectKeySecret } from '../../src/stores/names.js';
import { openSecretStore } from '../../src/stores/open.js';
import { SECRET_MANAGER_PERMISSIONS, startSecretManagerEmulator } from '../../src/testing.js';
import { brokenProjects, keyWorks, startServer } from '../support/server.js';

const PROJECTS = ['alpha', 'beta', 'gamma'];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const server = await startServer();
  const sm = await startSecretManagerEmulator();
  const store = await openSecretStore('gcp:test-project', {
    gcpEndpoint: sm.endpoint,
    // Short waits, so that a retried call takes milliseconds rather than seconds.
    gcp: { retry: { minDelayMs: 5, maxDelayMs: 20, jitter: false } },
  });
  cleanups.push(
    () => server.close(),
    () => sm.close(),
    () => store.close(),
  );
  const base = { url: server.url, adminKey: server.rootKey, store };
  return { server, sm, store, base };
}

describe('provision with the gcp: store', () => {
  it('creates a secret per project holding a working key; a re-run adds no version', async () => {
    const { server, sm, store, base } = await setup();
    const result = await provision({ ...base, projects: PROJECTS });
    expect(result.summary).toMatchObject({ created: 3, failed: 0 });
    // Beside the project keys: the run lease's secret (no versions, see lease-gcp.ts).
    expect(sm.secretNames()).toEqual([
      'projects/test-project/secrets/stemedb-admin-lease',
      ...PROJECTS.map((p) => `projects/test-project/secrets/stemedb-key-${p}`),
    ]);
    expect(await keyWorks(server.url, (await store.readLatest(projectKeySecret('beta')))!)).toBe(
      true,
    );
    sm.clearCalls();
    const again = await provision({ ...base, projects: PROJECTS });
    expect(again.summary).toMatchObject({ unchanged: 3, created: 0, replaced: 0, revoked: 0 });
    // Reads, the preflight (one ListSecrets, one TestIamPermissions) and the run lease (taken
    // and released) are all a re-run sends.
    const reads = ['AccessSecretVersion', 'ListSecrets', 'TestIamPermissions'];
    const writes = sm
      .calls()
      .filter((c) => !reads.includes(c.method) && !c.resource.endsWith('/stemedb-admin-lease'));
    expect(writes).toEqual([]);
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it('rides out Secret Manager calls failing UNAVAILABLE, then OK', async () => {
    const { server, sm, store, base } = await setup();
    // A first run writes (it reads nothing it would overwrite anyway); a re-run reads.
    sm.failNext('CreateSecret', { count: 2, code: 'UNAVAILABLE' });
    sm.failNext('AddSecretVersion', { count: 2, code: 'UNAVAILABLE' });
    const result = await provision({ ...base, projects: PROJECTS, concurrency: 1 });
    expect(result.summary).toMatchObject({ created: 3, failed: 0 });
    expect(sm.calls().filter((c) => c.injected)).toHaveLength(4);
    sm.failNext('AccessSecretVersion', { count: 2, code: 'UNAVAILABLE' });
    const again = await provision({ ...base, projects: PROJECTS, concurrency: 1 });
    expect(again.summary).toMatchObject({ unchanged: 3, failed: 0 });
    expect(sm.calls().filter((c) => c.injected)).toHaveLength(6);
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it('fails one project on a non-transient error, completes the others, and repairs next run', async () => {
    const { server, sm, store, base } = await setup();
    sm.failNext('AddSecretVersion', { count: 1, code: 'PERMISSION_DENIED' });
    const result = await provision({ ...base, projects: PROJECTS, concurrency: 1 });
    expect(result.summary).toMatchObject({ created: 2, failed: 1 });
    const failed = result.projects.find((p) => p.action === 'failed')!;
    expect(failed.error).toMatch(/storing stemedb-key-\w+/);
    // The key nobody could store was revoked at once.
    expect(await server.liveKeys(failed.project)).toEqual([]);
    const again = await provision({ ...base, projects: PROJECTS });
    expect(again.summary).toMatchObject({ created: 1, unchanged: 2, failed: 0 });
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it('sees a disabled latest version as no stored key, though an older one is live, and repairs it', async () => {
    const { server, sm, store, base } = await setup();
    await provision({ ...base, projects: PROJECTS });
    // Someone stored a bad value by hand and disabled it: version 1 still holds the live key,
    // but `latest` (what External Secrets reads) is the disabled version 2.
    const raw = await createSecretManagerClient({ host: '127.0.0.1', port: sm.port });
    const secret = 'projects/test-project/secrets/stemedb-key-beta';
    await raw.addSecretVersion({ parent: secret, payload: { data: Buffer.from('not a key') } });
    await raw.disableSecretVersion({ name: `${secret}/versions/2` });
    await raw.close();
    const plan = await planProvision({ ...base, projects: PROJECTS });
    const beta = plan.projects.find((p) => p.project === 'beta');
    expect(beta?.action).not.toBe('unchanged');
    // The old live key is not what the store's latest holds: past the lease (it cannot be
    // another run's key in flight) it is revoked in the same run.
    const pastLease = () => new Date(Date.now() + DEFAULT_LEASE_DURATION_MS + 1_000);
    const result = await provision({ ...base, projects: PROJECTS, now: pastLease });
    expect(result.summary).toMatchObject({ unchanged: 2, failed: 0 });
    expect((await store.listVersions(projectKeySecret('beta'))).map((v) => v.version)).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it('revoke and bootstrap check the store first: a missing permission changes nothing', async () => {
    const { server, sm, base } = await setup();
    await provision({ ...base, projects: PROJECTS });
    const all = Object.values(SECRET_MANAGER_PERMISSIONS).filter(
      (p): p is string => p !== undefined,
    );
    sm.setPermissions(all.filter((p) => p !== 'secretmanager.secrets.delete'));
    const refused = await revoke({ ...base, project: 'gamma' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'permission_denied' });
    expect(String((refused as Error).message)).toContain('secretmanager.secrets.delete');
    // Its key is still live, and still stored: revoking first would have left it dead there.
    expect(await server.liveKeys('gamma')).toHaveLength(1);
    expect(await brokenProjects(server, base.store, PROJECTS)).toEqual([]);
    sm.setPermissions(all.filter((p) => p !== 'secretmanager.versions.add'));
    sm.clearCalls();
    const boot = await bootstrap({ store: base.store }).catch((e: unknown) => e);
    expect(boot).toMatchObject({ code: 'permission_denied' });
    expect(sm.calls().map((c) => c.method)).not.toContain('CreateSecret');
  });

  it('rotates every stored project and revokes one, through the same store', async () => {
    const { server, store, base } = await setup();
    await provision({ ...base, projects: PROJECTS });
    const rotated = await rotate({ ...base, all: true, graceMs: 0 });
    expect(rotated.summary).toMatchObject({ replaced: 3, revoked: 3, failed: 0 });
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
    expect(await revoke({ ...base, project: 'gamma' })).toEqual({
      project: 'gamma',
      revoked: 1,
      secretDeleted: true,
    });
    expect(await store.list('stemedb-key-')).toEqual(['stemedb-key-alpha', 'stemedb-key-beta']);
  });
});
