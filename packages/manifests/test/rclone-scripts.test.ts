/**
 * The rclone backup and copy-back scripts, run by `sh` with the real rclone on a local remote
 * (`gcs:` configured as type local through rclone's env config): a restore is point in time
 * (the WAL directory holds exactly the chosen run's segments, not the live server's or another
 * run's), and `backup.rclone.keep` prunes older copies, DB and WAL alike.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupScript } from '../src/index.js';
import { rcloneRestoreScript } from '../src/objects/restore-rclone.js';

const hasRclone = spawnSync('rclone', ['version']).status === 0;
const root = mkdtempSync(join(tmpdir(), 'stemedb-rclone-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const wal = join(root, 'data/wal');
const db = join(root, 'data/db');
const bucket = join(root, 'bucket');

/** Runs a script with the data directories moved under the temp dir. */
function sh(script: string, env: Record<string, string>): string {
  const local = script.replaceAll('/data/wal', wal).replaceAll('/data/db', db);
  return execFileSync('sh', ['-c', local], {
    encoding: 'utf8',
    env: {
      ...process.env,
      RCLONE_CONFIG: '/dev/null',
      RCLONE_CONFIG_GCS_TYPE: 'local',
      BACKUP_BUCKET: bucket,
      ...env,
    },
  });
}

function files(dir: string, names: Record<string, string>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(names)) writeFileSync(join(dir, name), text);
}

const stampOf = (out: string) => /backup complete: (\S+)/.exec(out)![1]!;

// A missing rclone fails here, out loud, instead of skipping silently (.ci/run installs it).
it('has rclone (Debian package rclone)', () => expect(hasRclone).toBe(true));

describe.skipIf(!hasRclone)('rclone backup and restore scripts (real rclone, local remote)', () => {
  it('restores one point in time and keeps only the newest copies', async () => {
    files(db, { 'sst-1': 'db one' });
    files(wal, { '0001.wal': 'w1', '0002.wal': 'w2 (open)' });
    const first = stampOf(sh(backupScript(), { BACKUP_KEEP: '2' }));
    await new Promise((r) => setTimeout(r, 1100)); // stamps have one-second resolution
    files(db, { 'sst-2': 'db two' });
    files(wal, { '0002.wal': 'w2', '0003.wal': 'w3', '0004.wal': 'w4 (open)' });
    const second = stampOf(sh(backupScript(), { BACKUP_KEEP: '2' }));
    expect(readdirSync(join(bucket, 'wal', first))).toEqual(['0001.wal']);
    expect(readdirSync(join(bucket, 'wal', second))).toEqual(['0002.wal', '0003.wal']);

    // The live server's directories hold newer files; restore the first copy.
    files(db, { 'sst-3': 'live' });
    files(wal, { '0005.wal': 'live', '0004.wal': 'live' });
    sh(rcloneRestoreScript(), { RESTORE_STAMP: first });
    expect(readdirSync(db)).toEqual(['sst-1']);
    expect(readdirSync(wal)).toEqual(['0001.wal']);

    await new Promise((r) => setTimeout(r, 1100));
    const out = sh(backupScript(), { BACKUP_KEEP: '2' });
    expect(out).toContain(`pruned: ${first}`);
    expect(readdirSync(join(bucket, 'db')).sort()).toEqual([second, stampOf(out)].sort());
    expect(readdirSync(join(bucket, 'wal'))).not.toContain(first);
  });
});
