/**
 * Splitting a scan file's bytes, as they are read, into its top-level fields and the elements of
 * its `findings` array, without parsing the document whole: each piece is handed over as its
 * own JSON text, which the caller gives to `JSON.parse`. A 100,000-finding scan is then never
 * in memory at once (its text, 25 MB, nor its tree, about 55 MB).
 *
 * The splitter checks the document's shape between the pieces (`{`, keys, `:`, `,`, `[`, `]`,
 * `}`, whitespace); the pieces themselves are checked by the caller's `JSON.parse`. So whenever
 * the splitter ends without an error and every piece parses, the document is JSON and parses
 * to the same value (test/scan-file/split.property.test.ts checks it against `JSON.parse`, with
 * multi-byte UTF-8 cut at every chunk boundary). Anything it does not expect (a key twice, a
 * BOM, `findings` not an array) is a {@link ScanShapeError}: the caller then reads the file
 * whole, as before, and that path names the mistake.
 *
 * UTF-8 needs no care here: every byte of a multi-byte character is ≥ 0x80, so no structural
 * byte is ever inside one, and a piece is only ever cut at a structural byte.
 */

/** The document is not the shape this splitter handles (the caller reads the file whole). */
export class ScanShapeError extends Error {
  override name = 'ScanShapeError';
}

/** What the splitter hands out. */
export interface SplitSink {
  /** A top-level member other than `findings`: its key and its value's JSON text. */
  field(key: string, value: Buffer): void;
  /** The `findings` member begins (its `[` was read). */
  findingsStart?(): void;
  /** One element of `findings`, in order: its JSON text. */
  finding(value: Buffer): void;
}

enum State {
  Start, // before the top-level `{`
  KeyOrEnd, // after `{`: a key or `}`
  Key, // after `,`: a key
  Colon,
  Value,
  AfterValue, // `,` or `}`
  ElementOrEnd, // after `[`: an element or `]`
  Element, // after `,` in the array: an element
  AfterElement, // `,` or `]`
  Done,
}

enum Capture {
  None,
  KeyText,
  Field,
  Finding,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The key whose value is split element by element. */
const FINDINGS_KEY = 'findings';

/**
 * Feed it the file's bytes in chunks ({@link push}), then {@link end}. Each call hands the
 * pieces completed in that chunk to the sink, synchronously; a piece cut by a chunk boundary is
 * copied (the caller may reuse the chunk's buffer after `push` returns).
 */
export class ScanSplitter {
  readonly #sink: SplitSink;
  #state = State.Start;
  #capture = Capture.None;
  // Inside the value being captured:
  #depth = 0;
  #inString = false;
  #escaped = false;
  #scalar = false; // a number or literal: ends at the first delimiter
  #parts: Buffer[] = [];
  #key = '';
  readonly #keys = new Set<string>();
  #inFindings = false;
  #offset = 0;

  constructor(sink: SplitSink) {
    this.#sink = sink;
  }

  /** Bytes read so far. */
  get offset(): number {
    return this.#offset;
  }

