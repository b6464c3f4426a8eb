/**
 * The retry schedule, over real HTTP, with an injected sleep and clock: every wait is asserted
 * to the millisecond and the whole file runs in well under a second.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  StemeAbortError,
  StemeApiError,
  StemeError,
  StemeRateLimitError,
  StemeTimeoutError,
  StemeUnavailableError,
} from '../src/index.js';
import { PING, useEmulator } from './support/emulator.js';
import { fakeTime } from './support/fake-time.js';
import { reply, startRawServer } from './support/raw-server.js';

const ctx = useEmulator({ rateLimit: false });

/** Requests the emulator sees during `run`. */
async function counting<T>(
  run: () => Promise<T>,
): Promise<{ result: T | unknown; requests: number }> {
  const before = ctx.emu.requests().length;
  const result = await run().catch((error: unknown) => error);
  return { result, requests: ctx.emu.requests().length - before };
}

describe('the default schedule (roadmap: 2 s, 4 s, 8 s on 502/503)', () => {
  it('waits exactly 2000, 4000 and 8000 ms, then gives up after four attempts', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.failNext(10, 503);
    const { result, requests } = await counting(() => client.assert(PING));
    expect(time.sleeps).toEqual([2000, 4000, 8000]);
    expect(requests).toBe(4);
    expect(result).toBeInstanceOf(StemeUnavailableError);
    const error = result as StemeUnavailableError;
    expect(error.attempts).toBe(4);
    expect(error.status).toBe(503);
    expect(error.elapsedMs).toBe(14_000);
    expect(error.message).toBe(
      'POST /v1/assert: StemeDB unavailable, gave up after 4 attempts over 14.0 s; last error: 503 Service Unavailable' +
        ` (request id ${error.requestId})`,
    );
    expect(error.cause).toBeInstanceOf(StemeUnavailableError);
  });

  it('rides out two 502s and succeeds on the third attempt, the first failure counting as attempt 1', async () => {
    const time = fakeTime();
    const attempts: number[] = [];
    const client = ctx.client({
      sleep: time.sleep,
      now: time.now,
      retry: { onRetry: (info) => void attempts.push(info.attempt) },
    });
    ctx.emu.faults.failNext(2, 502);
    const { result, requests } = await counting(() => client.assert(PING));
    expect(result).toMatchObject({ id: expect.any(String) });
    expect(time.sleeps).toEqual([2000, 4000]);
    expect(attempts).toEqual([1, 2]);
    expect(requests).toBe(3);
  });

  it('makes a call that succeeds at once one request, with no wait and no onRetry', async () => {
    const time = fakeTime();
    const onRetry = vi.fn();
    const client = ctx.client({ sleep: time.sleep, now: time.now, retry: { onRetry } });
    const { requests } = await counting(() => client.assert(PING));
    expect(requests).toBe(1);
    expect(onRetry).not.toHaveBeenCalled();
    expect(time.sleeps).toEqual([]);
  });

  it('does not retry a key issue on 502: the upstream may have issued it before dying', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.failNext(1, 502);
    const error = await client.admin
      .createApiKey({ label: 'retry-502', role: 'read_agent' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, ambiguous: true, attempts: 1 });
    expect(time.sleeps).toEqual([]);
  });

  it.each([400, 401, 403, 404, 409, 413, 500, 504])('never retries a %i', async (status) => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.failNext(1, status);
    const { result, requests } = await counting(() => client.health());
    expect(result).toBeInstanceOf(StemeError);
    expect((result as StemeError).status).toBe(status);
    expect((result as StemeError).attempts).toBe(1);
    expect(time.sleeps).toEqual([]);
    expect(requests).toBe(1);
  });
});

describe('Retry-After', () => {
  it('is honoured on a 503', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.failNext(1, 503, { retryAfterSeconds: 3 });
    await client.assert(PING);
    expect(time.sleeps).toEqual([3000]);
  });

  it('is honoured on a 429', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.failNext(2, 429, { retryAfterSeconds: 5 });
    await client.assert(PING);
    expect(time.sleeps).toEqual([5000, 5000]);
  });

  it('is clamped to maxRetryAfterMs', async () => {
    const time = fakeTime();
    const client = ctx.client({
      sleep: time.sleep,
      now: time.now,
      retry: { maxRetryAfterMs: 10_000 },
    });
    ctx.emu.faults.failNext(1, 429, { retryAfterSeconds: 3600 });
    await client.assert(PING);
    expect(time.sleeps).toEqual([10_000]);
  });

  it('leaves a 429 without Retry-After unretried', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.failNext(1, 429);
    const { result, requests } = await counting(() => client.assert(PING));
    expect(result).toBeInstanceOf(StemeRateLimitError);
    expect((result as StemeRateLimitError).retryAfterMs).toBeUndefined();
    expect(requests).toBe(1);
    expect(time.sleeps).toEqual([]);
  });

  it('ends a run of 429s in the last StemeRateLimitError, not an outage', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.failNext(10, 429, { retryAfterSeconds: 1 });
    const { result } = await counting(() => client.assert(PING));
    expect(result).toBeInstanceOf(StemeRateLimitError);
    expect((result as StemeRateLimitError).attempts).toBe(4);
    expect((result as StemeRateLimitError).retryAfterMs).toBe(1000);
    expect(time.sleeps).toEqual([1000, 1000, 1000]);
  });

  it.each([
    { what: 'malformed', header: () => 'after lunch', want: [2000] },
    { what: 'negative', header: () => '-5', want: [2000] },
    {
      what: 'an HTTP date',
      header: (now: number) => new Date(now + 4000).toUTCString(),
      want: [4000],
    },
  ])('when $what on a 503 gives waits $want', async ({ header, want }) => {
    const time = fakeTime();
    let calls = 0;
    const server = await startRawServer((_req, res) => {
      calls++;
      if (calls === 1)
        reply(res, 503, 'down', {
          'retry-after': header(time.now()),
          'content-type': 'text/plain',
        });
      else reply(res, 200, { status: 'ok' });
    });
    try {
      const client = ctx.client({ baseUrl: server.url, sleep: time.sleep, now: time.now });
      await expect(client.health()).resolves.toEqual({ status: 'ok' });
      expect(time.sleeps).toEqual(want);
    } finally {
      await server.close();
    }
  });
});

