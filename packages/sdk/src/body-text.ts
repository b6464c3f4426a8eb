/**
 * A readable one-line account of an error response's body, whatever it is: the yaml's
 * `ErrorBody` JSON, Traefik's HTML or plain text, an empty body, truncated JSON or megabytes of
 * noise. Used for error messages only; `error.body` keeps a capped copy of the body itself.
 */
import { oneLine, printable, truncate } from './redact.js';
import { ErrorBodySchema } from './schemas.js';

/** Longest part of a message taken from a response body, in characters. */
const MAX_DETAIL_CHARS = 200;

/** A body, described: the text for the message, and the server's code if it sent an ErrorBody. */
export interface BodyText {
  text: string;
  serverCode?: string;
}

/** Describes `body` in one line of at most {@link MAX_DETAIL_CHARS} characters (plus notes). */
export function describeBody(
  body: string,
  contentType: string | undefined,
  truncated = false,
): BodyText {
  const cut = truncated ? ' (body truncated)' : '';
  const trimmed = body.trim();
  if (trimmed === '') return { text: 'empty body' };
  const json = tryParseJson(trimmed);
  if (json.ok) {
    const parsed = ErrorBodySchema.safeParse(json.value);
    if (parsed.success) {
      const { code, message } = parsed.data.error;
      return { text: clip(`${message} [${code}]`) + cut, serverCode: code };
    }
    return { text: clip(JSON.stringify(json.value)) + cut };
  }
  if (/html/i.test(contentType ?? '') || /^<(!doctype|html|head|body)\b/i.test(trimmed)) {
    return { text: clip(htmlText(trimmed)) + cut };
  }
  const looksJson = /json/i.test(contentType ?? '') || /^[{[]/.test(trimmed);
  const note = looksJson ? ' (malformed JSON)' : '';
  return { text: clip(trimmed) + note + cut };
}

/** Text for a message: one printable line, capped. */
export function clip(text: string): string {
  return truncate(oneLine(printable(text)), MAX_DETAIL_CHARS);
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!/^[{["]/.test(text)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

// A proxy's error page: its title or first heading, else its text without scripts and styles.
function htmlText(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1];
  const picked = title ?? heading;
  const text = picked ?? html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ');
  const stripped = oneLine(decodeEntities(text.replace(/<[^>]*>/g, ' ')));
  return stripped === '' ? 'HTML page' : `${stripped} (HTML page)`;
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (all, ent: string) => {
    if (ent.startsWith('#x') || ent.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(ent.slice(2), 16) || 32);
    if (ent.startsWith('#')) return String.fromCodePoint(Number.parseInt(ent.slice(1), 10) || 32);
    return named[ent.toLowerCase()] ?? all;
  });
}
