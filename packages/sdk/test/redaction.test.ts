/**
 * Secrets never leak (practice 2): every error and the client are serialised every way a
 * program or a logger might, and the output is searched for the key.
 */
import { Console } from 'node:console';
import { PassThrough } from 'node:stream';
import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  generateApiKey,
  hashApiKey,
  type RetryInfo,
  StemeClient,
  StemeError,
} from '../src/index.js';
import { PING, useEmulator } from './support/emulator.js';
import { fakeTime } from './support/fake-time.js';
import { reply, startRawServer } from './support/raw-server.js';

const ctx = useEmulator({ rateLimit: false });

/** Everything a program or a logger might turn `value` into. */
function renderings(value: unknown): string[] {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const logger = new Console({ stdout: out, stderr: out });
  logger.log(value);
  logger.error('failed:', value);
  logger.dir(value, { depth: null });
  return [
    JSON.stringify(value) ?? '',
    JSON.stringify({ wrapped: value }),
    String(value),
    `${value}`,
    inspect(value),
    inspect(value, { depth: null, showHidden: true }),
    inspect(value, { depth: null, showHidden: true, customInspect: false }),
    format('%s %o %O %j', value, value, value, value),
    value instanceof Error ? (value.stack ?? '') : '',
    value instanceof Error ? format(value.cause) : '',
    Object.values(value as object)
      .map((v) => format(v))
      .join(' '),
    chunks.join(''),
  ];
}

/** Asserts that no rendering of `value` holds `key`, nor the random part of it. */
function expectNoKey(value: unknown, key: string): void {
  const secret = key.slice('steme_live_'.length);
  for (const text of renderings(value)) {
    expect(text).not.toContain(key);
    expect(text).not.toContain(secret.slice(0, 24));
    expect(text).not.toContain(secret.slice(24));
  }
}

describe('the client', () => {
  it('never shows its key, however it is printed', () => {
    const key = generateApiKey();
    const client = new StemeClient({ baseUrl: 'https://stemedb.example.com', apiKey: key });
    expectNoKey(client, key);
    expectNoKey(client.admin, key);
    expect(client.toJSON().apiKey).toBe('[redacted]');
    return client.close();
  });
});

describe('errors', () => {
  it('a 401 for a revoked key does not show the key', async () => {
    const created = await ctx
      .client()
      .admin.createApiKey({ label: 'leak-401', role: 'write_agent' });
    await ctx.client().admin.revokeApiKey(created.hash);
    const error = await ctx
      .client({ apiKey: created.key })
      .assert(PING)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeError);
    expectNoKey(error, created.key);
  });

  it('a server that echoes the key in its body and headers does not make it show', async () => {
    const key = generateApiKey();
    const server = await startRawServer((req, res) => {
      const echoed = String(req.headers['x-api-key']);
      reply(
        res,
        400,
        { error: { code: echoed, message: `bad key ${echoed}` } },
        {
          'x-request-id': echoed,
        },
      );
    });
    try {
      const error = await ctx
        .client({ baseUrl: server.url, apiKey: key })
        .assert(PING)
        .catch((e) => e);
      expect(error).toBeInstanceOf(StemeError);
      expect(error.message).toContain('steme_live_[redacted]');
      expectNoKey(error, key);
    } finally {
      await server.close();
    }
  });

  it('an HTML error page that quotes the key does not make it show', async () => {
    const key = generateApiKey();
    const server = await startRawServer((req, res) =>
      reply(
        res,
        502,
        `<html><title>Bad Gateway</title><pre>${String(req.headers['x-api-key'])}</pre></html>`,
        {
          'content-type': 'text/html',
        },
      ),
    );
    try {
      const time = fakeTime();
      const infos: RetryInfo[] = [];
      const client = ctx.client({
        baseUrl: server.url,
        apiKey: key,
        sleep: time.sleep,
        now: time.now,
        retry: { onRetry: (info) => void infos.push(info) },
      });
      const error = await client.assert(PING).catch((e: unknown) => e);
      expectNoKey(error, key);
      expect(infos).toHaveLength(3);
      expectNoKey(infos, key);
    } finally {
      await server.close();
    }
  });

  it('an invalid answer to a key request does not show the issued key', async () => {
    const issued = generateApiKey();
    const server = await startRawServer((_req, res) =>
      reply(res, 201, {
        key: issued,
        hash: 'not-a-hash',
        label: 'x',
        role: 'admin',
        created_at: 'now',
      }),
    );
    try {
      const client = ctx.client({ baseUrl: server.url });
      const error = await client.admin
        .createApiKey({ label: 'x', role: 'admin' })
        .catch((e: unknown) => e);
      expect((error as StemeError).code).toBe('invalid_response');
      expectNoKey(error, issued);
    } finally {
      await server.close();
    }
  });

  it('network and timeout errors do not show the key', async () => {
    const key = generateApiKey();
    ctx.emu.faults.outage({ ms: 60_000, mode: 'reset' });
    const reset = await ctx
      .client({ apiKey: key, retry: false })
      .health()
      .catch((e: unknown) => e);
    ctx.emu.faults.clear();
    ctx.emu.faults.latency(300);
    const timeout = await ctx
      .client({ apiKey: key, retry: false, timeoutMs: 20 })
      .assert(PING)
      .catch((e: unknown) => e);
    expectNoKey(reset, key);
    expectNoKey(timeout, key);
  });

  it('option errors about a malformed key do not show it', () => {
    const key = generateApiKey();
    for (const apiKey of [key.toUpperCase(), `${key} `, key.slice(0, -1), `Bearer ${key}`]) {
      let thrown: unknown;
      try {
        new StemeClient({ baseUrl: 'https://stemedb.example.com', apiKey });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(StemeError);
      expectNoKey(thrown, key);
      expectNoKey(thrown, key.toUpperCase().replace('STEME_LIVE_', 'steme_live_'));
    }
  });

  it('passing a key where its hash belongs does not show it', async () => {
    const key = generateApiKey();
    const error = await ctx
      .client()
      .admin.rotateApiKey(key)
      .catch((e: unknown) => e);
    expectNoKey(error, key);
    const hashError = (() => {
      try {
        hashApiKey(`${key}0`);
      } catch (e) {
        return e;
      }
    })();
    expectNoKey(hashError, key);
  });

  it('assertMany outcomes do not show the key', async () => {
    const key = generateApiKey();
    const results = await ctx.client({ apiKey: key }).assertMany([PING, { ...PING, subject: '' }]);
    expect(results.every((r) => !r.ok)).toBe(true);
    expectNoKey(results, key);
  });
});
