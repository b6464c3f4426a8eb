/**
 * The one factory that turns a response (or the lack of one) into a {@link StemeError}
 * (practice 1, like stripe-node's `StripeError.generate`).
 *
 * Any body gives a readable one-line message: the yaml's `ErrorBody` JSON, Traefik's HTML or
 * plain text, an empty body, truncated JSON or megabytes of noise.
 */
import { STATUS_CODES } from 'node:http';
import {
  StemeAbortError,
  StemeApiError,
  StemeAuthenticationError,
  StemeConflictError,
  type StemeError,
  type StemeErrorInit,
  StemeNetworkError,
  StemeNotFoundError,
  StemePayloadTooLargeError,
  StemePermissionError,
  StemeRateLimitError,
  StemeTimeoutError,
  StemeUnavailableError,
  StemeValidationError,
  type TimeoutKind,
} from './errors.js';
import { oneLine, printable, truncate } from './redact.js';
import { parseRetryAfter } from './retry-after.js';
import { ErrorBodySchema } from './schemas.js';
import { REQUEST_ID_HEADER } from './wire.js';

/** Longest part of a message taken from a response body, in characters. */
const MAX_DETAIL_CHARS = 200;

/** A response as the transport read it. */
export interface ResponseInfo {
  status: number;
  method: string;
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** True when the body was cut at the transport's cap. */
  truncated: boolean;
  /** The clock reading when the response arrived, for `Retry-After` HTTP dates. */
  receivedAt: number;
}

/** The first value of a header, if any. */
export function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Builds the error for a response whose status is not one the operation succeeds with. */
export function errorFromResponse(info: ResponseInfo): StemeError {
  const { status, method, path } = info;
  const detail = describeBody(info.body, headerValue(info.headers, 'content-type'), info.truncated);
  const requestId = headerValue(info.headers, REQUEST_ID_HEADER);
  const reason = STATUS_CODES[status] ?? 'Unknown Status';
  const idPart = requestId === undefined ? '' : ` (request id ${truncate(requestId, 64)})`;
  const init: StemeErrorInit = {
    code: 'http_error',
    // Traefik's plain bodies just repeat the reason phrase ("Bad Gateway"): say it once.
    message: `${method} ${path} failed: ${status} ${reason}${detail.text === reason ? '' : `: ${detail.text}`}${idPart}`,
    status,
    method,
    path,
    requestId,
    attempts: 1,
    body: info.body,
    serverCode: detail.serverCode,
  };
  const retryAfterHeader = headerValue(info.headers, 'retry-after');
  const retryAfterMs = parseRetryAfter(retryAfterHeader, info.receivedAt);
  return withRetryAfter(classify(init, retryAfterMs), retryAfterHeader, retryAfterMs);
}

function classify(init: StemeErrorInit, retryAfterMs: number | undefined): StemeError {
  switch (init.status) {
    case 400:
    case 422:
      return new StemeValidationError({ ...init, code: 'invalid_request' });
    case 401:
      return new StemeAuthenticationError({ ...init, code: 'unauthorized' });
    case 403:
      return new StemePermissionError({ ...init, code: 'forbidden' });
    case 404:
      return new StemeNotFoundError({ ...init, code: 'not_found' });
    case 409:
      return new StemeConflictError({ ...init, code: 'conflict' });
    case 413:
      return new StemePayloadTooLargeError({ ...init, code: 'payload_too_large' });
    case 429:
      return new StemeRateLimitError({ ...init, code: 'rate_limited', retryAfterMs });
    case 502:
    case 503:
      return new StemeUnavailableError({ ...init, code: 'unavailable', retryAfterMs });
    default:
      return new StemeApiError(init);
  }
}

/** A response's `Retry-After`: the raw header, and the wait it asks for if well-formed. */
export interface RetryAfter {
  raw: string;
  ms: number | undefined;
}

// Rides along on the error (not enumerable, not serialised) so that the retry policy can tell
// "no Retry-After" from "a malformed one", whatever the status.
const RETRY_AFTER = Symbol('retryAfter');

function withRetryAfter(error: StemeError, raw: string | undefined, ms: number | undefined) {
  if (raw !== undefined) Object.defineProperty(error, RETRY_AFTER, { value: { raw, ms } });
  return error;
}

/** The `Retry-After` of the response behind `error`, if it had one. */
export function retryAfterOf(error: StemeError): RetryAfter | undefined {
  return (error as unknown as Record<symbol, RetryAfter | undefined>)[RETRY_AFTER];
}

/** A readable one-line account of a body, and the server's code if it sent an ErrorBody. */
export function describeBody(
  body: string,
  contentType: string | undefined,
  truncated = false,
): { text: string; serverCode?: string } {
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

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!/^[{["]/.test(text)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

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

function clip(text: string): string {
  return truncate(oneLine(printable(text)), MAX_DETAIL_CHARS);
}

// Codes that mean the connection failed before any byte of the request left: retrying is
// always safe. Everything else happened during the exchange: the server may have acted.
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Builds the error for a request that got no response. */
export function errorFromNetwork(cause: unknown, method: string, path: string): StemeNetworkError {
  const code = networkCodeOf(cause);
  const text = cause instanceof Error ? cause.message : String(cause);
  return new StemeNetworkError({
    code: 'network',
    message: `${method} ${path} failed: network error${code ? ` ${code}` : ''}: ${clip(text)}`,
    method,
    path,
    attempts: 1,
    cause,
    networkCode: code,
    phase: code !== undefined && CONNECT_CODES.has(code) ? 'connect' : 'exchange',
  });
}

function networkCodeOf(cause: unknown): string | undefined {
  for (let e = cause, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Builds the error for a call the caller's signal aborted; `reason` is the signal's reason. */
export function errorFromAbort(reason: unknown, method: string, path: string): StemeAbortError {
  return new StemeAbortError({
    code: 'aborted',
    message: `${method} ${path}: aborted by the caller's signal`,
    method,
    path,
    cause: reason,
  });
}

/** Builds the error for a per-attempt timeout or the total deadline. */
export function errorFromTimeout(
  timeout: TimeoutKind,
  timeoutMs: number,
  method: string,
  path: string,
  detail = '',
  cause?: StemeError,
): StemeTimeoutError {
  const what =
    timeout === 'attempt'
      ? `attempt timeout (timeoutMs ${timeoutMs}) fired`
      : `deadline (deadlineMs ${timeoutMs}) reached`;
  return new StemeTimeoutError({
    code: 'timeout',
    message: `${method} ${path}: ${what}${detail}`,
    method,
    path,
    attempts: 1,
    timeout,
    timeoutMs,
    cause,
    status: undefined,
    requestId: cause?.requestId,
  });
}
