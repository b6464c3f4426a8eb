/**
 * One HTTP attempt over undici: build the URL, send, read the body (always, capped), and turn
 * anything but a success status into a StemeError.
 *
 * One keep-alive `Agent` per client, or the caller's `dispatcher` (practice 8). Each attempt
 * has its own timer (the per-attempt timeout, or what is left of the deadline if that is
 * shorter) and follows the caller's `AbortSignal`; the body is read to the end or destroyed on
 * every path, so no socket is held by an unread body (practice 4).
 */
import { Agent, type Dispatcher, request } from 'undici';
import type { NowFn } from './clock.js';
import {
  errorFromAbort,
  errorFromNetwork,
  errorFromResponse,
  errorFromTimeout,
  type ResponseInfo,
} from './error-factory.js';
import { isStemeError, StemeError } from './errors.js';
import { invalidResponse } from './validate.js';
import { API_KEY_HEADER, type HttpMethod } from './wire.js';

/** The largest success body read, in bytes; a larger one is an `invalid_response`. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** The most of an error body read before the rest is dropped (and the socket closed). */
export const MAX_ERROR_BODY_BYTES = 1024 * 1024;

/** A request, ready to send (body already validated and encoded). */
export interface PreparedRequest {
  method: HttpMethod;
  /** The path as sent, without the query, for messages: `/v1/admin/api-keys/ab…/rotate`. */
  path: string;
  url: URL;
  accept: string;
  auth: boolean;
  body?: string | undefined;
  success: readonly number[];
}

/** Limits for one attempt. */
export interface AttemptLimits {
  signal: AbortSignal | undefined;
  timeoutMs: number;
  startedAt: number;
  deadlineMs: number;
  now: NowFn;
}

// Reasons an attempt's own controller is aborted with.
const USER = Symbol('user');
const ATTEMPT = Symbol('attempt');
const DEADLINE = Symbol('deadline');

/** Sends requests for one client; the only place that holds the API key. */
export class Transport {
  readonly #apiKey: string | undefined;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #userAgent: string;

  constructor(options: { apiKey?: string; dispatcher?: Dispatcher; userAgent: string }) {
    this.#apiKey = options.apiKey;
    this.#ownsDispatcher = options.dispatcher === undefined;
    // undici's own headers/body timeouts (300 s) are off: the SDK's per-attempt timer and
    // deadline are the limits, and they name themselves when they fire.
    this.#dispatcher = options.dispatcher ?? new Agent({ headersTimeout: 0, bodyTimeout: 0 });
    this.#userAgent = options.userAgent;
  }

  /** Closes the connection pool, if this transport made it. */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  /** One attempt: resolves with the success response, or throws a StemeError. */
  async attempt(req: PreparedRequest, limits: AttemptLimits): Promise<ResponseInfo> {
    const { method, path } = req;
    const left = limits.startedAt + limits.deadlineMs - limits.now();
    if (left <= 0) throw errorFromTimeout('deadline', limits.deadlineMs, method, path);
    const byDeadline = left < limits.timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(byDeadline ? DEADLINE : ATTEMPT),
      byDeadline ? left : limits.timeoutMs,
    );
    const onAbort = () => controller.abort(USER);
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (limits.signal?.aborted) throw errorFromAbort(limits.signal.reason, method, path);
      const res = await request(req.url, {
        method,
        headers: this.#headers(req),
        body: req.body,
        signal: controller.signal,
        dispatcher: this.#dispatcher,
      });
      const ok = req.success.includes(res.statusCode);
      const read = await readCapped(res.body, ok ? MAX_RESPONSE_BYTES : MAX_ERROR_BODY_BYTES);
      const info: ResponseInfo = {
        status: res.statusCode,
        method,
        path,
        headers: res.headers,
        body: read.text,
        truncated: read.truncated,
        receivedAt: limits.now(),
      };
      if (!ok) throw errorFromResponse(info);
      if (read.truncated) {
        const why = `the body is over ${MAX_RESPONSE_BYTES} bytes`;
        throw invalidResponse({ ...info, requestId: undefined, attempts: 1 }, why);
      }
      return info;
    } catch (error) {
      if (isStemeError(error)) throw error;
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
      if (reason === USER) throw errorFromAbort(limits.signal?.reason, method, path);
      if (reason === ATTEMPT) throw errorFromTimeout('attempt', limits.timeoutMs, method, path);
      if (reason === DEADLINE) throw errorFromTimeout('deadline', limits.deadlineMs, method, path);
      throw errorFromNetwork(error, method, path);
    } finally {
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
    }
  }

  #headers(req: PreparedRequest): Record<string, string> {
    const headers: Record<string, string> = {
      accept: req.accept,
      'user-agent': this.#userAgent,
    };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    if (req.auth && this.#apiKey !== undefined) headers[API_KEY_HEADER] = this.#apiKey;
    return headers;
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

// Reads a body to its end, keeping at most `cap` bytes; past the cap the body is destroyed
// (which closes its socket) rather than read on.
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  cap: number,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      if (size + buf.length > cap) {
        chunks.push(buf.subarray(0, cap - size));
        truncated = true;
        break; // ends the iteration, which destroys the stream
      }
      chunks.push(buf);
      size += buf.length;
    }
  } finally {
    if (!body.destroyed && truncated) body.destroy();
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}
