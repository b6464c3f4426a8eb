/**
 * Issue 8 §2: "a crash at any point (between creating a key and storing it, between storing and
 * revoking) is repaired by the next run without leaving two live keys for a label". A child
 * process runs `stemedb-admin provision` through a proxy that holds one request, so the test
 * knows which step the child is at; the child is then killed with SIGKILL (no cleanup, no
 * finally blocks) and the next run must converge.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateApiKey } from '@stemedb/sdk';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { provision } from '../../src/commands/provision.js';
import { projectKeyLabel, projectKeySecret } from '../../src/stores/names.js';
import { openSecretStore } from '../../src/stores/open.js';
import type { SecretStore } from '../../src/stores/types.js';
import { startSecretManagerEmulator } from '../../src/testing.js';
import { brokenProjects, keyWorks, startServer, tempDir } from '../support/server.js';
import { ensureBuilt, keysIn, runCli, startCli } from './support/cli.js';
import { type HoldRule, startHoldingProxy } from './support/proxy.js';

beforeAll(ensureBuilt, 180_000);

const PROJECTS = ['alpha', 'beta', 'gamma'];
const afterLease = () => new Date(Date.now() + 2 * 60_000);
const library = (server: { url: string; rootKey: string }, store: SecretStore) => ({
  url: server.url,
  adminKey: server.rootKey,
  store,
  projects: PROJECTS,
});
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The store the child and the test share: a file, or the local gRPC Secret Manager. */
async function storeFor(kind: 'file' | 'gcp', dir: string) {
  if (kind === 'file') {
    const spec = `file:${join(dir, 'secrets.json')}`;
    return { args: ['--store', spec], store: await openSecretStore(spec), close: async () => {} };
  }
  const sm = await startSecretManagerEmulator();
  const spec = 'gcp:crash-test';
  const store = await openSecretStore(spec, { gcpEndpoint: sm.endpoint });
  return { args: ['--store', spec, '--gcp-endpoint', sm.endpoint], store, close: () => sm.close() };
}

async function setup(kind: 'file' | 'gcp') {
  const server = await startServer();
  const tmp = tempDir('crash');
  const file = join(tmp.dir, 'projects.txt');
  writeFileSync(file, `${PROJECTS.join('\n')}\n`);
  const side = await storeFor(kind, tmp.dir);
  const store = side.store;
  cleanups.push(
    tmp.remove,
    () => server.close(),
    side.close,
    () => store.close(),
  );
  const env = { STEMEDB_ADMIN_KEY: server.rootKey };
  /** Runs provision in a child through a proxy holding `rule`, and kills it -9 there. */
  const crashAt = async (rule: HoldRule) => {
    const proxy = await startHoldingProxy(server.url, rule);
    cleanups.push(() => proxy.close());
    const args = ['provision', file, ...side.args, '--url', proxy.url, '--concurrency', '1'];
    const running = startCli(args, { env });
    await Promise.race([
      proxy.held,
      running.done.then((r) => {
        throw new Error(`the child ended before the held request: ${r.code} ${r.stderr}`);
      }),
    ]);
    running.child.kill('SIGKILL');
    const result = await running.done;
    expect(result.signal).toBe('SIGKILL');
    return result;
  };
  const rerun = () =>
    runCli(['provision', file, ...side.args, '--url', server.url, '--json'], { env });
  return { server, store, crashAt, rerun };
}

describe.each(['file', 'gcp'] as const)('provision killed -9 mid-run (%s: store)', (kind) => {
  it('between creating a key and storing it: the next run revokes the orphan', async () => {
    const { server, store, crashAt, rerun } = await setup(kind);
    // The second create (beta's) has happened on the server; the child never sees the key.
    await crashAt({ method: 'POST', path: /^\/v1\/admin\/api-keys$/, nth: 2, when: 'after' });
    expect(await store.readLatest(projectKeySecret('beta'))).toBeUndefined();
    expect(await server.liveKeys('beta')).toHaveLength(1);
    expect(await server.liveKeys('gamma')).toHaveLength(0);

    // The killed run's lease is free at once (its process is gone); its orphan is seconds old,
    // so the next run cannot tell it from another run's key in flight: it is spared...
    const again = await rerun();
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      projects: [
        { project: 'alpha', action: 'unchanged', revoked: 0 },
        { project: 'beta', action: 'created', revoked: 0 },
        { project: 'gamma', action: 'created', revoked: 0 },
      ],
      summary: { created: 2, replaced: 0, unchanged: 1, revoked: 0, failed: 0 },
    });
    expect(keysIn(again.stdout + again.stderr)).toEqual([]);
    // ...and revoked by the first run after it is older than the lease.
    const later = await provision({ ...library(server, store), now: afterLease });
    expect(later.summary).toMatchObject({ unchanged: 3, revoked: 1 });
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it('between storing a key and revoking the old one: the next run revokes the old', async () => {
    const { server, store, crashAt, rerun } = await setup(kind);
    await provision({ url: server.url, adminKey: server.rootKey, store, projects: PROJECTS });
    // beta's stored key is one the server never issued (a restored backup, a hand edit), so
    // the plan replaces it: create, store, then revoke the label's key with another role
    // (revoked whatever its age), held before it lands. beta's old write_agent key is seconds
    // old: spared by every run until it is older than the lease (reconcile.ts).
    await store.writeVersion(projectKeySecret('beta'), generateApiKey());
    const [old] = await server.liveKeys('beta');
    const duplicate = await server.admin.admin.createApiKey({
      label: projectKeyLabel('beta'),
      role: 'read_agent',
    });
    await crashAt({ method: 'DELETE', path: /^\/v1\/admin\/api-keys\//, nth: 1, when: 'before' });
    const stored = await store.readLatest(projectKeySecret('beta'));
    expect(await keyWorks(server.url, stored!)).toBe(true);
    expect((await server.liveKeys('beta')).map((k) => k.hash)).toContain(duplicate.hash);
    expect(await server.liveKeys('beta')).toHaveLength(3);

    // The next run keeps the stored key and revokes the duplicate.
    const again = await rerun();
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).projects).toMatchObject([
      { project: 'alpha', action: 'unchanged', revoked: 0 },
      { project: 'beta', action: 'unchanged', revoked: 1, hashes: { revoked: [duplicate.hash] } },
      { project: 'gamma', action: 'unchanged', revoked: 0 },
    ]);
    expect(await store.readLatest(projectKeySecret('beta'))).toBe(stored);
    const later = await provision({ ...library(server, store), now: afterLease });
    expect(later.projects[1]).toMatchObject({
      action: 'unchanged',
      hashes: { revoked: [old!.hash] },
    });
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it('after the first create of a fresh run: one more run and a re-run that changes nothing', async () => {
    const { server, store, crashAt, rerun } = await setup(kind);
    await crashAt({ method: 'POST', path: /^\/v1\/admin\/api-keys$/, nth: 1, when: 'after' });
    expect(await store.list('stemedb-key-')).toEqual([]);
    expect((await rerun()).code).toBe(0);
    // alpha's orphan is revoked once older than the lease.
    await provision({ ...library(server, store), now: afterLease });
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
    const third = JSON.parse((await rerun()).stdout);
    expect(third.summary).toEqual({
      created: 0,
      replaced: 0,
      unchanged: 3,
      revoked: 0,
      retired: 0,
      failed: 0,
    });
  });
});
