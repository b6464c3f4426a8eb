/**
 * `backup.method`: Longhorn's RecurringJob by default, the rclone CronJob only
 * when asked for, and the PVC labels without which the RecurringJob reaches no volume.
 */
import { describe, expect, it } from 'vitest';
import {
  buildBundle,
  buildRestoreObjects,
  type KubeObject,
  parseConfig,
  restoreTargets,
  validate,
} from '../src/index.js';
import { toKubeObject } from '../src/objects/meta.js';
import { at, MINIMAL, pick, refs, withConfig } from './objects-fixtures.js';

const bundle = buildBundle(MINIMAL);
const pvcs = (objects: readonly KubeObject[]) =>
  objects.filter((o) => o.kind === 'PersistentVolumeClaim');

describe('backup.method longhorn (the default)', () => {
  it('emits a RecurringJob in Longhorn’s namespace that backs up group stemedb', () => {
    const job = pick(bundle, 'RecurringJob');
    expect(job.apiVersion).toBe('longhorn.io/v1beta2');
    expect(job.metadata.namespace).toBe('longhorn-system');
    expect(at(job, 'spec')).toMatchObject({
      name: 'stemedb-backup',
      task: 'backup',
      cron: '0 */6 * * *',
      retain: 28,
      concurrency: 2,
      groups: ['stemedb'],
    });
  });

  it('labels both PVCs with the source label and the group label', () => {
    expect(pvcs(bundle).map((p) => p.metadata.name)).toEqual(['stemedb-wal', 'stemedb-db']);
    for (const pvc of pvcs(bundle)) {
      expect(pvc.metadata.labels).toMatchObject({
        'recurring-job.longhorn.io/source': 'enabled',
        'recurring-job-group.longhorn.io/stemedb': 'enabled',
      });
    }
  });

  it('emits no CronJob, no rclone ExternalSecret and no backup NetworkPolicy', () => {
    expect(refs(bundle)).not.toContain('CronJob/stemedb-backup');
    expect(refs(bundle)).not.toContain('ExternalSecret/rclone-gcs-config');
    expect(refs(bundle)).not.toContain('NetworkPolicy/stemedb-backup');
  });

  it('takes schedule, group, retain, concurrency and namespace from the config', () => {
    const b = buildBundle(
      withConfig({
        backup: {
          schedule: '0 3 * * *',
          longhorn: { namespace: 'longhorn', group: 'db', retain: 7, concurrency: 2 },
        },
      }),
    );
    const job = pick(b, 'RecurringJob');
    expect(job.metadata.namespace).toBe('longhorn');
    expect(at(job, 'spec')).toMatchObject({
      cron: '0 3 * * *',
      retain: 7,
      concurrency: 2,
      groups: ['db'],
    });
    for (const pvc of pvcs(b)) {
      expect(pvc.metadata.labels?.['recurring-job-group.longhorn.io/db']).toBe('enabled');
    }
    // A Longhorn namespace of another name is still Longhorn's own: not reported.
    expect(validate(b).findings.map((f) => f.ruleId)).toEqual([]);
  });

  it('without backup, the PVCs carry no recurring-job label', () => {
    for (const pvc of pvcs(buildBundle(withConfig({ backup: { enabled: false } })))) {
      expect(Object.keys(pvc.metadata.labels ?? {}).join()).not.toContain('longhorn.io');
    }
  });
});

describe('backup.method rclone (opt-in)', () => {
  const rclone = buildBundle(withConfig({ backup: { method: 'rclone' } }));

  it('emits the CronJob, its ExternalSecret and its NetworkPolicy, and no RecurringJob', () => {
    expect(refs(rclone)).toEqual(
      expect.arrayContaining([
        'CronJob/stemedb-backup',
        'ExternalSecret/rclone-gcs-config',
        'NetworkPolicy/stemedb-backup',
      ]),
    );
    expect(refs(rclone)).not.toContain('RecurringJob/stemedb-backup');
    for (const pvc of pvcs(rclone)) {
      expect(Object.keys(pvc.metadata.labels ?? {}).join()).not.toContain('longhorn.io');
    }
  });

  it('is warned about: a copy of live files is not crash-consistent', () => {
    const found = validate(rclone).findings.map((f) => `${f.ruleId} ${f.object} ${f.path}`);
    const volumes = 'CronJob/stemedb/stemedb-backup spec.jobTemplate.spec.template.spec.volumes';
    expect(found).toEqual([
      `policy/backup-not-crash-consistent ${volumes}[0].persistentVolumeClaim.claimName`,
      `policy/backup-not-crash-consistent ${volumes}[1].persistentVolumeClaim.claimName`,
    ]);
  });
});

describe('the restore objects (render --restore-from)', () => {
  const config = parseConfig(MINIMAL);
  const DB = 's3://stemedb-backups@us/?backup=backup-3c4d&volume=pvc-9e1d';

  it('are a fromBackup StorageClass that retains, and a PVC of it beside the live claim', () => {
    const objects = buildRestoreObjects(config, restoreTargets(config, [`stemedb-db=${DB}`]));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'StorageClass/longhorn-stemedb-restore-db',
      'PersistentVolumeClaim/stemedb-db-restore',
    ]);
    expect(at(objects[0], 'parameters.fromBackup')).toBe(DB);
    expect(at(objects[0], 'reclaimPolicy')).toBe('Retain');
    expect(at(objects[1], 'spec')).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'longhorn-stemedb-restore-db',
      resources: { requests: { storage: '50Gi' } },
    });
    // Validated beside the bundle they join, they pass every rule.
    expect(validate([...bundle, ...objects.map(toKubeObject)]).findings).toEqual([]);
  });

  it.each([
    [['s3://b@us/?backup=x&volume=y'], /needs CLAIM=URL with 2 volumes/],
    [['stemedb-log=s3://b@us/?backup=x&volume=y'], /no such volume/],
    [['stemedb-db=https://b/?backup=x&volume=y'], /not one of Longhorn's backup targets/],
    [['stemedb-db=s3://b@us/?volume=y'], /no backup= parameter/],
    [['stemedb-db=not a url'], /is not a URL/],
    [[`stemedb-db=${DB}`, `stemedb-db=${DB}`], /given twice/],
  ])('refuses %j', (specs, want) => {
    expect(() => restoreTargets(config, specs)).toThrow(want);
  });

  it('takes a bare URL when there is one volume', () => {
    const single = parseConfig(withConfig({ storage: { volumes: { layout: 'single' } } }));
    expect(restoreTargets(single, [DB])).toEqual([{ claimName: 'stemedb-data', backupUrl: DB }]);
  });
});
