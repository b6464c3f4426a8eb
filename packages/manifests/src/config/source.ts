/**
 * Where a config problem is in the file a user wrote: the line and column of the offending key
 * or value (yaml's Document and LineCounter APIs keep every node's offset), a code frame around
 * it, and a "did you mean" for an unknown key (the keys the config's JSON Schema allows there).
 * `--set path=value` overrides are applied here too, as `helm template --set` applies them, so
 * that the schema validates them with the file and a problem names the `--set` it came from.
 */
import { isMap, isScalar, LineCounter, type Node, parse, parseDocument } from 'yaml';
import { closest } from '../validate/suggest.js';
import { configJsonSchema, type JsonSchema } from './json-schema.js';

/** A config file's text, parsed with the position of every node kept. */
export interface ConfigSource {
  /** The file's name, as given. */
  readonly file: string;
  readonly text: string;
  /** The parsed data (before defaults), with the `--set` overrides applied. */
  readonly data: unknown;
  /** The dotted paths each `--set` wrote, with the flag as given. */
  readonly sets: ReadonlyMap<string, string>;
  /** The position of the node at `path`, or of its nearest ancestor in the file. */
  locate(path: readonly string[], key?: boolean): { line: number; col: number } | undefined;
}

/** A `--set path=value` that is not of that form. */
export class SetFlagError extends Error {
  override readonly name = 'UsageError';
}

/** One `--set`: the path's segments and the value, parsed as a YAML scalar (as Helm does). */
export function parseSetFlag(flag: string): { path: string[]; value: unknown } {
  const eq = flag.indexOf('=');
  const path = eq > 0 ? flag.slice(0, eq).split('.') : [];
  if (path.length === 0 || path.some((p) => p === '')) {
    throw new SetFlagError(`--set must be path=value (e.g. image.tag=0.9.1), not "${flag}"`);
  }
  const raw = flag.slice(eq + 1);
  // `image.tag=0.9.1` stays a string; `port=18181` a number, `enabled=false` a boolean.
  return { path, value: raw === '' ? '' : parse(raw) };
}

/** `data` with each `--set` applied in order, creating the maps on its path; a copy. */
export function applySets(
  data: unknown,
  flags: readonly string[],
): { data: unknown; sets: Map<string, string> } {
  const root = structuredClone(data ?? {}) as Record<string, unknown>;
  const sets = new Map<string, string>();
  for (const flag of flags) {
    const { path, value } = parseSetFlag(flag);
    let at = root as Record<string, unknown>;
    for (const [i, key] of path.slice(0, -1).entries()) {
      const next = at[key];
      if (next === undefined || next === null) at[key] = {};
      else if (typeof next !== 'object' || Array.isArray(next)) {
        throw new SetFlagError(
          `--set ${flag}: ${path.slice(0, i + 1).join('.')} is not a map, so it has no ${path[i + 1]}`,
        );
      }
      at = at[key] as Record<string, unknown>;
    }
    at[path.at(-1)!] = value;
    sets.set(path.join('.'), flag);
  }
  return { data: root, sets };
}

/** Parses a YAML (or JSON: a YAML subset) config text, keeping positions; throws on a syntax error. */
export function readConfigSource(
  file: string,
  text: string,
  setFlags: readonly string[] = [],
): ConfigSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) throw doc.errors[0]!;
  const { data, sets } = applySets(doc.toJS() ?? {}, setFlags);
  return {
    file,
    text,
    data,
    sets,
    locate(path, key = false) {
      for (let depth = path.length; depth >= 0; depth--) {
        const offset = offsetOf(doc.contents, path.slice(0, depth), key && depth === path.length);
        if (offset !== undefined) return lineCounter.linePos(offset);
      }
      return undefined;
    },
  };
}

/** The offset of the key (or value) at `path` in the document, or undefined. */
function offsetOf(node: unknown, path: readonly string[], key: boolean): number | undefined {
  let at = node as Node | null;
  for (const [i, segment] of path.entries()) {
    if (!isMap(at)) return undefined;
    const pair = at.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
    if (!pair) return undefined;
    if (i === path.length - 1 && key && isScalar(pair.key)) return pair.key.range?.[0];
    at = pair.value as Node | null;
  }
  return (at as Node | null)?.range?.[0];
}

/** Three lines around `line` (1-based), numbered, with a caret under `column`. */
export function codeFrame(text: string, line: number, column: number): string {
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, line - 1);
  const last = Math.min(lines.length, line + 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n === line ? '>' : ' ';
    out.push(`  ${marker} ${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`.trimEnd());
    if (n === line) out.push(`    ${' '.repeat(width)} | ${' '.repeat(column - 1)}^`);
  }
  return out.join('\n');
}

/** The keys the config's JSON Schema allows in the map at `path` (every branch of a union). */
export function knownKeys(path: readonly string[]): string[] {
  let schemas: JsonSchema[] = [configJsonSchema()];
  for (const segment of path) {
    schemas = schemas.flatMap(branches).flatMap((s) => {
      const props = s.properties as Record<string, JsonSchema> | undefined;
      return props?.[segment] ? [props[segment]] : [];
    });
  }
  const keys = schemas
    .flatMap(branches)
    .flatMap((s) => Object.keys((s.properties as object | undefined) ?? {}));
  return [...new Set(keys)];
}

function branches(schema: JsonSchema): JsonSchema[] {
  const alternatives = [schema.anyOf, schema.oneOf, schema.allOf].flatMap((a) =>
    Array.isArray(a) ? (a as JsonSchema[]) : [],
  );
  return [schema, ...alternatives.flatMap(branches)];
}

/** "did you mean" for an unknown key at `path` (its last segment), or undefined. */
export function suggestKey(path: readonly string[]): string | undefined {
  const key = path.at(-1);
  return key === undefined ? undefined : closest(key, knownKeys(path.slice(0, -1)));
}
