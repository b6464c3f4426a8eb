/**
 * The direct YAML writer (src/output/yaml-writer.ts) against yaml's `stringify` with the options
 * serialize.ts passes: the same bytes for random objects built from strings that need quoting
 * (YAML 1.1 keywords, numbers, `: `, `#`, leading and trailing blanks, document markers,
 * newlines, control characters, unicode), as keys and values, nested; and the fallback to
 * `stringify` for what the writer does not cover. The golden renderings
 * (golden-examples.test.ts) pin the bundle's own bytes.
 *
 * Bounded: STEMEDB_FUZZ_RUNS runs (default 300).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderYamlDocument } from '../src/output/serialize.js';
import { YAML_OPTIONS } from '../src/output/yaml-options.js';
import { writeYamlDocument } from '../src/output/yaml-writer.js';

const RUNS = Number(process.env.STEMEDB_FUZZ_RUNS ?? 300);

/** Pieces that make a string need quoting, or a block scalar, somewhere. */
const FRAGMENTS = [
  '',
  ' ',
  '  ',
  '\t',
  '\n',
  '\n\n',
  ' \n',
  '\n ',
  ': ',
  ':',
  '#',
  ' #',
  '- ',
  '-',
  '?',
  '? ',
  ',',
  '[',
  ']',
  '{',
  '}',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '%',
  '@',
  '`',
  '~',
  '---',
  '...',
  'null',
  'Null',
  'NULL',
  'true',
  'True',
  'false',
  'yes',
  'Yes',
  'no',
  'NO',
  'on',
  'On',
  'off',
  'y',
  'Y',
  'n',
  'N',
  '0',
  '1',
  '-1',
  '0777',
  '0o17',
  '0x1F',
  '0b101',
  '1_000',
  '1.5',
  '.5',
  '1e3',
  '.inf',
  '-.Inf',
  '.nan',
  '1:30',
  '190:20:30',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '<<',
  '=',
  'a',
  'abc',
  'app.kubernetes.io/name',
  'sum(rate(x[5m])) > 0',
  '{{ $labels.pod }}',
  'é',
  '日本',
  '😀',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u007f',
  '\r',
  'x'.repeat(45),
];

const tricky = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6, unit: 'grapheme' })), {
    maxLength: 5,
  })
  .map((parts) => parts.join(''));

const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('name', 'image', 'labels', 'a', 'b', 'c') },
  { weight: 2, arbitrary: tricky },
);

const scalarValue = fc.oneof(
  { weight: 6, arbitrary: tricky },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, undefined) },
  { weight: 1, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }) },
  { weight: 1, arbitrary: fc.maxSafeInteger() },
);

const { value: tree } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarValue,
    tie('map'),
    tie('list'),
  ),
  map: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  list: fc.array(tie('value'), { maxLength: 4 }),
}));

/** A top-level object, as every rendered document is. */
const documentObject = fc.dictionary(key, tree, { maxKeys: 5 });

describe('writeYamlDocument', () => {
  it('writes what yaml stringify writes, byte for byte, for random objects', () => {
    fc.assert(
      fc.property(documentObject, (obj) => {
        const written = writeYamlDocument(obj);
        expect(written).toBeDefined();
        expect(written).toBe(stringify(obj, YAML_OPTIONS));
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    ['an empty object', {}],
    ['empty collections as values and items', { a: {}, b: [], c: [[], {}, [[]]] }],
    ['undefined values dropped, undefined items as null', { a: undefined, b: [undefined, 1] }],
    ['a map of undefined values as {}', { a: { b: undefined } }],
    ['lists in lists', { a: [[1, [2, 'x']], ['y']] }],
    ['maps in lists', { a: [{ b: 1, c: { d: [{ e: 'f' }] } }] }],
    ['YAML 1.1 keywords quoted', { on: 'yes', y: 'n', off: 'No', '0777': '0o17', '~': 'null' }],
    ['the merge key bare, as a key and a value', { '<<': '<<', a: ['<<', { '<<': 1 }] }],
    [
      'block scalars kept, clipped and stripped',
      { a: 'x\ny\n', b: 'x\ny', c: 'x\n\n', d: ' x\ny' },
    ],
    ['block scalars in lists', { a: ['x\ny\n', ['p\nq']], b: [{ s: '#!/bin/sh\nset -eu\n' }] }],
    ['a multi-line key', { 'a\nb': 1 }],
    ['a document marker in a value and a key', { '---': '--- x\n...', a: { '...': 1 } }],
    ['numbers', { a: 0, b: -1, c: Number.MAX_SAFE_INTEGER, d: Number.MIN_SAFE_INTEGER }],
  ])('writes %s as yaml does', (_name, obj) => {
    expect(writeYamlDocument(obj)).toBe(stringify(obj, YAML_OPTIONS));
  });

  class Box {
    readonly a = 1;
  }
  it.each([
    ['a float', { a: 1.5 }],
    ['-0', { a: -0 }],
    ['an unsafe integer', { a: 2 ** 60 }],
    ['NaN', { a: Number.NaN }],
    ['a Date', { a: new Date(0) }],
    ['a Map', { a: new Map([['b', 1]]) }],
    ['a class instance', { a: new Box() }],
    ['a bigint', { a: 1n }],
    ['a key over 1024 characters', { ['k'.repeat(1030)]: 1 }],
    ['a top-level array', [1, 2]],
    ['a top-level string', 'x\n---\n'],
    ['a top-level null', null],
  ])('leaves %s to yaml, and render still writes what yaml writes', (_name, obj) => {
    expect(writeYamlDocument(obj)).toBeUndefined();
    expect(renderYamlDocument(obj)).toBe(stringify(obj, YAML_OPTIONS));
  });
});
