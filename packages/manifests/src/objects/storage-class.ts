/** The Longhorn StorageClass for StemeDB's volumes (roadmap pvc.yaml note). */
import type { V1StorageClass } from '@kubernetes/client-node';
import type { StemeDeploymentConfig } from '../config/index.js';
import type { ObjectDescriptor } from './descriptor.js';
import { type Built, objectLabels, objectNames } from './meta.js';

/** Longhorn's CSI driver. */
export const LONGHORN_PROVISIONER = 'driver.longhorn.io';

/**
 * The roadmap asks for `numberOfReplicas: 2` "in Longhorn StorageClass" but never writes one,
 * and its PVCs use the install's `longhorn` class (3 replicas). We emit a class of our own
 * rather than editing `longhorn`: the Longhorn install owns that one, and StorageClass
 * parameters cannot be changed after creation. Parameters are strings, as the CSI API wants.
 *
 * - `dataLocality: best-effort` keeps a replica on the pod's node (roadmap risk register, which
 *   spells it `bestEffort`, a value Longhorn rejects).
 * - `reclaimPolicy: Retain` by default: deleting the PVC (or the namespace) keeps the Longhorn
 *   volume, so a mistake is recoverable (roadmap Phase 2 item 6, "Longhorn PVC reclaim policy").
 * - `allowVolumeExpansion: true`: the volume alert says "resize requires downtime"; with
 *   expansion allowed, a resize is an edit of the PVC's request (older Longhorn releases expand
 *   only detached volumes, which with one replica means a restart).
 */
export function buildStorageClass(c: StemeDeploymentConfig): Built<V1StorageClass> {
  const sc = c.storage.storageClass;
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: objectNames(c).storageClass, labels: objectLabels(c, 'storage') },
    provisioner: LONGHORN_PROVISIONER,
    parameters: {
      numberOfReplicas: String(sc.numberOfReplicas),
      dataLocality: sc.dataLocality,
      staleReplicaTimeout: '30',
      fsType: 'ext4',
    },
    reclaimPolicy: sc.reclaimPolicy,
    allowVolumeExpansion: true,
    volumeBindingMode: 'Immediate',
  };
}

/** The StorageClass, before the claims that name it. */
export const storageClassObject: ObjectDescriptor = {
  id: 'storage-class',
  kind: 'StorageClass',
  when: (c) => c.storage.storageClass.create,
  build: buildStorageClass,
  invariants: [],
  docs: {
    object: 'StorageClass (Longhorn, 2 replicas, best-effort locality, Retain)',
    name: '`longhorn-stemedb`',
    when: '`storage.storageClass.create`',
  },
};
