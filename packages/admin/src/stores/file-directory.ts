/**
 * The file store's directory: made private, kept out of git, and refused when others could
 * replace the store file in it (issue 22 §7: the default store, `.stemedb-admin/` in the
 * working directory, sat in the work tree with no `.gitignore`).
 *
 * - A directory the store creates is mode 0700 and gets a `.gitignore` holding `*`, so that
 *   `git add .` in a repository never picks the keys up (the `.gitignore` ignores itself too).
 * - A directory that group or others may **write** (without the sticky bit) is refused
 *   (`insecure_file`): whoever may write there can rename their own file over the store's. One
 *   they may only read or search is accepted: they see that the file exists, not what it holds
 *   (the file itself is 0600, and refused when it is not).
 */
import { dirname, join } from 'node:path';
import { SecretStoreError } from './errors.js';
import { DIRECTORY_MODE, FILE_MODE, type FileStoreFs, ioError } from './file-io.js';

/** What a directory the store creates gets as its `.gitignore`. */
export const STORE_GITIGNORE = '# Created by stemedb-admin: secret keys, never commit them.\n*\n';

/** Creates the directory of `path` when absent (mode 0700, with a `.gitignore`). */
export async function ensureStoreDirectory(fs: FileStoreFs, path: string): Promise<void> {
  const dir = dirname(path);
  let created: string | undefined;
  try {
    created = await fs.mkdir(dir, { recursive: true, mode: DIRECTORY_MODE });
  } catch (error) {
    throw ioError(`Cannot create the directory of ${path}`, error);
  }
  if (created === undefined) return;
  try {
    const handle = await fs.open(join(dir, '.gitignore'), 'wx', FILE_MODE);
    try {
      await handle.writeFile(STORE_GITIGNORE, { encoding: 'utf8' });
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') {
      throw ioError(`Cannot write ${join(dir, '.gitignore')}`, error);
    }
  }
}

/** Refuses (`insecure_file`) a directory of `path` that group or others may write. */
export async function assertSecureDirectory(fs: FileStoreFs, path: string): Promise<void> {
  const dir = dirname(path);
  let mode: number;
  try {
    mode = (await fs.stat(dir)).mode;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return;
    throw ioError(`Cannot check the directory ${dir}`, error);
  }
  const sticky = (mode & 0o1000) !== 0;
  const who = [(mode & 0o020) !== 0 ? 'group' : '', (mode & 0o002) !== 0 ? 'others' : '']
    .filter(Boolean)
    .join(' and ');
  if (who === '' || sticky) return;
  throw new SecretStoreError({
    code: 'insecure_file',
    store: 'file',
    message: `The secret store directory ${dir} has mode ${(mode & 0o777).toString(8).padStart(4, '0')}, which lets ${who} write in it and replace the store file; run chmod 700 ${dir}`,
  });
}
