import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../src/body.js';
import { type Emulator, startEmulator } from '../src/index.js';
import { MAX_RECORDED_PATH_LENGTH } from '../src/pipeline.js';
import { RateLimiter, SWEEP_THRESHOLD } from '../src/rate-limit.js';
import { newKey, removeTempDirs, tempDir } from './support/data-dir.js';
import { call } from './support/http.js';

/** Issue 11, items 9–13: what hostile or careless clients found. */

const running: Emulator[] = [];
const start = async (opts: Parameters<typeof startEmulator>[0] = {}) => {
  const emu = await startEmulator(opts);
  running.push(emu);
  return emu;
};
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
  await removeTempDirs();
});

/** POSTs `size` bytes with node:http on a fresh connection; the status, or the error code. */
function postLarge(emu: Emulator, size: number, chunked: boolean): Promise<number | string> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'x-api-key': emu.rootApiKey,
    };
    if (!chunked) headers['content-length'] = size;
    const req = httpRequest(
      `${emu.url}/v1/assert`,
      { method: 'POST', agent: false, headers },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () =>
          resolve(text.includes('payload_too_large') ? (res.statusCode ?? 0) : `body ${text}`),
        );
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'UNKNOWN'));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/**
 * Sends a whole over-limit body on a raw socket and reads only once its last byte is written,
 * as a client that finishes its request before it looks at the answer does. Before the fix the
 * server closed with unread data, the kernel answered RST, and this got EPIPE 6 times in 6.
 */
function writeThenRead(emu: Emulator, size: number, chunked: boolean): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(emu.url).port), '127.0.0.1');
    socket.pause();
    let data = '';
    socket.on('data', (d) => {
      data += d;
    });
    const settle = (fallback: string) => resolve(data ? data.split('\r\n')[0]! : fallback);
    socket.on('error', (err: NodeJS.ErrnoException) => settle(err.code ?? 'UNKNOWN'));
    socket.on('end', () => settle('closed without an answer'));
    const framing = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`;
    socket.write(
      `POST /v1/assert HTTP/1.1\r\nHost: x\r\nX-API-Key: ${emu.rootApiKey}\r\n` +
        `Content-Type: application/json\r\n${framing}\r\n\r\n`,
    );
    const body = Buffer.alloc(size, 0x20);
    const framed = chunked
      ? Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')])
      : body;
    socket.write(framed, () => socket.resume());
  });
}

describe('item 9: a 413 the client can read', () => {
  it.each([
    { mib: 4, chunked: false },
    { mib: 16, chunked: false },
    { mib: 4, chunked: true },
    { mib: 16, chunked: true },
  ])(
    'a client that writes $mib MiB (chunked: $chunked) before reading gets the 413',
    async ({ mib, chunked }) => {
      const emu = await start({ rateLimit: false });
      const outcomes: string[] = [];
      for (let run = 0; run < 3; run++)
        outcomes.push(await writeThenRead(emu, mib * 1024 * 1024, chunked));
      expect(outcomes).toEqual(Array(3).fill('HTTP/1.1 413 Payload Too Large'));
    },
  );

  const cases = [4, 16].flatMap((mib) => [
    { mib, chunked: false },
    { mib, chunked: true },
  ]);
  it.each(cases)(
    'node:http posting $mib MiB (chunked: $chunked) reads the 413, 5 times out of 5',
    async ({ mib, chunked }) => {
      const emu = await start({ rateLimit: false });
      const outcomes: (number | string)[] = [];
      for (let run = 0; run < 5; run++)
        outcomes.push(await postLarge(emu, mib * 1024 * 1024, chunked));
      expect(outcomes).toEqual([413, 413, 413, 413, 413]);
    },
  );

  it('undici (fetch) posting 8 MiB reads the 413', async () => {
    const emu = await start({ rateLimit: false });
    const res = await fetch(`${emu.url}/v1/assert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': emu.rootApiKey },
      body: Buffer.alloc(8 * 1024 * 1024, 0x20),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });
});