  /** The next chunk of the file. @throws ScanShapeError */
  push(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    let start = 0; // where the capture in progress begins in this chunk
    while (i < n) {
      if (this.#capture !== Capture.None) {
        const end = this.#scan(chunk, i);
        if (end < 0) {
          i = n;
          break;
        }
        this.#finish(chunk, start, end);
        i = end;
        continue;
      }
      const c = chunk[i]!;
      if (isSpace(c)) {
        i += 1;
        continue;
      }
      start = i;
      this.#step(c);
      // A capture starts at this byte (a key's or a value's): scanned from here on.
      if (this.#capture === Capture.None) i += 1;
    }
    if (this.#capture !== Capture.None) {
      // Copied: the caller may reuse the chunk.
      this.#parts.push(Buffer.from(chunk.subarray(start, n)));
    }
    this.#offset += n;
  }

  /** The file ended. @throws ScanShapeError when the document is not complete */
  end(): void {
    if (this.#state !== State.Done) this.#fail('the document ends early');
  }

  #fail(why: string): never {
    throw new ScanShapeError(`${why} (byte ${this.#offset})`);
  }

  // A structural byte outside any capture.
  #step(c: number): void {
    switch (this.#state) {
      case State.Start:
        if (c !== OPEN_BRACE) this.#fail('not an object');
        this.#state = State.KeyOrEnd;
        return;
      case State.KeyOrEnd:
      case State.Key:
        if (c === CLOSE_BRACE && this.#state === State.KeyOrEnd) {
          this.#state = State.Done;
          return;
        }
        if (c !== QUOTE) this.#fail('a key was expected');
        this.#begin(Capture.KeyText);
        return;
      case State.Colon:
        if (c !== COLON) this.#fail('":" was expected');
        this.#state = State.Value;
        return;
      case State.Value:
        if (this.#key === FINDINGS_KEY) {
          if (c !== OPEN_BRACKET) this.#fail('findings is not an array');
          this.#inFindings = true;
          this.#state = State.ElementOrEnd;
          this.#sink.findingsStart?.();
          return;
        }
        this.#begin(Capture.Field);
        return;
      case State.AfterValue:
        if (c === COMMA) this.#state = State.Key;
        else if (c === CLOSE_BRACE) this.#state = State.Done;
        else this.#fail('"," or "}" was expected');
        return;
      case State.ElementOrEnd:
      case State.Element:
        if (c === CLOSE_BRACKET && this.#state === State.ElementOrEnd) {
          this.#inFindings = false;
          this.#state = State.AfterValue;
          return;
        }
        if (c === CLOSE_BRACKET || c === COMMA || c === CLOSE_BRACE || c === COLON) {
          this.#fail('an element was expected');
        }
        this.#begin(Capture.Finding);
        return;
      case State.AfterElement:
        if (c === COMMA) this.#state = State.Element;
        else if (c === CLOSE_BRACKET) {
          this.#inFindings = false;
          this.#state = State.AfterValue;
        } else this.#fail('"," or "]" was expected');
        return;
      case State.Done:
        this.#fail('bytes after the document');
    }
  }

  #begin(capture: Capture): void {
    this.#capture = capture;
    this.#depth = 0;
    this.#inString = false;
    this.#escaped = false;
    this.#scalar = false;
  }

  /**
   * Scans the value being captured from `i`; returns the index just past its end, or -1 when
   * the chunk ends first. The first byte of a value decides its kind.
   */
  #scan(chunk: Buffer, i: number): number {
    const n = chunk.length;
    if (this.#depth === 0 && !this.#inString && !this.#scalar) {
      // The value's first byte.
      const c = chunk[i]!;
      if (c === QUOTE) {
        this.#inString = true;
        i += 1;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.#depth = 1;
        i += 1;
      } else {
        this.#scalar = true;
      }
    }
    if (this.#scalar) {
      while (i < n) {
        const c = chunk[i]!;
        if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE || isSpace(c)) return i;
        // A structural byte the value cannot hold: JSON.parse of the piece names it.
        if (c === OPEN_BRACE || c === OPEN_BRACKET || c === QUOTE || c === COLON) return i;
        i += 1;
      }
      return -1;
    }
    while (i < n) {
      const c = chunk[i]!;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === BACKSLASH) this.#escaped = true;
        else if (c === QUOTE) {
          this.#inString = false;
          if (this.#depth === 0) return i + 1; // a string value (or key) ends
        }
        i += 1;
        continue;
      }
      if (c === QUOTE) this.#inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.#depth += 1;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.#depth -= 1;
        if (this.#depth === 0) return i + 1;
      }
      i += 1;
    }
    return -1;
  }

  // The capture ends at `end` in `chunk` (it began at `start`, or in earlier chunks).
  #finish(chunk: Buffer, start: number, end: number): void {
    let piece = chunk.subarray(this.#parts.length > 0 ? 0 : start, end);
    if (this.#parts.length > 0) {
      this.#parts.push(piece);
      piece = Buffer.concat(this.#parts);
      this.#parts = [];
    }
    const capture = this.#capture;
    this.#capture = Capture.None;
    switch (capture) {
      case Capture.KeyText: {
        let key: unknown;
        try {
          key = JSON.parse(piece.toString('utf8'));
        } catch {
          this.#fail('a key is not a JSON string');
        }
        const name = key as string;
        if (this.#keys.has(name)) this.#fail(`the key ${JSON.stringify(name)} is given twice`);
        this.#keys.add(name);
        this.#key = name;
        this.#state = State.Colon;
        return;
      }
      case Capture.Field:
        this.#sink.field(this.#key, piece);
        this.#state = State.AfterValue;
        return;
      case Capture.Finding:
        this.#sink.finding(piece);
        this.#state = State.AfterElement;
        return;
    }
  }

  /** True while inside the findings array (for the caller's bookkeeping). */
  get inFindings(): boolean {
    return this.#inFindings;
  }
}
