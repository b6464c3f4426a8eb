/**
 * rotate, revoke, list and onboard (issue 8 §2) against the emulator over loopback, each after
 * a real provision run. Every rotate test ends with provision's invariant: exactly one live key
 * per label, the store's latest version.
 */
import { generateApiKey, hashApiKey } from '@stemedb/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { list } from '../../src/commands/list.js';
import { fetchCommand, onboard } from '../../src/commands/onboard.js';
import { provision } from '../../src/commands/provision.js';
import { revoke } from '../../src/commands/revoke.js';
import { rotate } from '../../src/commands/rotate.js';
import { createMemorySecretStore } from '../../src/stores/memory.js';
import { projectKeyLabel, projectKeySecret, ROOT_KEY_SECRET } from '../../src/stores/names.js';
import { brokenProjects, keyWorks, startServer } from '../support/server.js';

const PROJECTS = ['alpha', 'beta', 'gamma'];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An emulator, a memory store, and the three projects provisioned. */
async function provisioned() {
  const server = await startServer();
  const store = createMemorySecretStore();
  cleanups.push(
    () => server.close(),
    () => store.close(),
  );
  const base = { url: server.url, adminKey: server.rootKey, store };
  await provision({ ...base, projects: PROJECTS });
  const stored = async (p: string) => (await store.readLatest(projectKeySecret(p)))!;
  return { server, store, base, stored };
}

