/**
 * The one factory that turns a response (or the lack of one) into a {@link StemeError}
 * (practice 1, like stripe-node's `StripeError.generate`): the class and code from the status,
 * the message from the body (body-text.ts), `Retry-After` parsed once onto the error.
 */
import { STATUS_CODES } from 'node:http';
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
import { REQUEST_ID_HEADER } from './wire.js';

/** Builds the error for a response whose status is not one the operation succeeds with. */
export function errorFromResponse(info: ResponseInfo): StemeError {
  const { status, method, path } = info;
  const body = describeBody(info.body, headerValue(info.headers, 'content-type'), info.truncated);
  const requestId = headerValue(info.headers, REQUEST_ID_HEADER);
  const reason = STATUS_CODES[status] ?? 'Unknown Status';
  const idPart = requestId === undefined ? '' : ` (request id ${truncate(requestId, 64)})`;
  // Traefik's plain bodies just repeat the reason phrase ("Bad Gateway"): say it once.
  const detail = `${status} ${reason}${body.text === reason ? '' : `: ${body.text}`}${idPart}`;
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
    retryAfter:
      retryAfterHeader === undefined
        ? undefined
        : { raw: retryAfterHeader, ms: parseRetryAfter(retryAfterHeader, info.receivedAt) },
  };
  return classify(init);
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

/** Builds the error for a request that got no response. */
export function errorFromNetwork(cause: unknown, method: string, path: string): StemeNetworkError {
  const code = networkCodeOf(cause);
  const text = cause instanceof Error ? cause.message : String(cause);
  const detail = `network error${code ? ` ${code}` : ''}: ${clip(text)}`;
  return new StemeNetworkError({
    code: 'network',
    message: `${method} ${path} failed: ${detail}`,
    detail,
    method,
    path,
    attempts: 1,
    cause,
    networkCode: code,
    phase: networkCodeInfo(code).phase,
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
 */
export function errorFromAbort(
  reason: unknown,
  method: string,
  path: string,
  attempts = 0,
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
  });
}
