import * as fsPromises from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The files of a data directory and the few filesystem steps every writer shares: creating the
 * directory privately, clearing temporaries a killed process left, writing a file atomically.
 */

/**
 * The filesystem calls persistence makes: `node:fs/promises` in production, a wrapper in tests
 * that makes a call fail (the internal seam for disk errors a root-run test cannot cause).
 */
export type DataFs = Pick<
  typeof fsPromises,
  'open' | 'rename' | 'unlink' | 'readdir' | 'readFile' | 'mkdir' | 'chmod' | 'stat'
>;

/** The real filesystem. */
export const nodeFs: DataFs = fsPromises;

export const KEYS_FILE = 'keys.json';
export const ASSERTIONS_FILE = 'assertions.json';
/** Journal segments: `journal-000001.log`, … replayed in number order. */
export const SEGMENT_PATTERN = /^journal-(\d{6,})\.log$/;
/** Temporaries end in `.tmp` (`<file>.<pid>.tmp`); none is ever read back. */
const TEMPORARY = /\.tmp$/;

/** The file name of journal segment `n`. */
export function segmentName(n: number): string {
  return `journal-${String(n).padStart(6, '0')}.log`;
}

/**
 * Creates the directory if needed, mode 0700 whatever the umask (it holds key hashes), removes
 * the temporaries a process killed mid-write left behind, and tightens an existing directory or
 * data file that group or others may read. One emulator per directory.
 */
export async function prepareDataDir(fs: DataFs, dir: string): Promise<void> {
  const created = await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode passes through the umask, which can only clear bits (umask 0277 would leave
  // the directory unwritable): chmod makes it exactly 0700.
  if (created !== undefined) await fs.chmod(dir, 0o700);
  const names = await fs.readdir(dir);
  for (const name of names) {
    if (TEMPORARY.test(name)) await fs.unlink(join(dir, name)).catch(ignoreMissing);
  }
  await tightenModes(fs, dir, names);
}

/**
 * An existing directory or data file that others may read (a copy, a restore from a backup, a
 * umask of 022 when an older version wrote it) holds key hashes and every assertion: it is made
 * 0700 / 0600 at boot, and one line on stderr says which were changed.
 */
async function tightenModes(fs: DataFs, dir: string, names: readonly string[]): Promise<void> {
  const changed: string[] = [];
  const tighten = async (path: string, label: string, mode: number) => {
    let current: number;
    try {
      current = (await fs.stat(path)).mode;
    } catch (err) {
      ignoreMissing(err);
      return;
    }
    if ((current & 0o077) === 0) return;
    await fs.chmod(path, mode);
    changed.push(`${label} ${(current & 0o777).toString(8).padStart(4, '0')}`);
  };
  await tighten(dir, '.', 0o700);
  for (const name of names) {
    if (name === KEYS_FILE || name === ASSERTIONS_FILE || SEGMENT_PATTERN.test(name)) {
      await tighten(join(dir, name), name, 0o600);
    }
  }
  if (changed.length === 0) return;
  process.stderr.write(
    `stemedb-emulator: warning: ${dir}: others could read ${changed.join(', ')}; made the directory 0700 and its files 0600\n`,
  );
}

/** The journal segments present, by number, oldest first. */
export async function listSegments(fs: DataFs, dir: string): Promise<number[]> {
  const numbers: number[] = [];
  for (const name of await fs.readdir(dir)) {
    const match = SEGMENT_PATTERN.exec(name);
    if (match) numbers.push(Number(match[1]));
  }
  return numbers.sort((a, b) => a - b);
}

/**
 * fsyncs a directory, so a file created, renamed or removed in it survives a power cut (the
 * rename itself lives in the directory, not in the file).
 */
export async function syncDir(fs: DataFs, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file atomically: a temporary file written from `chunks`, fsynced, renamed over
 * `name`, then the directory fsynced. A crash at any step leaves the old file or the new one,
 * plus at worst a temporary the next boot removes. Resolves with the bytes written.
 */
export async function writeFileAtomic(
  fs: DataFs,
  dir: string,
  name: string,
  chunks: Iterable<string>,
): Promise<number> {
  const path = join(dir, name);
  const tmp = `${path}.${process.pid}.tmp`;
  let bytes = 0;
  const handle = await fs.open(tmp, 'w', 0o600);
  try {
    for (const chunk of chunks) {
      const buffer = Buffer.from(chunk, 'utf8');
      bytes += buffer.length;
      await handle.write(buffer);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, path);
  await syncDir(fs, dir);
  return bytes;
}

/** Removes a file if present (the caller fsyncs the directory once for a group of removals). */
export async function removeFile(fs: DataFs, dir: string, name: string): Promise<void> {
  await fs.unlink(join(dir, name)).catch(ignoreMissing);
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}
