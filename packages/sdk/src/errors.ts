/**
 * The one error family of the SDK (practice 1; shaped like stripe-node's `src/Error.ts`).
 *
 * Every failure a caller can see is a {@link StemeError}: check `code` (a stable string) or use
 * {@link isStemeError} rather than `instanceof` alone, since an application can load both the
 * ESM and the CJS build. Messages, `toJSON()` and `util.inspect` output are redacted: no API key
 * ever appears in them (practice 2).
 */
import { oneLine, redactSecrets, truncate } from './redact.js';

/** Stable machine-readable codes; new ones may be added, existing ones never change meaning. */
export type StemeErrorCode =
  | 'invalid_options'
  | 'invalid_input'
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'timeout'
  | 'network'
  | 'aborted'
  | 'invalid_response'
  | 'http_error'
  | 'client_closed'
  | 'unexpected';

/** A response's `Retry-After`: the header as sent, and the wait it asks for when well-formed. */
export interface RetryAfter {
  /** The header's value, as sent. */
  readonly raw: string;
  /** The wait in milliseconds, or `undefined` when the value is malformed. */
  readonly ms: number | undefined;
}

/** What every error is built from; only `code` and `message` are required. */
export interface StemeErrorInit {
  code: StemeErrorCode;
  message: string;
  /**
   * What went wrong, without the `METHOD /path failed:` that `message` starts with, so that an
   * error wrapping this one can quote it. @default message
   */
  detail?: string | undefined;
  /** The response's `Retry-After`, when it had one (any status). */
  retryAfter?: RetryAfter | undefined;
  /**
   * Secrets to mask in every text field, in any form (the client's own key); never stored on
   * the error where it can be read.
   */
  secrets?: readonly string[] | undefined;
  status?: number | undefined;
  method?: string | undefined;
  path?: string | undefined;
  requestId?: string | undefined;
  attempts?: number | undefined;
  cause?: unknown;
  body?: string | undefined;
  serverCode?: string | undefined;
  /**
   * The request was sent and no definite answer came back, so the server may have applied it.
   * @default false
   */
  ambiguous?: boolean | undefined;
}

/** Longest message kept on an error, in characters. */
export const MAX_ERROR_MESSAGE_CHARS = 400;
/** Longest response-body snippet kept on an error (`error.body`), in characters. */
export const MAX_ERROR_BODY_CHARS = 1024;

// A brand, so that isStemeError works across the ESM and CJS copies of the SDK.
const BRAND = Symbol.for('stemedb.sdk.error');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** The base of every error the SDK throws or reports. */
export class StemeError extends Error {
  override readonly name: string = 'StemeError';
  /** A stable code, e.g. `unauthorized` or `unavailable`. */
  readonly code: StemeErrorCode;
  /** The HTTP status of the (last) response, if there was one. */
  readonly status: number | undefined;
  /** The HTTP method of the request, e.g. `POST`. */
  readonly method: string | undefined;
  /** The request path, without the query string, e.g. `/v1/assert`. */
  readonly path: string | undefined;
  /** The server's `X-Request-Id` of the (last) response, to quote in a report. */
  readonly requestId: string | undefined;
  /** How many attempts were made (0 when nothing was sent). */
  readonly attempts: number;
  /** What went wrong without the `METHOD /path failed:` prefix of `message`; redacted. */
  readonly detail: string;
  /**
   * The `Retry-After` of the response, when it had one: the raw value and, when well-formed,
   * the wait it asks for. The retry policy reads it for any status it retries.
   */
  readonly retryAfter: RetryAfter | undefined;
  /** A size-capped, redacted snippet of the response body, if there was one. */
  readonly body: string | undefined;
  /** The `error.code` of a server error body, when the server sent one. */
  readonly serverCode: string | undefined;
  /**
   * True when a write was sent and no definite answer came back, so the server may have
   * applied it: a reset or other `exchange`-phase network error, a timeout or abort during an
   * attempt, a 502 or a 504. Once one attempt of a call was ambiguous, the call's error stays
   * so (a later 503 says nothing of the earlier attempt). Always false for a GET (it changes
   * nothing) and for anything raised before sending. Read back before sending it again
   * (README, "Retries and ambiguous writes").
   */
  readonly ambiguous: boolean;

  // What this error was made from, so that withAttempts can make the same error again.
  readonly #init: StemeErrorInit;

