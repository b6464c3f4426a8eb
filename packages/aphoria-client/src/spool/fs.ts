/**
 * The spool's file operations, behind one small interface (practice 8, "injectable edges"): the
 * crash tests wrap it to stop the process after any step, and every durability step the spool
 * relies on (write, fsync of a file, fsync of its directory, rename, unlink) is one call here.
 */
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, stat, truncate, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** An open spool file. */
export interface SpoolFile {
  /** Appends `data` at the end of the file (or at the position the file was opened at). */
  write(data: string): Promise<void>;
  /** fsync: the file's data and size are on disk when this resolves. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The operations the spool needs. Mutating ones are the steps the crash tests count. */
export interface SpoolFs {
  /** `mkdir -p`, then fsync of the parent so the new directory survives a power cut. */
  mkdirp(path: string): Promise<void>;
  /** Creates `path`, failing if it exists (`wx`). */
  create(path: string): Promise<SpoolFile>;
  /** Opens `path` for appending. */
  append(path: string): Promise<SpoolFile>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; a missing file is not an error. */
  remove(path: string): Promise<void>;
  truncate(path: string, length: number): Promise<void>;
  /** fsync of a directory, so that a create, rename or unlink in it is durable. */
  syncDir(path: string): Promise<void>;
  /** Not counted as a step: reading never changes what a crash leaves behind. */
  list(path: string): Promise<string[]>;
  size(path: string): Promise<{ bytes: number; mtimeMs: number } | undefined>;
  /** Reads a file in chunks, from the start. */
  read(path: string): AsyncIterable<Buffer>;
}

const READ_CHUNK_BYTES = 256 * 1024;

/** The part of a FileHandle {@link writeAll} needs. */
export interface WritableHandle {
  write(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number | null,
  ): Promise<{ bytesWritten: number }>;
}

/**
 * Writes every byte of `data`: write(2) may write fewer bytes than asked (a full disk, a signal,
 * a pipe), and the rest must follow, or the next record lands after half a line. A write that
 * makes no progress at all is the disk refusing: ENOSPC.
 */
export async function writeAll(handle: WritableHandle, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, null);
    if (bytesWritten <= 0) {
      throw Object.assign(new Error('ENOSPC: no space left on device, write made no progress'), {
        code: 'ENOSPC',
      });
    }
    offset += bytesWritten;
  }
}

async function openFile(path: string, flags: string | number): Promise<SpoolFile> {
  const handle = await open(path, flags, 0o600);
  return {
    write: (data) => writeAll(handle, data),
    // datasync flushes the data and the size (what an append changes), not the timestamps.
    sync: () => handle.datasync(),
    close: () => handle.close(),
  };
}

/** The real file system. */
export const nodeSpoolFs: SpoolFs = {
  async mkdirp(path) {
    const first = await mkdir(path, { recursive: true });
    // mkdir returns the first directory it made; its parent must record the new entry.
    if (first !== undefined) await nodeSpoolFs.syncDir(dirname(first));
  },
  create: (path) => openFile(path, 'wx'),
  append: (path) => openFile(path, 'a'),
  rename: (from, to) => rename(from, to),
  async remove(path) {
    try {
      await unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  },
  truncate: (path, length) => truncate(path, length),
  async syncDir(path) {
    // Windows cannot open a directory for fsync; its file system orders metadata itself.
    if (process.platform === 'win32') return;
    const handle = await open(path, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  list: (path) => readdir(path),
  async size(path) {
    try {
      const s = await stat(path);
      return { bytes: s.size, mtimeMs: s.mtimeMs };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  async *read(path) {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK_BYTES, null);
        if (bytesRead === 0) return;
        // A copy: the caller may keep a partial line across chunks.
        yield Buffer.from(buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  },
};
