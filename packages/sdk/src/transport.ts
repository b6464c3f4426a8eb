/**
 * One HTTP attempt over undici: build the URL, send, read the body (always, capped), and turn
 * anything but a success status into a StemeError.
 *
 * One keep-alive `Agent` per client, or the caller's `dispatcher` (practice 8). Each attempt
 * has its own timer (the per-attempt timeout, or what is left of the deadline if that is
 * shorter) and follows the caller's `AbortSignal`; the body is read to the end or destroyed on
 * every path, so no socket is held by an unread body (practice 4).
 */
import type { Dispatcher } from 'undici';
import { AttemptAbort, AttemptTimers } from './attempt-abort.js';
import type { NowFn } from './clock.js';
import {
  errorFromAbort,
  errorFromNetwork,
  errorFromResponse,
  errorFromTimeout,
  mayApply,
} from './error-factory.js';
import { isStemeError, StemeError } from './errors.js';
import { exchange, MAX_RESPONSE_BYTES } from './exchange.js';
import type { ResponseInfo } from './response.js';
import { watchAbort } from './signal-fanout.js';
import { Agent } from './undici-agent.js';
import { invalidResponse } from './validate.js';
import { API_KEY_HEADER, type HttpMethod, IDEMPOTENCY_KEY_HEADER } from './wire.js';

export { MAX_ERROR_BODY_BYTES, MAX_RESPONSE_BYTES } from './exchange.js';

/**
 * Never follow a redirect, whatever dispatcher was injected: undici's redirect interceptor
 * (`interceptors.redirect`) would resend the request, `X-API-Key` included, to the `Location`
 * on another origin (it drops only `Authorization`, `Cookie` and `Proxy-Authorization`).
 * `maxRedirections: 0` per request turns it off, and undici's core accepts 0. A 3xx is then an
 * error answer like any other, and the key never leaves the configured origin.
 */
const NO_REDIRECTS = { maxRedirections: 0 } as const;

/** A request, ready to send (body already validated and encoded). */
export interface PreparedRequest {
  method: HttpMethod;
  /** The path as sent, without the query, for messages: `/v1/admin/api-keys/ab…/rotate`. */
  path: string;
  /** `https://host:port` of the base URL. */
  origin: string;
  /** What goes on the request line: base path + path + `?query`. */
  target: string;
  accept: string;
  auth: boolean;
  body?: string | undefined;
  success: readonly number[];
  /** The `Idempotency-Key` of a write, kept across its attempts; undefined for a read. */
  idempotencyKey: string | undefined;
  /**
   * The request headers, made by the transport on the first attempt of a call that has its own
   * (an idempotency key) and reused by its retries; undefined until then.
   */
  headers: Readonly<Record<string, string>> | undefined;
}

/** Limits for one attempt. */
export interface AttemptLimits {
  signal: AbortSignal | undefined;
  timeoutMs: number;
  startedAt: number;
  deadlineMs: number;
  now: NowFn;
}

/** Sends requests for one client; the only place that holds the API key. */
export class Transport {
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #headers: HeaderTable;
  /** The key, masked in every error this transport makes. */
  readonly #secrets: readonly string[];
  readonly #timers = new AttemptTimers();

  constructor(options: { apiKey?: string; dispatcher?: Dispatcher; userAgent: string }) {
    this.#ownsDispatcher = options.dispatcher === undefined;
    // undici's own headers/body timeouts (300 s) are off: the SDK's per-attempt timer and
    // deadline are the limits, and they name themselves when they fire.
    this.#dispatcher = options.dispatcher ?? new Agent({ headersTimeout: 0, bodyTimeout: 0 });
    this.#headers = new HeaderTable(options.userAgent, options.apiKey);
    this.#secrets = options.apiKey === undefined ? [] : [options.apiKey];
  }

  /** Closes the connection pool, if this transport made it. */
  async close(): Promise<void> {
    this.#timers.close();
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  // The shared headers of a read; a write's own, made once per call (one object per call, none
  // per attempt: retries reuse it from the prepared request).
  #headersOf(req: PreparedRequest): Readonly<Record<string, string>> {
    const shared = this.#headers.get(req.accept, req.body !== undefined, req.auth);
    if (req.idempotencyKey === undefined) return shared;
    req.headers ??= { ...shared, [IDEMPOTENCY_KEY_HEADER]: req.idempotencyKey };
    return req.headers;
  }

