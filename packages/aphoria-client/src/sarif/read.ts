/**
 * `readSarifFile` and telling a SARIF log from a native scan by its content.
 */
import { readFile, stat } from 'node:fs/promises';
import { ScanValidationError } from '../errors.js';
import type { Scan } from '../scan.js';
import { ROOT_PATH } from '../scan-issues.js';
import { type ParseSarifOptions, parseSarif } from './parse.js';

/** True when a parsed JSON value is a SARIF log (`version` "2.1.0" and a `runs` array). */
export function looksLikeSarif(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const log = json as { version?: unknown; runs?: unknown; $schema?: unknown };
  return (
    Array.isArray(log.runs) ||
    (typeof log.$schema === 'string' && /sarif/i.test(log.$schema)) ||
    log.version === '2.1.0'
  );
}

/**
 * Reads a SARIF 2.1.0 file and maps it with {@link parseSarif}. When the log has no
 * `invocations[].endTimeUtc`, the file's modification time stands in for it (unless
 * `finishedAt` is given), so that persisting the same file twice is one scan.
 *
 * The text is parsed and dropped before the mapping, so a 100,000-result log is held as text
 * once, then as objects.
 *
 * @throws ScanValidationError when the file is missing, not JSON, or not a valid log
 */
export async function readSarifFile(
  path: string,
  options: Omit<ParseSarifOptions, 'source'>,
): Promise<Scan> {
  const { json, mtime } = await readJson(path);
  return parseSarif(json, {
    ...options,
    finishedAt: options.finishedAt ?? mtime,
    source: path,
  });
}

/** The file parsed as JSON, and its modification time (RFC 3339). */
export async function readJson(path: string): Promise<{ json: unknown; mtime: string }> {
  const fail = (reason: string, cause: unknown): never => {
    throw new ScanValidationError(
      `cannot read ${path}: ${reason}`,
      [{ path: ROOT_PATH, message: reason }],
      {
        cause,
      },
    );
  };
  let text: string;
  let mtime: string;
  try {
    const info = await stat(path);
    mtime = new Date(Math.floor(info.mtimeMs)).toISOString();
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : (code ?? 'unreadable'),
      error,
    );
  }
  try {
    return { json: JSON.parse(text), mtime };
  } catch (error) {
    // No slice of the file goes into the message: a secret scanner's log holds secrets.
    return fail(text.trim() === '' ? 'the file is empty' : 'it is not JSON', error);
  }
}
