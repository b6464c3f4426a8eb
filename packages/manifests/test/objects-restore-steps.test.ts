/**
 * The restore steps after `render --restore-from` with Longhorn: the claim swap (PVs reserved
 * for the server's claims, the claims for the PVs), and the rclone copy-back Job. Each is
 * checked beside the bundle it joins, by the strict schemas and every rule.
 */
import { describe, expect, it } from 'vitest';
import {
  buildBackupCronJob,
  buildBundle,
  buildRcloneRestoreObjects,
  buildSwapObjects,
  type KubeObject,
  parseConfig,
  rcloneRestoreSource,
  renderYaml,
  swapTargets,
  validate,
} from '../src/index.js';
import { toKubeObject } from '../src/objects/meta.js';
import { at, MINIMAL, pick, refs, withConfig } from './objects-fixtures.js';

const key = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The bundle as it is once `objects` are applied: objects of the same name replaced. */
function beside(bundle: readonly KubeObject[], objects: readonly KubeObject[]): KubeObject[] {
  const replaced = new Set(objects.map(key));
  return [...bundle.filter((o) => !replaced.has(key(o))), ...objects];
}

const findings = (objects: readonly KubeObject[]) =>
  validate(objects).findings.map((f) => `${f.ruleId} ${f.object} ${f.path}`);

describe('the claim swap (render --restore-swap)', () => {
  const config = parseConfig(MINIMAL);
  const bundle = buildBundle(config);
  const swap = buildSwapObjects(
    config,
    swapTargets(config, ['stemedb-wal=pvc-0f3c', 'stemedb-db=pvc-9e1d']),
  ).map(toKubeObject);

  it('is a PV per volume, then the server’s claims bound to them', () => {
    expect(refs(swap)).toEqual([
      'PersistentVolume/stemedb-wal-pvc-0f3c',
      'PersistentVolume/stemedb-db-pvc-9e1d',
      'PersistentVolumeClaim/stemedb-wal',
      'PersistentVolumeClaim/stemedb-db',
    ]);
  });

  it('reserves each PV for its claim, on the Longhorn volume, with the claim’s size and class', () => {
    const pv = pick(swap, 'PersistentVolume', 'stemedb-db-pvc-9e1d');
    expect(pv.metadata.namespace).toBeUndefined();
    expect(at(pv, 'spec')).toEqual({
      capacity: { storage: '50Gi' },
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Filesystem',
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: 'longhorn-stemedb',
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: 'stemedb',
        name: 'stemedb-db',
      },
      csi: {
        driver: 'driver.longhorn.io',
        fsType: 'ext4',
        volumeHandle: 'pvc-9e1d',
        volumeAttributes: { numberOfReplicas: '2', staleReplicaTimeout: '30' },
      },
    });
    expect(at(pick(swap, 'PersistentVolume', 'stemedb-wal-pvc-0f3c'), 'spec.capacity')).toEqual({
      storage: '20Gi',
    });
  });

  it('renders the bundle’s own claims plus volumeName, so a later apply changes nothing else', () => {
    for (const name of ['stemedb-wal', 'stemedb-db']) {
      const claim = pick(swap, 'PersistentVolumeClaim', name);
      const { volumeName, ...rest } = claim.spec as Record<string, unknown>;
      expect(volumeName).toBe(`${name}-pvc-${name === 'stemedb-db' ? '9e1d' : '0f3c'}`);
      expect({ ...claim, spec: rest }).toEqual(pick(bundle, 'PersistentVolumeClaim', name));
    }
  });

  it('passes the strict schemas and every rule in place of the bundle’s claims', () => {
    expect(findings(beside(bundle, swap))).toEqual([]);
  });

  it('matches the checked-in rendering', async () => {
    await expect(renderYaml(swap)).toMatchFileSnapshot('./__snapshots__/restore-swap.yaml');
  });

  it('is caught by the strict schema when a field is misspelt', () => {
    const bad = structuredClone(swap);
    (bad[0]!.spec as Record<string, unknown>).claimRefs = {};
    (at(bad[0], 'spec.csi') as Record<string, unknown>).volumeHandel = 'x';
    expect(
      findings(beside(bundle, bad))
        .filter((f) => f.startsWith('schema/'))
        .sort(),
    ).toEqual([
      'schema/unknown-field PersistentVolume/stemedb-wal-pvc-0f3c spec.claimRefs',
      'schema/unknown-field PersistentVolume/stemedb-wal-pvc-0f3c spec.csi.volumeHandel',
    ]);
  });

  it('takes a bare volume with one claim, and follows the config’s class and namespace', () => {
    const single = parseConfig(
      withConfig({
        namespace: 'stemedb-drill',
        storage: { volumes: { layout: 'single', size: '80Gi' }, storageClass: { name: 'lh' } },
      }),
    );
    const objects = buildSwapObjects(single, swapTargets(single, ['stemedb-data-restored'])).map(
      toKubeObject,
    );
    expect(refs(objects)).toEqual([
      'PersistentVolume/stemedb-data-stemedb-data-restored',
      'PersistentVolumeClaim/stemedb-data',
    ]);
    expect(at(objects[0], 'spec')).toMatchObject({
      capacity: { storage: '80Gi' },
      storageClassName: 'lh',
      claimRef: { namespace: 'stemedb-drill', name: 'stemedb-data' },
    });
    expect(findings(beside(buildBundle(single), objects))).toEqual([]);
  });

  it.each([
    [['pvc-9e1d'], /needs CLAIM=VOLUME with 2 volumes/],
    [['stemedb-log=pvc-9e1d'], /no such claim \(stemedb-wal, stemedb-db\)/],
    [['stemedb-db='], /the Longhorn volume is missing/],
    [['stemedb-db=s3://b@us/?backup=x&volume=y'], /that is a URL/],
    [['stemedb-db=PVC_9E1D'], /not a Longhorn volume name/],
    [['stemedb-db=a', 'stemedb-db=b'], /given twice/],
    [['stemedb-db=pvc-1', 'stemedb-wal=pvc-1'], /one volume can back one claim/],
  ])('refuses %j', (specs, want) => {
    expect(() => swapTargets(config, specs)).toThrow(want);
  });
});

