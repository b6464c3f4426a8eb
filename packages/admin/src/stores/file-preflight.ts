/**
 * The `file:` store's preflight: the directory that will hold the file (or, while it does not
 * exist yet, the nearest existing directory it would be created in) must be a directory this
 * process may write, since every change is a new file renamed into place there.
 */
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FileStoreFs } from './file-io.js';
import { ioError } from './file-io.js';
import { preflightDenied } from './preflight.js';
import type { StoreOperation } from './types.js';

const DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);

/** Rejects with `permission_denied` when the store's directory cannot be written. */
export async function filePreflight(
  fs: FileStoreFs,
  path: string,
  operations: readonly StoreOperation[],
): Promise<void> {
  if (!operations.some((op) => op !== 'read')) return;
  let dir = dirname(path);
  for (;;) {
    try {
      const stat = await fs.stat(dir);
      if (!stat.isDirectory()) {
        throw ioError(`The secret store's directory ${dir} is not a directory`, undefined);
      }
      break;
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
      const parent = dirname(dir);
      if (parent === dir) throw ioError(`No directory of ${path} exists`, error);
      dir = parent;
    }
  }
  try {
    await (fs.access ?? fsp.access)(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    if (!DENIED.has(codeOf(error) ?? '')) throw ioError(`Cannot check ${dir}`, error);
    throw preflightDenied(
      'file',
      `secret store directory ${dir}`,
      [`write access (${codeOf(error)})`],
      `Run stemedb-admin as the directory's owner, or pick a writable path with --store file:<path>.`,
    );
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