describe('item 10: deep JSON', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  it.each([
    { depth: 100_000, status: 400 },
    { depth: MAX_JSON_DEPTH, status: 201 },
  ])('a value nested $depth levels deep is $status', async ({ depth, status }) => {
    const emu = await start({ rateLimit: false });
    const res = await call(emu.url, '/v1/assert', {
      method: 'POST',
      key: emu.rootApiKey,
      // The body object itself is one level, so the value may nest one level less.
      rawBody: `{"subject":"s","predicate":"p","agent_id":"a","value":${nested(depth - 1)}}`,
    });
    expect(res.status).toBe(status);
    if (status === 400) {
      expect(res.json).toMatchObject({
        error: {
          code: 'invalid_request',
          message: expect.stringContaining(`${MAX_JSON_DEPTH} levels`),
        },
      });
    }
  });

  it('does not count brackets inside strings', async () => {
    const emu = await start({ rateLimit: false });
    const value = JSON.stringify(`[{\\"${'['.repeat(500)}`);
    const res = await call(emu.url, '/v1/assert', {
      method: 'POST',
      key: emu.rootApiKey,
      rawBody: `{"subject":"s","predicate":"p","agent_id":"a","value":${value}}`,
    });
    expect(res.status).toBe(201);
  });
});

describe('item 11: __proto__ in a value', () => {
  it('is stored and served as sent, also after a restart', async () => {
    const dataDir = await tempDir();
    const rootApiKey = newKey();
    const raw = '{"__proto__":{"polluted":true},"plain":1}';
    const first = await start({ dataDir, rootApiKey, rateLimit: false });
    const res = await call(first.url, '/v1/assert', {
      method: 'POST',
      key: rootApiKey,
      rawBody: `{"subject":"s","predicate":"p","agent_id":"a","value":${raw}}`,
    });
    expect(res.status).toBe(201);
    const served = async (emu: Emulator) => {
      const page = await call(emu.url, '/v1/assertions', { key: rootApiKey });
      return JSON.stringify(
        (JSON.parse(page.text) as { items: { value: unknown }[] }).items[0]!.value,
      );
    };
    expect(await served(first)).toBe(raw);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await first.close();
    const second = await start({ dataDir, rootApiKey, rateLimit: false });
    expect(await served(second)).toBe(raw);
  });
});

describe('item 12: requests() bounded in bytes', () => {
  it('keeps at most the first 1,024 characters of each path', async () => {
    const emu = await start({ rateLimit: false });
    const long = `/v1/${'x'.repeat(15_000)}`;
    for (let i = 0; i < 20; i++) await call(emu.url, long, { key: newKey() });
    await call(emu.url, '/v1/health');
    const seen = emu.requests();
    expect(seen).toHaveLength(21);
    for (const request of seen.slice(0, 20)) {
      expect(request.path).toBe(`${long.slice(0, MAX_RECORDED_PATH_LENGTH)}…`);
      expect(request.status).toBe(404);
    }
    expect(seen[20]!.path).toBe('/v1/health');
  });
});

describe('item 13: rate limit with auth off', () => {
  it('gives one bucket per client, whatever junk keys it sends', async () => {
    const emu = await start({ auth: false, rateLimit: { burst: 2, perSecond: 0.01 } });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      statuses.push((await call(emu.url, '/v1/assertions', { key: `junk-${i}` })).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 429)).toHaveLength(28);
  });

  it('still gives each key its own bucket with auth on (the near miss)', async () => {
    // Burst 2: the root key creates the two keys, each key then spends its own first token.
    const emu = await start({ rateLimit: { burst: 2, perSecond: 0.01 } });
    const keys: string[] = [];
    for (const label of ['a', 'b']) {
      const res = await call(emu.url, '/v1/admin/api-keys', {
        method: 'POST',
        key: emu.rootApiKey,
        body: { label, role: 'read_agent' },
      });
      keys.push((res.json as { key: string }).key);
    }
    for (const key of keys)
      expect((await call(emu.url, '/v1/assertions', { key })).status).toBe(200);
  });

  it('drops buckets that have refilled, so memory follows recent callers', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 2, perSecond: 1 }, () => now);
    for (let i = 0; i < SWEEP_THRESHOLD * 3; i++) limiter.take(`id-${i}`);
    expect(limiter.size).toBeGreaterThanOrEqual(SWEEP_THRESHOLD);
    now += 2_000; // every bucket is full again
    for (let i = 0; i < SWEEP_THRESHOLD; i++) limiter.take(`late-${i}`);
    expect(limiter.size).toBeLessThanOrEqual(SWEEP_THRESHOLD);
    // A bucket still refilling is kept: its caller stays limited.
    const busy = new RateLimiter({ burst: 1, perSecond: 0.001 }, () => now);
    busy.take('busy');
    for (let i = 0; i < SWEEP_THRESHOLD * 2; i++) busy.take(`other-${i}`);
    expect(busy.take('busy').ok).toBe(false);
  });
});
