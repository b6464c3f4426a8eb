/**
 * The objects of a Longhorn restore (docs/restore.md, step 3), rendered by `stemedb-manifests
 * render --restore-from`: per volume, a StorageClass whose `fromBackup` parameter names the
 * backup, and a PVC of that class, beside the live claim. Longhorn creates the restored volume
 * when the PVC is created; the runbook then moves the server onto it. A restore StorageClass is
 * per backup because `fromBackup` is a class parameter (one backup URL each), and it retains
 * its volumes, so deleting the restore PVC during the swap never deletes the restored data.
 */
import type { V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { StemeDeploymentConfig } from '../config/index.js';
import { type Built, namespacedMeta, objectLabels, objectNames } from './meta.js';
import { type DataVolume, dataVolumes } from './pvc.js';
import { LONGHORN_PROVISIONER } from './storage-class.js';

/** One volume to restore: the live claim it replaces and the Longhorn backup URL. */
export interface RestoreTarget {
  claimName: string;
  backupUrl: string;
}

/** Name of the restore StorageClass of one volume: `longhorn-stemedb-restore-db`. */
export function restoreStorageClassName(c: StemeDeploymentConfig, v: DataVolume): string {
  return `${objectNames(c).storageClass}-restore-${v.volumeName}`;
}

/** Name of the restore PVC beside a live claim: `stemedb-db-restore`. */
export function restoreClaimName(claimName: string): string {
  return `${claimName}-restore`;
}

/**
 * A Longhorn backup URL: `<backup target>?backup=<backup name>&volume=<volume name>`, as the
 * Longhorn UI copies it (Backup → the backup → "Copy URL") and `kubectl get
 * backups.longhorn.io` shows it in `status.url`. Returns what is wrong with it, if anything.
 */
export function backupUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (!['s3:', 'nfs:', 'cifs:', 'azblob:'].includes(parsed.protocol)) {
    return `has scheme ${parsed.protocol.replace(/:$/, '')}, not one of Longhorn's backup targets (s3, nfs, cifs, azblob)`;
  }
  for (const key of ['backup', 'volume']) {
    if (!parsed.searchParams.get(key)) return `has no ${key}= parameter`;
  }
  return undefined;
}

/** `20261202T060000Z`, `db/<stamp>` or `gcs:<bucket>/db/<stamp>`: what an rclone restore takes. */
function looksLikeRcloneCopy(spec: string): boolean {
  return /^(?:(?:[^:/=]+:[^/=]+\/)?db\/)?\d{8}T\d{6}Z\/?$/.test(spec);
}

/**
 * Matches `--restore-from` values (`CLAIM=URL`, or a bare URL when there is one volume) to the
 * config's volumes. Throws an Error whose message says what is wrong, for the CLI's usage error.
 */
export function restoreTargets(
  c: StemeDeploymentConfig,
  specs: readonly string[],
): RestoreTarget[] {
  const claims = dataVolumes(c).map((v) => v.claimName);
  const targets: RestoreTarget[] = [];
  for (const spec of specs) {
    if (looksLikeRcloneCopy(spec.replace(/^[a-z0-9][-a-z0-9.]*=/, ''))) {
      throw new Error(
        `--restore-from ${spec}: that is an rclone DB copy, but backup.method is ${c.backup.method}: a Longhorn restore takes CLAIM=URL, the backup URL Longhorn lists (s3://…?backup=…&volume=…)`,
      );
    }
    const match = /^([a-z0-9][-a-z0-9.]*)=(.+)$/.exec(spec);
    if (!match && claims.length > 1) {
      throw new Error(
        `--restore-from needs CLAIM=URL with ${claims.length} volumes (${claims.join(', ')}): a backup belongs to one volume`,
      );
    }
    const claimName = match ? match[1]! : claims[0]!;
    const backupUrl = match ? match[2]! : spec;
    if (!claims.includes(claimName)) {
      throw new Error(`--restore-from ${claimName}=…: no such volume (${claims.join(', ')})`);
    }
    if (targets.some((t) => t.claimName === claimName)) {
      throw new Error(`--restore-from ${claimName} is given twice`);
    }
    const problem = backupUrlProblem(backupUrl);
    if (problem) throw new Error(`--restore-from ${claimName}: the backup URL ${problem}`);
    targets.push({ claimName, backupUrl });
  }
  return targets;
}

/** The restore StorageClasses, then the restore PVCs, for `targets`. */
export function buildRestoreObjects(
  c: StemeDeploymentConfig,
  targets: readonly RestoreTarget[],
): (Built<V1StorageClass> | Built<V1PersistentVolumeClaim>)[] {
  const sc = c.storage.storageClass;
  const volumes = targets.map((t) => {
    const v = dataVolumes(c).find((d) => d.claimName === t.claimName);
    if (!v) throw new Error(`buildRestoreObjects: no volume ${t.claimName}`);
    return { v, t };
  });
  const classes = volumes.map(
    ({ v, t }): Built<V1StorageClass> => ({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: restoreStorageClassName(c, v), labels: objectLabels(c, 'restore') },
      provisioner: LONGHORN_PROVISIONER,
      parameters: {
        numberOfReplicas: String(sc.numberOfReplicas),
        dataLocality: sc.dataLocality,
        staleReplicaTimeout: '30',
        fsType: 'ext4',
        fromBackup: t.backupUrl,
      },
      // Always Retain: the swap deletes the restore PVC and keeps its volume.
      reclaimPolicy: 'Retain',
      allowVolumeExpansion: true,
      volumeBindingMode: 'Immediate',
    }),
  );
  const claims = volumes.map(
    ({ v }): Built<V1PersistentVolumeClaim> => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: namespacedMeta(c, restoreClaimName(v.claimName), 'restore'),
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: restoreStorageClassName(c, v),
        resources: { requests: { storage: v.size } },
      },
    }),
  );
  return [...classes, ...claims];
}
