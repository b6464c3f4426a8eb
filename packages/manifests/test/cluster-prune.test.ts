/**
 * The ApplySet (KEP 3659) that `apply --prune` keeps, against the fake API server
 * (test/support/fake-api.ts): the parent's labels and annotations, what a prune deletes and
 * what it never touches, and runs stopped between steps (a failing request injected by the
 * fake) that leave nothing a re-run does not prune.
 */
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../src/bundle.js';
import { type ApplyOptions, applyObjects } from '../src/cluster/apply.js';
import {
  APPLYSET_GROUP_KINDS_ANNOTATION,
  APPLYSET_ID_LABEL,
  APPLYSET_NAMESPACES_ANNOTATION,
  APPLYSET_PART_OF_LABEL,
  APPLYSET_TOOLING_ANNOTATION,
  applySetId,
} from '../src/cluster/applyset.js';
import { diffObjects } from '../src/cluster/diff.js';
import { isClusterError } from '../src/cluster/errors.js';
import { type KubeObject, objectRef } from '../src/types.js';
import { MINIMAL, withConfig } from './objects-fixtures.js';
import { apiPath, type FakeApiServer, startFakeApi, status } from './support/fake-api.js';

let server: FakeApiServer;
let kubeConfig: KubeConfig;
beforeAll(async () => {
  server = await startFakeApi();
  kubeConfig = server.kubeConfig();
});
afterAll(() => server.close());

/** The set's id, computed here as the spec words it (base64 with the URL alphabet, no padding). */
const ID = `applyset-${createHash('sha256')
  .update('stemedb-applyset.stemedb.Secret.')
  .digest('base64')
  .replaceAll('+', '-')
  .replaceAll('/', '_')
  .replaceAll('=', '')}-v1`;
const PARENT = '/api/v1/namespaces/stemedb/secrets/stemedb-applyset';
const SET = { applySet: { namespace: 'stemedb', tooling: 'stemedb-manifests/v0.1.0' } };

/** rclone backup: a CronJob, its ExternalSecret and NetworkPolicy that Longhorn's does not have. */
const RCLONE = buildBundle(withConfig({ backup: { method: 'rclone' } }));
/** The default: Longhorn's RecurringJob in longhorn-system instead. */
const LONGHORN = buildBundle(MINIMAL);
/** An existing StorageClass: our cluster-scoped one is no longer rendered. */
const NO_CLASS = buildBundle(
  withConfig({ storage: { storageClass: { create: false, name: 'longhorn' } } }),
);

const same = (a: KubeObject, b: KubeObject) =>
  a.apiVersion === b.apiVersion &&
  a.kind === b.kind &&
  a.metadata.name === b.metadata.name &&
  a.metadata.namespace === b.metadata.namespace;
/** The refs of `from` that `to` does not render: what a prune from one to the other deletes. */
const dropped = (from: KubeObject[], to: KubeObject[]) =>
  from.filter((a) => !to.some((b) => same(a, b))).map(objectRef);

/** What a prune from RCLONE to LONGHORN deletes, in the order it deletes them. */
const LAST_FIRST = [
  'CronJob/stemedb/stemedb-backup',
  'ExternalSecret/stemedb/rclone-gcs-config',
  'NetworkPolicy/stemedb/stemedb-backup',
];

const apply = (objects: KubeObject[], options: Omit<ApplyOptions, 'kubeConfig'> = {}) =>
  applyObjects(objects, { kubeConfig, ...SET, ...options });
const live = () => server.current().objects;
const has = (o: KubeObject) => live().has(apiPath(o));
const parent = () => live().get(PARENT);
const groupKinds = () => parent()?.metadata.annotations?.[APPLYSET_GROUP_KINDS_ANNOTATION];

async function failure(run: Promise<unknown>) {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isClusterError(error)) throw new Error(`expected a ClusterError, got ${String(error)}`);
  return error;
}

