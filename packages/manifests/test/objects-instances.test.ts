/**
 * Several instances in one cluster: objects that are cluster-scoped (StorageClass, restore
 * classes) or live in a shared namespace (the RecurringJob in longhorn-system) are named per
 * instance, so two instances' bundles never hold one identity with different content; and
 * `ref/identity-clash` finds it when they do (lint over several bundles).
 */
import { describe, expect, it } from 'vitest';
import {
  buildBundle,
  buildRestoreObjects,
  parseConfig,
  restoreTargets,
  validate,
} from '../src/index.js';
import type { KubeObject } from '../src/types.js';
import { MINIMAL, withConfig } from './objects-fixtures.js';

const URL = 's3://backups@us/?backup=backup-1&volume=pvc-1';

/** Every object of an instance: the bundle plus its restore objects for every volume. */
function instance(over: Record<string, unknown>): KubeObject[] {
  const c = parseConfig(withConfig(over));
  const claims = buildBundle(c)
    .filter((o) => o.kind === 'PersistentVolumeClaim')
    .map((o) => `${o.metadata.name}=${URL}`);
  const restore = buildRestoreObjects(c, restoreTargets(c, claims)) as unknown as KubeObject[];
  return [...buildBundle(c), ...restore];
}

function identity(o: KubeObject): string {
  return `${o.apiVersion.split('/').slice(0, -1).join('/')}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Identities both instances hold whose content differs. */
function clashes(a: KubeObject[], b: KubeObject[]): string[] {
  const mine = new Map(a.map((o) => [identity(o), JSON.stringify(o)]));
  return b
    .filter((o) => mine.has(identity(o)) && mine.get(identity(o)) !== JSON.stringify(o))
    .map(identity);
}

const staging = {
  namespace: 'stemedb-staging',
  storage: { storageClass: { numberOfReplicas: 1 } },
};

describe('instance-scoped names', () => {
  it('keeps the names the default namespace always had', () => {
    const b = instance({});
    const names = b
      .filter((o) => o.kind === 'StorageClass' || o.kind === 'RecurringJob')
      .map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toEqual([
      'StorageClass/longhorn-stemedb',
      'RecurringJob/stemedb-backup',
      'StorageClass/longhorn-stemedb-restore-wal',
      'StorageClass/longhorn-stemedb-restore-db',
    ]);
  });

  it('renders a staging instance beside production with no identity in common that differs', () => {
    const prod = instance({});
    const stage = instance(staging);
    expect(clashes(prod, stage)).toEqual([]);
    const rj = stage.find((o) => o.kind === 'RecurringJob')!;
    expect(rj.metadata).toMatchObject({
      name: 'stemedb-staging-backup',
      namespace: 'longhorn-system',
    });
    expect((rj as unknown as { spec: { groups: string[] } }).spec.groups).toEqual([
      'stemedb-staging',
    ]);
    const pvc = stage.find((o) => o.kind === 'PersistentVolumeClaim')!;
    expect(pvc.metadata.labels).toMatchObject({
      'recurring-job-group.longhorn.io/stemedb-staging': 'enabled',
    });
    expect(pvc).toMatchObject({ spec: { storageClassName: 'longhorn-stemedb-staging' } });
  });

  it('lets two instances share a class by name when its content is the same', () => {
    const a = instance({ storage: { storageClass: { name: 'longhorn-shared' } } });
    const b = instance({ ...staging, storage: { storageClass: { name: 'longhorn-shared' } } });
    expect(clashes(a, b)).toEqual([]);
    expect(
      validate([...buildBundle(parseConfig(MINIMAL)), ...b]).findings.filter(
        (f) => f.ruleId === 'ref/identity-clash',
      ),
    ).toEqual([]);
  });
});

describe('ref/identity-clash over several bundles', () => {
  it('reports a shared class name whose parameters differ, and a shared backup group', () => {
    const a = instance({});
    const b = instance({
      ...staging,
      storage: { storageClass: { name: 'longhorn-stemedb', numberOfReplicas: 1 } },
      backup: { longhorn: { group: 'stemedb' } },
    });
    const found = validate([...a, ...b])
      .findings.filter((f) => f.ruleId === 'ref/identity-clash')
      .map((f) => `${f.object} ${f.path}`);
    expect(found).toEqual([
      'StorageClass/longhorn-stemedb parameters.numberOfReplicas',
      'RecurringJob/longhorn-system/stemedb-backup spec.labels["stemedb.io/namespace"]',
      'StorageClass/longhorn-stemedb-restore-wal parameters.numberOfReplicas',
      'StorageClass/longhorn-stemedb-restore-db parameters.numberOfReplicas',
    ]);
  });
});

describe('node failure', () => {
  it('tolerates a not-ready or unreachable node for 30 s, not the default 300 s', () => {
    const deployment = buildBundle(parseConfig(MINIMAL)).find((o) => o.kind === 'Deployment')!;
    const spec = (
      deployment as unknown as { spec: { template: { spec: Record<string, unknown> } } }
    ).spec.template.spec;
    expect(spec.tolerations).toEqual([
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 30,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 30,
      },
    ]);
  });

  it('takes the seconds from server.nodeFailureTolerationSeconds', () => {
    const c = parseConfig(withConfig({ server: { nodeFailureTolerationSeconds: 10 } }));
    const deployment = buildBundle(c).find((o) => o.kind === 'Deployment')!;
    expect(JSON.stringify(deployment)).toContain('"tolerationSeconds":10');
  });
});
