/**
 * The StemeDB client: one object per server and key, holding one keep-alive connection pool.
 */
import { StemeAdmin } from './admin.js';
import { type AssertManyOptions, type AssertManyResult, assertMany } from './assert-many.js';
import { Caller } from './caller.js';
import { fastAssertionInput, fastAssertResponse } from './fast-checks.js';
import { type MetricSample, PrometheusParseError, parsePrometheusText } from './metrics.js';
import {
  type CallOptions,
  type ResolvedClientOptions,
  resolveCallOptions,
  resolveClientOptions,
  type StemeClientOptions,
} from './options.js';
import { REDACTED } from './redact.js';
import {
  AssertionFilterSchema,
  AssertionInputSchema,
  AssertionPageSchema,
  AssertResponseSchema,
  HealthSchema,
} from './schemas.js';
import { Transport } from './transport.js';
import type {
  Assertion,
  AssertionFilter,
  AssertionInput,
  AssertionPage,
  AssertResponse,
  Health,
} from './types.js';
import { invalidResponse, parseInput, parseJsonBody, parseResponse } from './validate.js';
import { OPERATIONS } from './wire.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A client for one StemeDB server.
 *
 * @example
 * ```ts
 * const client = new StemeClient({ baseUrl: 'https://stemedb.example.com', apiKey });
 * await client.assert({ subject: 'test/ping', predicate: 'alive', value: true, agent_id: 'ci' });
 * await client.close();
 * ```
 */
export class StemeClient {
  /** Key administration; needs an admin key. */
  readonly admin: StemeAdmin;
  readonly #options: ResolvedClientOptions;
  readonly #caller: Caller;

  /** @throws StemeValidationError (`invalid_options`) naming the first bad option */
  constructor(options: StemeClientOptions) {
    this.#options = resolveClientOptions(options);
    const transport = new Transport({
      apiKey: this.#options.apiKey,
      dispatcher: this.#options.dispatcher,
      userAgent: this.#options.userAgent,
    });
    this.#caller = new Caller(this.#options, transport);
    this.admin = new StemeAdmin(this.#caller);
  }

  /** The server's base URL. */
  get baseUrl(): string {
    return this.#options.baseUrl.href;
  }

  /** `GET /v1/health`. Any 200 is healthy, whatever its body; a 503 is retried like others. */
  async health(options?: CallOptions): Promise<Health> {
    const res = await this.#caller.call('getHealth', {}, options);
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return {};
    }
    const parsed = HealthSchema.safeParse(body);
    return parsed.success ? parsed.data : {};
  }

  /**
   * Writes one assertion (`POST /v1/assert`). The input is checked against the yaml's bounds
   * before anything is sent.
   */
  async assert(input: AssertionInput, options?: CallOptions): Promise<AssertResponse> {
    // The fast checks accept only what zod accepts; zod still decides (and words) the rest.
    const body = fastAssertionInput(input) ?? parseInput(AssertionInputSchema, input, 'assertion');
    const res = await this.#caller.call('createAssertion', { body }, options);
    const json = parseJsonBody(res.context);
    return fastAssertResponse(json) ?? parseResponse(AssertResponseSchema, json, res.context);
  }

