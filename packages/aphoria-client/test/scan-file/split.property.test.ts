// The scan file's splitter (src/scan-file/split.ts) against JSON.parse: whatever it accepts
// parses to the same value when read whole, whatever chunks the bytes come in (multi-byte
// UTF-8 cut anywhere), and whatever JSON.parse refuses it never accepts. Bounded:
// STEMEDB_FUZZ_RUNS runs each (default 200).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScanShapeError, ScanSplitter } from '../../src/scan-file/split.js';

const RUNS = Number(process.env.STEMEDB_FUZZ_RUNS ?? 200);

/** The document as the splitter gives it, or the splitter's (or a piece's) refusal. */
function split(bytes: Buffer, cuts: number[]): Record<string, unknown> | 'refused' {
  const doc: Record<string, unknown> = {};
  const findings: unknown[] = [];
  const splitter = new ScanSplitter({
    field: (key, value) => {
      doc[key] = JSON.parse(value.toString('utf8'));
    },
    findingsStart: () => {
      doc.findings = findings;
    },
    finding: (value) => findings.push(JSON.parse(value.toString('utf8'))),
  });
  try {
    let at = 0;
    for (const cut of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b)]) {
      // A fresh buffer each time, then scribbled over: the splitter must have copied what it kept.
      const chunk = Buffer.from(bytes.subarray(at, cut));
      splitter.push(chunk);
      chunk.fill(0x7b);
      at = cut;
    }
    splitter.push(Buffer.from(bytes.subarray(at)));
    splitter.end();
  } catch (error) {
    if (error instanceof ScanShapeError || error instanceof SyntaxError) return 'refused';
    throw error;
  }
  return doc;
}

function whole(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'refused';
  }
}

// Strings with every kind of character that matters: quotes, backslashes, escapes, braces,
// and multi-byte UTF-8 (2, 3 and 4 bytes).
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\n', 'é', '€', '😀', '\u0001'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 12,
});
const finding = fc.oneof(
  fc.record({
    rule: text,
    line: fc.integer(),
    message: text,
    nested: fc.jsonValue({ maxDepth: 2 }),
  }),
  fc.jsonValue({ maxDepth: 3 }),
);
const scanLike = fc.record(
  {
    schema: fc.constant('aphoria.scan/v1'),
    project: text,
    commit: text,
    scanner: fc.record({ name: text, version: text }),
    findings: fc.array(finding, { maxLength: 8 }),
    started_at: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: ['findings'] },
);
const cuts = fc.array(fc.nat(), { maxLength: 6 });
const indent = fc.constantFrom(undefined, 0, 1, 2, '\t');

describe('ScanSplitter', () => {
  it('gives what JSON.parse gives for a scan-shaped document, in any chunks', () => {
    fc.assert(
      fc.property(scanLike, indent, cuts, (doc, space, at) => {
        const bytes = Buffer.from(JSON.stringify(doc, null, space));
        expect(split(bytes, at)).toEqual(JSON.parse(bytes.toString('utf8')));
      }),
      { numRuns: RUNS },
    );
  });

  it('never accepts what JSON.parse refuses, and agrees with it on what it accepts (damaged bytes)', () => {
    fc.assert(
      fc.property(
        scanLike,
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.constantFrom(...'{}[]",:\\ 0a'.split('').map((c) => c.charCodeAt(0)), 0xc3, 0x80),
          ),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        cuts,
        (doc, damage, at) => {
          const bytes = Buffer.from(JSON.stringify(doc));
          for (const [where, byte] of damage) bytes[where % bytes.length] = byte;
          const mine = split(bytes, at);
          if (mine !== 'refused') expect(mine).toEqual(whole(bytes));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never accepts a structural byte swapped for another (where damage is most likely to slip through)', () => {
    const structural = '{}[],:" '.split('').map((c) => c.charCodeAt(0));
    fc.assert(
      fc.property(
        scanLike,
        fc.nat(),
        fc.constantFrom(...structural),
        cuts,
        (doc, pick, byte, at) => {
          const bytes = Buffer.from(JSON.stringify(doc));
          const spots = [...bytes.keys()].filter((i) => structural.includes(bytes[i]!));
          bytes[spots[pick % spots.length]!] = byte;
          const mine = split(bytes, at);
          if (mine !== 'refused') expect(mine).toEqual(whole(bytes));
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it.each([
    ['a colon between elements', '{"findings":[1:2]}'],
    ['a key given twice', '{"findings":[],"findings":[1]}'],
    ['findings not an array', '{"findings":{}}'],
    ['a byte-order mark', '\ufeff{"findings":[]}'],
    ['bytes after the document', '{"findings":[]} x'],
    ['a missing comma between elements', '{"findings":[1 2]}'],
    ['a trailing comma', '{"findings":[1,]}'],
    ['a document cut short', '{"findings":[{"a":1}'],
    ['not an object', '[{"findings":[]}]'],
  ])('refuses %s', (_, json) => {
    expect(split(Buffer.from(json), [])).toBe('refused');
  });

  it('hands each finding over as its own JSON text, a multi-byte character cut by a chunk boundary whole', () => {
    const bytes = Buffer.from('{"a":"é","findings":[{"m":"😀"},"€"]}');
    const pieces: string[] = [];
    const splitter = new ScanSplitter({
      field: (key, value) => pieces.push(`${key}=${value.toString('utf8')}`),
      finding: (value) => pieces.push(value.toString('utf8')),
    });
    // Every cut inside the 4-byte emoji and the 3-byte euro sign.
    for (let i = 0; i < bytes.length; i++) splitter.push(bytes.subarray(i, i + 1));
    splitter.end();
    expect(pieces).toEqual(['a="é"', '{"m":"😀"}', '"€"']);
  });
});
