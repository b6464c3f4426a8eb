/**
 * A direct YAML writer for rendered objects: the text yaml's `stringify` gives with
 * `YAML_OPTIONS` (yaml-options.ts), byte for byte, without building yaml's document tree first.
 * A cold `render` spent about a tenth of its time in `stringify` (README, "Speed"), most of it
 * creating and walking nodes, copying a context per pair, and looking up tags.
 *
 * Only the layout is ours (block maps and sequences, two-space indent, sequences indented under
 * their key, `{}` and `[]` for empty collections); every string, key or value, is written by
 * yaml's own `stringifyString` (exported by `yaml/util`), so quoting, YAML 1.1 keywords and block
 * scalars are yaml's decisions, not a copy of them. A value outside what the layout covers (not
 * a plain object, array, string, boolean, null or safe integer; a key over 1024 characters,
 * which yaml writes as an explicit `? key`) makes {@link writeYamlDocument} return undefined,
 * and the caller uses yaml's `stringify` for that document. test/output/yaml-writer.test.ts
 * compares the two on random objects.
 */
import { Document } from 'yaml';
import { type StringifyContext, stringifyString } from 'yaml/util';
import { YAML_OPTIONS } from './yaml-options.js';

/** What {@link writeYamlDocument} cannot write (the caller falls back to yaml). */
class Unsupported extends Error {}

/** The one string that YAML 1.1's merge tag, not the string tag, writes. */
const MERGE_KEY = '<<';

/** The step yaml indents by (its default `indent: 2`). */
const STEP = '  ';

/**
 * yaml's string context for `YAML_OPTIONS` (yaml-options.ts): its defaults (yaml's
 * `createStringifyContext`), then the YAML 1.1 schema's own, then ours. Built on first use.
 */
let baseContext: StringifyContext | undefined;

function context(): StringifyContext {
  if (baseContext) return baseContext;
  const doc = new Document(null, { version: YAML_OPTIONS.version });
  const options = {
    blockQuote: true,
    commentString: String, // never called: the objects carry no comments
    defaultKeyType: null,
    defaultStringType: 'PLAIN',
    directives: null,
    doubleQuotedAsJSON: false,
    doubleQuotedMinMultiLineLength: 40,
    falseStr: 'false',
    flowCollectionPadding: true,
    indentSeq: true,
    nullStr: 'null',
    simpleKeys: false,
    singleQuote: null,
    trailingComma: false,
    trueStr: 'true',
    verifyAliasOrder: true,
    ...doc.schema.toStringOptions,
    ...YAML_OPTIONS, // lineWidth and minContentWidth among them
  };
  baseContext = {
    anchors: new Set(),
    doc,
    flowCollectionPadding: ' ',
    indent: '',
    indentStep: STEP,
    inFlow: null,
    options: options as unknown as StringifyContext['options'],
  };
  return baseContext;
}

/** A string as yaml writes it at `indent`: as a key (`implicitKey`) or as a value. */
function str(value: string, indent: string, implicitKey: boolean): string {
  // yaml picks a node's tag among those that identify its value, preferring one with a `test`:
  // in YAML 1.1 that makes `<<` the merge key, written bare, as a key or a value alike.
  if (value === MERGE_KEY) return MERGE_KEY;
  // yaml's string tag sets `actualString` (a string that reads as another type gets quoted).
  const ctx = { ...context(), indent, implicitKey, actualString: true };
  // stringifyString reads `value`, `type` and `comment`: a plain scalar without either.
  return stringifyString({ value } as Parameters<typeof stringifyString>[0], ctx);
}

/** A scalar value, or undefined for a collection. Throws {@link Unsupported} otherwise. */
function scalar(value: unknown, indent: string): string | undefined {
  if (typeof value === 'string') return str(value, indent, false);
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') {
    // Floats, -0 and huge integers have formats of their own in yaml; not in our objects.
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
    throw new Unsupported();
  }
  if (typeof value === 'object') {
    if (Array.isArray(value)) return undefined;
    const proto = Object.getPrototypeOf(value);
    // A class instance, a Map or a Date (toJSON) is something yaml treats its own way.
    if (proto === Object.prototype || proto === null) return undefined;
  }
  throw new Unsupported();
}

/** A non-empty collection's lines from `indent` on (its first line not indented). */
function collection(value: object, indent: string): string {
  return Array.isArray(value)
    ? sequence(value, indent)
    : map(value as Record<string, unknown>, indent);
}

function isEmpty(value: object): boolean {
  if (Array.isArray(value)) return value.length === 0;
  for (const key in value) {
    if (Object.hasOwn(value, key) && (value as Record<string, unknown>)[key] !== undefined) {
      return false;
    }
  }
  return true;
}

function map(obj: Record<string, unknown>, indent: string): string {
  const inner = indent + STEP;
  let out = '';
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (value === undefined) continue; // yaml drops undefined values (no keepUndefined)
    const k = str(key, inner, true);
    if (k.length > 1024) throw new Unsupported(); // yaml makes it an explicit `? key`
    let line: string;
    const s = scalar(value, inner);
    if (s !== undefined) {
      // A block scalar's header follows the key on its line, as every other scalar does.
      line = s === '' || s[0] === '\n' ? `${k}:${s}` : `${k}: ${s}`;
    } else if (isEmpty(value as object)) {
      line = `${k}: ${Array.isArray(value) ? '[]' : '{}'}`;
    } else {
      line = `${k}:\n${inner}${collection(value as object, inner)}`;
    }
    out += out === '' ? line : `\n${indent}${line}`;
  }
  return out === '' ? '{}' : out;
}

function sequence(items: readonly unknown[], indent: string): string {
  const inner = indent + STEP;
  let out = '';
  for (const item of items) {
    const s = scalar(item, inner);
    let line: string;
    if (s !== undefined) line = s;
    else if (isEmpty(item as object)) line = Array.isArray(item) ? '[]' : '{}';
    else line = collection(item as object, inner);
    out += out === '' ? `- ${line}` : `\n${indent}- ${line}`;
  }
  return out === '' ? '[]' : out;
}

/**
 * One object (a plain object at the top) as the YAML document yaml's `stringify` writes with
 * `YAML_OPTIONS` (yaml-options.ts), ending in a newline; undefined when the object holds
 * something the layout does not cover (see the module comment), for the caller to hand to yaml.
 */
export function writeYamlDocument(obj: unknown): string | undefined {
  try {
    if (scalar(obj, '') !== undefined || Array.isArray(obj)) return undefined;
    return `${map(obj as Record<string, unknown>, '')}\n`;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}
