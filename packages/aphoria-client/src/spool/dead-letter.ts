/**
 * The dead-letter file of a scan, `<scan id>.dead` beside its journal: the records StemeDB
 * refused for good (400, 413, 422) or that failed N times with a 5xx that is not an outage.
 * One JSON record a line, framed like the journal (`<crc32> <json>\n`), each fsynced before
 * the journal marks its record finished, so that a record is never neither sent nor here. It
 * keeps the whole assertion, to be inspected or replayed by hand; nothing sends it again.
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

  constructor(fs: SpoolFs, path: string) {
    this.#fs = fs;
    this.path = path;
  }

  /** Writes one dead letter and fsyncs it (and, the first time, the directory). */
  add(letter: DeadLetter): Promise<void> {
    const next = this.#chain.then(async () => {
      if (this.#file === undefined) {
        this.#file = await this.#fs.append(this.path);
        await this.#fs.syncDir(dirname(this.path)); // the name survives a power cut too
      }
      await this.#file.write(encodeLine(letter));
      await this.#file.sync();
    });
    this.#chain = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    await this.#chain;
    const file = this.#file;
    this.#file = undefined;
    await file?.close();
  }
}

/** The dead letters of a file (whole, valid lines only). */
export async function readDeadLetters(fs: SpoolFs, path: string): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  for await (const line of readLines(fs, path)) {
    if (!line.complete) break;
    const value = decodeLine(line.text);
    if (value !== undefined) out.push(value as DeadLetter);
  }
  return out;
}
