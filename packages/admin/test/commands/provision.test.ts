/**
 * provision as a reconcile (issue 8 §2): against the emulator over loopback, with the memory and
 * file stores. Every test ends by checking the invariant: exactly one live key per project's
 * label, and it is the store's latest version.
 */
import { join } from 'node:path';
import { generateApiKey } from '@stemedb/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { planProvision, provision } from '../../src/commands/provision.js';
import { createFileSecretStore } from '../../src/stores/file.js';
import { createMemorySecretStore } from '../../src/stores/memory.js';
import { projectKeyLabel, projectKeySecret } from '../../src/stores/names.js';
import type { SecretStore } from '../../src/stores/types.js';
import {
  brokenProjects,
  FAST_RETRY,
  keyWorks,
  startServer,
  type TestServer,
  tempDir,
} from '../support/server.js';
import { interceptStore } from '../support/stores.js';

const PROJECTS = ['alpha', 'beta', 'gamma'];
// Two minutes on: keys made by the test are older than the lease (60 s), no longer possibly
// another run's keys in flight (reconcile.ts), so the orphan rules apply to them.
const later = () => new Date(Date.now() + 120_000);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: Parameters<typeof startServer>[0] = {}) {
  const server = await startServer(options);
  const store = createMemorySecretStore();
  cleanups.push(
    () => server.close(),
    () => store.close(),
  );
  const run = (extra: Partial<Parameters<typeof provision>[0]> = {}) =>
    provision({
      url: server.url,
      adminKey: server.rootKey,
      store,
      projects: PROJECTS,
      client: FAST_RETRY,
      ...extra,
    });
  return { server, store, run };
}