describe('the ApplySet parent', () => {
  it('has the id kubectl computes (its own test vector) and the one the spec words', () => {
    expect(applySetId('my-set', 'test', 'Secret', '')).toBe(
      'applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1',
    );
    expect(applySetId('stemedb-applyset', 'stemedb', 'Secret', '')).toBe(ID);
  });

  it('is written after the Namespace and before the first member, with the set recorded', async () => {
    const api = server.reset();
    await apply(RCLONE);
    const paths = api.patches().map((r) => r.path);
    expect(paths[0]).toBe('/api/v1/namespaces/stemedb');
    expect(paths[1]).toBe(PARENT);
    const secret = api.patches()[1]!.body!;
    expect(secret.metadata.labels).toEqual({ [APPLYSET_ID_LABEL]: ID });
    expect(secret.metadata.annotations).toEqual({
      [APPLYSET_TOOLING_ANNOTATION]: 'stemedb-manifests/v0.1.0',
      [APPLYSET_GROUP_KINDS_ANNOTATION]:
        'Certificate.cert-manager.io,CronJob.batch,Deployment.apps,ExternalSecret.external-secrets.io,IngressRoute.traefik.io,Middleware.traefik.io,NetworkPolicy.networking.k8s.io,PersistentVolumeClaim,PodDisruptionBudget.policy,PrometheusRule.monitoring.coreos.com,Service,ServiceMonitor.monitoring.coreos.com,StorageClass.storage.k8s.io',
      [APPLYSET_NAMESPACES_ANNOTATION]: '',
    });
  });

  it("names the members' other namespaces (Longhorn's) and the cluster-scoped kinds", async () => {
    server.reset();
    await apply(LONGHORN);
    expect(parent()?.metadata.annotations?.[APPLYSET_NAMESPACES_ANNOTATION]).toBe(
      'longhorn-system',
    );
    expect(groupKinds()).toContain('RecurringJob.longhorn.io');
    expect(groupKinds()).toContain('StorageClass.storage.k8s.io');
  });

  it('labels every object but the Namespace as a member', async () => {
    const api = server.reset();
    await apply(LONGHORN);
    for (const patch of api.patches().filter((r) => r.path !== PARENT)) {
      const label = patch.body?.metadata.labels?.[APPLYSET_PART_OF_LABEL];
      expect(label, patch.path).toBe(patch.body?.kind === 'Namespace' ? undefined : ID);
    }
  });

  it('refuses a parent of another tool, or one whose id is not its own, before writing', async () => {
    for (const metadata of [
      {
        annotations: { [APPLYSET_TOOLING_ANNOTATION]: 'kubectl/v1.32' },
        labels: { [APPLYSET_ID_LABEL]: ID },
      },
      {
        annotations: { [APPLYSET_TOOLING_ANNOTATION]: 'stemedb-manifests/v0.1.0' },
        labels: { [APPLYSET_ID_LABEL]: applySetId('other', 'stemedb', 'Secret', '') },
      },
    ]) {
      const api = server.reset({
        live: {
          [PARENT]: {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'stemedb-applyset', namespace: 'stemedb', ...metadata },
          },
        },
      });
      const error = await failure(apply(LONGHORN, { prune: true }));
      expect(error.code).toBe('cluster/applyset');
      expect(api.patches()).toEqual([]);
    }
  });

  it('refuses a rendered object that claims membership itself', async () => {
    server.reset();
    const claimed = structuredClone(LONGHORN);
    const service = claimed.find((o) => o.kind === 'Service')!;
    service.metadata.labels = { ...service.metadata.labels, [APPLYSET_PART_OF_LABEL]: ID };
    expect((await failure(apply(claimed))).code).toBe('cluster/applyset');
  });
});

