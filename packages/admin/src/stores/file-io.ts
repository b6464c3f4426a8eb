/**
 * The file store's two filesystem primitives: a read that refuses files others can read, and an
 * atomic, durable replace. The filesystem is injectable (house practice 8) so that tests can
 * make a write fail half-way, as a crash would, and prove the old file survives.
 */

import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SecretStoreError } from './errors.js';

/** The part of `node:fs/promises` the file store uses; tests may wrap it. */
export interface FileStoreFs {
  open: typeof fsp.open;
  rename: typeof fsp.rename;
  unlink: typeof fsp.unlink;
  link: typeof fsp.link;
  readFile: typeof fsp.readFile;
  readdir: typeof fsp.readdir;
  mkdir: typeof fsp.mkdir;
  stat: typeof fsp.stat;
  /** Used by `preflight` only; `node:fs/promises`' own when absent. */
  access?: typeof fsp.access;
}

/** The real filesystem. */
export const NODE_FS: FileStoreFs = {
  open: fsp.open,
  rename: fsp.rename,
  unlink: fsp.unlink,
  link: fsp.link,
  readFile: fsp.readFile,
  readdir: fsp.readdir,
  mkdir: fsp.mkdir,
  stat: fsp.stat,
  access: fsp.access,
};

/** The mode the store's files are created with: owner read/write only. */
export const FILE_MODE = 0o600;
/** The mode a missing directory is created with. */
export const DIRECTORY_MODE = 0o700;

/**
 * Reads `path`, or `undefined` when it does not exist. Refuses (`insecure_file`) a file that
 * group or others may read or write, and anything that is not a regular file: the check is on
 * the opened descriptor, so the file cannot be swapped between the check and the read.
 */
export async function readSecureFile(fs: FileStoreFs, path: string): Promise<string | undefined> {
  let handle: fsp.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined;
    throw ioError(`Cannot open the secret store file ${path}`, error);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new SecretStoreError({
        code: 'insecure_file',
        store: 'file',
        message: `The secret store path ${path} is not a regular file`,
      });
    }
    if ((stat.mode & 0o077) !== 0) {
      throw new SecretStoreError({
        code: 'insecure_file',
        store: 'file',
        message: `The secret store file ${path} has mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}, which lets group or others read it; run chmod 600 ${path}`,
      });
    }
    return await handle.readFile({ encoding: 'utf8' });
  } catch (error) {
    if (error instanceof SecretStoreError) throw error;
    throw ioError(`Cannot read the secret store file ${path}`, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Replaces `path` with `data` atomically and durably: write a temporary file next to it (mode
 * 0600), fsync it, rename it over `path`, fsync the directory. A crash at any point leaves
 * either the old file or the new one, never a mix; a leftover temporary file is harmless and
 * swept by {@link sweepTemporaryFiles}.
 */
export async function writeFileAtomic(fs: FileStoreFs, path: string, data: string): Promise<void> {
  const dir = dirname(path);
  const temporary = join(
    dir,
    `${temporaryPrefix(path)}${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    await fs.mkdir(dir, { recursive: true, mode: DIRECTORY_MODE });
    const handle = await fs.open(temporary, 'wx', FILE_MODE);
    try {
      await handle.writeFile(data, { encoding: 'utf8' });
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.unlink(temporary).catch(() => undefined);
    throw ioError(`Cannot write the secret store file ${path}`, error);
  }
  // The rename is durable only once the directory entry is on disk.
  await syncDirectory(fs, dir);
}

/** Fsyncs a directory (where the platform lets a directory be opened for that). */
export async function syncDirectory(fs: FileStoreFs, dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Windows cannot open a directory; EISDIR/EPERM/EINVAL there mean "not supported", not failure.
    const code = errno(error);
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') {
      throw ioError(`Cannot fsync the directory ${dir}`, error);
    }
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Removes temporary files a crashed writer left next to `path` (owners no longer running). */
export async function sweepTemporaryFiles(fs: FileStoreFs, path: string): Promise<void> {
  const prefix = temporaryPrefix(path);
  let names: string[];
  try {
    names = await fs.readdir(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) {
      await fs.unlink(join(dirname(path), name)).catch(() => undefined);
    }
  }
}

/** True unless no process with this id exists on this machine. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return errno(error) !== 'ESRCH';
  }
}

/** The errno code of a Node error, e.g. `ENOENT`. */
export function errno(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** An `io_error` for the file store. */
export function ioError(message: string, cause: unknown): SecretStoreError {
  const code = errno(cause);
  return new SecretStoreError({
    code: 'io_error',
    store: 'file',
    message: code === undefined ? message : `${message} (${code})`,
    cause,
  });
}

function temporaryPrefix(path: string): string {
  return `.${basename(path)}.`;
}
