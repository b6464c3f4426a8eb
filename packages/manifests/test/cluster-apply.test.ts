/**
 * Issue §5, apply: server-side apply through @kubernetes/client-node, against the fake API
 * server (test/support/fake-api.ts). What this
 * proves is the HTTP conversation (discovery, PATCH path, query, content type, body, order) and
 * our handling of the answers; that a real API server accepts it is not proven here.
 */
import { type AddressInfo, createServer } from 'node:net';
import { inspect } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects } from '../src/cluster/apply.js';
import { type ClusterError, isClusterError } from '../src/cluster/errors.js';
import { APPLY_PATHS, BUNDLE, deployment } from './fixtures/cluster/objects.js';
import {
  type FakeApiOptions,
  type FakeApiServer,
  startFakeApi,
  status,
  TOKEN,
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function applyError(...args: Parameters<typeof applyObjects>): Promise<ClusterError> {
  const error = await applyObjects(...args).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isClusterError(error)) throw new Error(`expected a ClusterError, got ${inspect(error)}`);
  return error;
}

describe('applyObjects', () => {
  it('PATCHes every object in dependency order, namespace first', async () => {
    const api = fakeApi();
    await applyObjects(BUNDLE, { kubeConfig });
    expect(api.patches().map((r) => r.path)).toEqual(APPLY_PATHS);
  });

  it('sends a server-side apply as field manager stemedb-manifests, strict, with the bearer token', async () => {
    const api = fakeApi();
    await applyObjects(BUNDLE, { kubeConfig });
    for (const patch of api.patches()) {
      expect(patch.headers.get('content-type')).toBe('application/apply-patch+yaml');
      expect(patch.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
      expect(Object.fromEntries(patch.query)).toEqual({
        fieldManager: 'stemedb-manifests',
        fieldValidation: 'Strict',
      });
    }
  });

  it('asks discovery once per API group version, and reads only the live Deployment', async () => {
    const api = fakeApi();
    await applyObjects(BUNDLE, { kubeConfig });
    expect(api.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual([
      // The volume guard: which claims the live server mounts, before anything is applied.
      '/apis/apps/v1',
      '/apis/apps/v1/namespaces/stemedb/deployments/stemedb-api',
      '/api/v1',
      '/apis/external-secrets.io/v1',
      '/apis/traefik.io/v1alpha1',
      '/apis/networking.k8s.io/v1',
      '/apis/monitoring.coreos.com/v1',
    ]);
  });

  it('sends each object exactly as rendered, fields client-node does not model included', async () => {
    const api = fakeApi();
    const withNewField = deployment();
    (withNewField.spec as Record<string, unknown>).someFutureField = { enabled: true };
    await applyObjects([withNewField], { kubeConfig });
    expect(api.patches()[0]?.body).toEqual(withNewField);
  });

  it("puts a namespaced object without a namespace in the context's namespace", async () => {
    const api = fakeApi();
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
      data: { a: '1' },
    };
    await applyObjects([configMap], { kubeConfig: server.kubeConfig('team-a') });
    expect(api.patches()[0]?.path).toBe('/api/v1/namespaces/team-a/configmaps/x');
    expect(api.patches()[0]?.body).toEqual({
      ...configMap,
      metadata: { name: 'x', namespace: 'team-a' },
    });
  });

  it('passes force=true, dryRun=All and another field manager when asked', async () => {
    const api = fakeApi();
    const results = await applyObjects(BUNDLE, {
      kubeConfig,
      force: true,
      dryRun: true,
      fieldManager: 'ci',
    });
    for (const patch of api.patches()) {
      expect(Object.fromEntries(patch.query)).toEqual({
        dryRun: 'All',
        fieldManager: 'ci',
        force: 'true',
        fieldValidation: 'Strict',
      });
    }
    expect(results.every((r) => r.dryRun)).toBe(true);
    expect(api.objects.size).toBe(0);
  });

  it('reports created (201) and configured (200) objects, with what the server returned', async () => {
    fakeApi({
      live: {
        [APPLY_PATHS[0] as string]: {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'stemedb' },
        },
      },
    });
    const results = await applyObjects(BUNDLE, { kubeConfig });
    expect(results.map((r) => [r.ref, r.action])).toEqual([
      ['Namespace/stemedb', 'configured'],
      ['ExternalSecret/stemedb/stemedb-secrets', 'created'],
      ['PersistentVolumeClaim/stemedb/stemedb-wal', 'created'],
      ['PersistentVolumeClaim/stemedb/stemedb-db', 'created'],
      ['Service/stemedb/stemedb-api', 'created'],
      ['Deployment/stemedb/stemedb-api', 'created'],
      ['Middleware/stemedb/stemedb-ratelimit', 'created'],
      ['Ingress/stemedb/stemedb-api', 'created'],
      ['PrometheusRule/stemedb/stemedb-alerts', 'created'],
    ]);
    expect(results[5]?.object.metadata.uid).toBe(`uid-${APPLY_PATHS[5]}`);
  });

  it('reports progress before and after each object', async () => {
    fakeApi();
    const events: string[] = [];
    await applyObjects(BUNDLE.slice(0, 2), {
      kubeConfig,
      onProgress: (e) => events.push(`${e.phase} ${e.index + 1}/${e.total} ${e.ref}`),
    });
    expect(events).toEqual([
      'applying 1/2 Ingress/stemedb/stemedb-api',
      'applied 1/2 Ingress/stemedb/stemedb-api',
      'applying 2/2 PrometheusRule/stemedb/stemedb-alerts',
      'applied 2/2 PrometheusRule/stemedb/stemedb-alerts',
    ]);
  });

  it('does not change the objects it is given', async () => {
    fakeApi();
    const objects = structuredClone(BUNDLE);
    await applyObjects(objects, { kubeConfig });
    expect(objects).toEqual(BUNDLE);
  });

  it('rejects unknown and mistyped options before calling the cluster', async () => {
    const api = fakeApi();
    await expect(applyObjects(BUNDLE, { kubeConfig, dryrun: true } as never)).rejects.toThrow(
      "applyObjects: unknown option 'dryrun'",
    );
    await expect(applyObjects(BUNDLE, { kubeConfig, force: 'yes' } as never)).rejects.toThrow(
      /force/,
    );
    expect(api.requests).toEqual([]);
  });
});

