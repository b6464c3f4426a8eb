/**
 * Parsing `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date.
 *
 * The yaml states integer seconds on 429 and 503 (components.headers.Retry-After); HTTP dates
 * are plain HTTP semantics, accepted so that a proxy in front of StemeDB may send them.
 * Anything else is malformed and yields `undefined`, so the caller falls back to its schedule.
 */

const DELAY_SECONDS = /^\d+$/;
// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), obsolete RFC 850 ("Sunday, 06-Nov-94
// 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994"). Date.parse alone would accept far
// more ("1" is the year 2001), so the shape is checked first.
const HTTP_DATE = [
  /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
];

/**
 * The wait a `Retry-After` value asks for, in milliseconds (never negative), or `undefined`
 * when the header is absent or malformed.
 *
 * @param value - the header's value
 * @param nowMs - the wall-clock time the response arrived (for HTTP dates)
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (DELAY_SECONDS.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : Number.MAX_SAFE_INTEGER;
  }
  if (!HTTP_DATE.some((shape) => shape.test(text))) return undefined;
  const at = Date.parse(text.endsWith('GMT') ? text : `${text} GMT`);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
