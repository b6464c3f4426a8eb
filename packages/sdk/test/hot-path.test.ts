/**
 * The fast paths added for the benchmark (issue #4) behave like the slow ones they skip: the
 * request target built from strings, the shared header objects, the first attempt made outside
 * p-retry, and the attempt limits fired by the shared sweep instead of a timer per attempt.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AttemptAbort, AttemptTimers, SWEEP_MS } from '../src/attempt-abort.js';
import {
  StemeAbortError,
  StemeClient,
  type StemeClientOptions,
  StemeTimeoutError,
  StemeUnavailableError,
} from '../src/index.js';
import { PING } from './support/emulator.js';
import { fakeTime } from './support/fake-time.js';
import { type Handler, type RawServer, reply, startRawServer } from './support/raw-server.js';

const KEY_A = `steme_live_${'a'.repeat(48)}`;
const KEY_B = `steme_live_${'b'.repeat(48)}`;
const ACCEPTED = { id: 'a1', accepted_at: '2026-01-01T00:00:00Z' };

const servers: RawServer[] = [];
const clients: StemeClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Handler): Promise<RawServer> {
  const server = await startRawServer(handler);
  servers.push(server);
  return server;
}

function client(server: RawServer, options: Partial<StemeClientOptions> = {}): StemeClient {
  const c = new StemeClient({ baseUrl: server.url, apiKey: KEY_A, ...options });
  clients.push(c);
  return c;
}

const ok: Handler = (req, res) => {
  if (req.url.includes('/assertions')) reply(res, 200, { items: [], next_cursor: null });
  else if (req.url.endsWith('/health')) reply(res, 200, { status: 'ok' });
  else reply(res, 201, ACCEPTED);
};

describe('the request target, built without new URL', () => {
  it('keeps the base path and never carries a query into the next call', async () => {
    const server = await serve(ok);
    const c = client(server, { baseUrl: `${server.url}/api/` });
    await c.listAssertions({ subject: 'a b&c', limit: 5 });
    await c.listAssertions();
    await c.health();
    await c.listAssertions({ predicate: 'p' });
    expect(server.seen.map((r) => r.url)).toEqual([
      '/api/v1/assertions?subject=a+b%26c&limit=5',
      '/api/v1/assertions',
      '/api/v1/health',
      '/api/v1/assertions?predicate=p',
    ]);
  });
});

describe('the headers, built once per client', () => {
  it('sends each client its own key, and the key and content type only where they belong', async () => {
    const server = await serve(ok);
    await client(server).assert(PING);
    await client(server, { apiKey: KEY_B, userAgent: 'ua-b' }).assert(PING);
    await client(server).health();
    const pick = (i: number) => {
      const h = server.seen[i]?.headers ?? {};
      return [h['x-api-key'], h['content-type'], h.accept, h['user-agent']];
    };
    expect(pick(0)).toEqual([KEY_A, 'application/json', 'application/json', expect.any(String)]);
    expect(pick(1)).toEqual([KEY_B, 'application/json', 'application/json', 'ua-b']);
    expect(pick(2)).toEqual([undefined, undefined, 'application/json', expect.any(String)]);
  });
});

describe('the first attempt, made outside p-retry', () => {
  it('a success is one request and one attempt, with no wait', async () => {
    const server = await serve(ok);
    const time = fakeTime();
    const onRetry = vi.fn();
    await client(server, { sleep: time.sleep, now: time.now, retry: { onRetry } }).assert(PING);
    expect(server.seen).toHaveLength(1);
    expect(onRetry).not.toHaveBeenCalled();
    expect(time.sleeps).toEqual([]);
  });

  it('a failed first attempt still counts as attempt 1 of the schedule', async () => {
    let n = 0;
    const server = await serve((req, res, raw) =>
      n++ < 2 ? reply(res, 503, '') : ok(req, res, raw),
    );
    const time = fakeTime();
    const attempts: number[] = [];
    const c = client(server, {
      sleep: time.sleep,
      now: time.now,
      retry: { onRetry: (info) => void attempts.push(info.attempt) },
    });
    await c.assert(PING);
    expect(attempts).toEqual([1, 2]);
    expect(time.sleeps).toEqual([2000, 4000]);
    expect(server.seen).toHaveLength(3);
  });

  it('gives up after four attempts in all, counting the first', async () => {
    const server = await serve((_req, res) => reply(res, 503, ''));
    const time = fakeTime();
    const c = client(server, { sleep: time.sleep, now: time.now });
    const error = await c.assert(PING).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeUnavailableError);
    expect((error as StemeUnavailableError).attempts).toBe(4);
    expect(server.seen).toHaveLength(4);
  });

  it('with retry: false, a failure is one attempt', async () => {
    const server = await serve((_req, res) => reply(res, 503, ''));
    const error = await client(server, { retry: false })
      .assert(PING)
      .catch((e: unknown) => e);
    expect((error as StemeUnavailableError).attempts).toBe(1);
    expect(server.seen).toHaveLength(1);
  });
});

// Limits of 1 s and more are watched by the shared sweep, shorter ones by a native timer.
describe('attempt limits fired by the shared sweep', () => {
  const slow: Handler = (_req, res) => void setTimeout(() => reply(res, 201, ACCEPTED), 1600);

  it('an attempt timeout of 1 s fires as attempt, naming itself', async () => {
    const server = await serve(slow);
    const started = Date.now();
    const error = await client(server, { timeoutMs: 1000 })
      .assert(PING)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeTimeoutError);
    expect((error as Error).message).toBe(
      'POST /v1/assert: attempt timeout (timeoutMs 1000) fired',
    );
    expect(Date.now() - started).toBeLessThan(1000 + 10 * SWEEP_MS);
  });

  it('a deadline of 1 s fires as deadline, naming itself', async () => {
    const server = await serve(slow);
    const error = await client(server, { timeoutMs: 10_000, deadlineMs: 1000 })
      .health()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeTimeoutError);
    expect((error as StemeTimeoutError).timeout).toBe('deadline');
    expect((error as Error).message).toBe('GET /v1/health: deadline (deadlineMs 1000) reached');
  });
});

describe('limits and aborts while the body arrives', () => {
  // Headers and half a body, then silence: a chunked body, so the streaming read is used.
  const stall: Handler = (_req, res) => {
    res.writeHead(201, { 'content-type': 'application/json' });
    res.write('{"id":');
  };

  it('an attempt timeout during the body fires as attempt', async () => {
    const server = await serve(stall);
    const error = await client(server, { timeoutMs: 100 })
      .assert(PING)
      .catch((e: unknown) => e);
    expect((error as StemeTimeoutError).timeout).toBe('attempt');
  });

  it("the caller's signal during the body aborts the call", async () => {
    const server = await serve(stall);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await client(server)
      .assert(PING, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeAbortError);
  });

  it('a chunked success body (no content-length) is read whole', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.write('{"id":"a1",');
      res.end('"accepted_at":"2026-01-01T00:00:00Z"}');
    });
    await expect(client(server).assert(PING)).resolves.toEqual(ACCEPTED);
  });
});

describe('AttemptTimers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires a long limit once, as its kind, and stops sweeping when nothing is in flight', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'performance'] });
    const timers = new AttemptTimers();
    const abort = new AttemptAbort();
    const listener = vi.fn();
    abort.once('abort', listener);
    timers.start(abort, 5000, 'deadline');
    vi.advanceTimersByTime(4900);
    expect(abort.aborted).toBe(false);
    vi.advanceTimersByTime(200);
    expect([abort.kind, listener.mock.calls.length]).toEqual(['deadline', 1]);
    vi.advanceTimersByTime(10 * SWEEP_MS);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('forgets a stopped attempt, and a removed listener is not called', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'performance'] });
    const timers = new AttemptTimers();
    const abort = new AttemptAbort();
    const listener = vi.fn();
    abort.once('abort', listener);
    abort.removeListener('abort', listener);
    const timer = timers.start(abort, 2000, 'attempt');
    timers.stop(abort, timer);
    vi.advanceTimersByTime(5000);
    expect(abort.aborted).toBe(false);
    abort.fire('user');
    expect([abort.kind, listener.mock.calls.length]).toEqual(['user', 0]);
    timers.close();
  });
});