describe('applyObjects errors', () => {
  const conflict = status(
    409,
    'Conflict',
    'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
    [
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "kubectl-edit" using apps/v1',
        field: '.spec.replicas',
      },
    ],
  );

  it('stops at a 409 field conflict, naming the object and the fields, with what was applied before', async () => {
    const api = fakeApi({
      override: (r) =>
        r.method === 'PATCH' && r.path.includes('/deployments/') ? [409, conflict] : undefined,
    });
    const error = await applyError(BUNDLE, { kubeConfig });
    expect(error.code).toBe('cluster/conflict');
    expect(error.status).toBe(409);
    expect(error.object).toBe('Deployment/stemedb/stemedb-api');
    expect(error.message).toContain(
      'Deployment/stemedb/stemedb-api: field ownership conflict (409) on .spec.replicas',
    );
    expect(error.message).toContain('apply with force');
    expect(error.applied.map((r) => r.ref)).toEqual([
      'Namespace/stemedb',
      'ExternalSecret/stemedb/stemedb-secrets',
      'PersistentVolumeClaim/stemedb/stemedb-wal',
      'PersistentVolumeClaim/stemedb/stemedb-db',
      'Service/stemedb/stemedb-api',
    ]);
    // Nothing after the failing object was sent.
    expect(api.patches().map((r) => r.path)).toEqual(APPLY_PATHS.slice(0, 6));
  });

  it('stops at a 403, with the server message and what to do', async () => {
    const forbidden = status(
      403,
      'Forbidden',
      'namespaces "stemedb" is forbidden: User "ci" cannot patch resource "namespaces" in API group "" at the cluster scope',
    );
    fakeApi({ override: (r) => (r.method === 'PATCH' ? [403, forbidden] : undefined) });
    const error = await applyError(BUNDLE, { kubeConfig });
    expect(error.code).toBe('cluster/forbidden');
    expect(error.message).toMatch(
      /^Namespace\/stemedb: forbidden \(403\): namespaces "stemedb" is forbidden: User "ci" cannot patch/,
    );
    expect(error.applied).toEqual([]);
  });

  it('lists the causes of a 422', async () => {
    const invalid = status(422, 'Invalid', 'Service "stemedb-api" is invalid', [
      { reason: 'FieldValueInvalid', message: 'Invalid value: 0', field: 'spec.ports[0].port' },
    ]);
    fakeApi({
      override: (r) =>
        r.method === 'PATCH' && r.path.includes('/services/') ? [422, invalid] : undefined,
    });
    const error = await applyError(BUNDLE, { kubeConfig });
    expect(error.code).toBe('cluster/invalid');
    expect(error.message).toContain(
      'Service/stemedb/stemedb-api: the API server rejected the object (422)',
    );
    expect(error.message).toContain('spec.ports[0].port: Invalid value: 0');
  });

  it('says which CRD is missing when discovery does not know the group', async () => {
    const served = { v1: [{ name: 'namespaces', kind: 'Namespace', namespaced: false }] };
    fakeApi({ served });
    const error = await applyError(BUNDLE, { kubeConfig });
    expect(error.code).toBe('cluster/unknown-kind');
    expect(error.message).toBe(
      'ExternalSecret/stemedb/stemedb-secrets: the cluster does not serve external-secrets.io/v1 ExternalSecret: install its CRD (its operator) first',
    );
    expect(error.applied.map((r) => r.ref)).toEqual(['Namespace/stemedb']);
  });

  it('names the API server it cannot reach, and never the token', async () => {
    // A real refused connection: a loopback port that was just free.
    const port = await freePort();
    const unreachable = `https://127.0.0.1:${port}`;
    const error = await applyError(BUNDLE, {
      kubeConfig: server.kubeConfig(undefined, unreachable),
    });
    expect(error.code).toBe('cluster/unreachable');
    expect(error.message).toContain(`cannot reach the API server at ${unreachable} (ECONNREFUSED)`);
    for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 10 })]) {
      expect(text).not.toContain(TOKEN);
    }
  });

  it('gives up on a request after timeoutMs', async () => {
    fakeApi({ override: (r) => (r.path === '/api/v1' ? 'no-answer' : undefined) });
    const error = await applyError([BUNDLE[8] as never], { kubeConfig, timeoutMs: 50 });
    expect(error.code).toBe('cluster/timeout');
    expect(error.message).toContain(
      `Namespace/stemedb: the API server at ${server.url} did not answer in time`,
    );
  });
});
