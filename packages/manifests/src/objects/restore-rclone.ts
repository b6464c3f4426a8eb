/**
 * The copy-back of an rclone backup (`backup.method: rclone`; docs/restore.md, "Restore from an
 * rclone backup"), rendered by `stemedb-manifests render --restore-from <DB copy>`: a Job that
 * mounts the server's claims read-write and copies one DB copy (`db/<stamp>/`) and the WAL
 * segments (`wal/`) back, with the backup CronJob's image, rclone Secret, resources and
 * security context. An rclone backup is one run over every volume, so it is restored whole:
 * one DB copy, not a backup per claim as with Longhorn.
 */
import type { V1Job } from '@kubernetes/client-node';
import { backupOf, type StemeDeploymentConfig } from '../config/index.js';
import type { ExternalSecret } from './crds.js';
import {
  buildRcloneExternalSecret,
  RCLONE_CONFIG_DIR,
  RCLONE_CONFIG_FILE,
  RCLONE_REMOTE,
} from './external-secrets.js';
import { type Built, namespacedMeta, objectLabels, objectNames, selectorLabels } from './meta.js';
import { buildBackupNetworkPolicy } from './network-policy.js';
import { DB_DIR, dataVolumes, WAL_DIR } from './pvc.js';
import { containerSecurityContext, podSecurityContext, tmpVolume } from './security.js';

/** The name the backup script gives each DB copy: `date -u +%Y%m%dT%H%M%SZ`. */
const STAMP = /^\d{8}T\d{6}Z$/;

/** Long enough for a copy the size of the backup's own, which has the same deadline. */
const RESTORE_DEADLINE_SECONDS = 2 * 60 * 60;

/** The DB copy to restore, by the timestamp of the backup run that made it. */
export interface RcloneRestoreSource {
  stamp: string;
}

/**
 * Reads `--restore-from` for `backup.method: rclone`: one DB copy, as its timestamp
 * (`20261202T060000Z`, what `rclone lsf gcs:<bucket>/db/` lists) or its rclone path
 * (`db/<stamp>` or `gcs:<bucket>/db/<stamp>`, the bucket being the config's). Throws an Error
 * whose message says what is wrong, for the CLI's usage error.
 */
export function rcloneRestoreSource(
  c: StemeDeploymentConfig,
  specs: readonly string[],
): RcloneRestoreSource {
  const b = backupOf(c, 'rclone');
  const example = `e.g. 20261202T060000Z or ${RCLONE_REMOTE}:${b.bucket}/db/20261202T060000Z`;
  if (specs.length !== 1) {
    throw new Error(
      `--restore-from is given ${specs.length} times: an rclone backup is restored whole (one DB copy and the WAL segments), so give one DB copy, ${example}`,
    );
  }
  const spec = specs[0]!;
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(spec) || /[?&](backup|volume)=/.test(spec)) {
    throw new Error(
      `--restore-from ${spec}: that is a Longhorn backup URL, but backup.method is rclone: give the DB copy of an rclone run, ${example}`,
    );
  }
  if (/^[a-z0-9][-a-z0-9.]*=/.test(spec)) {
    throw new Error(
      `--restore-from ${spec}: an rclone backup is not per claim (one run copies every volume): give the DB copy alone, ${example}`,
    );
  }
  const match = /^(?:(?:([^:/]+):([^/]+)\/)?db\/)?([^/]+)\/?$/.exec(spec);
  const [, remote, bucket, stamp] = match ?? [];
  if (!stamp) {
    throw new Error(`--restore-from ${spec}: not a DB copy of the rclone backup, ${example}`);
  }
  if (remote !== undefined && remote !== RCLONE_REMOTE) {
    throw new Error(
      `--restore-from ${spec}: remote ${remote} is not the backup's (${RCLONE_REMOTE}), ${example}`,
    );
  }
  if (bucket !== undefined && bucket !== b.bucket) {
    throw new Error(
      `--restore-from ${spec}: bucket ${bucket} is not backup.bucket (${b.bucket}), the only one the Job's credentials are for`,
    );
  }
  if (!STAMP.test(stamp)) {
    throw new Error(
      `--restore-from ${spec}: "${stamp}" is not the timestamp of a backup run (YYYYMMDDTHHMMSSZ), ${example}`,
    );
  }
  return { stamp };
}

