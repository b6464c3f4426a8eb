/**
 * `preflight`: each store says, before a command mints anything, whether its credentials may
 * write, against the real thing where it can be made to refuse: the local Secret Manager with a
 * permission withheld (TestIamPermissions), the Kubernetes API double with a verb withheld
 * (SelfSubjectAccessReview), and a file store whose directory cannot be written.
 */
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFileSecretStore,
  createGcpSecretStore,
  createK8sSecretStore,
  createMemorySecretStore,
  isSecretStoreError,
  type SecretStore,
} from '../../src/index.js';
import { NODE_FS } from '../../src/stores/file-io.js';
import {
  SECRET_MANAGER_PERMISSIONS,
  startKubernetesSecretsServer,
  startSecretManagerEmulator,
} from '../../src/testing.js';

const KEY = `steme_live_${'d4'.repeat(24)}`;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSecretStoreError(error)) throw new Error(`expected a SecretStoreError, got ${error}`);
  return error;
}

const ALL_GCP = Object.values(SECRET_MANAGER_PERMISSIONS).filter(
  (p): p is string => p !== undefined,
);

describe('gcp: preflight asks TestIamPermissions on a secret the store manages', () => {
  async function setup() {
    const sm = await startSecretManagerEmulator();
    const store = createGcpSecretStore({ project: 'preflight-test', endpoint: sm.endpoint });
    cleanups.push(
      () => sm.close(),
      () => store.close(),
    );
    return { sm, store };
  }

  it('passes with the permissions, and refuses naming the one withheld', async () => {
    const { sm, store } = await setup();
    await store.writeVersion('stemedb-key-a', KEY);
    await expect(store.preflight()).resolves.toBeUndefined();
    await expect(store.preflight({ operations: ['read', 'delete'] })).resolves.toBeUndefined();
    sm.setPermissions(ALL_GCP.filter((p) => p !== 'secretmanager.versions.add'));
    const error = await refusal(store.preflight({ operations: ['read', 'write'] }));
    expect(error).toMatchObject({ code: 'permission_denied', store: 'gcp' });
    expect(error.message).toContain('missing secretmanager.versions.add');
    expect(error.message).not.toContain('versions.access');
    // Reading alone needs no versions.add.
    await expect(store.preflight({ operations: ['read'] })).resolves.toBeUndefined();
    sm.setPermissions(ALL_GCP.filter((p) => p !== 'secretmanager.secrets.delete'));
    const del = await refusal(store.preflight({ operations: ['delete'] }));
    expect(del.message).toContain('secretmanager.secrets.delete');
    const asked = sm.calls().filter((c) => c.method === 'TestIamPermissions');
    expect(asked.every((c) => c.resource === 'projects/preflight-test/secrets/stemedb-key-a')).toBe(
      true,
    );
  });

  it('fails permission_denied when it may not even list the secrets', async () => {
    const { sm, store } = await setup();
    sm.setPermissions(ALL_GCP.filter((p) => p !== 'secretmanager.secrets.list'));
    expect((await refusal(store.preflight())).code).toBe('permission_denied');
  });

  it('passes when the project holds no secret of the store to ask on (the first write tells)', async () => {
    const { sm, store } = await setup();
    sm.setPermissions(['secretmanager.secrets.list']);
    await expect(store.preflight()).resolves.toBeUndefined();
    expect(sm.calls().map((c) => c.method)).toEqual(['ListSecrets']);
  });
});

describe('k8s: preflight sends a SelfSubjectAccessReview per verb', () => {
  async function setup() {
    const server = await startKubernetesSecretsServer({ namespaces: ['stemedb'] });
    const store = createK8sSecretStore({ namespace: 'stemedb', server: server.url });
    cleanups.push(
      () => server.close(),
      () => store.close(),
    );
    return { server, store };
  }

  it('passes with the Role, and refuses naming each verb withheld, writing nothing', async () => {
    const { server, store } = await setup();
    await expect(store.preflight()).resolves.toBeUndefined();
    server.setVerbs(['get', 'list', 'create']);
    const error = await refusal(store.preflight());
    expect(error).toMatchObject({ code: 'permission_denied', store: 'k8s' });
    expect(error.message).toContain('missing patch on secrets');
    const del = await refusal(store.preflight({ operations: ['delete'] }));
    expect(del.message).toContain('delete on secrets');
    await expect(store.preflight({ operations: ['read'] })).resolves.toBeUndefined();
    const paths = new Set(server.requests().map((r) => `${r.method} ${r.path}`));
    expect([...paths]).toEqual(['POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews']);
    expect(server.secrets('stemedb')).toEqual([]);
    // The double enforces what it reviews: a write it warned of is refused 403.
    server.setVerbs(['get', 'list']);
    const write = await refusal(store.writeVersion('stemedb-key-a', KEY));
    expect(write.code).toBe('permission_denied');
  });
});

describe('file: preflight checks that the directory can be written', () => {
  async function dir() {
    const path = await fsp.mkdtemp(join(tmpdir(), 'admin-preflight-'));
    cleanups.push(() => fsp.rm(path, { recursive: true, force: true }));
    return path;
  }

  it('passes for a writable directory, or one still to be created under a writable one', async () => {
    const base = await dir();
    await expect(
      createFileSecretStore({ path: join(base, 'a', 'b', 'secrets.json') }).preflight(),
    ).resolves.toBeUndefined();
  });

  it('refuses permission_denied when the directory may not be written', async () => {
    const base = await dir();
    const seen: string[] = [];
    const store = createFileSecretStore({
      path: join(base, 'secrets.json'),
      fs: {
        ...NODE_FS,
        // As a non-root user on a 0500 directory (this suite may run as root, which access()
        // lets through everywhere).
        access: async (path) => {
          seen.push(String(path));
          throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
        },
      },
    });
    const error = await refusal(store.preflight());
    expect(error).toMatchObject({ code: 'permission_denied', store: 'file' });
    expect(error.message).toContain(base);
    expect(seen).toEqual([base]);
    // Reading needs no write access.
    await expect(store.preflight({ operations: ['read'] })).resolves.toBeUndefined();
  });

  it('refuses io_error when a path component is a file, not a directory', async () => {
    const base = await dir();
    await fsp.writeFile(join(base, 'plain'), 'x');
    const store = createFileSecretStore({ path: join(base, 'plain', 'secrets.json') });
    expect((await refusal(store.preflight())).code).toBe('io_error');
  });
});

describe('memory: preflight', () => {
  it('passes while open, and fails store_closed after close', async () => {
    const store: SecretStore = createMemorySecretStore();
    await expect(store.preflight()).resolves.toBeUndefined();
    await store.close();
    expect((await refusal(store.preflight())).code).toBe('store_closed');
  });
});
