/**
 * The path every call takes: per-call options merged over the client's, the URL built from
 * the operation table, attempts sent through the transport under the retry loop, and the
 * success response handed back with what is needed to validate it.
 */
import { randomUUID } from 'node:crypto';
import { StemeValidationError } from './errors.js';
import { type CallOptions, type ResolvedClientOptions, resolveCallOptions } from './options.js';
import { headerValue, type ResponseInfo } from './response.js';
import { runWithRetry } from './retry.js';
import { closedError, type PreparedRequest, type Transport } from './transport.js';
import type { ResponseContext } from './validate.js';
import { OPERATIONS, type OperationId, REQUEST_ID_HEADER } from './wire.js';

/** What a call sends besides the operation itself (all already validated). */
export interface CallInput {
  pathParams?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

/** A success response, with the context to validate its body. */
export interface CallResult extends ResponseInfo {
  context: ResponseContext;
}

/** Runs operations for one client. */
export class Caller {
  readonly options: ResolvedClientOptions;
  readonly #transport: Transport;
  // The base URL split once, so that a call builds its target by string concatenation instead
  // of `new URL` + a pathname set + a regex. Invariant: options.ts accepts only base URLs
  // without query, fragment or userinfo, so origin + path + target is the URL `new URL` builds.
  readonly #origin: string;
  readonly #basePath: string;
  /** The key, masked in the errors made from responses (invalid_response). */
  readonly #secrets: readonly string[];
  #closed = false;

  constructor(options: ResolvedClientOptions, transport: Transport) {
    this.options = options;
    this.#transport = transport;
    this.#origin = options.baseUrl.origin;
    this.#basePath = options.baseUrl.pathname.replace(/\/+$/, '');
    this.#secrets = options.apiKey === undefined ? [] : [options.apiKey];
  }

  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#transport.close();
  }

  /** Sends operation `op`, retrying as the (merged) options say. */
  async call(op: OperationId, input: CallInput, callOptions?: CallOptions): Promise<CallResult> {
    const spec = OPERATIONS[op];
    const path = fillPath(spec.path, input.pathParams);
    if (this.#closed) throw closedError(spec.method, path);
    const effective = resolveCallOptions(this.options, callOptions);
    const { now, sleep } = this.options;
    const body = input.body === undefined ? undefined : JSON.stringify(input.body);
    if (body !== undefined) checkBodySize(body, this.options.maxBodyBytes, spec.method, path);
    const prepared: PreparedRequest = {
      method: spec.method,
      path,
      origin: this.#origin,
      target: this.#target(path, input.query),
      accept: spec.accept,
      auth: spec.auth,
      body,
      success: spec.success,
      // Every write carries one key, the same for all its attempts (as stripe-node does), so a
      // server that honours it applies a resent write once.
      idempotencyKey:
        spec.method === 'GET' ? undefined : (effective.idempotencyKey ?? randomUUID()),
      headers: undefined,
    };
    const startedAt = now();
    const { value: info, attempts } = await runWithRetry(
      () =>
        this.#transport.attempt(prepared, {
          signal: effective.signal,
          timeoutMs: effective.timeoutMs,
          deadlineMs: effective.deadlineMs,
          startedAt,
          now,
        }),
      {
        policy: effective.retry,
        replay: spec.replay,
        method: spec.method,
        path,
        sleep,
        now,
        signal: effective.signal,
        startedAt,
        deadlineMs: effective.deadlineMs,
        ambiguous: false,
      },
    );
    const context: ResponseContext = {
      method: spec.method,
      path,
      status: info.status,
      requestId: headerValue(info.headers, REQUEST_ID_HEADER),
      body: info.body,
      attempts,
      secrets: this.#secrets,
    };
    // Spelled out, not `{ ...info, context }`: in Node 20's V8 the spread copy outlived the
    // young generation on nearly every call (with the headers and body it points to), so a
    // long run's old space grew by ~300 B per call until the next full collection
    // (bench/README.md, "Where persist's peak RSS went"). Every field of ResponseInfo is
    // required, so one added there fails to compile here until it is copied too.
    return {
      status: info.status,
      method: info.method,
      path: info.path,
      headers: info.headers,
      body: info.body,
      truncated: info.truncated,
      receivedAt: info.receivedAt,
      context,
    };
  }

  // The path and query as sent. The path is already percent-encoded by fillPath; the query is
  // serialised as URL.searchParams would (a fresh URLSearchParams per call: nothing is shared).
  #target(path: string, query: CallInput['query']): string {
    const target = this.#basePath + path;
    if (query === undefined) return target;
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) params.set(name, String(value));
    }
    const search = params.toString();
    return search === '' ? target : `${target}?${search}`;
  }
}

function fillPath(template: string, params: Record<string, string> | undefined): string {
  // Most operations have no parameter: skip the regex.
  if (!template.includes('{')) return template;
  return template.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(params?.[name] ?? ''),
  );
}

// Refused before sending: over the server's limit the answer is a 413 and a closed connection,
// which the client often sees as a broken pipe first, and would send again.
function checkBodySize(body: string, max: number, method: string, path: string): void {
  // A UTF-8 byte is at least one UTF-16 unit and at most three: skip the count when either
  // bound settles it (most bodies are a few hundred characters).
  if (body.length * 3 <= max) return;
  const bytes = Buffer.byteLength(body);
  if (bytes <= max) return;
  throw new StemeValidationError({
    code: 'invalid_input',
    field: 'body',
    message: `${method} ${path}: the request body is ${bytes} bytes, over the limit of ${max} bytes (maxBodyBytes; the server refuses more); nothing was sent`,
    method,
    path,
  });
}
