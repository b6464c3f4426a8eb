/**
 * Reading a SARIF log from a file as it streams (@streamparser/json): each result is checked
 * and mapped to its finding as soon as its closing brace is read, then dropped from the parser's
 * tree, so a 100,000-result log is never held whole, neither as text nor as objects: what is
 * held is the log without its results, and the findings. A log whose runs name their rules or
 * bases after the results that need them is read a second time, with the whole runs known.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { JSONParser } from '@streamparser/json';
import { ScanValidationError } from '../errors.js';
import { ROOT_PATH } from '../scan-issues.js';
import { type CollectedLog, type MapOptions, SarifCollector } from './collect.js';

// The parser emits the root (once the file is read) and each result of each run.
const PATHS = ['$', '$.runs.*.results.*'];
// The parser gathers a string's bytes in a buffer of this size rather than a character at a
// time: fewer, larger allocations for a log that is mostly strings.
const STRING_BUFFER_BYTES = 64 * 1024;

/** The file's modification time and size, or a {@link ScanValidationError} saying why not. */
async function version(path: string): Promise<{ mtimeMs: number; size: number }> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    return { mtimeMs: info.mtimeMs, size: info.size };
  } catch (error) {
    throw unreadable(path, errnoReason(error), error);
  }
}

function errnoReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? 'unreadable';
}

function unreadable(path: string, reason: string, cause?: unknown): ScanValidationError {
  return new ScanValidationError(
    `cannot read ${path}: ${reason}`,
    [{ path: ROOT_PATH, message: reason }],
    { cause },
  );
}

/**
 * Reads, checks and maps the SARIF log in `path`, and gives its modification time (RFC 3339).
 *
 * @throws ScanValidationError when the file is missing, not JSON, or not a valid log, or when it
 * changed between two readings
 */
export async function readSarifLog(
  path: string,
  options: MapOptions,
): Promise<CollectedLog & { mtime: string }> {
  const before = await version(path);
  const mtime = new Date(Math.floor(before.mtimeMs)).toISOString();
  const first = await readOnce(path, new SarifCollector(path, options));
  if (!first.late) return { ...first.collected, mtime };
  // A run gave rules or bases after results that need them: map every result again, knowing
  // the whole runs (and numbering repeated fingerprints afresh, in log order).
  const runs = first.collected.log.runs;
  const second = await readOnce(path, new SarifCollector(path, options, runs));
  const after = await version(path);
  if (after.mtimeMs !== before.mtimeMs || after.size !== before.size) {
    throw unreadable(path, 'it changed while it was read; read it again');
  }
  return { log: first.collected.log, findings: second.collected.findings, mtime };
}

// One reading of the file through `collector`.
async function readOnce(
  path: string,
  collector: SarifCollector,
): Promise<{ collected: CollectedLog; late: boolean }> {
  let root: unknown;
  let seen = false;
  const parser = new JSONParser({
    paths: PATHS,
    keepStack: true,
    stringBufferSize: STRING_BUFFER_BYTES,
  });
  parser.onValue = ({ value, key, parent, stack }) => {
    if (stack.length === 0) {
      root = value;
      seen = true;
      return;
    }
    // The stack holds `$`, `runs`, the run and `results`: stack[2].key is the run's index,
    // stack[3].value the run as read so far; `key` is the result's index.
    collector.result(stack[2]?.key as PropertyKey, key as PropertyKey, value, stack[3]?.value);
    // What bounds memory: the result leaves the parser's tree as soon as it is mapped.
    delete (parent as Record<PropertyKey, unknown>)[key as PropertyKey];
  };
  const stream = createReadStream(path);
  let ending = false;
  try {
    for await (const chunk of stream) {
      parser.write(chunk as Buffer);
      if (collector.full) break; // the error is full: the rest of the file would add nothing
    }
    ending = true;
    // The parser ends itself after the root's closing brace; end() then would be an error.
    if (!collector.full && !parser.isEnded) parser.end();
  } catch (error) {
    if (typeof (error as NodeJS.ErrnoException).code === 'string') {
      throw unreadable(path, errnoReason(error), error);
    }
    // No slice of the file goes into the message: a secret scanner's log holds secrets.
    throw unreadable(path, ending ? 'it is not JSON: it ends early' : 'it is not JSON', error);
  } finally {
    stream.destroy();
  }
  if (!seen && !collector.full) throw unreadable(path, 'the file is empty');
  const collected = collector.finish(root);
  return { collected, late: collector.late };
}
