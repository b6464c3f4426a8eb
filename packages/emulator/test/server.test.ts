import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { call } from './support/http.js';

/** startEmulator's options, the Emulator handle, and what every response carries. */

const KEY = `steme_live_${'1a'.repeat(24)}`;
const running: Emulator[] = [];
const start = async (opts: Parameters<typeof startEmulator>[0] = {}) => {
  const emu = await startEmulator(opts);
  running.push(emu);
  return emu;
};
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(running.splice(0).map((emu) => emu.close()));
});

describe('startEmulator options', () => {
  it('listens on an ephemeral loopback port by default and gives a URL without a trailing slash', async () => {
    const emu = await start();
    expect(emu.port).toBeGreaterThan(0);
    expect(emu.url).toBe(`http://127.0.0.1:${emu.port}`);
  });

  it('generates a root key in the steme_live_ format when none is given', async () => {
    vi.stubEnv('STEMEDB_ROOT_API_KEY', '');
    const emu = await start();
    expect(emu.rootApiKey).toMatch(/^steme_live_[0-9a-f]{48}$/);
  });

  it('takes the root key from STEMEDB_ROOT_API_KEY', async () => {
    vi.stubEnv('STEMEDB_ROOT_API_KEY', KEY);
    const emu = await start();
    expect(emu.rootApiKey).toBe(KEY);
    expect((await call(emu.url, '/v1/admin/api-keys', { key: KEY })).status).toBe(200);
  });

  it('prefers the rootApiKey option over the environment', async () => {
    vi.stubEnv('STEMEDB_ROOT_API_KEY', KEY);
    const other = `steme_live_${'2b'.repeat(24)}`;
    expect((await start({ rootApiKey: other })).rootApiKey).toBe(other);
  });

  it.each([
    ['a malformed root key', { rootApiKey: 'steme_live_SHOUTING' }, /rootApiKey/],
    [
      'a root key with upper-case hex',
      { rootApiKey: KEY.toUpperCase().replace('STEME_LIVE_', 'steme_live_') },
      /rootApiKey/,
    ],
    ['an unknown option', { prot: 1 }, /Unrecognized key/],
    ['a port out of range', { port: 70_000 }, /port/],
    ['a zero body limit', { bodyLimitBytes: 0 }, /bodyLimitBytes/],
    ['a rate limit with no burst', { rateLimit: { burst: 0, perSecond: 1 } }, /rateLimit/],
  ])('rejects %s without echoing the value', async (_name, options, message) => {
    const attempt = startEmulator(options as never);
    await expect(attempt).rejects.toThrow(message);
    const err = await attempt.catch((e: Error) => e);
    if ('rootApiKey' in options) expect(String(err)).not.toContain(options.rootApiKey);
  });

  it('rejects a malformed STEMEDB_ROOT_API_KEY without echoing it', async () => {
    vi.stubEnv('STEMEDB_ROOT_API_KEY', 'steme_live_nothex');
    const err = await startEmulator().catch((e: Error) => e);
    expect(String(err)).toMatch(/STEMEDB_ROOT_API_KEY/);
    expect(String(err)).not.toContain('nothex');
  });
});

describe('every response', () => {
  it.each([
    ['a 200', '/v1/health', 'GET', 200],
    ['a 401', '/v1/assertions', 'GET', 401],
    ['a 404 for an unknown path', '/v2/health', 'GET', 404],
    ['a 404 for a trailing slash', '/v1/health/', 'GET', 404],
    ['a 405 for a wrong method', '/v1/health', 'POST', 405],
  ])('carries X-Request-Id on %s', async (_name, path, method, status) => {
    const emu = await start();
    const res = await call(emu.url, path, { method });
    expect(res.status).toBe(status);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    if (status >= 400) expect(res.json).toMatchObject({ error: { code: expect.any(String) } });
  });

  it('carries a different X-Request-Id each time', async () => {
    const emu = await start();
    const ids = await Promise.all(
      [1, 2, 3].map(async () => (await call(emu.url, '/v1/health')).headers.get('x-request-id')),
    );
    expect(new Set(ids).size).toBe(3);
  });

  it('names the allowed methods on a 405', async () => {
    const emu = await start();
    const res = await call(emu.url, '/v1/admin/api-keys', { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, GET');
  });
});

describe('requests()', () => {
  it('records every request in order with method, path, status, time and key hash only', async () => {
    const emu = await start();
    await call(emu.url, '/v1/health');
    await call(emu.url, '/v1/assertions?limit=1', { key: emu.rootApiKey });
    await call(emu.url, '/v1/assertions', { key: 'wrong' });
    const seen = emu.requests();
    expect(seen.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
      { method: 'GET', path: '/v1/health', status: 200 },
      { method: 'GET', path: '/v1/assertions', status: 200 },
      { method: 'GET', path: '/v1/assertions', status: 401 },
    ]);
    expect(seen[0]!.at).toBeInstanceOf(Date);
    expect(seen[0]!.keyHash).toBeUndefined();
    expect(seen[1]!.keyHash).toBe(createHash('sha256').update(emu.rootApiKey).digest('hex'));
    expect(JSON.stringify(seen)).not.toContain(emu.rootApiKey);
    expect(JSON.stringify(seen)).not.toContain('wrong');
  });

  it('returns a copy the caller cannot change', async () => {
    const emu = await start();
    await call(emu.url, '/v1/health');
    emu.requests().pop();
    expect(emu.requests()).toHaveLength(1);
  });
});

describe('close()', () => {
  it('is idempotent', async () => {
    const emu = await start();
    await Promise.all([emu.close(), emu.close()]);
    await emu.close();
  });

  it('destroys idle keep-alive sockets instead of waiting for them', async () => {
    const emu = await start();
    // The whole response first, so the socket is idle in the agent's keep-alive pool (not
    // mid-response) when close() runs, however slow the machine.
    const socket = await new Promise<Socket>((resolve, reject) => {
      const req = request(
        `${emu.url}/v1/health`,
        { agent: new Agent({ keepAlive: true }) },
        (res) => {
          res.resume();
          res.on('end', () => resolve(req.socket as Socket));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(socket.destroyed).toBe(false);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await emu.close();
    await closed;
  });

  it('frees the port', async () => {
    const emu = await start();
    await emu.close();
    const again = await start({ port: emu.port });
    expect(again.port).toBe(emu.port);
  });
});