  constructor(init: StemeErrorInit) {
    const redact = (text: string) => redactSecrets(text, init.secrets);
    const message = truncate(oneLine(redact(init.message)), MAX_ERROR_MESSAGE_CHARS);
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    Object.defineProperty(this, BRAND, { value: true });
    this.#init = init;
    this.code = init.code;
    this.status = init.status;
    this.method = init.method;
    // Everything that came from outside is redacted, even fields no key should be in.
    this.path = clean(init.path, init.secrets);
    this.requestId = clean(init.requestId, init.secrets);
    this.attempts = init.attempts ?? 0;
    this.detail =
      init.detail === undefined
        ? message
        : truncate(oneLine(redact(init.detail)), MAX_ERROR_MESSAGE_CHARS);
    this.retryAfter =
      init.retryAfter === undefined
        ? undefined
        : Object.freeze({
            raw: clean(init.retryAfter.raw, init.secrets) ?? '',
            ms: init.retryAfter.ms,
          });
    // Cut before redacting (bodies may be a megabyte), with room to spare for what redaction
    // shortens, then cut to size.
    this.body =
      init.body === undefined
        ? undefined
        : truncate(redact(init.body.slice(0, 4 * MAX_ERROR_BODY_CHARS)), MAX_ERROR_BODY_CHARS);
    this.serverCode = clean(init.serverCode, init.secrets);
    this.ambiguous = init.ambiguous === true;
  }

