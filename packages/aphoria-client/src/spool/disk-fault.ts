/**
 * The file system errors that belong to one file, not to the run (issue 21): a full disk, an
 * I/O error, a root-owned file left by a container step, a directory where a journal should
 * be. One journal hit by one of these is reported and skipped; the run, and every later run,
 * goes on with the others.
 */
const DISK_FAULTS: ReadonlySet<string> = new Set([
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EACCES',
  'EPERM',
  'EISDIR',
  'ENOTDIR',
  'EROFS',
]);

/** True for a file system error that isolates one journal. */
export function isDiskFault(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && DISK_FAULTS.has(code);
}