describe('the rclone copy-back Job (render --restore-from with backup.method rclone)', () => {
  const config = parseConfig(withConfig({ backup: { method: 'rclone' } }));
  const bundle = buildBundle(config);
  const [job] = buildRcloneRestoreObjects(config, { stamp: '20261202T060000Z' }).map(toKubeObject);
  const cronPod = at(buildBackupCronJob(config), 'spec.jobTemplate.spec.template.spec') as Record<
    string,
    unknown
  >;
  const pod = at(job, 'spec.template.spec') as Record<string, unknown>;
  const container = (pod.containers as Record<string, unknown>[])[0]!;

  it('is one Job named after the DB copy, run once, bounded in time', () => {
    expect(job!.kind).toBe('Job');
    expect(job!.metadata).toMatchObject({
      name: 'stemedb-restore-20261202t060000z',
      namespace: 'stemedb',
    });
    expect(at(job, 'spec.backoffLimit')).toBe(0);
    expect(at(job, 'spec.activeDeadlineSeconds')).toBe(7200);
    expect(pod.restartPolicy).toBe('Never');
  });

  it('has the backup’s image, credentials, resources and security context', () => {
    const cron = (cronPod.containers as Record<string, unknown>[])[0]!;
    expect(container.image).toBe(cron.image);
    expect(container.resources).toEqual(cron.resources);
    expect(container.securityContext).toEqual(cron.securityContext);
    expect(pod.securityContext).toEqual(cronPod.securityContext);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect((pod.volumes as unknown[]).slice(2)).toEqual((cronPod.volumes as unknown[]).slice(2));
    expect(container.env).toEqual([
      { name: 'BACKUP_BUCKET', value: 'stemedb-backups' },
      { name: 'RESTORE_STAMP', value: '20261202T060000Z' },
      // Every variable of the backup's but its retention (BACKUP_KEEP), which a restore never prunes.
      ...(cron.env as unknown[]).slice(2),
    ]);
  });

  it('mounts the server’s claims read-write and carries the backup’s label for its NetworkPolicy', () => {
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: 'wal', persistentVolumeClaim: { claimName: 'stemedb-wal' } },
        { name: 'db', persistentVolumeClaim: { claimName: 'stemedb-db' } },
      ]),
    );
    expect((container.volumeMounts as Record<string, unknown>[]).slice(0, 2)).toEqual([
      { name: 'wal', mountPath: '/data/wal' },
      { name: 'db', mountPath: '/data/db' },
    ]);
    expect(
      (at(job, 'spec.template.metadata.labels') as Record<string, string>)[
        'app.kubernetes.io/name'
      ],
    ).toBe('stemedb-backup');
  });

  it('keeps off the server’s node, so it never writes under a running server', () => {
    expect(at(pod, 'affinity')).toEqual({
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'stemedb-api' } },
            topologyKey: 'kubernetes.io/hostname',
          },
        ],
      },
    });
  });

  it('refuses a missing DB copy before rclone sync could empty the DB directory', () => {
    const script = ((container.command as string[])[2] as string).split('\n');
    const guard = script.findIndex((l) => l.includes('rclone lsf'));
    const sync = script.findIndex((l) => l.startsWith('rclone sync'));
    expect(guard).toBeGreaterThan(0);
    expect(sync).toBeGreaterThan(guard);
    expect(script).toContain('rclone sync "$src" /data/db');
    // Point in time: the WAL directory emptied, then only the chosen run's segments copied.
    const empty = script.indexOf('find /data/wal -mindepth 1 -delete');
    expect(empty).toBeGreaterThan(sync);
    expect(script).toContain(
      `  rclone copy "gcs:\${BACKUP_BUCKET}/wal/\${RESTORE_STAMP}" /data/wal`,
    );
  });

  it('passes the strict schemas and every rule beside the bundle (which warns about itself only)', () => {
    expect(findings(beside(bundle, [job!])).filter((f) => !f.includes('CronJob/'))).toEqual([]);
  });

  it('is caught by the strict schema when a field is misspelt', () => {
    const bad = structuredClone(job!);
    (at(bad, 'spec') as Record<string, unknown>).backofLimit = 0;
    expect(findings(beside(bundle, [bad])).filter((f) => f.startsWith('schema/'))).toEqual([
      'schema/unknown-field Job/stemedb/stemedb-restore-20261202t060000z spec.backofLimit',
    ]);
  });

  it('matches the checked-in rendering', async () => {
    await expect(renderYaml([job!])).toMatchFileSnapshot('./__snapshots__/restore-rclone-job.yaml');
  });

  it('brings its Secret and NetworkPolicy when the config has the backup off (a drill)', () => {
    const drill = parseConfig(
      withConfig({ namespace: 'stemedb-drill', backup: { method: 'rclone', enabled: false } }),
    );
    const objects = buildRcloneRestoreObjects(drill, { stamp: '20261202T060000Z' }).map(
      toKubeObject,
    );
    expect(refs(objects)).toEqual([
      'ExternalSecret/rclone-gcs-config',
      'NetworkPolicy/stemedb-backup',
      'Job/stemedb-restore-20261202t060000z',
    ]);
    expect(findings(beside(buildBundle(drill), objects))).toEqual([]);
  });

  it('mounts the one volume of the single layout at /data', () => {
    const single = parseConfig(
      withConfig({ backup: { method: 'rclone' }, storage: { volumes: { layout: 'single' } } }),
    );
    const [only] = buildRcloneRestoreObjects(single, { stamp: '20261202T060000Z' }).map(
      toKubeObject,
    );
    expect(at(only, 'spec.template.spec.volumes')).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'stemedb-data' },
    });
    expect(
      findings(beside(buildBundle(single), [only!])).filter((f) => !f.includes('CronJob/')),
    ).toEqual([]);
  });

  it.each([
    [['20261202T060000Z'], '20261202T060000Z'],
    [['20261202T060000Z/'], '20261202T060000Z'],
    [['db/20261202T060000Z'], '20261202T060000Z'],
    [['gcs:stemedb-backups/db/20261202T060000Z/'], '20261202T060000Z'],
  ])('takes %j', (specs, stamp) => {
    expect(rcloneRestoreSource(config, specs)).toEqual({ stamp });
  });

  it.each([
    [[], /given 0 times/],
    [['20261202T060000Z', '20261203T060000Z'], /given 2 times: an rclone backup is restored whole/],
    [
      ['stemedb-db=s3://b@us/?backup=x&volume=y'],
      /Longhorn backup URL, but backup.method is rclone/,
    ],
    [['s3://b@us/?backup=x&volume=y'], /Longhorn backup URL/],
    [['stemedb-db=20261202T060000Z'], /not per claim/],
    [['gcs:other-bucket/db/20261202T060000Z'], /bucket other-bucket is not backup.bucket/],
    [['s3remote:stemedb-backups/db/20261202T060000Z'], /remote s3remote is not the backup's/],
    [['2026-12-02'], /not the timestamp of a backup run/],
    [['wal/x/y'], /not a DB copy/],
  ])('refuses %j', (specs, want) => {
    expect(() => rcloneRestoreSource(config, specs)).toThrow(want);
  });
});
