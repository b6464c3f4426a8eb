/** `stemedb-manifests render`, run as users run it: see support/cli.ts. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { kustomizeFiles, WRITTEN_FILES } from '../src/output/kustomize-dir.js';
import { parseYamlStream } from '../src/output/serialize.js';
import {
  BIN,
  BUNDLE,
  CONFIG,
  expectOneLineError,
  FAILING,
  file,
  freshDir,
  MINIMAL_YAML,
  run,
  STACK,
  work,
} from './support/cli.js';

const SECRET = 'hunter2-literal-6c0ffee';
/** A config with a secret as a literal env value (an error the report must not quote). */
const LEAKY = file(
  'leaky.yaml',
  `${MINIMAL_YAML}server:\n  extraEnv: { STEMEDB_API_TOKEN: "${SECRET}" }\n`,
);

describe('render', () => {
  it('writes YAML to stdout that parses back into the bundle', async () => {
    const result = await run(['render', '--config', CONFIG]);
    expect(result.code, result.stderr).toBe(0);
    expect(parseYamlStream(result.stdout)).toEqual(BUNDLE);
  });

  it('--format json writes a v1 List of the bundle', async () => {
    const result = await run(['render', '--config', CONFIG, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ apiVersion: 'v1', kind: 'List', items: BUNDLE });
  });

  it('--format kustomize --out DIR writes one file per object and the kustomization', async () => {
    const dir = freshDir();
    const result = await run(['render', '-c', CONFIG, '-f', 'kustomize', '-o', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`wrote ${BUNDLE.length} objects to ${dir}/`);
    const expected = kustomizeFiles(BUNDLE);
    expect(readdirSync(dir).sort()).toEqual([...expected.keys(), WRITTEN_FILES].sort());
    for (const [name, text] of expected) expect(readFileSync(join(dir, name), 'utf8')).toBe(text);
  });

  it('-f kustomize refuses an -o that names a file, and creates nothing (exit 2)', async () => {
    const out = join(freshDir(), 'x.yaml');
    const result = await run(['render', CONFIG, '-f', 'kustomize', '-o', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/x\.yaml looks like a file name/);
    expect(existsSync(out)).toBe(false);
  });

  it('-f kustomize refuses a non-empty directory it did not write (exit 2)', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'mine.yaml'), 'kind: ConfigMap\n');
    const result = await run(['render', CONFIG, '-f', 'kustomize', '-o', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not empty and was not written by stemedb-manifests/);
    expect(readdirSync(dir)).toEqual(['mine.yaml']);
  });

  it('--out FILE writes the YAML there and nothing to stdout', async () => {
    const out = join(freshDir(), 'stemedb.k8s.yaml');
    const result = await run(['render', '--config', CONFIG, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(parseYamlStream(readFileSync(out, 'utf8'))).toEqual(BUNDLE);
  });

  it('reads a JSON config', async () => {
    const json = file('stemedb.json', JSON.stringify(parseYaml(MINIMAL_YAML)));
    const result = await run(['render', '--config', json, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).items).toEqual(BUNDLE);
  });

  it('--format kustomize without --out is a usage error', async () => {
    const result = await run(['render', '--config', CONFIG, '--format', 'kustomize']);
    expectOneLineError(result, 2, /--out DIR/);
  });

  it('exits 2 with one line per problem naming the key for an invalid config, and writes nothing', async () => {
    const bad = file('bad.yaml', `${MINIMAL_YAML}replicas: 2\nport: 80\n`);
    const result = await run(['render', '--config', bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^.*bad\.yaml:5:1: replicas: unknown key$/m);
    expect(result.stderr).toMatch(/^.*bad\.yaml:6:7: port: must be ≥ 1024/m);
    expect(result.stderr).not.toMatch(STACK);
    expect(result.stderr).toContain(bad);
    expect(result.stdout).toBe('');
  });

  it('exits 2 naming the required keys when there is no --config', async () => {
    const result = await run(['render']);
    expectOneLineError(result, 2, /no --config given/);
    expect(result.stderr).toMatch(/ingress: required/);
    expect(result.stderr).toMatch(/image\.tag: /);
  });

  it('exits 2 for a config file that does not exist', async () => {
    const result = await run(['render', '--config', join(work, 'missing.yaml')]);
    expectOneLineError(result, 2, /cannot read config .*missing\.yaml: no such file/);
  });

  it('exits 1 and writes nothing when the bundle has errors, with the report on stderr', async () => {
    const dir = freshDir();
    const result = await run(['render', '-c', FAILING, '-f', 'kustomize', '-o', dir]);
    expect(result.code).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('[policy/liveness-kills-slow-database]');
    expect(result.stderr).toMatch(
      /\nstemedb-manifests: 1 error in the bundle .*nothing was written\n$/,
    );
  });

  it('--json puts the report on stderr as one JSON document, even when clean', async () => {
    const result = await run(['render', '--config', CONFIG, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stderr);
    expect(report).toMatchObject({ ok: true, errors: 0 });
    expect(parseYamlStream(result.stdout)).toEqual(BUNDLE);
  });

  it('--json on a failing bundle: the JSON report is all of stderr (no error line after it)', async () => {
    // The FailedError is thrown by the commands' file (dist/cli-commands.cjs) and reported by
    // the command line's (dist/cli.cjs): quiet is recognised across the two.
    const result = await run(['render', '--config', FAILING, '--json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toMatchObject({ ok: false, errors: 1 });
  });

  it('never prints a secret value, not even with --debug', async () => {
    for (const args of [
      ['render', '--config', LEAKY, '--debug'],
      ['validate', '--config', LEAKY, '--json'],
    ]) {
      const result = await run(args);
      expect(result.code).toBe(1);
      expect(`${result.stdout}${result.stderr}`).toContain('policy/secret-literal-env');
      expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
    }
  });

  it('stops quietly when stdout is closed early (render | head)', () => {
    const out = execFileSync(
      'sh',
      ['-c', `"${process.execPath}" "${BIN}" render --config "${CONFIG}" 2>/dev/null | head -n 1`],
      { encoding: 'utf8' },
    );
    expect(out).toBe('apiVersion: v1\n');
  });
});

describe('render --restore-from', () => {
  const WAL = 's3://stemedb-backups@us/?backup=backup-1a2b&volume=pvc-0f3c';
  const DB = 's3://stemedb-backups@us/?backup=backup-3c4d&volume=pvc-9e1d';

  it('writes the restore StorageClasses and PVCs only, validated beside the bundle', async () => {
    const result = await run([
      'render',
      '--config',
      CONFIG,
      '--restore-from',
      `stemedb-wal=${WAL}`,
      '--restore-from',
      `stemedb-db=${DB}`,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const objects = parseYamlStream(result.stdout);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'StorageClass/longhorn-stemedb-restore-wal',
      'StorageClass/longhorn-stemedb-restore-db',
      'PersistentVolumeClaim/stemedb-wal-restore',
      'PersistentVolumeClaim/stemedb-db-restore',
    ]);
    const fromBackup = objects.map(
      (o) => (o as { parameters?: { fromBackup?: string } }).parameters?.fromBackup,
    );
    expect(fromBackup.slice(0, 2)).toEqual([WAL, DB]);
    expect(JSON.parse(result.stderr)).toMatchObject({ ok: true, errors: 0, warnings: 0 });
  });

  it('exits 2 with one line for a bare URL when there are two volumes', async () => {
    const result = await run(['render', '--config', CONFIG, '--restore-from', DB]);
    expectOneLineError(result, 2, /--restore-from needs CLAIM=URL with 2 volumes/);
    expect(result.stdout).toBe('');
  });

  it('exits 2 for a URL that is not a Longhorn backup', async () => {
    const result = await run([
      'render',
      '--config',
      CONFIG,
      '--restore-from',
      'stemedb-db=https://storage.googleapis.com/stemedb-backups/db',
    ]);
    expectOneLineError(result, 2, /not one of Longhorn's backup targets/);
  });
});

describe('render --restore-swap', () => {
  it('writes the PVs and the claims bound to them, validated in place of the bundle’s claims', async () => {
    const result = await run([
      'render',
      '--config',
      CONFIG,
      '--restore-swap',
      'stemedb-wal=pvc-0f3c',
      '--restore-swap',
      'stemedb-db=pvc-9e1d',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const objects = parseYamlStream(result.stdout);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'PersistentVolume/stemedb-wal-pvc-0f3c',
      'PersistentVolume/stemedb-db-pvc-9e1d',
      'PersistentVolumeClaim/stemedb-wal',
      'PersistentVolumeClaim/stemedb-db',
    ]);
    expect(JSON.parse(result.stderr)).toMatchObject({ ok: true, errors: 0, warnings: 0 });
    // And the written file lints clean on its own, as a user would check it before applying.
    const lint = await run(['lint', file('swap.yaml', result.stdout)]);
    expect(lint.code, `${lint.stdout}${lint.stderr}`).toBe(0);
  });

  it('exits 2 for an unknown claim, naming the claims', async () => {
    const result = await run(['render', '--config', CONFIG, '--restore-swap', 'stemedb-log=pvc-1']);
    expectOneLineError(result, 2, /no such claim \(stemedb-wal, stemedb-db\)/);
    expect(result.stdout).toBe('');
  });

  it('exits 2 for a backup URL given to the swap', async () => {
    const result = await run([
      'render',
      '--config',
      CONFIG,
      '--restore-swap',
      'stemedb-db=s3://stemedb-backups@us/?backup=b&volume=v',
    ]);
    expectOneLineError(result, 2, /that is a URL; the swap takes the restored Longhorn volume/);
  });

  it('exits 2 when given with --restore-from: two steps, rendered one at a time', async () => {
    const result = await run([
      'render',
      '--config',
      CONFIG,
      '--restore-from',
      'stemedb-db=s3://stemedb-backups@us/?backup=b&volume=v',
      '--restore-swap',
      'stemedb-db=pvc-1',
    ]);
    expectOneLineError(result, 2, /two steps of a restore/);
  });
});

describe('render --restore-from with backup.method rclone', () => {
  const RCLONE = file('rclone.yaml', `${MINIMAL_YAML}backup:\n  method: rclone\n`);

  it('writes the copy-back Job of the DB copy, validated beside the bundle', async () => {
    const result = await run([
      'render',
      '--config',
      RCLONE,
      '--restore-from',
      'gcs:stemedb-backups/db/20261202T060000Z',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const objects = parseYamlStream(result.stdout);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Job/stemedb-restore-20261202t060000z',
    ]);
    // The bundle's own warnings (the rclone CronJob is not crash-consistent), nothing else.
    const report = JSON.parse(result.stderr) as { ok: boolean; findings: { object: string }[] };
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => f.object)).toEqual([
      'CronJob/stemedb/stemedb-backup',
      'CronJob/stemedb/stemedb-backup',
    ]);
  });

  it('brings the Secret and NetworkPolicy along when the drill config has the backup off', async () => {
    const drill = file(
      'drill.yaml',
      `${MINIMAL_YAML}namespace: stemedb-drill\nbackup:\n  method: rclone\n  enabled: false\n`,
    );
    const result = await run(['render', '--config', drill, '--restore-from', '20261202T060000Z']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(parseYamlStream(result.stdout).map((o) => o.kind)).toEqual([
      'ExternalSecret',
      'NetworkPolicy',
      'Job',
    ]);
  });

  it('exits 2 for a Longhorn backup URL', async () => {
    const result = await run([
      'render',
      '--config',
      RCLONE,
      '--restore-from',
      'stemedb-db=s3://stemedb-backups@us/?backup=b&volume=v',
    ]);
    expectOneLineError(result, 2, /Longhorn backup URL, but backup.method is rclone/);
    expect(result.stdout).toBe('');
  });

  it('exits 2 for another bucket than the config’s', async () => {
    const result = await run([
      'render',
      '--config',
      RCLONE,
      '--restore-from',
      'gcs:old-backups/db/20261202T060000Z',
    ]);
    expectOneLineError(result, 2, /bucket old-backups is not backup.bucket \(stemedb-backups\)/);
  });

  it('and with Longhorn, an rclone DB copy is refused naming the method', async () => {
    const result = await run([
      'render',
      '--config',
      CONFIG,
      '--restore-from',
      'stemedb-db=20261202T060000Z',
    ]);
    expectOneLineError(result, 2, /rclone DB copy, but backup.method is longhorn/);
  });
});
