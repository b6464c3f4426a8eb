/** Writing a small text file for `init` and `schema`, with errors a user can act on. */
import { writeFile } from 'node:fs/promises';
import { UsageError } from './io.js';

/** Why a file could not be written, in words, for the codes `writeFile` fails with. */
const WRITE_ERRORS: Record<string, string> = {
  EEXIST: 'it already exists (pass --force to overwrite it)',
  ENOENT: 'its directory does not exist',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  ENOTDIR: 'a parent is not a directory',
};

/** Writes `text` to `path`; without `overwrite`, an existing file is a usage error. */
export async function writeTextFile(
  path: string,
  text: string,
  options: { overwrite: boolean },
): Promise<void> {
  try {
    await writeFile(path, text, { flag: options.overwrite ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code && code in WRITE_ERRORS) {
      throw new UsageError(`cannot write ${path}: ${WRITE_ERRORS[code]}`, { cause: error });
    }
    throw error;
  }
}
