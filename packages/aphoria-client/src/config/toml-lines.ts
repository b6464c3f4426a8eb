/**
 * Line numbers for messages. smol-toml gives a line for syntax errors only, so the line of a
 * key (or of a pasted key) is found in the raw text: a plain reading of table headers and
 * `key =` lines that covers how people write this small file; when it finds nothing the
 * message simply names the file without a line.
 */
import { looksLikeKey } from './checks.js';

const HEADER = /^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(?:#.*)?$/;

/** The 1-based line of the first line holding something that looks like a key, comments included. */
export function findKeyLikeLine(text: string): number | undefined {
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((line) => looksLikeKey(line));
  return index === -1 ? undefined : index + 1;
}

/** The 1-based line of the `[table]` header, or undefined. */
export function findTableLine(text: string, table: string): number | undefined {
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((line) => normalise(HEADER.exec(line)?.[1]) === table);
  return index === -1 ? undefined : index + 1;
}

/** The 1-based line where `key` is set inside `[table]` (or as `table.key` at the top), or undefined. */
export function findKeyLine(text: string, table: string, key: string): number | undefined {
  const lines = text.split(/\r?\n/);
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const header = HEADER.exec(line);
    if (header !== null) {
      current = normalise(header[1]);
      continue;
    }
    const name = /^\s*([^=#]+?)\s*=/.exec(line)?.[1];
    if (name === undefined) continue;
    const full = current === '' ? normalise(name) : `${current}.${normalise(name)}`;
    if (full === `${table}.${key}`) return i + 1;
  }
  return undefined;
}

/** `"hosted" . url` → `hosted.url` (quotes and spaces around dots dropped). */
function normalise(name: string | undefined): string {
  if (name === undefined) return '\0';
  return name
    .split('.')
    .map((part) => part.trim().replace(/^(["'])(.*)\1$/, '$2'))
    .join('.');
}