/** Name of the copy-back Job of one DB copy: `stemedb-restore-20261202t060000z`. */
export function rcloneRestoreJobName(source: RcloneRestoreSource): string {
  return `stemedb-restore-${source.stamp.toLowerCase()}`;
}

/**
 * The copy-back script, for the rclone image's busybox `sh`: point in time. It refuses an empty
 * or missing DB copy before `rclone sync`, which makes the DB directory exactly the copy
 * (syncing from nothing would empty it). Then it empties the WAL directory and copies only the
 * WAL segments of the chosen stamp (`wal/<stamp>/`, none if that run had no completed
 * segment): a segment left from the live server, or from another run, would be replayed on top
 * of a DB copy it does not belong to.
 */
export function rcloneRestoreScript(): string {
  const remote = `${RCLONE_REMOTE}:\${BACKUP_BUCKET}`;
  return [
    'set -eu',
    `src="${remote}/db/\${RESTORE_STAMP}"`,
    'if [ -z "$(rclone lsf "$src" --max-depth 1)" ]; then',
    '  echo "no DB copy at $src" >&2',
    '  exit 1',
    'fi',
    `rclone sync "$src" ${DB_DIR}`,
    `find ${WAL_DIR} -mindepth 1 -delete`,
    `if [ -n "$(rclone lsf "${remote}/wal/\${RESTORE_STAMP}" --max-depth 1 2>/dev/null || true)" ]; then`,
    `  rclone copy "${remote}/wal/\${RESTORE_STAMP}" ${WAL_DIR}`,
    'fi',
    'echo "restore complete: $RESTORE_STAMP"',
    '',
  ].join('\n');
}

/**
 * The Job, and, when the config has the backup off (a drill), the rclone ExternalSecret and
 * the backup NetworkPolicy that the bundle then lacks and the Job needs.
 *
 * The Job must never run beside the server: writing under a live database corrupts it. It
 * keeps off the server's node with a required pod anti-affinity, and on any other node the
 * server's ReadWriteOnce volumes cannot attach: while the server runs, the Job waits and
 * `activeDeadlineSeconds` ends it. The pod carries the backup's name label, so the backup
 * NetworkPolicy lets it reach GCS. `backoffLimit: 0`: a failed copy-back is read, not retried.
 */
export function buildRcloneRestoreObjects(
  c: StemeDeploymentConfig,
  source: RcloneRestoreSource,
): (Built<V1Job> | ExternalSecret | ReturnType<typeof buildBackupNetworkPolicy>)[] {
  const n = objectNames(c);
  const b = backupOf(c, 'rclone');
  const labels = objectLabels(c, 'restore', n.backup);
  const volumes = dataVolumes(c);
  const tmp = tmpVolume();
  const job: Built<V1Job> = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: namespacedMeta(c, rcloneRestoreJobName(source), 'restore', { labels }),
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: RESTORE_DEADLINE_SECONDS,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext(c),
          affinity: {
            podAntiAffinity: {
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
              name: 'restore',
              image: b.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['/bin/sh', '-c', rcloneRestoreScript()],
              env: [
                { name: 'BACKUP_BUCKET', value: b.bucket },
                { name: 'RESTORE_STAMP', value: source.stamp },
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
                ...volumes.map((v) => ({ name: v.volumeName, mountPath: v.mountPath })),
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
  };
  if (c.backup.enabled) return [job];
  return [
    buildRcloneExternalSecret(c),
    ...(c.networkPolicy.enabled ? [buildBackupNetworkPolicy(c)] : []),
    job,
  ];
}
