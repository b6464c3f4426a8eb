/**
 * The claim swap of a Longhorn restore (docs/restore.md, step 5), rendered by
 * `stemedb-manifests render --restore-swap CLAIM=VOLUME`: the server's claims come back bound
 * to restored (or retained) Longhorn volumes. Per claim, a PersistentVolume for the volume,
 * reserved for the claim (`claimRef`), and the server's PVC itself, reserved for that PV
 * (`volumeName`). Reserved from both sides, as Kubernetes documents for binding a claim to a
 * given volume: no other claim can take the PV, and the claim cannot be given a new, empty
 * volume by the provisioner of its class.
 */
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { StemeDeploymentConfig } from '../config/index.js';
import { type Built, objectLabels, objectNames } from './meta.js';
import { buildPvcs, dataVolumes } from './pvc.js';
import { LONGHORN_PROVISIONER } from './storage-class.js';

/** One claim to put on a volume: the server's claim and the Longhorn volume's name. */
export interface SwapTarget {
  claimName: string;
  volumeName: string;
}

/** Longhorn volumes are Kubernetes objects: their names are DNS subdomains. */
const VOLUME_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Name of the PV that puts `volumeName` under `claimName`: `stemedb-db-pvc-9e1d…`. */
export function swapVolumeName(t: SwapTarget): string {
  return `${t.claimName}-${t.volumeName}`;
}

/**
 * Matches `--restore-swap` values (`CLAIM=VOLUME`, or a bare VOLUME when there is one claim)
 * to the config's claims. Throws an Error whose message says what is wrong, for the CLI.
 */
export function swapTargets(c: StemeDeploymentConfig, specs: readonly string[]): SwapTarget[] {
  const claims = dataVolumes(c).map((v) => v.claimName);
  const targets: SwapTarget[] = [];
  for (const spec of specs) {
    const match = /^([^=]*)=(.*)$/.exec(spec);
    if (!match && claims.length > 1) {
      throw new Error(
        `--restore-swap needs CLAIM=VOLUME with ${claims.length} volumes (${claims.join(', ')}): each claim gets its own volume`,
      );
    }
    const claimName = match ? match[1]! : claims[0]!;
    const volumeName = match ? match[2]! : spec;
    if (!claims.includes(claimName)) {
      throw new Error(`--restore-swap ${claimName}=…: no such claim (${claims.join(', ')})`);
    }
    if (targets.some((t) => t.claimName === claimName)) {
      throw new Error(`--restore-swap ${claimName} is given twice`);
    }
    if (volumeName === '') {
      throw new Error(
        `--restore-swap ${claimName}=: the Longhorn volume is missing (the restore PVC's spec.volumeName, e.g. pvc-9e1d…)`,
      );
    }
    if (/^[a-z][a-z0-9+.-]*:/.test(volumeName)) {
      throw new Error(
        `--restore-swap ${claimName}=${volumeName}: that is a URL; the swap takes the restored Longhorn volume's name (the restore PVC's spec.volumeName), the backup URL goes to --restore-from`,
      );
    }
    if (!VOLUME_NAME.test(volumeName) || swapVolumeName({ claimName, volumeName }).length > 253) {
      throw new Error(
        `--restore-swap ${claimName}=${volumeName}: not a Longhorn volume name (lowercase letters, digits, - and .)`,
      );
    }
    const twin = targets.find((t) => t.volumeName === volumeName);
    if (twin) {
      throw new Error(
        `--restore-swap: volume ${volumeName} is given for ${twin.claimName} and ${claimName}; one volume can back one claim`,
      );
    }
    targets.push({ claimName, volumeName });
  }
  return targets;
}

/**
 * The PVs, then the claims that bind to them. A PV has the claim's size, class and access
 * mode (the binder requires them to match) and always retains its volume; its CSI attributes
 * are those Longhorn gives a volume of our class. The claims are the bundle's own PVCs (their
 * labels attach the backup again) plus `volumeName`, so `stemedb-manifests apply` afterwards
 * changes nothing on them.
 */
export function buildSwapObjects(
  c: StemeDeploymentConfig,
  targets: readonly SwapTarget[],
): (Built<V1PersistentVolume> | Built<V1PersistentVolumeClaim>)[] {
  const sc = c.storage.storageClass;
  const pvcs = buildPvcs(c);
  const pairs = targets.map((t) => {
    const v = dataVolumes(c).find((d) => d.claimName === t.claimName);
    const pvc = pvcs.find((p) => p.metadata.name === t.claimName);
    if (!v || !pvc) throw new Error(`buildSwapObjects: no claim ${t.claimName}`);
    return { t, v, pvc };
  });
  const volumes = pairs.map(
    ({ t, v }): Built<V1PersistentVolume> => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: swapVolumeName(t), labels: objectLabels(c, 'restore') },
      spec: {
        capacity: { storage: v.size },
        accessModes: ['ReadWriteOnce'],
        volumeMode: 'Filesystem',
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: objectNames(c).storageClass,
        claimRef: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace: c.namespace,
          name: t.claimName,
        },
        csi: {
          driver: LONGHORN_PROVISIONER,
          fsType: 'ext4',
          volumeHandle: t.volumeName,
          volumeAttributes: {
            numberOfReplicas: String(sc.numberOfReplicas),
            staleReplicaTimeout: '30',
          },
        },
      },
    }),
  );
  const claims = pairs.map(
    ({ t, pvc }): Built<V1PersistentVolumeClaim> => ({
      ...pvc,
      spec: { ...pvc.spec, volumeName: swapVolumeName(t) },
    }),
  );
  return [...volumes, ...claims];
}
