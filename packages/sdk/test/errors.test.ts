import { describe, expect, it } from 'vitest';
import { errorFromNetwork, errorFromResponse } from '../src/error-factory.js';
import {
  isStemeError,
  MAX_ERROR_BODY_CHARS,
  MAX_ERROR_MESSAGE_CHARS,
  StemeAbortError,
  StemeApiError,
  StemeAuthenticationError,
  StemeConflictError,
  StemeError,
  StemeNetworkError,
  StemeNotFoundError,
  StemePayloadTooLargeError,
  StemePermissionError,
  StemeRateLimitError,
  StemeTimeoutError,
  StemeUnavailableError,
  StemeValidationError,
} from '../src/index.js';
import type { ResponseInfo } from '../src/response.js';

const NOW = Date.UTC(2026, 0, 1);

function response(over: Partial<ResponseInfo> = {}): ResponseInfo {
  return {
    status: 500,
    method: 'POST',
    path: '/v1/assert',
    headers: {},
    body: '',
    truncated: false,
    receivedAt: NOW,
    ...over,
  };
}

describe('errorFromResponse maps each status to its class and stable code', () => {
  it.each([
    { status: 400, cls: StemeValidationError, code: 'invalid_request' },
    { status: 422, cls: StemeValidationError, code: 'invalid_request' },
    { status: 401, cls: StemeAuthenticationError, code: 'unauthorized' },
    { status: 403, cls: StemePermissionError, code: 'forbidden' },
    { status: 404, cls: StemeNotFoundError, code: 'not_found' },
    { status: 409, cls: StemeConflictError, code: 'conflict' },
    { status: 413, cls: StemePayloadTooLargeError, code: 'payload_too_large' },
    { status: 429, cls: StemeRateLimitError, code: 'rate_limited' },
    { status: 502, cls: StemeUnavailableError, code: 'unavailable' },
    { status: 503, cls: StemeUnavailableError, code: 'unavailable' },
    { status: 500, cls: StemeApiError, code: 'http_error' },
    { status: 418, cls: StemeApiError, code: 'http_error' },
    { status: 202, cls: StemeApiError, code: 'http_error' },
  ])('$status -> $cls.name ($code)', ({ status, cls, code }) => {
    const error = errorFromResponse(response({ status, headers: { 'x-request-id': 'req-1' } }));
    expect(error).toBeInstanceOf(cls);
    expect(error).toBeInstanceOf(StemeError);
    expect(error.name).toBe(cls.name);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.method).toBe('POST');
    expect(error.path).toBe('/v1/assert');
    expect(error.requestId).toBe('req-1');
    expect(error.attempts).toBe(1);
    expect(isStemeError(error)).toBe(true);
  });
});

describe('errorFromResponse gives a readable one-line message for any body', () => {
  const huge = `<html><body>${'x'.repeat(200_000)}</body></html>`;
  it.each([
    {
      what: 'an ErrorBody',
      body: '{"error":{"code":"unauthorized","message":"An X-API-Key header is required"}}',
      type: 'application/json',
      want: 'POST /v1/assert failed: 401 Unauthorized: An X-API-Key header is required [unauthorized]',
      status: 401,
    },
    {
      what: "Traefik's plain 502",
      body: 'Bad Gateway',
      type: 'text/plain',
      want: 'POST /v1/assert failed: 502 Bad Gateway',
      status: 502,
    },
    {
      what: 'an HTML page',
      body: '<!DOCTYPE html>\n<html><head><title>503 Service\n Temporarily Unavailable</title></head><body><h1>Oops</h1></body></html>',
      type: 'text/html',
      want: 'POST /v1/assert failed: 503 Service Unavailable: 503 Service Temporarily Unavailable (HTML page)',
      status: 503,
    },
    {
      what: 'HTML without a title',
      body: '<html><body><h1>Gateway &amp; proxy error</h1></body></html>',
      type: 'text/html',
      want: 'POST /v1/assert failed: 500 Internal Server Error: Gateway & proxy error (HTML page)',
      status: 500,
    },
    {
      what: 'an empty body',
      body: '',
      type: undefined,
      want: 'POST /v1/assert failed: 500 Internal Server Error: empty body',
      status: 500,
    },
    {
      what: 'truncated JSON',
      body: '{"error":{"code":"inval',
      type: 'application/json',
      want: 'POST /v1/assert failed: 400 Bad Request: {"error":{"code":"inval (malformed JSON)',
      status: 400,
    },
    {
      what: 'JSON of another shape',
      body: '{"detail":"nope"}',
      type: 'application/json',
      want: 'POST /v1/assert failed: 400 Bad Request: {"detail":"nope"}',
      status: 400,
    },
    {
      what: 'control characters and newlines',
      body: 'line one\r\n\u0000line\ttwo\u001b[31m',
      type: 'text/plain',
      want: 'POST /v1/assert failed: 500 Internal Server Error: line one line two[31m',
      status: 500,
    },
  ])('$what', ({ body, type, want, status }) => {
    const headers = type === undefined ? {} : { 'content-type': type };
    const error = errorFromResponse(response({ status, body, headers }));
    expect(error.message).toBe(want);
  });

  it('caps the message and the body snippet of a huge body', () => {
    const error = errorFromResponse(response({ status: 502, body: huge, truncated: true }));
    expect(error.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS);
    expect(error.message).not.toContain('\n');
    expect(error.body?.length).toBeLessThanOrEqual(MAX_ERROR_BODY_CHARS);
  });

  it('notes a body cut at the transport cap', () => {
    const error = errorFromResponse(response({ status: 500, body: 'abc', truncated: true }));
    expect(error.message).toContain('(body truncated)');
  });

  it("keeps the server's own error code as serverCode", () => {
    const body = '{"error":{"code":"root_key","message":"no"}}';
    expect(errorFromResponse(response({ status: 409, body })).serverCode).toBe('root_key');
  });

  it('quotes the request id in the message', () => {
    const error = errorFromResponse(response({ headers: { 'x-request-id': 'abc-123' } }));
    expect(error.message).toContain('(request id abc-123)');
  });
});

