import type { AssertionQuery } from './assertion-store.js';
import { HttpError } from './errors.js';

// Bounds of the listAssertions query parameters in the yaml.
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const FILTER_BOUNDS = { subject: 1024, predicate: 256, agent_id: 256 } as const;
const MAX_CURSOR_LENGTH = 512;
const CURSOR_PREFIX = 'before:';

/** Parses `subject`, `predicate`, `agent_id`, `limit` and `cursor`; anything out of bounds is 400. */
export function parseAssertionQuery(query: URLSearchParams): AssertionQuery {
  const parsed: AssertionQuery = { limit: parseLimit(query.get('limit')) };
  for (const [name, max] of Object.entries(FILTER_BOUNDS) as [
    keyof typeof FILTER_BOUNDS,
    number,
  ][]) {
    const value = query.get(name);
    if (value === null) continue;
    const length = [...value].length;
    if (length < 1 || length > max) {
      throw new HttpError(400, 'invalid_request', `${name}: must be 1 to ${max} characters long`);
    }
    parsed[name] = value;
  }
  const cursor = query.get('cursor');
  if (cursor !== null) parsed.beforeSeq = decodeCursor(cursor);
  return parsed;
}

function parseLimit(raw: string | null): number {
  if (raw === null) return DEFAULT_LIMIT;
  const limit = /^\d{1,7}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    throw new HttpError(400, 'invalid_request', `limit: must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return limit;
}

/**
 * The cursor is opaque to clients (the yaml says so): base64url of the sequence to continue
 * below. Anything that does not decode to one is 400, so a mangled cursor is never a silent
 * restart from the first page.
 */
export function encodeCursor(beforeSeq: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${beforeSeq}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  const invalid = new HttpError(400, 'invalid_request', 'cursor: is not a cursor this server gave');
  if (cursor.length < 1 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalid;
  }
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^before:([1-9]\d{0,15})$/.exec(decoded);
  if (!match || encodeCursor(Number(match[1])) !== cursor) throw invalid;
  return Number(match[1]);
}