describe('apply with prune', () => {
  it('deletes what the config no longer renders; a plain apply keeps it, still recorded', async () => {
    server.reset();
    await apply(RCLONE);
    const gone = dropped(RCLONE, LONGHORN);
    expect(gone).toEqual([
      'ExternalSecret/stemedb/rclone-gcs-config',
      'NetworkPolicy/stemedb/stemedb-backup',
      'CronJob/stemedb/stemedb-backup',
    ]);

    await apply(LONGHORN);
    for (const o of RCLONE) expect(has(o), objectRef(o)).toBe(true);
    expect(groupKinds()).toContain('CronJob.batch'); // widened, not narrowed

    const results = await apply(LONGHORN, { prune: true });
    // Last applied first: the CronJob before the Secret it reads and the policy that lets it out.
    expect(results.filter((r) => r.action === 'pruned').map((r) => r.ref)).toEqual(LAST_FIRST);
    for (const o of RCLONE) expect(has(o), objectRef(o)).toBe(!gone.includes(objectRef(o)));
    for (const o of LONGHORN) expect(has(o), objectRef(o)).toBe(true);
    expect(groupKinds()).not.toContain('CronJob.batch'); // narrowed after the prune
  });

  it('prunes a cluster-scoped member (the StorageClass)', async () => {
    server.reset();
    await apply(LONGHORN);
    const storageClass = LONGHORN.find((o) => o.kind === 'StorageClass')!;
    expect(has(storageClass)).toBe(true);
    const results = await apply(NO_CLASS, { prune: true });
    expect(results.filter((r) => r.action === 'pruned').map((r) => r.ref)).toEqual([
      'StorageClass/longhorn-stemedb',
    ]);
    expect(has(storageClass)).toBe(false);
    expect(groupKinds()).not.toContain('StorageClass.storage.k8s.io');
  });

  it('lists each recorded group-kind with the set selector only', async () => {
    const api = server.reset();
    await apply(RCLONE);
    api.requests.length = 0;
    await apply(LONGHORN, { prune: true });
    const lists = api.requests.filter((r) => r.query.has('labelSelector'));
    expect(lists.length).toBeGreaterThan(10);
    for (const list of lists) {
      expect(list.query.get('labelSelector'), list.path).toBe(`${APPLYSET_PART_OF_LABEL}=${ID}`);
    }
    // A cluster-scoped kind is listed cluster-wide, a namespaced one in each recorded namespace.
    expect(lists.map((r) => r.path)).toContain('/apis/storage.k8s.io/v1/storageclasses');
    expect(lists.map((r) => r.path)).toContain(
      '/apis/longhorn.io/v1beta2/namespaces/longhorn-system/recurringjobs',
    );
  });

  describe('never touches an object of another ApplySet, or of none', () => {
    const other = applySetId('stemedb-applyset', 'stemedb-staging', 'Secret', '');
    const cronJob = RCLONE.find((o) => o.kind === 'CronJob')!;
    const strangers: KubeObject[] = [
      {
        ...cronJob,
        metadata: {
          ...cronJob.metadata,
          name: 'theirs',
          labels: { ...cronJob.metadata.labels, [APPLYSET_PART_OF_LABEL]: other },
        },
      },
      { ...cronJob, metadata: { ...cronJob.metadata, name: 'nobodys' } },
      {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'longhorn-staging', labels: { [APPLYSET_PART_OF_LABEL]: other } },
      },
    ];
    const seeded = () => Object.fromEntries(strangers.map((o) => [apiPath(o), structuredClone(o)]));

    it('with a server that honours the selector', async () => {
      const api = server.reset({ live: seeded() });
      await apply(RCLONE);
      await apply(NO_CLASS, { prune: true });
      expect(has(cronJob)).toBe(false); // ours went
      for (const o of strangers) expect(has(o), o.metadata.name).toBe(true);
      const deleted = api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
      for (const o of strangers) expect(deleted).not.toContain(apiPath(o));
    });

    it('with a server that ignores it (the label is checked again)', async () => {
      server.reset({ live: seeded() });
      await apply(RCLONE);
      // Answer each list with every object of its kind, whatever the selector.
      const everything = server.reset({
        live: Object.fromEntries(live()),
        override: (req) => {
          if (req.method !== 'GET' || !req.query.has('labelSelector')) return undefined;
          const items = [...live().entries()]
            .filter(([path]) => path.startsWith(`${req.path}/`))
            .map(([, o]) => o);
          return [200, { kind: 'List', apiVersion: 'v1', items }];
        },
      });
      await apply(NO_CLASS, { prune: true });
      expect(has(cronJob)).toBe(false);
      for (const o of strangers) expect(has(o), o.metadata.name).toBe(true);
      expect(everything.requests.filter((r) => r.method === 'DELETE')).toHaveLength(
        dropped(RCLONE, NO_CLASS).length,
      );
    });
  });

  it('dry run deletes nothing and leaves the parent as it was', async () => {
    server.reset();
    await apply(RCLONE);
    const before = structuredClone(parent());
    const results = await apply(LONGHORN, { prune: true, dryRun: true });
    expect(results.filter((r) => r.action === 'pruned')).toHaveLength(3);
    for (const o of RCLONE) expect(has(o), objectRef(o)).toBe(true);
    expect(parent()).toEqual(before);
  });
});