describe('retry options', () => {
  it('retry: false makes one attempt only', async () => {
    const client = ctx.client({ retry: false });
    ctx.emu.faults.failNext(1, 503);
    const { result, requests } = await counting(() => client.assert(PING));
    expect(result).toBeInstanceOf(StemeUnavailableError);
    expect((result as StemeError).attempts).toBe(1);
    expect(requests).toBe(1);
  });

  it('a per-call retry overrides the client retry', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now, retry: false });
    ctx.emu.faults.failNext(1, 503);
    await client.assert(PING, { retry: { delays: [5] } });
    expect(time.sleeps).toEqual([5]);
  });

  it('per-call retry: false overrides a client retry', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now });
    ctx.emu.faults.failNext(1, 503);
    await expect(client.assert(PING, { retry: false })).rejects.toBeInstanceOf(
      StemeUnavailableError,
    );
    expect(time.sleeps).toEqual([]);
  });

  it('statusCodes chooses what is retried', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now, retry: { statusCodes: [500] } });
    ctx.emu.faults.failNext(1, 500);
    await client.assert(PING);
    ctx.emu.faults.failNext(1, 503);
    await expect(client.assert(PING)).rejects.toBeInstanceOf(StemeUnavailableError);
    expect(time.sleeps).toEqual([2000]);
  });

  it('onRetry is told the attempt, the wait, the reason and the error', async () => {
    const time = fakeTime();
    const seen: unknown[] = [];
    const client = ctx.client({
      sleep: time.sleep,
      now: time.now,
      retry: { onRetry: (info) => void seen.push({ ...info, error: info.error.code }) },
    });
    ctx.emu.faults.failNext(1, 502);
    await client.assert(PING);
    expect(seen).toEqual([
      {
        attempt: 1,
        delayMs: 2000,
        reason: 'status',
        error: 'unavailable',
        method: 'POST',
        path: '/v1/assert',
        elapsedMs: 0,
      },
    ]);
  });

  it('onRetry throwing stops the retries with a StemeAbortError', async () => {
    const time = fakeTime();
    const stop = new Error('enough');
    const client = ctx.client({
      sleep: time.sleep,
      now: time.now,
      retry: {
        onRetry: () => {
          throw stop;
        },
      },
    });
    ctx.emu.faults.failNext(1, 503);
    const error = await client.assert(PING).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeAbortError);
    expect((error as StemeAbortError).cause).toBe(stop);
    expect(time.sleeps).toEqual([]);
  });
});

describe('the deadline', () => {
  it('fails at once when the next wait would pass it, naming the deadline and the last error', async () => {
    const time = fakeTime();
    const client = ctx.client({ sleep: time.sleep, now: time.now, deadlineMs: 5000 });
    ctx.emu.faults.failNext(10, 503);
    const { result, requests } = await counting(() => client.assert(PING));
    expect(time.sleeps).toEqual([2000]);
    expect(requests).toBe(2);
    expect(result).toBeInstanceOf(StemeTimeoutError);
    const error = result as StemeTimeoutError;
    expect(error.timeout).toBe('deadline');
    expect(error.timeoutMs).toBe(5000);
    expect(error.attempts).toBe(2);
    expect(error.message).toContain('deadline (deadlineMs 5000)');
    expect(error.message).toContain('503 Service Unavailable');
    expect(error.cause).toBeInstanceOf(StemeUnavailableError);
  });
});

describe('responses the SDK cannot use are not retried', () => {
  it('a 201 whose body breaks the schema is an invalid_response after one attempt', async () => {
    const server = await startRawServer((_req, res) => reply(res, 201, { id: 42 }));
    try {
      const client = ctx.client({ baseUrl: server.url });
      const error = await client.assert(PING).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StemeApiError);
      expect((error as StemeApiError).code).toBe('invalid_response');
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
