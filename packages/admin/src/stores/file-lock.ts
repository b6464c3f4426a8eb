/**
 * A cross-process lock for the file store: `<path>.lock`, created with `O_EXCL` (only one
 * creator can succeed), holding the owner's pid, host and a nonce.
 *
 * A lock is stale when its owner is gone: same host and the pid no longer runs, or older than
 * `staleMs` (a write holds it for milliseconds, so an old lock is a hung or foreign-host owner).
 * Breaking one is a compare-and-swap built from `rename`: move the lock aside under a name only
 * this process uses, then check that what was moved is the stale lock that was judged (and not
 * a fresh lock another breaker created meanwhile, which is put back with `link`, which never
 * overwrites). Two processes contending for a stale lock therefore never both hold it.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { SecretStoreError } from './errors.js';
import { errno, FILE_MODE, type FileStoreFs, ioError, isProcessAlive } from './file-io.js';

/** How long to wait for another process's lock before failing with `store_locked`. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** A lock older than this is broken whoever holds it. */
export const DEFAULT_STALE_LOCK_MS = 60_000;
// An empty or half-written lock is a creator between open() and write(), or one that crashed
// there; only the second stays so for long.
const UNREADABLE_GRACE_MS = 2_000;

/** Options of {@link acquireFileLock}. */
export interface FileLockOptions {
  fs: FileStoreFs;
  timeoutMs: number;
  staleMs: number;
  signal?: AbortSignal | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

interface LockContent {
  pid: number;
  host: string;
  nonce: string;
  at: number;
}

/** A held lock; `release()` is idempotent. */
export interface FileLock {
  release(): Promise<void>;
}

/** Waits for and takes the lock of the store file `path`. */
export async function acquireFileLock(path: string, options: FileLockOptions): Promise<FileLock> {
  const { fs } = options;
  const lockPath = `${path}.lock`;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const mine: LockContent = {
    pid: process.pid,
    host: hostname(),
    nonce: randomBytes(12).toString('hex'),
    at: Date.now(),
  };
  const started = Date.now();
  let pause = 2;
  for (;;) {
    if (options.signal?.aborted) {
      throw new SecretStoreError({
        code: 'aborted',
        store: 'file',
        message: `Waiting for the lock ${lockPath} was aborted`,
        cause: options.signal.reason,
      });
    }
    if (await tryCreate(fs, lockPath, { ...mine, at: Date.now() })) {
      return { release: once(() => release(fs, lockPath, mine.nonce)) };
    }
    if (await breakIfStale(fs, lockPath, options.staleMs)) continue;
    if (Date.now() - started > options.timeoutMs) {
      throw new SecretStoreError({
        code: 'store_locked',
        store: 'file',
        message: `The secret store file ${path} stayed locked for ${options.timeoutMs} ms by another process (lock file ${lockPath})`,
      });
    }
    await sleep(pause + Math.floor(Math.random() * pause));
    pause = Math.min(pause * 2, 50);
  }
}

async function tryCreate(
  fs: FileStoreFs,
  lockPath: string,
  content: LockContent,
): Promise<boolean> {
  let handle: Awaited<ReturnType<FileStoreFs['open']>>;
  try {
    handle = await fs.open(lockPath, 'wx', FILE_MODE);
  } catch (error) {
    if (errno(error) === 'EEXIST') return false;
    throw ioError(`Cannot create the lock file ${lockPath}`, error);
  }
  try {
    await handle.writeFile(JSON.stringify(content), { encoding: 'utf8' });
  } finally {
    await handle.close();
  }
  return true;
}

async function readLock(
  fs: FileStoreFs,
  lockPath: string,
): Promise<{ content: LockContent | undefined; raw: string } | undefined> {
  let raw: string;
  try {
    raw = await fs.readFile(lockPath, { encoding: 'utf8' });
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined;
    throw ioError(`Cannot read the lock file ${lockPath}`, error);
  }
  try {
    const parsed = JSON.parse(raw) as Partial<LockContent>;
    if (
      typeof parsed.pid === 'number' &&
      typeof parsed.host === 'string' &&
      typeof parsed.nonce === 'string' &&
      typeof parsed.at === 'number'
    ) {
      return { content: parsed as LockContent, raw };
    }
  } catch {
    // fall through: unreadable
  }
  return { content: undefined, raw };
}

/** True when it broke a stale lock (or the lock vanished): the caller retries at once. */
async function breakIfStale(fs: FileStoreFs, lockPath: string, staleMs: number): Promise<boolean> {
  const seen = await readLock(fs, lockPath);
  if (seen === undefined) return true;
  if (!(await isStale(fs, lockPath, seen.content, staleMs))) return false;
  const aside = `${lockPath}.${randomBytes(8).toString('hex')}.stale`;
  try {
    await fs.rename(lockPath, aside);
  } catch (error) {
    if (errno(error) === 'ENOENT') return true;
    throw ioError(`Cannot break the stale lock ${lockPath}`, error);
  }
  const moved = await fs.readFile(aside, { encoding: 'utf8' }).catch(() => undefined);
  if (moved !== seen.raw) {
    // Someone else broke it first and holds a fresh lock: give it back without overwriting.
    await fs.link(aside, lockPath).catch(() => undefined);
  }
  await fs.unlink(aside).catch(() => undefined);
  return moved === seen.raw;
}

async function isStale(
  fs: FileStoreFs,
  lockPath: string,
  content: LockContent | undefined,
  staleMs: number,
): Promise<boolean> {
  if (content === undefined) {
    const stat = await fs.stat(lockPath).catch(() => undefined);
    return stat !== undefined && Date.now() - stat.mtimeMs > UNREADABLE_GRACE_MS;
  }
  if (Date.now() - content.at > staleMs) return true;
  return content.host === hostname() && !isProcessAlive(content.pid);
}

async function release(fs: FileStoreFs, lockPath: string, nonce: string): Promise<void> {
  const seen = await readLock(fs, lockPath).catch(() => undefined);
  // Only remove our own lock: if it was broken as stale, it now belongs to someone else.
  if (seen?.content?.nonce === nonce) await fs.unlink(lockPath).catch(() => undefined);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}