  /**
   * The same error (same class, fields and stack) with `attempts` (and `ambiguous`) set: errors
   * are read-only, so the retry loop, which alone knows how many attempts a call made and
   * whether an earlier one was ambiguous, makes the copy the caller sees.
   */
  withAttempts(attempts: number, ambiguous: boolean = this.ambiguous): this {
    const Class = this.constructor as new (init: StemeErrorInit) => this;
    const copy = new Class({ ...this.#init, attempts, ambiguous });
    if (this.stack !== undefined) copy.stack = this.stack;
    return copy;
  }

  /** A plain, redacted summary, safe to log or serialise. */
  toJSON(): Record<string, unknown> {
    const cause = this.cause;
    return dropUndefined({
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      method: this.method,
      path: this.path,
      requestId: this.requestId,
      attempts: this.attempts,
      ambiguous: this.ambiguous,
      serverCode: this.serverCode,
      body: this.body,
      ...this.extraJSON(),
      cause: cause === undefined ? undefined : summariseCause(cause),
    });
  }

  /** Fields a subclass adds to `toJSON()`. */
  protected extraJSON(): Record<string, unknown> {
    return {};
  }

  override toString(): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }

  [INSPECT](
    _depth: number,
    options: unknown,
    inspect: (value: unknown, options: unknown) => string,
  ): string {
    const { name: _n, message: _m, ...fields } = this.toJSON();
    const head = (this.stack ?? this.toString()).replace(/^[^\n]*/, this.toString());
    return `${redactSecrets(head)} ${inspect(fields, options)}`;
  }
}

/** A bad option, a bad input caught before sending (status undefined), or a 400/422. */
export class StemeValidationError extends StemeError {
  override readonly name: string = 'StemeValidationError';
  /** The offending field or option, dotted (`subject`, `retry.delays.1`), when known. */
  readonly field: string | undefined;
  constructor(init: StemeErrorInit & { field?: string | undefined }) {
    super(init);
    this.field = clean(init.field);
  }
  protected override extraJSON(): Record<string, unknown> {
    return { field: this.field };
  }
}

/** 401: no key, or one the server does not know or has revoked. */
export class StemeAuthenticationError extends StemeError {
  override readonly name: string = 'StemeAuthenticationError';
}

/** 403: the key's role may not do this. */
export class StemePermissionError extends StemeError {
  override readonly name: string = 'StemePermissionError';
}

/** 404: no such resource (e.g. an unknown key hash). */
export class StemeNotFoundError extends StemeError {
  override readonly name: string = 'StemeNotFoundError';
}

/** 409: the request conflicts with the server's state (e.g. revoking the root key). */
export class StemeConflictError extends StemeError {
  override readonly name: string = 'StemeConflictError';
}

/** 413: the request body is over the server's limit. */
export class StemePayloadTooLargeError extends StemeError {
  override readonly name: string = 'StemePayloadTooLargeError';
}

/** 429: the key's rate limit is spent. */
export class StemeRateLimitError extends StemeError {
  override readonly name: string = 'StemeRateLimitError';
  /** The server's `Retry-After`, in milliseconds, when it sent a valid one. */
  readonly retryAfterMs: number | undefined;
  constructor(init: StemeErrorInit & { retryAfterMs?: number | undefined }) {
    super(init);
    this.retryAfterMs = init.retryAfterMs ?? this.retryAfter?.ms;
  }
  protected override extraJSON(): Record<string, unknown> {
    return { retryAfterMs: this.retryAfterMs };
  }
}

/** 502/503, or retries exhausted on those or on network errors. */
export class StemeUnavailableError extends StemeError {
  override readonly name: string = 'StemeUnavailableError';
  /** The server's `Retry-After`, in milliseconds, when it sent a valid one. */
  readonly retryAfterMs: number | undefined;
  /** How long the call tried, in milliseconds, when retries were exhausted. */
  readonly elapsedMs: number | undefined;
  constructor(
    init: StemeErrorInit & { retryAfterMs?: number | undefined; elapsedMs?: number | undefined },
  ) {
    super(init);
    this.retryAfterMs = init.retryAfterMs ?? this.retryAfter?.ms;
    this.elapsedMs = init.elapsedMs;
  }
  protected override extraJSON(): Record<string, unknown> {
    return { retryAfterMs: this.retryAfterMs, elapsedMs: this.elapsedMs };
  }
}

/** Which limit fired: the per-attempt `timeoutMs` or the whole call's `deadlineMs`. */
export type TimeoutKind = 'attempt' | 'deadline';

/** The per-attempt timeout or the total deadline fired (`timeout` says which). */
export class StemeTimeoutError extends StemeError {
  override readonly name: string = 'StemeTimeoutError';
  readonly timeout: TimeoutKind;
  /** The limit that fired, in milliseconds. */
  readonly timeoutMs: number;
  constructor(init: StemeErrorInit & { timeout: TimeoutKind; timeoutMs: number }) {
    super(init);
    this.timeout = init.timeout;
    this.timeoutMs = init.timeoutMs;
  }
  protected override extraJSON(): Record<string, unknown> {
    return { timeout: this.timeout, timeoutMs: this.timeoutMs };
  }
}

/**
 * Where a network error happened: `connect` (nothing was sent, always safe to retry) or
 * `exchange` (the request may have reached the server).
 */
export type NetworkPhase = 'connect' | 'exchange';

/** No HTTP response: refused, reset, DNS failure, TLS failure... */
export class StemeNetworkError extends StemeError {
  override readonly name: string = 'StemeNetworkError';
  /** The system or undici code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`. */
  readonly networkCode: string | undefined;
  readonly phase: NetworkPhase;
  constructor(init: StemeErrorInit & { networkCode?: string | undefined; phase: NetworkPhase }) {
    super(init);
    this.networkCode = clean(init.networkCode);
    this.phase = init.phase;
  }
  protected override extraJSON(): Record<string, unknown> {
    return { networkCode: this.networkCode, phase: this.phase };
  }
}

/** The caller's `AbortSignal` fired (`cause` is its reason), or `onRetry` threw (`cause`). */
export class StemeAbortError extends StemeError {
  override readonly name: string = 'StemeAbortError';
}

/** Any other status, or a response the SDK cannot use (`code: 'invalid_response'`). */
export class StemeApiError extends StemeError {
  override readonly name: string = 'StemeApiError';
}

/** True for any error from this SDK, whichever copy (ESM or CJS) made it. */
export function isStemeError(value: unknown): value is StemeError {
  return (
    value instanceof StemeError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true)
  );
}

function summariseCause(cause: unknown): unknown {
  if (isStemeError(cause)) return cause.toJSON();
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return dropUndefined({
      name: cause.name,
      message: redactSecrets(cause.message),
      code: typeof code === 'string' ? code : undefined,
    });
  }
  return redactSecrets(String(cause));
}

function clean(
  value: string | undefined,
  secrets?: readonly string[] | undefined,
): string | undefined {
  return value === undefined
    ? undefined
    : truncate(redactSecrets(value, secrets), MAX_ERROR_MESSAGE_CHARS);
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