describe('Retry-After on a response', () => {
  it.each([
    { status: 429, header: '7', want: 7000 },
    { status: 503, header: '0', want: 0 },
    { status: 503, header: new Date(NOW + 5000).toUTCString(), want: 5000 },
    { status: 429, header: 'soon', want: undefined },
  ])('$status with Retry-After "$header" gives retryAfterMs $want', ({ status, header, want }) => {
    const error = errorFromResponse(response({ status, headers: { 'retry-after': header } }));
    expect((error as StemeRateLimitError | StemeUnavailableError).retryAfterMs).toBe(want);
  });
});

describe('errorFromNetwork', () => {
  const withCode = (code: string) => Object.assign(new Error(`boom ${code}`), { code });
  it.each([
    { code: 'ECONNREFUSED', phase: 'connect' },
    { code: 'UND_ERR_CONNECT_TIMEOUT', phase: 'connect' },
    { code: 'ENOTFOUND', phase: 'connect' },
    { code: 'ECONNRESET', phase: 'exchange' },
    { code: 'UND_ERR_SOCKET', phase: 'exchange' },
    { code: 'EPIPE', phase: 'exchange' },
  ])('$code happens in the $phase phase', ({ code, phase }) => {
    const error = errorFromNetwork(withCode(code), 'GET', '/v1/health');
    expect(error).toBeInstanceOf(StemeNetworkError);
    expect(error.code).toBe('network');
    expect(error.networkCode).toBe(code);
    expect(error.phase).toBe(phase);
    expect(error.status).toBeUndefined();
    expect(error.message).toContain(code);
  });

  it('finds the code on a nested cause', () => {
    const inner = Object.assign(new Error('inner'), { code: 'ECONNRESET' });
    const error = errorFromNetwork(new Error('outer', { cause: inner }), 'GET', '/v1/health');
    expect(error.networkCode).toBe('ECONNRESET');
  });
});

describe('the error classes', () => {
  it.each([
    new StemeValidationError({ code: 'invalid_input', message: 'm', field: 'subject' }),
    new StemeTimeoutError({ code: 'timeout', message: 'm', timeout: 'deadline', timeoutMs: 5 }),
    new StemeAbortError({ code: 'aborted', message: 'm' }),
    new StemeNetworkError({ code: 'network', message: 'm', phase: 'connect' }),
  ])('$name serialises its own fields', (error) => {
    const json = JSON.parse(JSON.stringify(error));
    expect(json.name).toBe(error.name);
    expect(json.code).toBe(error.code);
    expect(json.message).toBe('m');
  });

  it('StemeValidationError names its field', () => {
    const error = new StemeValidationError({
      code: 'invalid_input',
      message: 'm',
      field: 'subject',
    });
    expect(error.field).toBe('subject');
    expect(error.toJSON().field).toBe('subject');
  });

  it('StemeTimeoutError says which limit fired', () => {
    const error = new StemeTimeoutError({
      code: 'timeout',
      message: 'm',
      timeout: 'attempt',
      timeoutMs: 100,
    });
    expect(error.toJSON()).toMatchObject({ timeout: 'attempt', timeoutMs: 100 });
  });

  it('toString is one line with the class and the code', () => {
    const error = new StemeConflictError({ code: 'conflict', message: 'root key' });
    expect(String(error)).toBe('StemeConflictError [conflict]: root key');
  });

  it('keeps a cause, summarised in toJSON', () => {
    const cause = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    const error = new StemeNetworkError({
      code: 'network',
      message: 'm',
      phase: 'exchange',
      cause,
    });
    expect(error.cause).toBe(cause);
    expect(error.toJSON().cause).toEqual({ name: 'Error', message: 'reset', code: 'ECONNRESET' });
  });
});

