/**
 * `readSarifFile`, and telling a SARIF log from a native scan by its content.
 */
import type { Scan } from '../scan.js';
import { checkSarifOptions, type ParseSarifOptions, sarifLogToScan } from './parse.js';
import { readSarifLog } from './stream.js';

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
 * Reads a SARIF 2.1.0 file and maps it as {@link parseSarif} does. When the log has no
 * `invocations[].endTimeUtc`, the file's modification time stands in for it (unless
 * `finishedAt` is given), so that persisting the same file twice is one scan.
 *
 * The file is read as it streams: each result is checked against the schema and mapped as soon
 * as it is read, so a 100,000-result log is held neither as text nor as a tree of objects (see
 * README, "Large logs").
 *
 * @throws ScanValidationError when the file is missing, not JSON, or not a valid log
 * @throws AphoriaOptionsError for an unknown option
 */
export async function readSarifFile(
  path: string,
  options: Omit<ParseSarifOptions, 'source'>,
): Promise<Scan> {
  checkSarifOptions(options);
  const { mtime, ...collected } = await readSarifLog(path, options);
  return sarifLogToScan(collected, {
    ...options,
    finishedAt: options.finishedAt ?? mtime,
    source: path,
  });
}
