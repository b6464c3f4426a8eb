/** The backup CronJob (roadmap Phase 2 "Backup CronJob"), made to work on RWO Longhorn volumes. */
import type { V1CronJob } from '@kubernetes/client-node';
import { backupOf, type StemeDeploymentConfig } from '../config/index.js';
import { refPvcNotProduced, refVolumeMount } from '../rules/ref-volumes.js';
import { backupMethod, type ObjectDescriptor } from './descriptor.js';
import { RCLONE_CONFIG_DIR, RCLONE_CONFIG_FILE, RCLONE_REMOTE } from './external-secrets.js';
import { type Built, namespacedMeta, objectLabels, objectNames, selectorLabels } from './meta.js';
import { DB_DIR, dataVolumes, WAL_DIR } from './pvc.js';
import { containerSecurityContext, podSecurityContext, tmpVolume } from './security.js';

/**
 * The backup script, for the rclone image's busybox `sh`. The roadmap's version lists WAL
 * segments with `head -n -1`, which busybox `head` does not support, and mixes `--include` with
 * `--exclude`, whose order rclone does not guarantee. Here the newest segment (still being
 * written) is found with `tail -n 1` and left out with ordered `--filter` rules; every completed
 * segment is copied. Each run writes one point in time under its stamp: the DB directory to
 * `db/<stamp>/` and the completed WAL segments beside it to `wal/<stamp>/`, so that a restore
 * takes exactly the WAL of the copy it restores (one shared `wal/` merged every run's history
 * into whatever was restored). Without a snapshot API it is a copy of live files, consistent
 * only together with its WAL segments (see the README). Then the copies beyond the newest
 * `keep` (`BACKUP_KEEP`, `backup.rclone.keep`) are removed, oldest first, DB and WAL alike.
 */
export function backupScript(): string {
  const remote = `${RCLONE_REMOTE}:\${BACKUP_BUCKET}`;
  return [
    'set -eu',
    'stamp=$(date -u +%Y%m%dT%H%M%SZ)',
    `newest=$(ls -1 ${WAL_DIR} | grep '\\.wal$' | sort | tail -n 1 || true)`,
    'if [ -n "$newest" ]; then',
    `  rclone copy ${WAL_DIR} "${remote}/wal/$stamp" --filter "- /$newest" --filter "+ /*.wal" --filter "- **"`,
    'fi',
    `rclone copy ${DB_DIR} "${remote}/db/$stamp"`,
    'echo "backup complete: $stamp"',
    // Stamps sort by time; everything past the newest BACKUP_KEEP goes, WAL with its DB copy.
    `for old in $(rclone lsf "${remote}/db" --dirs-only | sed 's#/$##' | sort -r | awk -v keep="$BACKUP_KEEP" 'NR > keep'); do`,
    `  rclone purge "${remote}/db/$old"`,
    `  rclone purge "${remote}/wal/$old" 2>/dev/null || true`,
    '  echo "pruned: $old"',
    'done',
    '',
  ].join('\n');
}

/**
 * Every 6 hours, one at a time (`Forbid`). The roadmap's job mounts the server's ReadWriteOnce
 * PVCs, which are attached to the server's node: a job scheduled on another node hangs in
 * ContainerCreating ("Multi-Attach error"). RWO permits several pods *on the same node*, so the
 * job is pinned there with a required podAffinity on the server's selector labels and mounts
 * the volumes read-only. If the server is not running, the job waits unscheduled until
 * `activeDeadlineSeconds` ends it, and the failed Job shows it.
 *
 * rclone reads its config from `RCLONE_CONFIG` (the roadmap mounted the Secret but never told
 * rclone where); HOME and the cache point at the /tmp emptyDir because the root filesystem is
 * read-only. The image is pinned instead of `rclone/rclone:latest`.
 */
export function buildBackupCronJob(c: StemeDeploymentConfig): Built<V1CronJob> {
  const n = objectNames(c);
  const b = backupOf(c, 'rclone');
  const labels = objectLabels(c, 'backup', n.backup);
  const volumes = dataVolumes(c);
  const tmp = tmpVolume();
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: namespacedMeta(c, n.backup, 'backup', { labels }),
    spec: {
      schedule: b.schedule,
      timeZone: b.timeZone,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 2 * 60 * 60,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: 'Never',
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: podSecurityContext(c),
              affinity: {
                podAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: [
                    {
                      labelSelector: { matchLabels: selectorLabels(c) },
                      topologyKey: 'kubernetes.io/hostname',
                    },
                  ],
                },
              },
              containers: [
                {
                  name: 'backup',
                  image: b.image,
                  imagePullPolicy: 'IfNotPresent',
                  command: ['/bin/sh', '-c', backupScript()],
                  env: [
                    { name: 'BACKUP_BUCKET', value: b.bucket },
                    { name: 'BACKUP_KEEP', value: String(b.rclone.keep) },
                    { name: 'RCLONE_CONFIG', value: RCLONE_CONFIG_FILE },
                    { name: 'RCLONE_CACHE_DIR', value: '/tmp/rclone' },
                    { name: 'HOME', value: '/tmp' },
                  ],
                  resources: {
                    requests: { ...b.resources.requests },
                    limits: { ...b.resources.limits },
                  },
                  securityContext: containerSecurityContext(),
                  volumeMounts: [
                    ...volumes.map((v) => ({
                      name: v.volumeName,
                      mountPath: v.mountPath,
                      readOnly: true,
                    })),
                    { name: 'rclone-config', mountPath: RCLONE_CONFIG_DIR, readOnly: true },
                    tmp.mount,
                  ],
                },
              ],
              volumes: [
                ...volumes.map((v) => ({
                  name: v.volumeName,
                  persistentVolumeClaim: { claimName: v.claimName },
                })),
                { name: 'rclone-config', secret: { secretName: b.secretName, defaultMode: 0o440 } },
                tmp.volume,
              ],
            },
          },
        },
      },
    },
  };
}

/** The rclone backup CronJob: every claim it mounts is emitted. */
export const backupCronJobObject: ObjectDescriptor = {
  id: 'backup-cronjob',
  kind: 'CronJob',
  when: (c) => backupMethod(c) === 'rclone',
  build: buildBackupCronJob,
  invariants: [refPvcNotProduced, refVolumeMount],
  docs: {
    object: 'CronJob (rclone to GCS; not crash-consistent)',
    name: '`stemedb-backup`',
    when: '`backup.enabled`, `backup.method: rclone`',
  },
};