  /**
   * Writes many assertions, at most `concurrency` at once. Resolves with one outcome per
   * input, in input order; one item's failure never rejects the batch.
   */
  assertMany(
    inputs: readonly AssertionInput[],
    options?: AssertManyOptions,
  ): Promise<AssertManyResult[]> {
    return assertMany(
      inputs,
      options,
      (input, call) => this.assert(input, call),
      (call) => void resolveCallOptions(this.#options, call),
    );
  }

  /** One page of `GET /v1/assertions`, newest first; pass `next_cursor` back for the next. */
  async listAssertions(
    filter: AssertionFilter = {},
    options?: CallOptions,
  ): Promise<AssertionPage> {
    const query = parseInput(AssertionFilterSchema, filter, 'filter');
    const res = await this.#caller.call('listAssertions', { query }, options);
    return parseResponse(AssertionPageSchema, parseJsonBody(res.context), res.context);
  }

  /**
   * Every assertion matching `filter`, page after page (each page a call with `options`).
   *
   * @example
   * ```ts
   * for await (const a of client.iterateAssertions({ subject: 'test/ping' })) console.log(a.id);
   * ```
   */
  async *iterateAssertions(
    filter: AssertionFilter = {},
    options?: CallOptions,
  ): AsyncGenerator<Assertion, void, undefined> {
    const cursors = new RecentCursors(MAX_REMEMBERED_CURSORS);
    let emptyPages = 0;
    let cursor = filter.cursor;
    for (;;) {
      const page = await this.listAssertions({ ...filter, cursor }, options);
      yield* page.items;
      const next = page.next_cursor;
      if (next === null) return;
      // A server that never ends: the same cursor again, or page after page of nothing.
      emptyPages = page.items.length === 0 ? emptyPages + 1 : 0;
      if (cursors.seen(next)) throw endlessPages('the server repeated a cursor');
      if (emptyPages >= MAX_CONSECUTIVE_EMPTY_PAGES) {
        throw endlessPages(
          `${emptyPages} empty pages in a row, each with a next cursor (MAX_CONSECUTIVE_EMPTY_PAGES)`,
        );
      }
      cursor = next;
    }
  }

  /** `GET /metrics`, parsed into samples (e.g. `stemedb_http_requests_total{status}`). */
  async metrics(options?: CallOptions): Promise<MetricSample[]> {
    const res = await this.#caller.call('getMetrics', {}, options);
    try {
      return parsePrometheusText(res.body);
    } catch (error) {
      if (!(error instanceof PrometheusParseError)) throw error;
      throw invalidResponse(res.context, `not Prometheus text: ${error.message}`);
    }
  }

  /**
   * Closes the connection pool (only if the client made it; an injected `dispatcher` is the
   * caller's to close). Later calls fail with `client_closed`. Safe to call twice.
   */
  async close(): Promise<void> {
    await this.#caller.close();
  }

  /** A redacted summary: never the key. */
  toJSON(): Record<string, unknown> {
    const o = this.#options;
    return {
      baseUrl: o.baseUrl.href,
      apiKey: o.apiKey === undefined ? undefined : REDACTED,
      timeoutMs: o.timeoutMs,
      deadlineMs: o.deadlineMs,
      retry:
        o.retry === false
          ? false
          : {
              delays: o.retry.delays,
              statusCodes: o.retry.statusCodes,
              retryOnNetworkErrors: o.retry.retryOnNetworkErrors,
              retryAmbiguous: o.retry.retryAmbiguous,
              maxRetryAfterMs: o.retry.maxRetryAfterMs,
              jitter: o.retry.jitter,
            },
      userAgent: o.userAgent,
      allowInsecureHttp: o.allowInsecureHttp,
      closed: this.#caller.closed,
    };
  }

  toString(): string {
    return `StemeClient(${this.#options.baseUrl.href})`;
  }

  [INSPECT](
    _depth: number,
    options: unknown,
    inspect: (value: unknown, options: unknown) => string,
  ): string {
    return `StemeClient ${inspect(this.toJSON(), options)}`;
  }
}

/**
 * The most empty pages in a row that `iterateAssertions` accepts before it fails with
 * `invalid_response`: a server that answers `{ items: [], next_cursor: <fresh> }` for ever would
 * otherwise keep it requesting without end (a filtered page may legitimately be empty, but not
 * this many in a row).
 */
export const MAX_CONSECUTIVE_EMPTY_PAGES = 10;
/** How many of the latest cursors `iterateAssertions` remembers to catch a repeated one. */
export const MAX_REMEMBERED_CURSORS = 10_000;

// The latest cursors, oldest forgotten first, so that memory stays bounded however long the
// iteration runs (a loop through more than this many pages with items is not plausible).
class RecentCursors {
  readonly #seen = new Set<string>();
  constructor(readonly max: number) {}

  /** True when `cursor` was seen; otherwise remembers it. */
  seen(cursor: string): boolean {
    if (this.#seen.has(cursor)) return true;
    this.#seen.add(cursor);
    if (this.#seen.size > this.max) {
      const oldest = this.#seen.values().next().value as string;
      this.#seen.delete(oldest);
    }
    return false;
  }
}

function endlessPages(why: string) {
  const { method, path } = OPERATIONS.listAssertions;
  const ctx = { method, path, status: 200, body: '', attempts: 1, requestId: undefined };
  return invalidResponse(ctx, why);
}