describe('provision', () => {
  it('creates a key per project, stores it, and the stored key writes', async () => {
    const { server, store, run } = await setup();
    const result = await run();
    expect(result.summary).toEqual({
      created: 3,
      replaced: 0,
      unchanged: 0,
      revoked: 0,
      retired: 0,
      failed: 0,
    });
    expect(result.projects.map((p) => [p.project, p.action, p.revoked])).toEqual([
      ['alpha', 'created', 0],
      ['beta', 'created', 0],
      ['gamma', 'created', 0],
    ]);
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
    const key = await store.readLatest(projectKeySecret('beta'));
    expect(await keyWorks(server.url, key!)).toBe(true);
    const [info] = await server.liveKeys('beta');
    expect(info?.role).toBe('write_agent');
  });

  it('changes nothing on a re-run: no request but the list and the reads', async () => {
    const { server, store, run } = await setup();
    await run();
    const before = await store.readLatest(projectKeySecret('alpha'));
    const seen = server.emulator.requests().length;
    const again = await run();
    expect(again.summary).toEqual({
      created: 0,
      replaced: 0,
      unchanged: 3,
      revoked: 0,
      retired: 0,
      failed: 0,
    });
    const calls = server.emulator
      .requests()
      .slice(seen)
      .map((r) => `${r.method} ${r.path}`);
    expect(calls).toEqual(['GET /v1/admin/api-keys']);
    expect(await store.readLatest(projectKeySecret('alpha'))).toBe(before);
  });

  it('replaces a stored key the server does not know, and revokes the old live key', async () => {
    const { server, store, run } = await setup();
    await run();
    const [old] = await server.liveKeys('alpha');
    await store.writeVersion(projectKeySecret('alpha'), generateApiKey());
    const plan = await planProvision({
      url: server.url,
      adminKey: server.rootKey,
      store,
      projects: PROJECTS,
      now: later,
    });
    expect(plan.projects[0]).toMatchObject({
      action: 'replace',
      reason: 'stored key unknown to the server',
      revoke: [old!.hash],
    });
    const result = await run({ now: later });
    expect(result.projects[0]).toMatchObject({ project: 'alpha', action: 'replaced', revoked: 1 });
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it('keeps the stored key and revokes duplicates and orphans of the label', async () => {
    const { server, store, run } = await setup();
    await run();
    // An orphan (what a crash between create and store leaves) and a key of the label with another role.
    await server.admin.admin.createApiKey({ label: projectKeyLabel('gamma'), role: 'write_agent' });
    await server.admin.admin.createApiKey({ label: projectKeyLabel('gamma'), role: 'read_agent' });
    const result = await run({ now: later });
    expect(result.projects[2]).toMatchObject({ project: 'gamma', action: 'unchanged', revoked: 2 });
    expect(result.summary.revoked).toBe(2);
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it.each([
    { given: 'not a key', reason: 'stored value is not a StemeDB key' },
    { given: 'revoked', reason: 'stored key was revoked' },
  ])('replaces a stored value that is $given', async ({ given, reason }) => {
    const { server, store, run } = await setup();
    await run();
    if (given === 'revoked') {
      const [live] = await server.liveKeys('beta');
      await server.admin.admin.revokeApiKey(live!.hash);
    } else {
      await store.writeVersion(projectKeySecret('beta'), 'hunter2');
    }
    const plan = await planProvision({
      url: server.url,
      adminKey: server.rootKey,
      store,
      projects: PROJECTS,
    });
    if (given === 'revoked') {
      expect(plan.projects[1]).toMatchObject({ action: 'replace', reason });
      // A real run reads no store where no key of the label is live: a create, as its plan says.
      expect((await run()).projects[1]?.action).toBe('created');
    } else {
      expect(plan.projects[1]).toMatchObject({ action: 'replace', reason });
      expect((await run({ now: later })).projects[1]?.action).toBe('replaced');
    }
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it('reads only the stored keys it needs: none on a first run, every one in the dry run', async () => {
    const server = await startServer();
    const inner = createMemorySecretStore();
    cleanups.push(
      () => server.close(),
      () => inner.close(),
    );
    const reads: string[] = [];
    const store = interceptStore(inner, 'readLatest', (name) => void reads.push(name));
    const options = { url: server.url, adminKey: server.rootKey, store, projects: PROJECTS };
    // Stored but dead (no live key of its label): replaced, and told so by the write.
    await inner.writeVersion(projectKeySecret('beta'), generateApiKey());

    const dry = await planProvision(options);
    expect(reads.sort()).toEqual(PROJECTS.map(projectKeySecret).sort());
    expect(dry.projects.map((p) => [p.project, p.action])).toEqual([
      ['alpha', 'create'],
      ['beta', 'replace'],
      ['gamma', 'create'],
    ]);

    reads.length = 0;
    const result = await provision(options);
    expect(reads).toEqual([]);
    // Unread, beta's dead stored key is overwritten as a create: the plan said so, and the
    // result is the plan (reconcile.ts), not relabelled after the write.
    expect(result.projects.map((p) => [p.project, p.action])).toEqual([
      ['alpha', 'created'],
      ['beta', 'created'],
      ['gamma', 'created'],
    ]);
    expect(result.plan.projects.every((p) => p.reason === 'no live key of the label')).toBe(true);
    expect(await brokenProjects(server, inner, PROJECTS)).toEqual([]);

    // With live keys, every stored key must be read to know it is the live one.
    reads.length = 0;
    expect((await provision(options)).summary.unchanged).toBe(3);
    expect(reads.sort()).toEqual(PROJECTS.map(projectKeySecret).sort());
  });

  it('reads stored keys at readConcurrency while planning, writes at concurrency', async () => {
    const server = await startServer();
    const inner = createMemorySecretStore();
    cleanups.push(
      () => server.close(),
      () => inner.close(),
    );
    const projects = Array.from({ length: 12 }, (_, i) => `p${i}`);
    let reading = 0;
    let mostReading = 0;
    const slowReads = interceptStore(inner, 'readLatest', async () => {
      reading += 1;
      mostReading = Math.max(mostReading, reading);
      await new Promise((r) => setTimeout(r, 20));
      reading -= 1;
    });
    const base = { url: server.url, adminKey: server.rootKey, projects, concurrency: 2 };
    await provision({ ...base, store: inner });
    await planProvision({ ...base, store: slowReads, readConcurrency: 5 });
    expect(mostReading).toBe(5);
    mostReading = 0;
    await planProvision({ ...base, store: slowReads });
    expect(mostReading).toBe(12); // the default, 64, is above the 12 projects
  });

  it('plans without changing anything (the dry run)', async () => {
    const { server, store } = await setup();
    const seen = server.emulator.requests().length;
    const plan = await planProvision({
      url: server.url,
      adminKey: server.rootKey,
      store,
      projects: PROJECTS,
    });
    expect(plan.summary).toEqual({
      create: 3,
      replace: 0,
      unchanged: 0,
      revoke: 0,
      retire: 0,
      failed: 0,
    });
    expect(
      server.emulator
        .requests()
        .slice(seen)
        .map((r) => r.method),
    ).toEqual(['GET']);
    expect(await store.list('stemedb-key-')).toEqual([]);
  });

  it('fails one project whose store write fails, completes the others, and leaves no orphan', async () => {
    const { server } = await setup();
    const inner = createMemorySecretStore();
    cleanups.push(() => inner.close());
    const store = interceptStore(inner, 'writeVersion', (name) => {
      if (name === projectKeySecret('beta')) throw new Error('disk on fire');
    });
    const result = await provision({
      url: server.url,
      adminKey: server.rootKey,
      store,
      projects: PROJECTS,
    });
    expect(result.summary).toMatchObject({ created: 2, failed: 1 });
    expect(result.projects[1]).toMatchObject({ project: 'beta', action: 'failed' });
    expect(result.projects[1]?.error).toContain('disk on fire');
    // The key nobody holds was revoked at once.
    expect(await server.liveKeys('beta')).toEqual([]);
    const again = await provision({
      url: server.url,
      adminKey: server.rootKey,
      store: inner,
      projects: PROJECTS,
    });
    expect(again.summary).toMatchObject({ created: 1, unchanged: 2, failed: 0 });
    expect(await brokenProjects(server, inner, PROJECTS)).toEqual([]);
  });

  it('rides out a StemeDB outage mid-run with the SDK retries', async () => {
    const { server } = await setup();
    const inner = createMemorySecretStore();
    cleanups.push(() => inner.close());
    const projects = Array.from({ length: 12 }, (_, i) => `p${i}`);
    // The third store write starts a 503 window: the creates and revokes after it are retried.
    const store = interceptStore(inner, 'writeVersion', (_name, n) => {
      if (n === 3) server.emulator.faults.outage({ ms: 700, mode: 503 });
    });
    const result = await provision({
      url: server.url,
      adminKey: server.rootKey,
      store,
      projects,
      concurrency: 2,
      client: FAST_RETRY,
    });
    expect(result.summary).toMatchObject({ created: 12, failed: 0 });
    expect(server.emulator.requests().some((r) => r.status === 503)).toBe(true);
    expect(await brokenProjects(server, inner, projects)).toEqual([]);
  });

  it('repairs a fresh data dir (every stored key dead) in one run', async () => {
    const first = tempDir('data-a');
    const second = tempDir('data-b');
    cleanups.push(first.remove, second.remove);
    const rootApiKey = generateApiKey();
    let server: TestServer = await startServer({ rootApiKey, dataDir: first.dir });
    const store = createMemorySecretStore();
    cleanups.push(() => store.close());
    await provision({ url: server.url, adminKey: rootApiKey, store, projects: PROJECTS });
    await server.close();
    server = await startServer({ rootApiKey, dataDir: second.dir });
    cleanups.push(() => server.close());
    const stored = await store.readLatest(projectKeySecret('alpha'));
    expect(await keyWorks(server.url, stored!)).toBe(false);
    const result = await provision({
      url: server.url,
      adminKey: rootApiKey,
      store,
      projects: PROJECTS,
    });
    // The server knows none of the stored keys and has no live key of the labels: nothing is
    // read, nothing live is revoked, every project gets a new key (not limited by maxRevoke).
    expect(result.summary).toEqual({
      created: 3,
      replaced: 0,
      unchanged: 0,
      revoked: 0,
      retired: 0,
      failed: 0,
    });
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
    const again = await provision({
      url: server.url,
      adminKey: rootApiKey,
      store,
      projects: PROJECTS,
    });
    expect(again.summary.unchanged).toBe(3);
  });

  it('converges after two runs at once (two file-store handles) and one more', async () => {
    const { server } = await setup();
    const tmp = tempDir('concurrent');
    cleanups.push(tmp.remove);
    const path = join(tmp.dir, 'secrets.json');
    const stores: SecretStore[] = [
      createFileSecretStore({ path }),
      createFileSecretStore({ path }),
    ];
    cleanups.push(...stores.map((s) => () => s.close()));
    const projects = Array.from({ length: 8 }, (_, i) => `proj-${i}`);
    const options = (store: SecretStore) => ({
      url: server.url,
      adminKey: server.rootKey,
      store,
      projects,
    });
    const both = await Promise.all(stores.map((s) => provision(options(s))));
    expect(both.every((r) => r.summary.failed === 0)).toBe(true);
    await provision(options(stores[0]!));
    expect(await brokenProjects(server, stores[1]!, projects)).toEqual([]);
  });

  it('fails the whole run with unauthorized when the admin key is refused', async () => {
    const { server, store } = await setup();
    const run = provision({
      url: server.url,
      adminKey: generateApiKey(),
      store,
      projects: PROJECTS,
    });
    await expect(run).rejects.toMatchObject({
      name: 'AdminError',
      code: 'unauthorized',
      exitCode: 3,
    });
  });

  it.each([
    { given: { projects: ['Bad_Name'] }, want: 'invalid_project_name' },
    { given: { projects: ['a', 'a'] }, want: 'invalid_options' },
    { given: { concurrency: 0 }, want: 'invalid_options' },
    { given: { surprise: true }, want: 'invalid_options' },
  ])('refuses bad options ($want) before contacting anything', async ({ given, want }) => {
    const { server, store } = await setup();
    const seen = server.emulator.requests().length;
    const options = {
      url: server.url,
      adminKey: server.rootKey,
      store,
      projects: PROJECTS,
      ...given,
    };
    await expect(provision(options as never)).rejects.toMatchObject({ code: want });
    expect(server.emulator.requests().length).toBe(seen);
  });

  it('never puts a key in its result, its plan or its errors', async () => {
    const { server, store, run } = await setup();
    await store.writeVersion(projectKeySecret('alpha'), generateApiKey());
    const failing = interceptStore(store, 'writeVersion', () => {
      throw new Error(`echoing ${server.rootKey}`);
    });
    const result = await provision({
      url: server.url,
      adminKey: server.rootKey,
      store: failing,
      projects: PROJECTS,
    });
    const ok = await run();
    const text = JSON.stringify([result, ok]);
    expect(text).not.toMatch(/steme_live_[0-9a-f]{48}/);
    expect(result.projects[0]?.error).toContain('steme_live_[redacted]');
  });
});
