/**
 * The `k8s:` store: client-node's CoreV1Api against the local Secrets API server on loopback.
 * The contract suite, then the layout in the Secret, retries, and the errors a cluster gives
 * (401, 403, a missing namespace).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createK8sSecretStore,
  isSecretStoreError,
  type K8sSecretStoreOptions,
  MANAGED_BY_LABEL,
  openSecretStore,
  type SecretStore,
  VALUE_KEY,
  VERSIONS_ANNOTATION,
} from '../../src/index.js';
import { type KubernetesSecretsServer, startKubernetesSecretsServer } from '../../src/testing.js';
import { secretStoreContract } from './contract.js';

const NAMESPACE = 'stemedb';
const TOKEN = 'k8s-test-token-4d2a';
const KEY = `steme_live_${'d4'.repeat(24)}`;
const FAST_RETRY = { minDelayMs: 1, maxDelayMs: 5, jitter: false };

function k8sStore(server: KubernetesSecretsServer, extra: Partial<K8sSecretStoreOptions> = {}) {
  return createK8sSecretStore({
    namespace: NAMESPACE,
    server: server.url,
    token: TOKEN,
    retry: FAST_RETRY,
    ...extra,
  });
}

secretStoreContract('k8s', async () => {
  const server = await startKubernetesSecretsServer({ namespaces: [NAMESPACE], token: TOKEN });
  return {
    store: k8sStore(server),
    openAnother: async () => k8sStore(server),
    cleanup: () => server.close(),
  };
});

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSecretStoreError(error))
    throw new Error(`expected a SecretStoreError, got ${String(error)}`);
  return error;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('k8s: against the local Secrets API server', () => {
  let server: KubernetesSecretsServer;
  let store: SecretStore;
  beforeEach(async () => {
    server = await startKubernetesSecretsServer({ namespaces: [NAMESPACE], token: TOKEN });
    store = k8sStore(server);
  });
  afterEach(async () => {
    await store.close();
    await server.close();
  });

  it('keeps the latest in data.value, each version in data.version-<n>, ids in an annotation', async () => {
    await store.writeVersion('stemedb-key-billing', `${KEY}1`);
    await store.writeVersion('stemedb-key-billing', `${KEY}2`);
    const [secret] = server.secrets(NAMESPACE);
    expect(secret?.metadata.name).toBe('stemedb-key-billing');
    expect(secret?.metadata.labels?.[MANAGED_BY_LABEL]).toBe('stemedb-admin');
    expect(secret?.type).toBe('Opaque');
    expect(secret?.data).toEqual({
      [VALUE_KEY]: b64(`${KEY}2`),
      'version-1': b64(`${KEY}1`),
      'version-2': b64(`${KEY}2`),
    });
    const versions = JSON.parse(secret?.metadata.annotations?.[VERSIONS_ANNOTATION] ?? '[]');
    expect(versions.map((v: { version: string }) => v.version)).toEqual(['1', '2']);
    expect(JSON.stringify(secret?.metadata)).not.toContain('d4d4');
  });

  it('keeps at most maxVersions versions, ids still increasing', async () => {
    const small = k8sStore(server, { maxVersions: 2 });
    for (const n of [1, 2, 3]) await small.writeVersion('stemedb-key-a', `${KEY}${n}`);
    expect((await small.listVersions('stemedb-key-a')).map((v) => v.version)).toEqual(['2', '3']);
    expect(Object.keys(server.secrets(NAMESPACE)[0]?.data ?? {}).sort()).toEqual([
      'value',
      'version-2',
      'version-3',
    ]);
    expect((await small.writeVersion('stemedb-key-a', KEY)).version).toBe('4');
    await small.close();
  });

  it('reads a Secret made by kubectl, and adopts it with adopt, keeping its other keys', async () => {
    server.putSecret(NAMESPACE, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'stemedb-root-api-key' },
      data: { value: b64(KEY), other: b64('kept') },
    });
    expect(await store.readLatest('stemedb-root-api-key')).toBe(KEY);
    expect((await store.listVersions('stemedb-root-api-key')).map((v) => v.version)).toEqual(['1']);
    expect(await store.writeIfAbsent('stemedb-root-api-key', `${KEY}x`)).toEqual({
      written: false,
      value: KEY,
      version: '1',
    });
    const refused = await failure(store.writeVersion('stemedb-root-api-key', `${KEY}2`));
    expect(refused).toMatchObject({ code: 'unmanaged_secret', secret: 'stemedb-root-api-key' });
    expect(refused.message).toContain('--adopt');
    const adopting = k8sStore(server, { adopt: true });
    expect((await adopting.writeVersion('stemedb-root-api-key', `${KEY}2`)).version).toBe('2');
    await adopting.close();
    const data = server.secrets(NAMESPACE)[0]?.data ?? {};
    expect(data.other).toBe(b64('kept'));
    expect(data['version-1']).toBe(b64(KEY));
  });

  it("writes by server-side apply: other managers' labels, ownerReferences, finalizers and data survive", async () => {
    const ownerReferences = [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'stemedb-owner', uid: 'u-1', controller: true },
    ];
    server.putSecret(
      NAMESPACE,
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: {
          name: 'stemedb-key-a',
          labels: { [MANAGED_BY_LABEL]: 'stemedb-admin', team: 'billing' },
          ownerReferences,
          finalizers: ['example.com/keep'],
        },
        data: { value: b64(KEY), extra: b64('theirs') },
      },
      'helm',
    );
    await store.writeVersion('stemedb-key-a', `${KEY}2`);
    await store.writeVersion('stemedb-key-a', `${KEY}3`);
    const [secret] = server.secrets(NAMESPACE);
    expect(secret?.metadata.labels).toEqual({
      [MANAGED_BY_LABEL]: 'stemedb-admin',
      team: 'billing',
    });
    expect(secret?.metadata.ownerReferences).toEqual(ownerReferences);
    expect(secret?.metadata.finalizers).toEqual(['example.com/keep']);
    expect(secret?.data?.extra).toBe(b64('theirs'));
    expect(await store.readLatest('stemedb-key-a')).toBe(`${KEY}3`);
    const writes = server.requests().filter((r) => r.method !== 'GET');
    expect(writes.map((r) => r.method)).toEqual(['PATCH', 'PATCH']);
    expect(writes[0]?.path).toMatch(/fieldManager=stemedb-admin/);
    expect(writes[0]?.path).toMatch(/force=true/);
    const owners = server.fieldOwners(NAMESPACE, 'stemedb-key-a');
    expect(owners['stemedb-admin']).toContain('data.value');
    expect(owners.helm).toEqual(
      expect.arrayContaining(['metadata.labels.team', 'metadata.ownerReferences', 'data.extra']),
    );
  });

  it('refuses to write into a Secret without its label, naming it; adopt takes it over', async () => {
    server.putSecret(NAMESPACE, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'stemedb-key-theirs', labels: { team: 'other' } },
      data: { value: b64('their-own-value') },
    });
    const error = await failure(store.writeVersion('stemedb-key-theirs', KEY));
    expect(error).toMatchObject({
      code: 'unmanaged_secret',
      store: 'k8s',
      secret: 'stemedb-key-theirs',
    });
    expect(error.message).toContain(`${NAMESPACE}/stemedb-key-theirs`);
    expect(error.message).toContain(`${MANAGED_BY_LABEL}: stemedb-admin`);
    expect(server.secrets(NAMESPACE)[0]?.data).toEqual({ value: b64('their-own-value') });
    expect(server.requests().filter((r) => r.method !== 'GET')).toEqual([]);
    const adopting = k8sStore(server, { adopt: true });
    await adopting.writeVersion('stemedb-key-theirs', KEY);
    await adopting.close();
    const [secret] = server.secrets(NAMESPACE);
    expect(secret?.metadata.labels).toEqual({ team: 'other', [MANAGED_BY_LABEL]: 'stemedb-admin' });
    expect(await store.readLatest('stemedb-key-theirs')).toBe(KEY);
  });

  it('lists only Secrets it manages', async () => {
    await store.writeVersion('stemedb-key-a', KEY);
    server.putSecret(NAMESPACE, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'stemedb-key-unmanaged' },
      data: { value: b64(KEY) },
    });
    expect(await store.list('stemedb-key-')).toEqual(['stemedb-key-a']);
    const list = server
      .requests()
      .find((r) => r.method === 'GET' && r.path.includes('labelSelector'));
    expect(list?.path).toContain(encodeURIComponent(`${MANAGED_BY_LABEL}=stemedb-admin`));
  });

  it('redoes a write that lost to a concurrent writer (409 Conflict), losing no version', async () => {
    await store.writeVersion('stemedb-key-a', `${KEY}0`);
    const other = k8sStore(server);
    const writes = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        (n % 2 === 0 ? store : other).writeVersion('stemedb-key-a', `${KEY}${n}`),
      ),
    );
    expect(new Set(writes.map((w) => w.version)).size).toBe(5);
    expect((await store.listVersions('stemedb-key-a')).map((v) => v.version)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
    expect(server.requests().some((r) => r.method === 'PATCH' && r.status === 409)).toBe(true);
    await other.close();
  });

  it('retries 503 and 429, then succeeds', async () => {
    server.failNext({ method: 'GET', status: 503 });
    server.failNext({ method: 'POST', status: 429 });
    await store.writeVersion('stemedb-key-a', KEY);
    expect(server.requests().map((r) => `${r.method} ${r.status}`)).toEqual([
      'GET 503',
      'GET 404',
      'POST 429',
      'POST 201',
    ]);
    expect(await store.readLatest('stemedb-key-a')).toBe(KEY);
  });

  it('gives up after the retries with code unavailable', async () => {
    const limited = k8sStore(server, { retry: { ...FAST_RETRY, retries: 1 } });
    server.failNext({ status: 503, count: 5 });
    const error = await failure(limited.readLatest('stemedb-key-a'));
    expect(error).toMatchObject({ code: 'unavailable', httpStatus: 503, attempts: 2 });
    await limited.close();
  });

  it('retries a connection the server drops, then succeeds', async () => {
    server.failNext({ method: 'GET', drop: true });
    await store.writeVersion('stemedb-key-a', KEY);
    expect(server.requests().map((r) => `${r.method} ${r.status}`)).toEqual([
      'GET 0',
      'GET 404',
      'POST 201',
    ]);
  });

  it('gives up on a refused connection with code unavailable, naming the cause', async () => {
    // A port that was just free: nothing listens on it.
    const gone = await startKubernetesSecretsServer({ namespaces: [NAMESPACE] });
    await gone.close();
    const limited = k8sStore(gone, { retry: { ...FAST_RETRY, retries: 1 } });
    const error = await failure(limited.readLatest('stemedb-key-a'));
    expect(error).toMatchObject({ code: 'unavailable', attempts: 2 });
    expect(error.message).toContain('ECONNREFUSED');
    await limited.close();
  });

  it('times out each request after timeoutMs, retries, then fails with code timeout', async () => {
    const hasty = k8sStore(server, { timeoutMs: 20, retry: { ...FAST_RETRY, retries: 1 } });
    server.setLatency(300);
    const error = await failure(hasty.readLatest('stemedb-key-a'));
    expect(error).toMatchObject({ code: 'timeout', attempts: 2 });
    await hasty.close();
  });

  it('aborts a request in flight when the signal fires', async () => {
    server.setLatency(300);
    const controller = new AbortController();
    const pending = failure(store.readLatest('stemedb-key-a', { signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('stop')), 20);
    expect((await pending).code).toBe('aborted');
  });

  it('fails 403 at once, saying which RBAC it needs', async () => {
    server.failNext({
      status: 403,
      message: 'secrets is forbidden: User "ci" cannot get resource "secrets"',
    });
    const error = await failure(store.readLatest('stemedb-key-a'));
    expect(error).toMatchObject({
      code: 'permission_denied',
      httpStatus: 403,
      attempts: 1,
      store: 'k8s',
    });
    expect(error.message).toMatch(
      /get, list, create, update and delete on secrets in namespace stemedb/,
    );
    expect(error.message).toContain('cannot get resource');
  });

  it('fails 401 with a wrong token', async () => {
    const wrong = k8sStore(server, { token: 'not-the-token' });
    const error = await failure(wrong.list(''));
    expect(error).toMatchObject({ code: 'unauthenticated', httpStatus: 401 });
    await wrong.close();
  });

  it('says when the namespace does not exist', async () => {
    const missing = k8sStore(server, { namespace: 'no-such-ns' });
    expect(await missing.readLatest('stemedb-key-a')).toBeUndefined();
    const error = await failure(missing.writeVersion('stemedb-key-a', KEY));
    expect(error).toMatchObject({ code: 'store_error', httpStatus: 404 });
    expect(error.message).toMatch(/namespace no-such-ns does not exist/);
    await missing.close();
  });

  it('never shows the value in an error, even when the server echoes it base64-encoded', async () => {
    server.failNext({
      method: 'POST',
      status: 422,
      message: `Secret is invalid: ${b64('plain-value-xyz')}`,
    });
    const error = await failure(store.writeVersion('stemedb-key-a', 'plain-value-xyz'));
    for (const text of [
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: 5 }),
      error.stack ?? '',
    ]) {
      expect(text).not.toContain('plain-value-xyz');
      expect(text).not.toContain(b64('plain-value-xyz'));
    }
  });

  it('sends the token only as a bearer header, and never shows it', async () => {
    await store.writeVersion('stemedb-key-a', KEY);
    expect(server.requests().every((r) => r.authorization)).toBe(true);
    expect(JSON.stringify(store)).not.toContain(TOKEN);
    expect(inspect(store, { depth: 5 })).not.toContain(TOKEN);
  });
});

describe('k8s: options and connection', () => {
  it.each([
    { options: { server: 'http://10.0.0.1:6443' }, part: 'server' },
    { options: { server: 'not a url' }, part: 'server' },
    { options: { maxVersions: 0 }, part: 'maxVersions' },
    { options: { tokens: 'x' }, part: 'tokens' },
  ])('refuses the option $part', ({ options, part }) => {
    let error: unknown;
    try {
      createK8sSecretStore({ namespace: NAMESPACE, ...(options as object) });
    } catch (e) {
      error = e;
    }
    expect(isSecretStoreError(error) && [error.code, error.part]).toEqual([
      'invalid_store_options',
      part,
    ]);
  });

  it('accepts https anywhere, and plain http on loopback only', () => {
    for (const server of [
      'https://k8s.example.com:6443',
      'http://127.0.0.1:8001',
      'http://localhost:8001',
    ]) {
      expect(createK8sSecretStore({ namespace: NAMESPACE, server }).spec).toBe(`k8s:${NAMESPACE}`);
    }
  });

  it.each(['k8s:', 'k8s:Bad_NS', `k8s:${'a'.repeat(64)}`])(
    'refuses the spec %s naming the namespace',
    async (spec) => {
      const error = await failure(openSecretStore(spec));
      expect([error.code, error.part]).toEqual(['invalid_store_spec', 'namespace']);
    },
  );

  it('connects through a kubeconfig file and its context', async () => {
    const server = await startKubernetesSecretsServer({ namespaces: [NAMESPACE], token: TOKEN });
    const dir = await mkdtemp(join(tmpdir(), 'admin-k8s-'));
    const kubeconfig = join(dir, 'config');
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'local', cluster: { server: server.url, 'insecure-skip-tls-verify': true } },
        ],
        users: [
          { name: 'ci', user: { token: TOKEN } },
          { name: 'nobody', user: {} },
        ],
        contexts: [
          { name: 'good', context: { cluster: 'local', user: 'ci' } },
          { name: 'anonymous', context: { cluster: 'local', user: 'nobody' } },
        ],
        'current-context': 'anonymous',
      }),
      { mode: 0o600 },
    );
    try {
      const store = await openSecretStore(`k8s:${NAMESPACE}`, {
        k8s: { kubeconfig, context: 'good' },
      });
      await store.writeVersion('stemedb-key-a', KEY);
      expect(await store.readLatest('stemedb-key-a')).toBe(KEY);
      await store.close();
      const anonymous = await openSecretStore(`k8s:${NAMESPACE}`, { k8s: { kubeconfig } });
      expect((await failure(anonymous.list(''))).code).toBe('unauthenticated');
      const unknown = await openSecretStore(`k8s:${NAMESPACE}`, {
        k8s: { kubeconfig, context: 'nope' },
      });
      expect(await failure(unknown.list(''))).toMatchObject({
        code: 'invalid_store_options',
        part: 'context',
      });
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
