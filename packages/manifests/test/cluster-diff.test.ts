/**
 * Issue §5, diff: a server-side dry-run apply per object compared with the live object, against
 * the fake API server (test/support/fake-api.ts). The fake server's merge is naive, so this proves our requests and our comparison, not
 * the API server's merge semantics.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffObjects, fieldChanges } from '../src/cluster/diff.js';
import type { KubeObject } from '../src/types.js';
import { APPLY_PATHS, BUNDLE, deployment, namespace } from './fixtures/cluster/objects.js';
import {
  type FakeApiOptions,
  type FakeApiServer,
  startFakeApi,
  status,
} from './support/fake-api.js';

let server: FakeApiServer;
let kubeConfig: KubeConfig;
beforeAll(async () => {
  server = await startFakeApi();
  kubeConfig = server.kubeConfig();
});
afterAll(() => server.close());

/** Starts the fake over with `options`: each test sees only its own requests and objects. */
const fakeApi = (options?: FakeApiOptions) => server.reset(options);
const DEPLOYMENT_PATH = '/apis/apps/v1/namespaces/stemedb/deployments/stemedb-api';

/** An object as the server holds it: ours plus what the server adds. */
function live(obj: KubeObject): KubeObject {
  return {
    ...structuredClone(obj),
    metadata: {
      ...structuredClone(obj.metadata),
      uid: 'u-1',
      resourceVersion: '41',
      generation: 3,
      creationTimestamp: '2026-03-01T00:00:00Z',
      managedFields: [
        { manager: 'stemedb-manifests', operation: 'Apply', time: '2026-03-01T00:00:00Z' },
      ],
    },
    status: { replicas: 1 },
  };
}

