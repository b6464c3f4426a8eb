/**
 * The one factory that turns a response (or the lack of one) into a {@link StemeError}
 * (practice 1, like stripe-node's `StripeError.generate`): the class and code from the status,
 * the message from the body (body-text.ts), `Retry-After` parsed once onto the error.
 */
import { clip, describeBody } from './body-text.js';
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
import { networkCodeInfo } from './network-codes.js';
import { truncate } from './redact.js';
import { headerValue, type ResponseInfo } from './response.js';
import { parseRetryAfter } from './retry-after.js';
import { safeCause } from './safe-cause.js';
import { REQUEST_ID_HEADER } from './wire.js';

// Not `import { STATUS_CODES } from 'node:http'`: an ES module import of a builtin evaluates
// every export of its facade, and `http`'s lazy `WebSocket`, `MessageEvent` and `CloseEvent`
// getters then load Node's own copy of undici (tens of ms of CPU on every start of a CLI that
// uses the SDK; bench/README.md). The module object itself runs no getter.
const { STATUS_CODES } = process.getBuiltinModule('node:http');

/**
 * Whether a request of `method` that got no definite answer may have changed the server's
 * state: anything but a GET (the yaml's reads are all GETs; its writes are POST and DELETE).
 */
export function mayApply(method: string): boolean {
  return method !== 'GET';
}

// A 502 (Traefik lost the upstream) or 504 (it timed out waiting) says nothing of whether the
// upstream applied the request before the answer was lost; every other status is StemeDB's own.
const AMBIGUOUS_STATUSES: ReadonlySet<number> = new Set([502, 504]);

// The SDK sends no request to a Location: see NO_REDIRECTS in transport.ts. Where the server
// points is not repeated (a redirect may carry anything, the key included).
const REDIRECT_REFUSED =
  'a redirect, not followed: the API key is only ever sent to the configured baseUrl (point baseUrl at where StemeDB answers)';

/**
 * Builds the error for a response whose status is not one the operation succeeds with.
 * @param secrets - masked in every form in the message and body (the client's key)
 */
export function errorFromResponse(info: ResponseInfo, secrets: readonly string[] = []): StemeError {
  const { status, method, path } = info;
  const body = describeSafely(info);
  const requestId = headerValue(info.headers, REQUEST_ID_HEADER);
  const reason = STATUS_CODES[status] ?? 'Unknown Status';
  const idPart = requestId === undefined ? '' : ` (request id ${truncate(requestId, 64)})`;
  // Traefik's plain bodies just repeat the reason phrase ("Bad Gateway"): say it once.
  const said = status >= 300 && status < 400 ? REDIRECT_REFUSED : body.text;
  const detail = `${status} ${reason}${said === reason ? '' : `: ${said}`}${idPart}`;
  const retryAfterHeader = headerValue(info.headers, 'retry-after');
  const init: StemeErrorInit = {
    code: 'http_error',
    message: `${method} ${path} failed: ${detail}`,
    detail,
    status,
    method,
    path,
    requestId,
    attempts: 1,
    body: info.body,
    serverCode: body.serverCode,
    ambiguous: AMBIGUOUS_STATUSES.has(status) && mayApply(method),
    retryAfter:
      retryAfterHeader === undefined
        ? undefined
        : { raw: retryAfterHeader, ms: parseRetryAfter(retryAfterHeader, info.receivedAt) },
    secrets,
  };
  return classify(init);
}

// Whatever the body holds, the error stays the API error for its status: a body that cannot
// be described is said to be so, never turned into an exception of its own.
function describeSafely(info: ResponseInfo): { text: string; serverCode?: string } {
  try {
    return describeBody(info.body, headerValue(info.headers, 'content-type'), info.truncated);
  } catch {
    return { text: 'a body that could not be read' };
  }
}

function classify(init: StemeErrorInit): StemeError {
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
      return new StemeRateLimitError({ ...init, code: 'rate_limited' });
    case 502:
    case 503:
      return new StemeUnavailableError({ ...init, code: 'unavailable' });
    default:
      return new StemeApiError(init);
  }
}

/**
 * Builds the error for a request that got no response. Its `cause` is a redacted copy of the
 * lower layer's error (safe-cause.ts), never the error itself.
 */
export function errorFromNetwork(
  cause: unknown,
  method: string,
  path: string,
  secrets: readonly string[] = [],
): StemeNetworkError {
  const code = networkCodeOf(cause);
  const phase = networkCodeInfo(code).phase;
  const text = cause instanceof Error ? cause.message : String(cause);
  const detail = `network error${code ? ` ${code}` : ''}: ${clip(text)}`;
  return new StemeNetworkError({
    code: 'network',
    message: `${method} ${path} failed: ${detail}`,
    detail,
    method,
    path,
    attempts: 1,
    cause: safeCause(cause, secrets),
    secrets,
    networkCode: code,
    phase,
    ambiguous: phase === 'exchange' && mayApply(method),
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

/**
 * Builds the error for a call the caller's signal aborted; `reason` is the signal's reason.
 * @param attempts - attempts made before it (0: nothing was sent)
 * @param ambiguous - an attempt was cut short after sending, or an earlier one was ambiguous
 */
export function errorFromAbort(
  reason: unknown,
  method: string,
  path: string,
  attempts = 0,
  ambiguous = false,
): StemeAbortError {
  const detail = "aborted by the caller's signal";
  return new StemeAbortError({
    code: 'aborted',
    message: `${method} ${path}: ${detail}`,
    detail,
    method,
    path,
    attempts,
    cause: reason,
    ambiguous,
  });
}

/** What else a timeout error says: why it fired where it did, and the error before it. */
export interface TimeoutContext {
  /** Appended to the message, e.g. ` before attempt 3 could start …`. */
  readonly note?: string;
  /** The failure of the last attempt, when the deadline fell between attempts. */
  readonly cause?: StemeError;
  /** @default 1 */
  readonly attempts?: number;
  /**
   * It fired during an attempt of a write (the SDK cannot tell whether the request had been
   * written yet, so it takes the safe side), or an earlier attempt was ambiguous.
   * @default false
   */
  readonly ambiguous?: boolean;
}

/** Builds the error for a per-attempt timeout or the total deadline. */
export function errorFromTimeout(
  timeout: TimeoutKind,
  timeoutMs: number,
  method: string,
  path: string,
  context: TimeoutContext = {},
): StemeTimeoutError {
  const what =
    timeout === 'attempt'
      ? `attempt timeout (timeoutMs ${timeoutMs}) fired`
      : `deadline (deadlineMs ${timeoutMs}) reached`;
  const detail = `${what}${context.note ?? ''}`;
  return new StemeTimeoutError({
    code: 'timeout',
    message: `${method} ${path}: ${detail}`,
    detail,
    method,
    path,
    attempts: context.attempts ?? 1,
    timeout,
    timeoutMs,
    cause: context.cause,
    status: undefined,
    requestId: context.cause?.requestId,
    ambiguous: context.ambiguous === true,
  });
}