describe('isStemeError', () => {
  it.each([
    { given: new StemeError({ code: 'network', message: 'x' }), want: true },
    { given: new StemeRateLimitError({ code: 'rate_limited', message: 'x' }), want: true },
    { given: new Error('x'), want: false },
    { given: { code: 'network', message: 'x' }, want: false },
    { given: null, want: false },
    { given: 'StemeError', want: false },
  ])('isStemeError($given) is $want', ({ given, want }) => {
    expect(isStemeError(given)).toBe(want);
  });

  it('recognises an error from another copy of the SDK by its brand', () => {
    const foreign = Object.create(Error.prototype) as Record<symbol, unknown>;
    foreign[Symbol.for('stemedb.sdk.error')] = true;
    expect(isStemeError(foreign)).toBe(true);
  });
});

describe('errors are read-only; the retry loop copies them to set attempts', () => {
  it('withAttempts gives the same class, fields, detail and stack with the new count', () => {
    const original = errorFromResponse(
      response({ status: 429, headers: { 'retry-after': '3', 'x-request-id': 'r-9' } }),
    ) as StemeRateLimitError;
    const copy = original.withAttempts(4);
    expect(copy).toBeInstanceOf(StemeRateLimitError);
    expect(copy).not.toBe(original);
    expect(original.attempts).toBe(1);
    expect({ ...copy.toJSON(), attempts: 1 }).toEqual(original.toJSON());
    expect(copy.attempts).toBe(4);
    expect([copy.detail, copy.retryAfterMs, copy.stack]).toEqual([
      original.detail,
      3000,
      original.stack,
    ]);
  });

  it('refuses assignment to its fields (TypeScript) and keeps a subclass field through the copy', () => {
    const error = errorFromNetwork(
      Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      'GET',
      '/v1/health',
    );
    // @ts-expect-error attempts is readonly
    error.attempts = 9;
    const copy = error.withAttempts(2);
    expect([copy.networkCode, copy.phase, copy.attempts]).toEqual(['ECONNREFUSED', 'connect', 2]);
  });
});

describe('detail: what went wrong, without the METHOD /path prefix', () => {
  it.each([
    {
      what: 'a response',
      error: () => errorFromResponse(response({ status: 502, body: 'Bad Gateway' })),
      message: 'POST /v1/assert failed: 502 Bad Gateway',
      detail: '502 Bad Gateway',
    },
    {
      what: 'a network error',
      error: () =>
        errorFromNetwork(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'GET', '/x'),
      message: 'GET /x failed: network error ECONNRESET: reset',
      detail: 'network error ECONNRESET: reset',
    },
  ])('for $what', ({ error, message, detail }) => {
    const e = error();
    expect([e.message, e.detail]).toEqual([message, detail]);
  });
});

describe('retryAfter: the raw header and the wait, typed, on any status that sent one', () => {
  it.each([
    { status: 503, header: '5', want: { raw: '5', ms: 5000 } },
    { status: 500, header: '5', want: { raw: '5', ms: 5000 } },
    { status: 429, header: 'soon', want: { raw: 'soon', ms: undefined } },
    { status: 429, header: undefined, want: undefined },
  ])('$status with "$header"', ({ status, header, want }) => {
    const headers = header === undefined ? {} : { 'retry-after': header };
    const error = errorFromResponse(response({ status, headers }));
    expect(error.retryAfter).toEqual(want);
    // No hidden copy beside it: the brand is the only symbol an error carries.
    expect(Object.getOwnPropertySymbols(error).map(String)).toEqual(['Symbol(stemedb.sdk.error)']);
  });
});
