import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { call, eventually, networkErrorCode, rawGet } from './support/http.js';

/** Fault injection: outages (502, 503, refuse, reset), failNext and latency. */

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.close());

describe('outage: refuse', () => {
  it('refuses connections during the window, then serves again on the same port', async () => {
    const port = emu.port;
    emu.faults.outage({ ms: 300, mode: 'refuse' });
    expect(await rawGet(emu.url)).toBe('ECONNREFUSED');
    expect(await networkErrorCode(fetch(`${emu.url}/v1/health`))).toMatch(
      /ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET/,
    );
    await eventually(async () => (await rawGet(emu.url)) === 200);
    expect(emu.port).toBe(port);
    expect(new URL(emu.url).port).toBe(String(port));
  });

  it('drops open keep-alive connections when the window starts', async () => {
    expect((await call(emu.url, '/v1/health')).status).toBe(200); // leaves a pooled socket
    emu.faults.outage({ ms: 60_000, mode: 'refuse' });
    const code = await networkErrorCode(fetch(`${emu.url}/v1/health`));
    expect(code).toMatch(/ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET/);
  });

  it('listens again at once on clear()', async () => {
    emu.faults.outage({ ms: 60_000, mode: 'refuse' });
    expect(await rawGet(emu.url)).toBe('ECONNREFUSED');
    emu.faults.clear();
    await eventually(async () => (await rawGet(emu.url)) === 200);
  });

  it('lets close() finish during the window without listening again', async () => {
    emu.faults.outage({ ms: 50, mode: 'refuse' });
    await emu.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await rawGet(emu.url)).toBe('ECONNREFUSED');
  });
});

describe('outage: reset', () => {
  it('resets connections before any response, records status 0, then recovers', async () => {
    emu.faults.outage({ ms: 300, mode: 'reset' });
    expect(await rawGet(emu.url)).toBe('ECONNRESET');
    expect(await networkErrorCode(fetch(`${emu.url}/v1/health`))).toMatch(
      /ECONNRESET|UND_ERR_SOCKET/,
    );
    expect(emu.requests().at(-1)).toMatchObject({ path: '/v1/health', status: 0 });
    await eventually(async () => (await rawGet(emu.url)) === 200);
  });
});

describe('outage: 502 and 503', () => {
  const rows = [
    { mode: 502 as const, retryAfterSeconds: undefined, body: 'Bad Gateway', retryAfter: null },
    {
      mode: 503 as const,
      retryAfterSeconds: undefined,
      body: 'Service Unavailable',
      retryAfter: null,
    },
    { mode: 503 as const, retryAfterSeconds: 7, body: 'Service Unavailable', retryAfter: '7' },
  ];

  it.each(rows)(
    '$mode with Retry-After $retryAfterSeconds answers like Traefik on every path',
    async ({ mode, retryAfterSeconds, body, retryAfter }) => {
      emu.faults.outage({ ms: 60_000, mode, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) });
      for (const path of ['/v1/health', '/metrics', '/v1/assertions', '/nowhere']) {
        const res = await call(emu.url, path, { key: emu.rootApiKey });
        expect(res.status).toBe(mode);
        expect(res.text).toBe(body);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(res.headers.get('retry-after')).toBe(retryAfter);
      }
    },
  );

  it('ends by itself when the window is over', async () => {
    emu.faults.outage({ ms: 100, mode: 503 });
    expect((await call(emu.url, '/v1/health')).status).toBe(503);
    await eventually(async () => (await call(emu.url, '/v1/health')).status === 200);
  });

  it('is replaced by a newer outage', async () => {
    emu.faults.outage({ ms: 60_000, mode: 'refuse' });
    emu.faults.outage({ ms: 60_000, mode: 502 });
    await eventually(async () => (await rawGet(emu.url)) === 502);
  });
});

describe('failNext', () => {
  it('fails exactly the next n requests on any path, then serves normally', async () => {
    emu.faults.failNext(2, 503, { retryAfterSeconds: 1 });
    const first = await call(emu.url, '/v1/health');
    const second = await call(emu.url, '/v1/assertions', { key: emu.rootApiKey });
    const third = await call(emu.url, '/v1/health');
    expect([first.status, second.status, third.status]).toEqual([503, 503, 200]);
    expect(first.headers.get('retry-after')).toBe('1');
  });

  it.each([
    { status: 500, code: 'internal' },
    { status: 429, code: 'rate_limited' },
    { status: 401, code: 'unauthorized' },
  ])('answers $status with an ErrorBody by default', async ({ status, code }) => {
    emu.faults.failNext(1, status);
    const res = await call(emu.url, '/v1/health');
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ error: { code } });
  });

  it('sends a given body and content type, e.g. an HTML error page', async () => {
    const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    emu.faults.failNext(1, 502, { body: html, contentType: 'text/html' });
    const res = await call(emu.url, '/v1/health');
    expect(res.status).toBe(502);
    expect(res.text).toBe(html);
    expect(res.headers.get('content-type')).toBe('text/html');
  });

  it('is cancelled by failNext(0) and by clear()', async () => {
    emu.faults.failNext(5, 502);
    emu.faults.failNext(0, 502);
    expect((await call(emu.url, '/v1/health')).status).toBe(200);
    emu.faults.failNext(5, 502);
    emu.faults.clear();
    expect((await call(emu.url, '/v1/health')).status).toBe(200);
  });
});

describe('latency', () => {
  it('delays every response by at least the given time', async () => {
    emu.faults.latency(150);
    const started = performance.now();
    expect((await call(emu.url, '/v1/health')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('is cleared by latency(0)', async () => {
    emu.faults.latency(20_000);
    emu.faults.latency(0);
    // Were the delay still there, this would abort; the margin is wide enough never to flake.
    const res = await fetch(`${emu.url}/v1/health`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    await res.body?.cancel();
  });
});

describe('argument checks', () => {
  it.each([
    ['outage with ms 0', () => emu.faults.outage({ ms: 0, mode: 503 })],
    ['outage with an unknown mode', () => emu.faults.outage({ ms: 10, mode: 504 as never })],
    [
      'outage with a fractional Retry-After',
      () => emu.faults.outage({ ms: 10, mode: 503, retryAfterSeconds: 1.5 }),
    ],
    ['failNext with a negative count', () => emu.faults.failNext(-1, 503)],
    ['failNext with status 99', () => emu.faults.failNext(1, 99)],
    ['latency of -1', () => emu.faults.latency(-1)],
    ['latency of NaN', () => emu.faults.latency(Number.NaN)],
  ])('%s throws a RangeError', (_name, act) => {
    expect(act).toThrow(RangeError);
  });
});