  /** One attempt: resolves with the success response, or throws a StemeError. */
  async attempt(req: PreparedRequest, limits: AttemptLimits): Promise<ResponseInfo> {
    const { method, path } = req;
    const { signal } = limits;
    const left = limits.startedAt + limits.deadlineMs - limits.now();
    if (left <= 0) throw errorFromTimeout('deadline', limits.deadlineMs, method, path);
    if (signal?.aborted) throw errorFromAbort(signal.reason, method, path);
    const byDeadline = left < limits.timeoutMs;
    // No AbortController, no timer of its own: see attempt-abort.ts; exchange.ts listens to it.
    const abort = new AttemptAbort();
    const timer = this.#timers.start(
      abort,
      byDeadline ? left : limits.timeoutMs,
      byDeadline ? 'deadline' : 'attempt',
    );
    // Only a caller's signal costs an EventTarget listener.
    const unwatch = signal === undefined ? undefined : watchAbort(signal, () => abort.fire('user'));
    try {
      const options: Dispatcher.DispatchOptions = {
        origin: req.origin,
        path: req.target,
        method,
        headers: this.#headersOf(req),
        body: req.body,
        ...NO_REDIRECTS,
      };
      const res = await exchange(this.#dispatcher, options, req.success, abort);
      const info: ResponseInfo = {
        status: res.status,
        method,
        path,
        headers: res.headers,
        body: res.text,
        truncated: res.truncated,
        receivedAt: limits.now(),
      };
      if (!req.success.includes(res.status)) throw errorFromResponse(info, this.#secrets);
      if (res.truncated) {
        const why = `the body is over ${MAX_RESPONSE_BYTES} bytes`;
        const ctx = { ...info, requestId: undefined, attempts: 1, secrets: this.#secrets };
        throw invalidResponse(ctx, why);
      }
      return info;
    } catch (error) {
      if (isStemeError(error)) throw error;
      // Cut short during the attempt: the request may have been written, and a write applied.
      const ambiguous = mayApply(method);
      if (abort.kind === 'user') throw errorFromAbort(signal?.reason, method, path, 1, ambiguous);
      if (abort.kind === 'attempt') {
        throw errorFromTimeout('attempt', limits.timeoutMs, method, path, { ambiguous });
      }
      if (abort.kind === 'deadline') {
        throw errorFromTimeout('deadline', limits.deadlineMs, method, path, { ambiguous });
      }
      throw errorFromNetwork(error, method, path, this.#secrets);
    } finally {
      this.#timers.stop(abort, timer);
      unwatch?.();
    }
  }
}

// The request headers, built once per (accept, has body, sends key) instead of per request.
// Invariant: undici only reads a headers object it is given, so one object can serve every call.
class HeaderTable {
  readonly #cache = new Map<string, Record<string, string>[]>();
  readonly #userAgent: string;
  readonly #apiKey: string | undefined;

  constructor(userAgent: string, apiKey: string | undefined) {
    this.#userAgent = userAgent;
    this.#apiKey = apiKey;
  }

  get(accept: string, hasBody: boolean, auth: boolean): Record<string, string> {
    let row = this.#cache.get(accept);
    if (row === undefined) {
      row = [false, true].flatMap((body) => [false, true].map((a) => this.#build(accept, body, a)));
      this.#cache.set(accept, row);
    }
    return row[(hasBody ? 2 : 0) + (auth ? 1 : 0)] as Record<string, string>;
  }

  #build(accept: string, hasBody: boolean, auth: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept, 'user-agent': this.#userAgent };
    if (hasBody) headers['content-type'] = 'application/json';
    if (auth && this.#apiKey !== undefined) headers[API_KEY_HEADER] = this.#apiKey;
    return Object.freeze(headers);
  }
}

/** A client that was closed. */
export function closedError(method: string, path: string): StemeError {
  return new StemeError({
    code: 'client_closed',
    message: `${method} ${path}: the client is closed`,
    method,
    path,
  });
}
