import { describe, expect, it } from 'vitest';
import { errorFromNetwork, errorFromResponse, errorFromTimeout } from '../src/error-factory.js';
import { DEFAULT_RETRY, type StemeError, type StemeNetworkError } from '../src/index.js';
import { NETWORK_CODES } from '../src/network-codes.js';
import { parseRetryAfter } from '../src/retry-after.js';
import { planRetry, type ResolvedRetryOptions } from '../src/retry-policy.js';
import type { Replay } from '../src/wire.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

function status(code: number, retryAfter?: string): StemeError {
  return errorFromResponse({
    status: code,
    method: 'POST',
    path: '/v1/assert',
    headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
    body: '',
    truncated: false,
    receivedAt: NOW,
  });
}
const net = (code: string) =>
  errorFromNetwork(Object.assign(new Error(code), { code }), 'POST', '/v1/assert');
const attemptTimeout = () => errorFromTimeout('attempt', 100, 'GET', '/v1/health');
const deadline = () => errorFromTimeout('deadline', 100, 'GET', '/v1/health');

describe('planRetry decides what is retried and after how long', () => {
  const cases: Array<{
    what: string;
    error: () => StemeError;
    replay?: Replay;
    attempt?: number;
    policy?: Partial<ResolvedRetryOptions>;
    want: { delayMs: number; reason: string } | undefined;
  }> = [
    {
      what: '503, first failure',
      error: () => status(503),
      want: { delayMs: 2000, reason: 'status' },
    },
    {
      what: '502, second failure',
      error: () => status(502),
      attempt: 2,
      want: { delayMs: 4000, reason: 'status' },
    },
    {
      what: '503, third failure',
      error: () => status(503),
      attempt: 3,
      want: { delayMs: 8000, reason: 'status' },
    },
    {
      what: '503 with Retry-After 3',
      error: () => status(503, '3'),
      want: { delayMs: 3000, reason: 'retry-after' },
    },
    {
      what: '503 with Retry-After as an HTTP date',
      error: () => status(503, new Date(NOW + 7000).toUTCString()),
      want: { delayMs: 7000, reason: 'retry-after' },
    },
    {
      what: '503 with a malformed Retry-After',
      error: () => status(503, 'in a bit'),
      want: { delayMs: 2000, reason: 'status' },
    },
    {
      what: '429 with Retry-After 1',
      error: () => status(429, '1'),
      want: { delayMs: 1000, reason: 'retry-after' },
    },
    {
      what: '429 with Retry-After 0',
      error: () => status(429, '0'),
      want: { delayMs: 0, reason: 'retry-after' },
    },
    {
      what: '429 with Retry-After over the cap',
      error: () => status(429, '3600'),
      want: { delayMs: 60_000, reason: 'retry-after' },
    },
    {
      what: '429 with Retry-After over a custom cap',
      error: () => status(429, '30'),
      policy: { maxRetryAfterMs: 5000 },
      want: { delayMs: 5000, reason: 'retry-after' },
    },
    {
      what: '429 with a malformed Retry-After',
      error: () => status(429, '-1'),
      want: { delayMs: 2000, reason: 'status' },
    },
    { what: '429 without Retry-After', error: () => status(429), want: undefined },
    {
      what: '429 without Retry-After when 429 is listed',
      error: () => status(429),
      policy: { statusCodes: [429] },
      want: { delayMs: 2000, reason: 'status' },
    },
    { what: '500', error: () => status(500), want: undefined },
    {
      what: '500 when listed',
      error: () => status(500),
      policy: { statusCodes: [500] },
      want: { delayMs: 2000, reason: 'status' },
    },
    {
      what: '503 when not listed',
      error: () => status(503),
      policy: { statusCodes: [502] },
      want: undefined,
    },
    { what: '400', error: () => status(400), want: undefined },
    { what: '401', error: () => status(401), want: undefined },
    { what: '404', error: () => status(404), want: undefined },
    { what: '413', error: () => status(413), want: undefined },
    {
      what: 'ECONNREFUSED',
      error: () => net('ECONNREFUSED'),
      want: { delayMs: 2000, reason: 'network' },
    },
    {
      what: 'ECONNREFUSED on a key rotation',
      error: () => net('ECONNREFUSED'),
      replay: 'at-most-once',
      want: { delayMs: 2000, reason: 'network' },
    },
    {
      what: 'ECONNRESET on a write',
      error: () => net('ECONNRESET'),
      want: { delayMs: 2000, reason: 'network' },
    },
    {
      what: 'UND_ERR_SOCKET on a read',
      error: () => net('UND_ERR_SOCKET'),
      replay: 'idempotent',
      want: { delayMs: 2000, reason: 'network' },
    },
    { what: 'EPIPE', error: () => net('EPIPE'), want: { delayMs: 2000, reason: 'network' } },
    {
      what: 'ECONNRESET on a key rotation',
      error: () => net('ECONNRESET'),
      replay: 'at-most-once',
      want: undefined,
    },
    { what: 'ENOTFOUND', error: () => net('ENOTFOUND'), want: undefined },
    {
      what: 'ECONNREFUSED with retryOnNetworkErrors off',
      error: () => net('ECONNREFUSED'),
      policy: { retryOnNetworkErrors: false },
      want: undefined,
    },
    {
      what: 'an attempt timeout on a read',
      error: attemptTimeout,
      replay: 'idempotent',
      want: { delayMs: 2000, reason: 'timeout' },
    },
    {
      what: 'an attempt timeout on a write',
      error: attemptTimeout,
      replay: 'at-least-once',
      want: undefined,
    },
    {
      what: 'an attempt timeout on a key rotation',
      error: attemptTimeout,
      replay: 'at-most-once',
      want: undefined,
    },
    { what: 'the deadline', error: deadline, replay: 'idempotent', want: undefined },
  ];
  it.each(cases)('$what -> $want', ({ error, replay, attempt, policy, want }) => {
    const merged = { ...DEFAULT_RETRY, ...policy };
    expect(planRetry(error(), merged, replay ?? 'at-least-once', attempt ?? 1)).toEqual(want);
  });

  it('draws a jittered wait from [delay × (1 − jitter), delay]', () => {
    const policy = { ...DEFAULT_RETRY, jitter: 0.5 };
    expect(planRetry(status(503), policy, 'idempotent', 1, () => 0)?.delayMs).toBe(2000);
    expect(planRetry(status(503), policy, 'idempotent', 1, () => 0.999999)?.delayMs).toBe(1000);
    for (let i = 0; i < 100; i++) {
      const delay = planRetry(status(503), policy, 'idempotent', 3)?.delayMs ?? -1;
      expect(delay).toBeGreaterThanOrEqual(4000);
      expect(delay).toBeLessThanOrEqual(8000);
    }
  });

  it('does not jitter a Retry-After', () => {
    const policy = { ...DEFAULT_RETRY, jitter: 1 };
    expect(planRetry(status(429, '4'), policy, 'idempotent', 1, () => 0.5)?.delayMs).toBe(4000);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    { given: '0', want: 0 },
    { given: '120', want: 120_000 },
    { given: ' 5 ', want: 5000 },
    { given: 'Thu, 01 Jan 2026 12:00:10 GMT', want: 10_000 },
    { given: 'Thursday, 01-Jan-26 12:00:10 GMT', want: 10_000 },
    { given: 'Thu Jan  1 12:00:10 2026', want: 10_000 },
    { given: 'Thu, 01 Jan 2026 11:00:00 GMT', want: 0 },
    { given: '1.5', want: undefined },
    { given: '-3', want: undefined },
    { given: '1', want: 1000 },
    { given: 'soon', want: undefined },
    { given: '2026-01-01T12:00:10Z', want: undefined },
    { given: '', want: undefined },
    { given: undefined, want: undefined },
  ])('"$given" -> $want', ({ given, want }) => {
    expect(parseRetryAfter(given, NOW)).toBe(want);
  });
});

describe('the network code table decides phase and retry in one place', () => {
  it.each(Object.entries(NETWORK_CODES))('%s', (code, info) => {
    const error = net(code) as StemeNetworkError;
    expect(error.phase).toBe(info.phase);
    const plan = planRetry(error, DEFAULT_RETRY, 'at-least-once', 1);
    expect(plan === undefined ? 'not retried' : plan.reason).toBe(
      info.retried ? 'network' : 'not retried',
    );
    // An operation that must not be repeated is retried only when nothing was sent.
    const once = planRetry(error, DEFAULT_RETRY, 'at-most-once', 1);
    expect(once !== undefined).toBe(info.retried && info.phase === 'connect');
  });

  it('treats an unknown code as sent and not retried', () => {
    const error = net('EWHATEVER') as StemeNetworkError;
    expect(error.phase).toBe('exchange');
    expect(planRetry(error, DEFAULT_RETRY, 'idempotent', 1)).toBeUndefined();
  });
});
