/**
 * Phase 2's backup check (roadmap: "Run backup job manually → GCS has files"), as freshness: a
 * complete copy, holding files, younger than the schedule allows. With an rclone remote it is
 * listed with `rclone lsjson` (the operator's rclone config, e.g. the GCS bucket); without,
 * Longhorn's backup metrics for the server's volumes are asked of Prometheus.
 */
import { spawn } from 'node:child_process';
import { describeError, redactKeys } from '../../errors.js';
import { promQuery } from './prometheus-api.js';
import { restartEnvironment } from './restart.js';
import type { PhaseContext } from './types.js';

/** Twice the bundle's 6-hour schedule, as its StemeDBBackupStale alert allows. */
export const DEFAULT_BACKUP_MAX_AGE_SECONDS = 43_200;
const RCLONE_TIMEOUT_MS = 120_000;

/** One entry of `rclone lsjson -R`. */
interface LsEntry {
  Path: string;
  Size: number;
  ModTime: string;
  IsDir: boolean;
}

/** A copy: the files of one `db/<STAMP>/` directory, or the whole remote when it has none. */
interface BackupCopy {
  name: string;
  files: number;
  bytes: number;
  takenAt: number;
}

/** The bundle's rclone CronJob names each DB copy `db/<UTC stamp>/` (`20261202T060000Z`). */
const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * The copies in a listing. With the bundle's layout, each `db/<STAMP>/` is one copy, dated by
 * its stamp (rclone keeps the source files' mtimes, so an unchanged DB file in a fresh copy is
 * old). A remote of another layout is one copy, dated by its newest file.
 */
export function backupCopies(entries: readonly LsEntry[]): BackupCopy[] {
  const files = entries.filter((e) => !e.IsDir);
  const byStamp = new Map<string, BackupCopy>();
  for (const e of entries) {
    const [top, stamp] = e.Path.split('/');
    const m = top === 'db' && stamp !== undefined ? STAMP.exec(stamp) : null;
    if (!m || !stamp) continue;
    const copy = byStamp.get(stamp) ?? {
      name: `db/${stamp}`,
      files: 0,
      bytes: 0,
      takenAt: Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!),
    };
    if (!e.IsDir) {
      copy.files += 1;
      copy.bytes += e.Size;
    }
    byStamp.set(stamp, copy);
  }
  if (byStamp.size > 0) return [...byStamp.values()];
  if (files.length === 0) return [];
  return [
    {
      name: 'the remote',
      files: files.length,
      bytes: files.reduce((sum, f) => sum + f.Size, 0),
      takenAt: Math.max(...files.map((f) => Date.parse(f.ModTime))),
    },
  ];
}

/** Check `backup-fresh` through rclone. */
export async function checkRcloneBackup(
  ctx: PhaseContext,
  remote: string,
  maxAgeSeconds: number,
): Promise<void> {
  let entries: LsEntry[];
  try {
    entries = JSON.parse(await rcloneLsjson(remote, ctx.signal)) as LsEntry[];
  } catch (error) {
    ctx.record({
      check: 'backup-fresh',
      ok: false,
      detail: `rclone lsjson ${remote}: ${describeError(error)}`,
    });
    return;
  }
  const now = ctx.now().getTime();
  const complete = backupCopies(entries).filter((c) => c.files > 0 && c.bytes > 0);
  if (complete.length === 0) {
    ctx.record({
      check: 'backup-fresh',
      ok: false,
      detail: `no copy holding files under ${remote}`,
    });
    return;
  }
  const newest = complete.reduce((a, b) => (b.takenAt > a.takenAt ? b : a));
  const age = Math.round((now - newest.takenAt) / 1000);
  const ok = age <= maxAgeSeconds;
  ctx.record({
    check: 'backup-fresh',
    ok,
    detail: `newest copy ${newest.name} (${newest.files} files) is ${hours(age)} old; ${ok ? 'within' : 'STALE, over'} ${hours(maxAgeSeconds)}`,
  });
}

/** Runs `rclone lsjson -R remote`; resolves with its stdout, rejects with its last error line. */
function rcloneLsjson(remote: string, signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.RCLONE ?? 'rclone', ['lsjson', '-R', remote], {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
      env: restartEnvironment(),
      timeout: RCLONE_TIMEOUT_MS,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString('utf8')).slice(-2000);
    });
    child.on('error', (error) =>
      reject(
        (error as { code?: string }).code === 'ENOENT'
          ? new Error('rclone not found on PATH')
          : error,
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else
        reject(
          new Error(redactKeys(err.trim().split('\n').at(-1) ?? `exit ${code}`).slice(0, 200)),
        );
    });
  });
}

/**
 * Check `backup-fresh` through Prometheus: every Longhorn volume of the server's PVCs has a
 * backup that is Completed now and was not Completed `maxAgeSeconds` ago (longhorn-manager
 * exports a backup's state, not its time: StemeDBBackupStale compares the same way).
 */
export async function checkLonghornBackup(
  ctx: PhaseContext,
  prometheusUrl: string,
  namespace: string,
  pvcPrefix: string,
  maxAgeSeconds: number,
): Promise<void> {
  const volumes = `longhorn_volume_capacity_bytes{pvc_namespace=${JSON.stringify(namespace)}, pvc=~${JSON.stringify(`${pvcPrefix}.*`)}}`;
  const fresh = `max by (volume) (longhorn_backup_state == 3 unless on (volume, backup) (longhorn_backup_state offset ${maxAgeSeconds}s == 3))`;
  try {
    const vols = await promQuery(prometheusUrl, volumes, ctx.signal);
    if (vols.length === 0) {
      ctx.record({
        check: 'backup-fresh',
        ok: false,
        detail: `no Longhorn volume of PVCs ${pvcPrefix}* in namespace ${namespace} in Prometheus (is longhorn-manager scraped? or give --backup-remote)`,
      });
      return;
    }
    const done = new Set(
      (await promQuery(prometheusUrl, fresh, ctx.signal)).map((r) => r.metric.volume),
    );
    const stale = vols
      .filter((v) => !done.has(v.metric.volume))
      .map((v) => v.metric.pvc ?? v.metric.volume);
    ctx.record({
      check: 'backup-fresh',
      ok: stale.length === 0,
      detail:
        stale.length === 0
          ? `each of ${vols.length} Longhorn volume(s) has a backup completed within ${hours(maxAgeSeconds)}`
          : `no Longhorn backup completed within ${hours(maxAgeSeconds)} for: ${stale.join(', ')}`,
    });
  } catch (error) {
    ctx.record({ check: 'backup-fresh', ok: false, detail: `Prometheus: ${describeError(error)}` });
  }
}

function hours(seconds: number): string {
  return seconds >= 7200
    ? `${Math.round(seconds / 360) / 10}h`
    : seconds >= 120
      ? `${Math.round(seconds / 60)}m`
      : `${seconds}s`;
}

/** Check `backup-fresh`: through rclone with `backupRemote`, else Longhorn's metrics. */
export function backupFreshness(
  ctx: PhaseContext,
  o: {
    prometheusUrl: string;
    backupRemote?: string | undefined;
    namespace: string;
    pvcPrefix?: string | undefined;
    maxAgeSeconds?: number | undefined;
  },
): Promise<void> {
  const maxAge = o.maxAgeSeconds ?? DEFAULT_BACKUP_MAX_AGE_SECONDS;
  return o.backupRemote !== undefined
    ? checkRcloneBackup(ctx, o.backupRemote, maxAge)
    : checkLonghornBackup(ctx, o.prometheusUrl, o.namespace, o.pvcPrefix ?? 'stemedb-', maxAge);
}