describe('diffObjects', () => {
  it('reports create for objects the cluster does not have, after a dryRun=All apply of each', async () => {
    const api = fakeApi({ live: { '/api/v1/namespaces/stemedb': live(namespace) } });
    const results = await diffObjects(BUNDLE, { kubeConfig });
    expect(results.map((r) => [r.ref, r.action])).toEqual([
      ['Namespace/stemedb', 'unchanged'],
      ['ExternalSecret/stemedb/stemedb-secrets', 'create'],
      ['PersistentVolumeClaim/stemedb/stemedb-wal', 'create'],
      ['PersistentVolumeClaim/stemedb/stemedb-db', 'create'],
      ['Service/stemedb/stemedb-api', 'create'],
      ['Deployment/stemedb/stemedb-api', 'create'],
      ['Middleware/stemedb/stemedb-ratelimit', 'create'],
      ['Ingress/stemedb/stemedb-api', 'create'],
      ['PrometheusRule/stemedb/stemedb-alerts', 'create'],
    ]);
    expect(api.patches().map((r) => r.path)).toEqual(APPLY_PATHS);
    for (const patch of api.patches()) {
      expect(patch.headers.get('content-type')).toBe('application/apply-patch+yaml');
      expect(Object.fromEntries(patch.query)).toEqual({
        dryRun: 'All',
        fieldManager: 'stemedb-manifests',
        fieldValidation: 'Strict',
      });
    }
    // Each object is read before it is dry-run applied.
    const objectCalls = api.requests.filter((r) => r.path.split('/').length > 4);
    expect(objectCalls.map((r) => `${r.method} ${r.path}`).slice(0, 4)).toEqual([
      'GET /api/v1/namespaces/stemedb',
      'PATCH /api/v1/namespaces/stemedb',
      'GET /apis/external-secrets.io/v1/namespaces/stemedb/externalsecrets/stemedb-secrets',
      'PATCH /apis/external-secrets.io/v1/namespaces/stemedb/externalsecrets/stemedb-secrets',
    ]);
    expect(api.objects.size).toBe(1);
  });

  it('reports unchanged when only server-owned metadata and status differ', async () => {
    fakeApi({ live: { [DEPLOYMENT_PATH]: live(deployment()) } });
    expect(await diffObjects([deployment()], { kubeConfig })).toEqual([
      { ref: 'Deployment/stemedb/stemedb-api', action: 'unchanged', changes: [] },
    ]);
  });

  it('reports update with the paths of the fields that would change', async () => {
    const before = live(deployment('registry.test/stemedb-api:0.9.0'));
    fakeApi({ live: { [DEPLOYMENT_PATH]: before } });
    const after = deployment('registry.test/stemedb-api:1.0.0');
    after.metadata.labels = { ...after.metadata.labels, 'app.kubernetes.io/version': '1.0.0' };
    expect(await diffObjects([after], { kubeConfig })).toEqual([
      {
        ref: 'Deployment/stemedb/stemedb-api',
        action: 'update',
        changes: [
          'metadata.labels["app.kubernetes.io/version"]',
          'spec.template.spec.containers[0].image',
        ],
      },
    ]);
  });

  it('does not dry-run objects in a namespace the apply would create (the server would 404)', async () => {
    const api = fakeApi();
    const results = await diffObjects([deployment(), namespace], { kubeConfig });
    expect(results).toEqual([
      { ref: 'Namespace/stemedb', action: 'create', changes: [] },
      {
        ref: 'Deployment/stemedb/stemedb-api',
        action: 'create',
        changes: [],
        note: 'namespace stemedb does not exist yet, so the server could not dry-run this object',
      },
    ]);
    expect(api.requests.some((r) => r.path.includes('deployments'))).toBe(false);
  });

  it('stops with a ClusterError when the dry run is refused', async () => {
    const conflict = status(
      409,
      'Conflict',
      'Apply failed with 1 conflict: conflict with "helm": .spec.replicas',
      [
        {
          reason: 'FieldManagerConflict',
          field: '.spec.replicas',
          message: 'conflict with "helm"',
        },
      ],
    );
    fakeApi({
      live: { [DEPLOYMENT_PATH]: live(deployment()) },
      override: (r) => (r.method === 'PATCH' ? [409, conflict] : undefined),
    });
    await expect(diffObjects([deployment()], { kubeConfig })).rejects.toMatchObject({
      code: 'cluster/conflict',
      object: 'Deployment/stemedb/stemedb-api',
    });
  });

  it('says which CRD is missing before reading the object', async () => {
    const api = fakeApi({ served: { 'apps/v1': [] } });
    await expect(diffObjects([deployment()], { kubeConfig })).rejects.toMatchObject({
      code: 'cluster/unknown-kind',
      message: expect.stringContaining('does not serve apps/v1 Deployment'),
    });
    expect(api.requests.map((r) => r.path)).toEqual(['/apis/apps/v1']);
  });

  it('rejects options that only apply has', async () => {
    await expect(diffObjects([], { kubeConfig, dryRun: false } as never)).rejects.toThrow(
      "diffObjects: unknown option 'dryRun'",
    );
  });
});

describe('fieldChanges', () => {
  it.each<{ given: [unknown, unknown]; want: string[] }>([
    { given: [{ a: 1 }, { a: 1 }], want: [] },
    { given: [{ a: 1 }, { a: 2 }], want: ['a'] },
    { given: [{ a: { b: 1 } }, { a: {} }], want: ['a.b'] },
    { given: [{}, { a: { b: 1 } }], want: ['a'] },
    { given: [{ a: [1, 2] }, { a: [1, 3] }], want: ['a[1]'] },
    { given: [{ a: [1] }, { a: [1, 2, 3] }], want: ['a[1]', 'a[2]'] },
    { given: [{ a: [{ b: 1 }] }, { a: [{ b: 2 }] }], want: ['a[0].b'] },
    { given: [{ 'x.io/y': '1' }, { 'x.io/y': '2' }], want: ['["x.io/y"]'] },
    { given: [{ a: null }, { a: {} }], want: ['a'] },
    {
      given: [
        { b: 1, a: 1 },
        { b: 2, a: 2 },
      ],
      want: ['a', 'b'],
    },
    { given: [1, 2], want: ['.'] },
  ])('$given.0 → $given.1: $want', ({ given, want }) => {
    expect(fieldChanges(...given)).toEqual(want);
  });
});
