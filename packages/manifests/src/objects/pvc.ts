/** The PersistentVolumeClaims: WAL and DB apart (roadmap pvc.yaml), or one data volume. */
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { StemeDeploymentConfig } from '../config/index.js';
import type { ObjectDescriptor } from './descriptor.js';
import { type Built, namespacedMeta, objectNames } from './meta.js';
import { longhornPvcLabels } from './recurring-job.js';

/** One volume of the server: its PVC name, where it is mounted, and its size. */
export interface DataVolume {
  /** Pod volume name. */
  volumeName: string;
  claimName: string;
  mountPath: string;
  size: string;
  /** A claim that exists already (`storage.volumes.existingClaim`): mounted, not rendered. */
  existing?: boolean;
}

/** Where the server keeps its WAL and DB, whichever the volume layout. */
export const WAL_DIR = '/data/wal';
export const DB_DIR = '/data/db';

/**
 * The server's volumes. `split` mounts a WAL volume at /data/wal and a DB volume at /data/db,
 * so WAL fsyncs don't wait behind compaction I/O (roadmap pvc.yaml); `single` mounts one volume
 * at /data holding both directories, the layout deployed today (ship blocker 4, "PVC (50Gi
 * Longhorn)"). The paths seen by the server are the same either way.
 */
export function dataVolumes(c: StemeDeploymentConfig): DataVolume[] {
  const n = objectNames(c);
  const v = c.storage.volumes;
  if (v.layout === 'single') {
    const claimName = v.existingClaim ?? n.dataPvc;
    const existing = v.existingClaim !== undefined;
    return [{ volumeName: 'data', claimName, mountPath: '/data', size: v.size, existing }];
  }
  return [
    { volumeName: 'wal', claimName: n.walPvc, mountPath: WAL_DIR, size: v.walSize },
    { volumeName: 'db', claimName: n.dbPvc, mountPath: DB_DIR, size: v.dbSize },
  ];
}

/**
 * ReadWriteOnce claims on our Longhorn class. The roadmap's `volumeType: longhorn` annotation
 * is dropped: nothing reads it, the storage class is what selects Longhorn. With the Longhorn
 * backup the claims carry the labels that attach the RecurringJob (src/objects/recurring-job.ts).
 */
export function buildPvcs(c: StemeDeploymentConfig): Built<V1PersistentVolumeClaim>[] {
  return dataVolumes(c)
    .filter((v) => !v.existing)
    .map((v) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      // With the Longhorn backup, the labels that attach the RecurringJob to the volume.
      metadata: namespacedMeta(c, v.claimName, 'storage', {
        ...(c.backup.enabled && c.backup.method === 'longhorn' && { labels: longhornPvcLabels(c) }),
      }),
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: objectNames(c).storageClass,
        resources: { requests: { storage: v.size } },
      },
    }));
}

/** The claims, before the pods that mount them. */
export const pvcObjects: ObjectDescriptor = {
  id: 'persistent-volume-claims',
  kind: 'PersistentVolumeClaim',
  when: () => true,
  build: buildPvcs,
  invariants: [],
  docs: {
    object: 'PersistentVolumeClaims (with the Longhorn backup: its two recurring-job labels)',
    name: '`stemedb-wal` + `stemedb-db`, or `stemedb-data`',
    when: '`storage.volumes.layout`; none with `existingClaim`',
  },
};
