/**
 * The dead-letter file of a scan, `<scan id>.dead` beside its journal: the records StemeDB
 * refused for good (400, 413, 422) or that failed N times with a 5xx that is not an outage.
 * One JSON record a line, framed like the journal (`<crc32> <json>\n`), each fsynced before
 * the journal marks its record finished, so that a record is never neither sent nor here. It
 * keeps the whole assertion, to be inspected or replayed by hand; nothing sends it again.
 *
 * A record here is finished, whatever the journal says: a run killed (or a power cut) after
 * the dead letter is durable and before the journal's `r` record is finds it here, and the
 * next run finishes it from this file (`Journal.pending`) instead of sending and
 * dead-lettering it again. So an index is in the file at most once: {@link DeadLetterFile.add}
 * skips one already there, and {@link readDeadLetters} keeps the first of a file written twice
 * (by a version without this rule).
 */
import { dirname } from 'node:path';
import type { AssertionInput } from '@stemedb/sdk';
import type { SpoolFile, SpoolFs } from './fs.js';
import { readLines } from './lines.js';
import { decodeLine, encodeLine } from './record.js';

/** One dead-lettered record. */
export interface DeadLetter {
  /** Its index in `scanToAssertions(scan)`. */
  i: number;
  /** The finding's index; absent for the scan's summary. */
  f?: number;
  /** The last HTTP status (0 when the SDK refused the input before sending). */
  status: number;
  code: string;
  msg: string;
  /** Attempts made, over every run. */
  attempts: number;
  /** When it was dead-lettered (ISO 8601). */
  at: string;
  in: AssertionInput;
}

/** What a run keeps of a dead letter already in the file: enough for the journal's `r` record. */
export type DeadLetterRefusal = Pick<DeadLetter, 'status' | 'code' | 'msg'>;

/** The dead-letter file of a journal. */
export function deadLetterPathOf(journalPath: string): string {
  return journalPath.replace(/\.journal$/, '.dead');
}

/** Appends dead letters to one file, each durable before {@link DeadLetterFile.add} resolves. */
export class DeadLetterFile {
  readonly path: string;
  readonly #fs: SpoolFs;
  #file: SpoolFile | undefined;
  #chain: Promise<void> = Promise.resolve();
  #read: Promise<ReadLetters> | undefined;

  constructor(fs: SpoolFs, path: string) {
    this.#fs = fs;
    this.path = path;
  }

  /** The records already dead-lettered, by index (read once; `add` keeps it current). */
  async letters(): Promise<ReadonlyMap<number, DeadLetterRefusal>> {
    return (await this.#load()).letters;
  }

  /**
   * Writes one dead letter and fsyncs it (and, the first time, the directory). A record whose
   * index is already in the file is not written again.
   */
  add(letter: DeadLetter): Promise<void> {
    const next = this.#chain.then(() => this.#append(letter));
    this.#chain = next.catch(() => {});
    return next;
  }

  async #append(letter: DeadLetter): Promise<void> {
    const read = await this.#load();
    if (read.letters.has(letter.i)) return;
    if (this.#file === undefined) {
      // A dead letter cut off by a power cut (never fsynced, so never followed by its `r`):
      // the next one must start on a line of its own, or both are unreadable.
      if (read.bytes > read.validBytes) await this.#fs.truncate(this.path, read.validBytes);
      this.#file = await this.#fs.append(this.path);
      // The name survives a power cut too: without it, a cut can keep the journal's `r` and
      // lose the whole file.
      await this.#fs.syncDir(dirname(this.path));
    }
    await this.#file.write(encodeLine(letter));
    // Before the journal's `r` is written: a cut must never keep the `r` and lose this line.
    await this.#file.sync();
    read.letters.set(letter.i, refusalOf(letter));
  }

  async close(): Promise<void> {
    await this.#chain;
    const file = this.#file;
    this.#file = undefined;
    await file?.close();
  }

  #load(): Promise<ReadLetters> {
    this.#read ??= readLetters(this.#fs, this.path);
    return this.#read;
  }
}

interface ReadLetters {
  letters: Map<number, DeadLetterRefusal>;
  /** The file's size; 0 when it does not exist. */
  bytes: number;
  /** Bytes up to the end of its last whole, valid line. */
  validBytes: number;
}

async function readLetters(fs: SpoolFs, path: string): Promise<ReadLetters> {
  const letters = new Map<number, DeadLetterRefusal>();
  const size = await fs.size(path);
  if (size === undefined) return { letters, bytes: 0, validBytes: 0 };
  let validBytes = 0;
  for await (const { letter, end } of decodeLetters(fs, path)) {
    validBytes = end;
    if (!letters.has(letter.i)) letters.set(letter.i, refusalOf(letter));
  }
  return { letters, bytes: size.bytes, validBytes };
}

function refusalOf(letter: DeadLetter): DeadLetterRefusal {
  return { status: letter.status, code: letter.code, msg: letter.msg };
}

async function* decodeLetters(
  fs: SpoolFs,
  path: string,
): AsyncGenerator<{ letter: DeadLetter; end: number }> {
  for await (const line of readLines(fs, path)) {
    if (!line.complete) return;
    const value = decodeLine(line.text);
    if (isDeadLetter(value)) yield { letter: value, end: line.end };
  }
}

function isDeadLetter(value: unknown): value is DeadLetter {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return Number.isSafeInteger(v.i) && (v.i as number) >= 0 && typeof v.in === 'object';
}

/** The dead letters of a file (whole, valid lines only), each index once: the first kept. */
export async function readDeadLetters(fs: SpoolFs, path: string): Promise<DeadLetter[]> {
  const seen = new Set<number>();
  const out: DeadLetter[] = [];
  for await (const { letter } of decodeLetters(fs, path)) {
    if (seen.has(letter.i)) continue;
    seen.add(letter.i);
    out.push(letter);
  }
  return out;
}
