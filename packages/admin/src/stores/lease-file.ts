/**
 * The file store's lease cell: `<store file>.lease`, a small JSON file beside the store, read
 * and changed only under its own file lock (`<store file>.lease.lock`, file-lock.ts), which
 * makes create and replace compare-and-swaps across processes. The per-write lock of the store
 * file stays short (a write holds it for milliseconds); the lease is what a run holds for its
 * whole length, renewed, and taken over after it expires or its process dies.
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { SecretStoreError } from './errors.js';
import {
  DIRECTORY_MODE,
  type FileStoreFs,
  ioError,
  readSecureFile,
  writeFileAtomic,
} from './file-io.js';
import { acquireFileLock } from './file-lock.js';
import type { CellRead, LeaseCell } from './lease-cell.js';
import type { LeaseRecord } from './lease-types.js';

/** Options of {@link fileLeaseCell}. */
export interface FileLeaseCellOptions {
  fs: FileStoreFs;
  /** How long to wait for the short lock around a lease change. */
  lockTimeoutMs: number;
  /** A short lock older than this is broken. */
  staleMs: number;
}

interface Stored {
  token: string;
  record: LeaseRecord;
}

/** The lease cell of the file store at `storePath`. */
export function fileLeaseCell(storePath: string, options: FileLeaseCellOptions): LeaseCell {
  const { fs } = options;
  const path = `${storePath}.lease`;

  async function load(): Promise<CellRead | undefined> {
    const text = await readSecureFile(fs, path);
    if (text === undefined) return undefined;
    try {
      const parsed = JSON.parse(text) as Stored;
      if (typeof parsed.token === 'string' && typeof parsed.record?.holder?.id === 'string') {
        return { token: parsed.token, record: parsed.record };
      }
    } catch {
      // fall through
    }
    throw new SecretStoreError({
      code: 'corrupt_store',
      store: 'file',
      message: `The lease file ${path} is not one this package wrote; remove it if no run is going on`,
    });
  }

  async function locked<T>(body: () => Promise<T>): Promise<T> {
    await fs.mkdir(dirname(path), { recursive: true, mode: DIRECTORY_MODE }).catch((error) => {
      throw ioError(`Cannot create the directory of ${path}`, error);
    });
    const lock = await acquireFileLock(path, {
      fs,
      timeoutMs: options.lockTimeoutMs,
      staleMs: options.staleMs,
    });
    try {
      return await body();
    } finally {
      await lock.release();
    }
  }

  async function write(record: LeaseRecord): Promise<string> {
    const token = randomBytes(9).toString('hex');
    await writeFileAtomic(fs, path, JSON.stringify({ token, record } satisfies Stored));
    return token;
  }

  return {
    read: () => load(),
    create: (record) =>
      locked(async () => ((await load()) === undefined ? write(record) : undefined)),
    replace: (record, token) =>
      locked(async () => ((await load())?.token === token ? write(record) : undefined)),
  };
}
