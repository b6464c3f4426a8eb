import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { RateLimiter } from '../src/rate-limit.js';
import { call, eventually } from './support/http.js';

/** The body-size limit (413) and the per-key rate limit (429 + Retry-After). */

const VALID = { subject: 's', predicate: 'p', value: '', agent_id: 'a' };
let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe('body limit', () => {
  it('accepts a body of exactly the limit', async () => {
    const base = JSON.stringify(VALID).length;
    emu = await startEmulator({ bodyLimitBytes: base + 50 });
    const body = { ...VALID, value: 'v'.repeat(50) };
    expect(JSON.stringify(body).length).toBe(base + 50);
    const res = await call(emu.url, '/v1/assert', { method: 'POST', key: emu.rootApiKey, body });
    expect(res.status).toBe(201);
  });

  it('answers 413 with an ErrorBody and closes the connection one byte over', async () => {
    const base = JSON.stringify(VALID).length;
    emu = await startEmulator({ bodyLimitBytes: base + 50 });
    const body = { ...VALID, value: 'v'.repeat(51) };
    const res = await call(emu.url, '/v1/assert', { method: 'POST', key: emu.rootApiKey, body });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(res.headers.get('connection')).toBe('close');
  });

  it('answers 413 to a chunked fetch body over the limit', async () => {
    emu = await startEmulator({ bodyLimitBytes: 1024 });
    const chunk = new TextEncoder().encode('x'.repeat(4096));
    let chunks = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (++chunks > 16) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${emu.url}/v1/assert`, {
      method: 'POST',
      headers: { 'x-api-key': emu.rootApiKey, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('answers 413 to an endless chunked body and closes the connection', async () => {
    emu = await startEmulator({ bodyLimitBytes: 1024 });
    const target = new URL(emu.url);
    const outcome = await new Promise<{ head: string; closed: boolean }>((resolve, reject) => {
      let head = '';
      let timer: NodeJS.Timeout | undefined;
      const socket = connect(Number(target.port), target.hostname, () => {
        socket.write(
          `POST /v1/assert HTTP/1.1\r\nHost: x\r\nX-API-Key: ${emu!.rootApiKey}\r\n` +
            'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
        );
        // Keep sending until the server hangs up: it must not wait for the body's end.
        timer = setInterval(() => {
          if (socket.writable) socket.write(`1000\r\n${'x'.repeat(4096)}\r\n`);
        }, 5);
      });
      socket.on('data', (d) => {
        head += d;
      });
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ head, closed: true });
      });
      socket.on('error', (err) => {
        clearInterval(timer);
        if (head) resolve({ head, closed: true });
        else reject(err);
      });
    });
    expect(outcome.head).toMatch(/^HTTP\/1\.1 413 /);
    expect(outcome.head).toMatch(/payload_too_large/);
    expect(outcome.closed).toBe(true);
  });

  it('answers 413 from the Content-Length alone, before any body byte arrives', async () => {
    emu = await startEmulator({ bodyLimitBytes: 1_048_576 });
    const target = new URL(emu.url);
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(target.port), target.hostname, () => {
        socket.write(
          `POST /v1/assert HTTP/1.1\r\nHost: x\r\nX-API-Key: ${emu!.rootApiKey}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 1048577\r\n\r\n',
        );
      });
      let data = '';
      socket.on('data', (d) => {
        data += d;
        if (data.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(data);
        }
      });
      socket.on('error', reject);
    });
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
  });
});

describe('rate limit', () => {
  it('answers 429 with an integer Retry-After once the burst is spent, then recovers', async () => {
    // One token every 2 s: the three calls never see a refill, and recovery takes at most 2 s.
    emu = await startEmulator({ rateLimit: { burst: 2, perSecond: 0.5 } });
    const get = () => call(emu!.url, '/v1/assertions', { key: emu!.rootApiKey });
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^[12]$/);
    expect(limited.json).toMatchObject({ error: { code: 'rate_limited' } });
    await eventually(async () => (await get()).status === 200);
  });

  it('keeps one bucket per key', async () => {
    emu = await startEmulator({ rateLimit: { burst: 1, perSecond: 0.01 } });
    const created = await call(emu.url, '/v1/admin/api-keys', {
      method: 'POST',
      key: emu.rootApiKey,
      body: { label: 'other', role: 'read_agent' },
    });
    const other = (created.json as { key: string }).key;
    expect((await call(emu.url, '/v1/assertions', { key: emu.rootApiKey })).status).toBe(429);
    expect((await call(emu.url, '/v1/assertions', { key: other })).status).toBe(200);
  });

  it('never limits health or metrics', async () => {
    emu = await startEmulator({ rateLimit: { burst: 1, perSecond: 0.01 } });
    for (let i = 0; i < 5; i++) {
      expect((await call(emu.url, '/v1/health')).status).toBe(200);
      expect((await call(emu.url, '/metrics')).status).toBe(200);
    }
  });

  it('is off with rateLimit: false', async () => {
    emu = await startEmulator({ rateLimit: false });
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () => call(emu!.url, '/v1/assertions', { key: emu!.rootApiKey })),
    );
    expect(new Set(statuses.map((r) => r.status))).toEqual(new Set([200]));
  });
});

describe('RateLimiter arithmetic', () => {
  const rows = [
    { given: 'a rate of 1/s with an empty bucket', perSecond: 1, want: 1 },
    { given: 'a rate of 0.4/s', perSecond: 0.4, want: 3 },
    { given: 'a rate of 1000/s (rounds up, never 0)', perSecond: 1000, want: 1 },
  ];

  it.each(rows)('gives Retry-After $want for $given', ({ perSecond, want }) => {
    const limiter = new RateLimiter({ burst: 1, perSecond }, () => 0);
    expect(limiter.take('k')).toEqual({ ok: true });
    expect(limiter.take('k')).toEqual({ ok: false, retryAfterSeconds: want });
  });

  it('refills at the configured rate up to the burst', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 3, perSecond: 2 }, () => now);
    for (let i = 0; i < 3; i++) expect(limiter.take('k').ok).toBe(true);
    expect(limiter.take('k').ok).toBe(false);
    now = 500; // one token back
    expect(limiter.take('k').ok).toBe(true);
    expect(limiter.take('k').ok).toBe(false);
    now = 60_000; // capped at the burst
    for (let i = 0; i < 3; i++) expect(limiter.take('k').ok).toBe(true);
    expect(limiter.take('k').ok).toBe(false);
  });
});
