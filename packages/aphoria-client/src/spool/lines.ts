/**
 * Splits a file into lines as it streams, keeping each line's byte offsets so that a torn tail
 * can be cut off exactly where the last whole record ends.
 */
import type { SpoolFs } from './fs.js';

/** One line, without its newline. */
export interface Line {
  readonly text: string;
  /** Byte offset just past this line's newline (or past its last byte when `complete` is false). */
  readonly end: number;
  /** False for a last line with no newline: a write cut off mid-record. */
  readonly complete: boolean;
}

/** The lines of `path`, in order, read in chunks (memory bounded by the longest line). */
export async function* readLines(fs: SpoolFs, path: string): AsyncGenerator<Line> {
  let carry: Buffer | undefined;
  let offset = 0; // bytes of the file consumed into yielded lines
  for await (const chunk of fs.read(path)) {
    const buf: Buffer = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      offset += nl + 1 - start;
      yield { text: buf.toString('utf8', start, nl), end: offset, complete: true };
      start = nl + 1;
    }
    carry = start < buf.length ? buf.subarray(start) : undefined;
  }
  if (carry !== undefined && carry.length > 0) {
    yield { text: carry.toString('utf8'), end: offset + carry.length, complete: false };
  }
}