describe('a run stopped between steps leaves nothing a re-run does not prune', () => {
  const failOn = (method: string, path: string) => (req: { method: string; path: string }) =>
    req.method === method && req.path === path
      ? ([500, status(500, 'InternalError', 'injected failure')] as [number, unknown])
      : undefined;

  it('stopped while applying: the parent already names the new kinds', async () => {
    server.reset();
    await apply(RCLONE);
    // Longhorn's RecurringJob is applied, then the run stops at the ServiceMonitor after it.
    const monitor = LONGHORN.find((o) => o.kind === 'ServiceMonitor')!;
    const recurringJob = LONGHORN.find((o) => o.kind === 'RecurringJob')!;
    server.reset({ live: Object.fromEntries(live()), override: failOn('PATCH', apiPath(monitor)) });
    await failure(apply(LONGHORN, { prune: true }));
    expect(has(recurringJob)).toBe(true);
    expect(groupKinds()).toContain('RecurringJob.longhorn.io');
    // The user goes back to rclone: the RecurringJob the stopped run made is found and pruned.
    server.reset({ live: Object.fromEntries(live()) });
    const results = await apply(RCLONE, { prune: true });
    expect(results.filter((r) => r.action === 'pruned').map((r) => r.ref)).toEqual([
      'RecurringJob/longhorn-system/stemedb-backup',
    ]);
    expect(has(recurringJob)).toBe(false);
  });

  it('stopped while pruning: the parent still names what is left', async () => {
    server.reset();
    await apply(RCLONE);
    const cronJob = RCLONE.find((o) => o.kind === 'CronJob')!;
    server.reset({
      live: Object.fromEntries(live()),
      override: failOn('DELETE', apiPath(cronJob)),
    });
    await failure(apply(LONGHORN, { prune: true }));
    expect(has(cronJob)).toBe(true);
    expect(groupKinds()).toContain('CronJob.batch');
    server.reset({ live: Object.fromEntries(live()) });
    const results = await apply(LONGHORN, { prune: true });
    expect(results.filter((r) => r.action === 'pruned').map((r) => r.ref)).toContain(
      'CronJob/stemedb/stemedb-backup',
    );
    for (const ref of dropped(RCLONE, LONGHORN)) {
      expect([...live().values()].map(objectRef)).not.toContain(ref);
    }
    expect(groupKinds()).not.toContain('CronJob.batch');
  });

  it('stopped before the parent is narrowed: the re-run narrows it', async () => {
    server.reset();
    await apply(RCLONE);
    let parentWrites = 0;
    server.reset({
      live: Object.fromEntries(live()),
      override: (req) =>
        req.method === 'PATCH' && req.path === PARENT && ++parentWrites === 2
          ? [500, status(500, 'InternalError', 'injected failure')]
          : undefined,
    });
    const error = await failure(apply(LONGHORN, { prune: true }));
    expect(error.applied.filter((r) => r.action === 'pruned')).toHaveLength(3);
    expect(groupKinds()).toContain('CronJob.batch');
    server.reset({ live: Object.fromEntries(live()) });
    await apply(LONGHORN, { prune: true });
    expect(groupKinds()).not.toContain('CronJob.batch');
  });
});

describe('a PersistentVolumeClaim', () => {
  const pvc = LONGHORN.find((o) => o.kind === 'PersistentVolumeClaim')!;
  const withoutClaim = LONGHORN.filter((o) => o !== pvc);

  it('is never pruned silently: refused before anything is written', async () => {
    server.reset();
    await apply(LONGHORN);
    const api = server.reset({ live: Object.fromEntries(live()) });
    const error = await failure(apply(withoutClaim, { prune: true }));
    expect(error.code).toBe('cluster/prune-volume');
    expect(error.message).toContain(objectRef(pvc));
    expect(error.message).toContain('--allow-volume-change');
    expect(api.patches()).toEqual([]);
    expect(api.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(has(pvc)).toBe(true);
  });

  it('is refused by diff too, and pruned with allowVolumeChange', async () => {
    server.reset();
    await apply(LONGHORN);
    const error = await failure(diffObjects(withoutClaim, { kubeConfig, ...SET, prune: true }));
    expect(error.code).toBe('cluster/prune-volume');
    await apply(withoutClaim, { prune: true, allowVolumeChange: true });
    expect(has(pvc)).toBe(false);
  });
});

describe('diff with prune', () => {
  it('reports as delete exactly what apply with prune deletes', async () => {
    server.reset();
    await apply(RCLONE);
    const diff = await diffObjects(LONGHORN, { kubeConfig, ...SET, prune: true });
    expect(diff.filter((r) => r.action === 'delete').map((r) => r.ref)).toEqual(LAST_FIRST);
    // The member label apply adds is no change once applied.
    server.reset({ live: Object.fromEntries(live()) });
    await apply(LONGHORN, { prune: true });
    const again = await diffObjects(LONGHORN, { kubeConfig, ...SET, prune: true });
    expect(again.filter((r) => r.action !== 'unchanged')).toEqual([]);
  });
});
