/**
 * The local Secrets API server, spoken to with plain fetch: the kube-apiserver behaviour the
 * `k8s:` store relies on (Status errors, preconditions, selectors, paging, auth, faults).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createK8sSecretStore } from '../../src/index.js';
import { type KubernetesSecretsServer, startKubernetesSecretsServer } from '../../src/testing.js';

const NS = 'team-a';
let server: KubernetesSecretsServer;

/** The parts of a Secret, SecretList or Status these tests look at. */
interface ApiBody {
  kind?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string };
  metadata: { resourceVersion?: string; continue?: string };
  items: { metadata: { name: string } }[];
}

async function api(method: string, path: string, body?: unknown, token = 't0k') {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as ApiBody };
}

const secret = (name: string, labels?: Record<string, string>, resourceVersion?: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name,
    ...(labels === undefined ? {} : { labels }),
    ...(resourceVersion === undefined ? {} : { resourceVersion }),
  },
  data: { value: Buffer.from('x').toString('base64') },
});

describe('startKubernetesSecretsServer', () => {
  beforeEach(async () => {
    server = await startKubernetesSecretsServer({ namespaces: [NS], token: 't0k' });
  });
  afterEach(() => server.close());

  it('creates once, then answers 409 AlreadyExists as a Status', async () => {
    expect((await api('POST', `/api/v1/namespaces/${NS}/secrets`, secret('s1'))).status).toBe(201);
    const again = await api('POST', `/api/v1/namespaces/${NS}/secrets`, secret('s1'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', code: 409 });
  });

  it('answers 404 naming the namespace when creating in one that does not exist', async () => {
    const missing = await api('POST', '/api/v1/namespaces/nope/secrets', secret('s1'));
    expect(missing.status).toBe(404);
    expect(missing.body.details).toEqual({ name: 'nope', kind: 'namespaces' });
    expect((await api('GET', '/api/v1/namespaces/nope/secrets/s1')).body.details?.kind).toBe(
      'secrets',
    );
  });

  it('refuses a PUT whose resourceVersion is stale with 409 Conflict', async () => {
    const created = await api('POST', `/api/v1/namespaces/${NS}/secrets`, secret('s1'));
    const rv = created.body.metadata.resourceVersion;
    expect(
      (await api('PUT', `/api/v1/namespaces/${NS}/secrets/s1`, secret('s1', {}, rv))).status,
    ).toBe(200);
    const stale = await api('PUT', `/api/v1/namespaces/${NS}/secrets/s1`, secret('s1', {}, rv));
    expect([stale.status, stale.body.reason]).toEqual([409, 'Conflict']);
  });

  it('selects by label and pages with limit and continue', async () => {
    for (const name of ['a', 'b', 'c']) {
      await api('POST', `/api/v1/namespaces/${NS}/secrets`, secret(name, { app: 'x' }));
    }
    await api('POST', `/api/v1/namespaces/${NS}/secrets`, secret('other'));
    const first = await api(
      'GET',
      `/api/v1/namespaces/${NS}/secrets?labelSelector=app%3Dx&limit=2`,
    );
    expect(first.body.items.map((s) => s.metadata.name)).toEqual(['a', 'b']);
    const token = first.body.metadata.continue ?? '';
    const second = await api(
      'GET',
      `/api/v1/namespaces/${NS}/secrets?labelSelector=app%3Dx&limit=2&continue=${token}`,
    );
    expect(second.body.items.map((s) => s.metadata.name)).toEqual(['c']);
    expect(second.body.metadata.continue).toBeUndefined();
  });

  it('answers 401 without the token, and injected faults once each', async () => {
    expect((await api('GET', `/api/v1/namespaces/${NS}/secrets`, undefined, 'wrong')).status).toBe(
      401,
    );
    server.failNext({ method: 'GET', status: 503, count: 2 });
    expect((await api('POST', `/api/v1/namespaces/${NS}/secrets`, secret('s1'))).status).toBe(201);
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await api('GET', `/api/v1/namespaces/${NS}/secrets/s1`)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(server.requests().filter((r) => r.injected)).toHaveLength(2);
  });

  it('lets the k8s: store list across pages', async () => {
    // More managed Secrets than one page of the store's list holds.
    for (let i = 0; i < 501; i++) {
      server.putSecret(NS, {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: {
          name: `stemedb-key-p${String(i).padStart(3, '0')}`,
          labels: { 'app.kubernetes.io/managed-by': 'stemedb-admin' },
        },
        data: { value: Buffer.from('v').toString('base64') },
      });
    }
    const store = createK8sSecretStore({ namespace: NS, server: server.url, token: 't0k' });
    const names = await store.list('stemedb-key-');
    expect(names).toHaveLength(501);
    expect(
      server.requests().filter((r) => r.method === 'GET' && r.path.includes('limit=')),
    ).toHaveLength(2);
    await store.close();
  });
});

describe('startKubernetesSecretsServer: field ownership', () => {
  beforeEach(async () => {
    server = await startKubernetesSecretsServer({ namespaces: [NS] });
  });
  afterEach(() => server.close());

  async function applyAs(manager: string, body: unknown, force = false) {
    const response = await fetch(
      `${server.url}/api/v1/namespaces/${NS}/secrets/s?fieldManager=${manager}${force ? '&force=true' : ''}`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/apply-patch+yaml' },
        body: JSON.stringify(body),
      },
    );
    return {
      status: response.status,
      body: (await response.json()) as ApiBody & { message?: string },
    };
  }
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const applied = (labels: Record<string, string>, data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', labels },
    data,
  });

  it('merges applies by manager, refuses a conflict without force, and moves it with force', async () => {
    expect((await applyAs('one', applied({ a: '1' }, { k: b64('1') }))).status).toBe(201);
    expect((await applyAs('two', applied({ b: '2' }, { j: b64('2') }))).status).toBe(200);
    expect(server.secrets(NS)[0]?.metadata.labels).toEqual({ a: '1', b: '2' });
    const conflict = await applyAs('two', applied({ b: '2' }, { k: b64('changed') }));
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toContain('conflict with "one": .data.k');
    expect((await applyAs('two', applied({ b: '2' }, { k: b64('changed') }), true)).status).toBe(
      200,
    );
    expect(server.fieldOwners(NS, 's')).toEqual({
      one: ['metadata.labels.a'],
      two: ['data.k', 'metadata.labels.b'],
    });
    // The forced apply no longer named j, which "two" alone owned: it is gone. "one" stops
    // naming a: it goes too.
    expect(server.secrets(NS)[0]?.data).toEqual({ k: b64('changed') });
    await applyAs('one', applied({}, {}));
    expect(server.secrets(NS)[0]?.data).toEqual({ k: b64('changed') });
    expect(server.secrets(NS)[0]?.metadata.labels).toEqual({ b: '2' });
  });

  it('a PUT replaces the object: ownerReferences and finalizers it leaves out are gone', async () => {
    server.putSecret(NS, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name: 's',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u' }],
        finalizers: ['example.com/keep'],
      },
      data: { value: b64('x') },
    });
    const response = await fetch(`${server.url}/api/v1/namespaces/${NS}/secrets/s`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...applied({}, { value: b64('y') }) }),
    });
    expect(response.status).toBe(200);
    const [stored] = server.secrets(NS);
    expect(stored?.metadata.ownerReferences).toBeUndefined();
    expect(stored?.metadata.finalizers).toBeUndefined();
  });
});