describe('rotate', () => {
  it('gives one project a new working key, revokes the old one, leaves the others alone', async () => {
    const { server, store, base, stored } = await provisioned();
    const before = await Promise.all(PROJECTS.map(stored));
    // --grace 0: the old key goes at once (rotate-grace.test.ts covers the grace).
    const result = await rotate({ ...base, project: 'beta', graceMs: 0 });
    expect(result.projects).toMatchObject([{ project: 'beta', action: 'replaced', revoked: 1 }]);
    expect(result.summary).toEqual({
      created: 0,
      replaced: 1,
      unchanged: 0,
      revoked: 1,
      retired: 1,
      failed: 0,
    });
    const after = await Promise.all(PROJECTS.map(stored));
    expect(after[1]).not.toBe(before[1]);
    expect([after[0], after[2]]).toEqual([before[0], before[2]]);
    expect(await keyWorks(server.url, after[1]!)).toBe(true);
    expect(await keyWorks(server.url, before[1]!)).toBe(false);
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it('rotates every stored project with all', async () => {
    const { server, store, base, stored } = await provisioned();
    const before = await Promise.all(PROJECTS.map(stored));
    const result = await rotate({ ...base, all: true, graceMs: 0 });
    expect(result.projects.map((p) => [p.project, p.action, p.revoked]).sort()).toEqual([
      ['alpha', 'replaced', 1],
      ['beta', 'replaced', 1],
      ['gamma', 'replaced', 1],
    ]);
    const after = await Promise.all(PROJECTS.map(stored));
    expect(after.filter((key, i) => key === before[i])).toEqual([]);
    expect(await brokenProjects(server, store, PROJECTS)).toEqual([]);
  });

  it('refuses a project with neither a stored nor a live key', async () => {
    const { base } = await provisioned();
    await expect(rotate({ ...base, project: 'delta' })).rejects.toMatchObject({
      code: 'project_not_found',
      exitCode: 2,
    });
  });

  it.each([
    { given: {}, why: 'neither a project nor all' },
    { given: { project: 'alpha', all: true }, why: 'both' },
  ])('refuses $why', async ({ given }) => {
    const { base } = await provisioned();
    await expect(rotate({ ...base, ...given })).rejects.toMatchObject({ code: 'invalid_options' });
  });
});

describe('revoke', () => {
  it('revokes every live key of the label and deletes the stored secret', async () => {
    const { server, store, base, stored } = await provisioned();
    const key = await stored('alpha');
    // A duplicate of the label (what two runs at once can leave) goes too.
    await server.admin.admin.createApiKey({ label: projectKeyLabel('alpha'), role: 'write_agent' });
    const result = await revoke({ ...base, project: 'alpha' });
    expect(result).toEqual({ project: 'alpha', revoked: 2, secretDeleted: true });
    expect(await server.liveKeys('alpha')).toEqual([]);
    expect(await store.readLatest(projectKeySecret('alpha'))).toBeUndefined();
    expect(await keyWorks(server.url, key)).toBe(false);
    expect(await brokenProjects(server, store, ['beta', 'gamma'])).toEqual([]);
  });

  it('keeps the stored secret with keepSecret', async () => {
    const { server, store, base, stored } = await provisioned();
    const key = await stored('beta');
    const result = await revoke({ ...base, project: 'beta', keepSecret: true });
    expect(result).toEqual({ project: 'beta', revoked: 1, secretDeleted: false });
    expect(await store.readLatest(projectKeySecret('beta'))).toBe(key);
    expect(await keyWorks(server.url, key)).toBe(false);
  });

  it('refuses a project it knows nothing of, and a bad name', async () => {
    const { base } = await provisioned();
    await expect(revoke({ ...base, project: 'delta' })).rejects.toMatchObject({
      code: 'project_not_found',
    });
    await expect(revoke({ ...base, project: 'Delta!' })).rejects.toMatchObject({
      code: 'invalid_project_name',
    });
  });
});

describe('list', () => {
  it('shows label, role, created, and whether the stored secret is the live key', async () => {
    const { server, store, base } = await provisioned();
    // beta's stored key is now one the server never issued; gamma has an extra orphan.
    await store.writeVersion(projectKeySecret('beta'), generateApiKey());
    await server.admin.admin.createApiKey({ label: projectKeyLabel('gamma'), role: 'write_agent' });
    const result = await list(base);
    const rows = result.keys
      .filter((k) => k.label.startsWith('project-'))
      .map((k) => [k.label, k.role, k.secret, k.stored]);
    expect(rows.sort()).toEqual([
      ['project-alpha', 'write_agent', 'stemedb-key-alpha', true],
      ['project-beta', 'write_agent', 'stemedb-key-beta', false],
      ['project-gamma', 'write_agent', 'stemedb-key-gamma', false],
      ['project-gamma', 'write_agent', 'stemedb-key-gamma', true],
    ]);
    for (const k of result.keys) expect(Number.isNaN(Date.parse(k.created))).toBe(false);
    expect(result.secrets).toEqual([
      { secret: 'stemedb-key-alpha', live: true },
      { secret: 'stemedb-key-beta', live: false },
      { secret: 'stemedb-key-gamma', live: true },
    ]);
  });

  it('marks the root key stored when the store holds it', async () => {
    const { server, store, base } = await provisioned();
    const rootRow = async () => (await list(base)).keys.find((k) => k.role === 'admin');
    expect(await rootRow()).toMatchObject({ secret: ROOT_KEY_SECRET, stored: false });
    await store.writeVersion(ROOT_KEY_SECRET, server.rootKey);
    expect(await rootRow()).toMatchObject({
      secret: ROOT_KEY_SECRET,
      stored: true,
      hash: hashApiKey(server.rootKey),
    });
  });

  it('hides revoked keys unless all, and never holds a key', async () => {
    const { base } = await provisioned();
    await revoke({ ...base, project: 'alpha', keepSecret: true });
    const live = await list(base);
    expect(live.keys.some((k) => k.label === 'project-alpha')).toBe(false);
    const all = await list({ ...base, all: true });
    expect(all.keys.find((k) => k.label === 'project-alpha')?.revoked).not.toBeNull();
    expect(JSON.stringify([live, all])).not.toContain('steme_live_');
  });
});

describe('onboard', () => {
  it('gives the config snippet, the CI variable and the fetch command, but no key', async () => {
    const { store } = await provisioned();
    const result = await onboard({ url: 'https://stemedb.example.com/', store, project: 'alpha' });
    expect(result).toEqual({
      project: 'alpha',
      secret: 'stemedb-key-alpha',
      config: '[hosted]\nurl = "https://stemedb.example.com"\napi_key_env = "STEMEDB_API_KEY"\n',
      ciVariable: 'STEMEDB_API_KEY',
      fetchCommand: `stemedb-admin onboard alpha --store memory: --reveal`,
      stored: true,
    });
    expect(JSON.stringify(result)).not.toContain('steme_live_');
  });

  it('gives the key only with reveal', async () => {
    const { store, stored } = await provisioned();
    const result = await onboard({
      url: 'https://x.example',
      store,
      project: 'beta',
      reveal: true,
    });
    expect(result.key).toBe(await stored('beta'));
  });

  it('says when the store holds no key yet', async () => {
    const { store } = await provisioned();
    const result = await onboard({
      url: 'https://x.example',
      store,
      project: 'delta',
      reveal: true,
    });
    expect(result).toMatchObject({ stored: false });
    expect(result.key).toBeUndefined();
  });

  it.each([
    {
      spec: 'gcp:my-project',
      want: 'gcloud secrets versions access latest --secret=stemedb-key-alpha --project=my-project',
    },
    {
      spec: 'k8s:stemedb',
      want: "kubectl get secret stemedb-key-alpha -n stemedb -o jsonpath='{.data.value}' | base64 -d",
    },
    {
      spec: 'file:/srv/my secrets.json',
      want: `jq -r '.secrets["stemedb-key-alpha"].versions[-1].value' '/srv/my secrets.json'`,
    },
  ])('fetches from $spec with the store’s own tool', ({ spec, want }) => {
    expect(fetchCommand(spec, 'stemedb-key-alpha')).toBe(want);
  });

  it('refuses a URL that is not absolute', async () => {
    const { store } = await provisioned();
    await expect(onboard({ url: 'stemedb', store, project: 'alpha' })).rejects.toMatchObject({
      code: 'invalid_options',
    });
  });
});
