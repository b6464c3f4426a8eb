/**
 * What a real server can send that the emulator does not: odd bodies, broken JSON, huge
 * answers, HTML where JSON belongs. A plain node:http server on port 0 plays that server.
 */
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateApiKey,
  MAX_RESPONSE_BYTES,
  StemeAbortError,
  StemeApiError,
  StemeClient,
  type StemeClientOptions,
  type StemeError,
  StemeTimeoutError,
  StemeUnavailableError,
  StemeValidationError,
} from '../src/index.js';
import { PING } from './support/emulator.js';
import { type Handler, type RawServer, reply, startRawServer } from './support/raw-server.js';

let server: RawServer | undefined;
const clients: StemeClient[] = [];
const dispatchers: Agent[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(dispatchers.splice(0).map((d) => d.close()));
  await server?.close();
  server = undefined;
});

async function serve(handler: Handler, options: Partial<StemeClientOptions> = {}) {
  server = await startRawServer(handler);
  const client = new StemeClient({ baseUrl: server.url, retry: false, ...options });
  clients.push(client);
  return { server, client };
}

function oneConnection(): Agent {
  const agent = new Agent({ connections: 1 });
  dispatchers.push(agent);
  return agent;
}

const ASSERTED = { id: 'a1', accepted_at: '2026-01-01T00:00:00Z' };

describe('unusable success bodies are readable invalid_response errors', () => {
  it.each([
    {
      what: 'HTML',
      body: '<html><body>Welcome to nginx</body></html>',
      type: 'text/html',
      want: 'the body is not JSON',
    },
    {
      what: 'truncated JSON',
      body: '{"id":"a1","accepted_',
      type: 'application/json',
      want: 'the body is not JSON',
    },
    { what: 'an empty body', body: '', type: 'application/json', want: 'the body is empty' },
    { what: 'a missing field', body: '{"id":"a1"}', type: 'application/json', want: 'accepted_at' },
    {
      what: 'a wrong type',
      body: '{"id":7,"accepted_at":"2026-01-01T00:00:00Z"}',
      type: 'application/json',
      want: 'id',
    },
    {
      what: 'a date that is not RFC 3339',
      body: '{"id":"a","accepted_at":"yesterday"}',
      type: 'application/json',
      want: 'accepted_at',
    },
  ])('$what in a 201', async ({ body, type, want }) => {
    const { client } = await serve((_req, res) => reply(res, 201, body, { 'content-type': type }));
    const error = await client.assert(PING).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeApiError);
    expect((error as StemeApiError).code).toBe('invalid_response');
    expect((error as StemeApiError).status).toBe(201);
    expect((error as Error).message).toContain(want);
    expect((error as Error).message).not.toContain('\n');
  });

  it('a body over MAX_RESPONSE_BYTES is refused, not buffered without end', async () => {
    const { client } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i <= MAX_RESPONSE_BYTES / chunk.length; i++) res.write(chunk);
      res.end('{}');
    });
    const error = await client.listAssertions().catch((e: unknown) => e);
    expect((error as StemeApiError).code).toBe('invalid_response');
    expect((error as Error).message).toContain(`over ${MAX_RESPONSE_BYTES} bytes`);
  });

  it('extra fields in a response are dropped, not refused', async () => {
    const { client } = await serve((_req, res) => reply(res, 200, { ...ASSERTED, shard: 3 }));
    await expect(client.assert(PING)).resolves.toEqual(ASSERTED);
  });

  it('a 200 from a proxy page on /metrics is not Prometheus text', async () => {
    const page = '<html><head><title>Login</title></head></html>';
    const { client } = await serve((_req, res) =>
      reply(res, 200, page, { 'content-type': 'text/html' }),
    );
    const error = await client.metrics().catch((e: unknown) => e);
    expect((error as StemeApiError).code).toBe('invalid_response');
    expect((error as Error).message).toContain('not Prometheus text: line 1');
  });

  it('a repeated cursor stops iteration instead of looping for ever', async () => {
    const { client } = await serve((_req, res) =>
      reply(res, 200, { items: [], next_cursor: 'same' }),
    );
    const iterate = async () => {
      for await (const _ of client.iterateAssertions()) {
        // nothing
      }
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'invalid_response' });
  });
});

describe('health', () => {
  it.each([
    { body: '<html>OK</html>', type: 'text/html' },
    { body: '', type: 'text/plain' },
    { body: '{"status":"degraded","extra":1}', type: 'application/json' },
  ])('any 200 is healthy, whatever its body ($body)', async ({ body, type }) => {
    const { client } = await serve((_req, res) => reply(res, 200, body, { 'content-type': type }));
    await expect(client.health()).resolves.toBeTypeOf('object');
  });
});

// With one connection allowed, an unread body would hold the socket and hang the next call.
describe('error bodies are read to the end, so the one connection is free again', () => {
  // An unread body would hang the next call: a short timeout makes that a quick failure.
  it('twenty error answers in a row travel over one connection', { timeout: 10_000 }, async () => {
    // Large enough that undici cannot buffer it all: the SDK must read it.
    const body = JSON.stringify({
      error: { code: 'invalid_request', message: 'x'.repeat(300_000) },
    });
    const { server, client } = await serve((_req, res) => reply(res, 400, body), {
      dispatcher: oneConnection(),
    });
    for (let i = 0; i < 20; i++) {
      await expect(client.assert(PING)).rejects.toBeInstanceOf(StemeValidationError);
    }
    expect(server.connections()).toBe(1);
  });

  it('retried 503s with bodies travel over one connection', { timeout: 10_000 }, async () => {
    const { server, client } = await serve(
      (_req, res) =>
        reply(res, 503, 'Service Unavailable '.repeat(15_000), { 'content-type': 'text/plain' }),
      { retry: { delays: [0, 0, 0] }, dispatcher: oneConnection() },
    );
    await expect(client.assert(PING)).rejects.toBeInstanceOf(StemeUnavailableError);
    expect(server.seen).toHaveLength(4);
    expect(server.connections()).toBe(1);
  });

  it('a huge error body is cut, and the message stays one short line', async () => {
    const { client } = await serve((_req, res) =>
      reply(res, 502, `<html><title>Bad gateway</title>${'<p>x</p>'.repeat(500_000)}</html>`, {
        'content-type': 'text/html',
      }),
    );
    const error = await client.health().catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'GET /v1/health failed: 502 Bad Gateway: Bad gateway (HTML page) (body truncated)',
    );
    expect((error as StemeError).body?.length).toBeLessThanOrEqual(1024);
    await expect(client.health()).rejects.toBeInstanceOf(StemeUnavailableError); // still usable
  });
});

describe('what goes on the wire', () => {
  it('sends JSON with the key, the user agent and the accept header', async () => {
    const apiKey = generateApiKey();
    const { server, client } = await serve((_req, res) => reply(res, 201, ASSERTED), {
      apiKey,
      userAgent: 'ci-bot/2',
    });
    await client.assert(PING);
    const [seen] = server.seen;
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/v1/assert');
    expect(seen?.headers['x-api-key']).toBe(apiKey);
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers.accept).toBe('application/json');
    expect(seen?.headers['user-agent']).toBe('ci-bot/2');
    expect(JSON.parse(seen?.body ?? '')).toEqual(PING);
  });

  it('asks /metrics for text/plain', async () => {
    const { server, client } = await serve((_req, res) =>
      reply(res, 200, 'up 1\n', { 'content-type': 'text/plain' }),
    );
    await expect(client.metrics()).resolves.toEqual([
      { name: 'up', labels: {}, value: 1, type: 'untyped' },
    ]);
    expect(server.seen[0]?.headers.accept).toBe('text/plain');
  });

  it('sends each client its own key, and the key and content type only where they belong', async () => {
    const [keyA, keyB] = [generateApiKey(), generateApiKey()];
    const { server, client } = await serve(
      (req, res) =>
        req.url?.endsWith('/health')
          ? reply(res, 200, { status: 'ok' })
          : reply(res, 201, ASSERTED),
      { apiKey: keyA },
    );
    const other = new StemeClient({ baseUrl: server.url, apiKey: keyB, userAgent: 'ua-b' });
    clients.push(other);
    await client.assert(PING);
    await other.assert(PING);
    await client.health();
    const pick = (i: number) => {
      const h = server.seen[i]?.headers ?? {};
      return [h['x-api-key'], h['content-type'], h.accept, h['user-agent']];
    };
    expect(pick(0)).toEqual([keyA, 'application/json', 'application/json', expect.any(String)]);
    expect(pick(1)).toEqual([keyB, 'application/json', 'application/json', 'ua-b']);
    expect(pick(2)).toEqual([undefined, undefined, 'application/json', expect.any(String)]);
  });

  it("never carries one call's query into the next", async () => {
    const { server } = await serve((req, res) =>
      req.url?.endsWith('/health')
        ? reply(res, 200, { status: 'ok' })
        : reply(res, 200, { items: [], next_cursor: null }),
    );
    const prefixed = new StemeClient({ baseUrl: `${server.url}/api/`, retry: false });
    clients.push(prefixed);
    await prefixed.listAssertions({ subject: 'a b&c', limit: 5 });
    await prefixed.listAssertions();
    await prefixed.health();
    await prefixed.listAssertions({ predicate: 'p' });
    expect(server.seen.map((r) => r.url)).toEqual([
      '/api/v1/assertions?subject=a+b%26c&limit=5',
      '/api/v1/assertions',
      '/api/v1/health',
      '/api/v1/assertions?predicate=p',
    ]);
  });

  it('keeps a path prefix of the base URL and encodes the query', async () => {
    const page = { items: [], next_cursor: null };
    const { server, client } = await serve((_req, res) => reply(res, 200, page));
    const prefixed = new StemeClient({ baseUrl: `${server.url}/stemedb/`, retry: false });
    clients.push(prefixed);
    await prefixed.listAssertions({ subject: 'a b&c=d/é', limit: 5 });
    expect(server.seen[0]?.url).toBe('/stemedb/v1/assertions?subject=a+b%26c%3Dd%2F%C3%A9&limit=5');
    await client.admin.revokeApiKey('a'.repeat(64)).catch(() => undefined);
    expect(server.seen[1]?.url).toBe(`/v1/admin/api-keys/${'a'.repeat(64)}`);
  });
});

describe('assertMany concurrency', () => {
  it('never has more than `concurrency` writes in flight', async () => {
    const { server, client } = await serve(async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      reply(res, 201, ASSERTED);
    });
    const inputs = Array.from({ length: 12 }, (_, i) => ({ ...PING, value: i }));
    const results = await client.assertMany(inputs, { concurrency: 3 });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.index)).toEqual(inputs.map((_, i) => i));
    expect(server.inFlight().max).toBeLessThanOrEqual(3);
    expect(server.inFlight().max).toBeGreaterThan(1);
  });

  it('applies the per-call options to every write', async () => {
    const { client } = await serve((_req, res) =>
      reply(res, 503, 'down', { 'content-type': 'text/plain' }),
    );
    const results = await client.assertMany([PING, PING], { retry: { delays: [0] } });
    expect(results.map((r) => (r.ok ? 0 : r.error.attempts))).toEqual([2, 2]);
  });
});

describe('a success body that arrives in pieces', () => {
  it('is read whole when chunked (no content-length)', async () => {
    const { client } = await serve((_req, res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.write('{"id":"a1",');
      res.end('"accepted_at":"2026-01-01T00:00:00Z"}');
    });
    await expect(client.assert(PING)).resolves.toEqual(ASSERTED);
  });

  // Headers and half a body, then silence: a chunked body, so the streaming read is used.
  const stall: Handler = (_req, res) => {
    res.writeHead(201, { 'content-type': 'application/json' });
    res.write('{"id":');
  };

  it('that stops half-way is cut by the attempt timeout, as attempt', async () => {
    const { client } = await serve(stall, { timeoutMs: 100 });
    const error = await client.assert(PING).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeTimeoutError);
    expect((error as StemeTimeoutError).timeout).toBe('attempt');
  });

  it("that stops half-way is cut by the caller's signal", async () => {
    const { client } = await serve(stall);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await client.assert(PING, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeAbortError);
  });
});

describe('a call still waiting for a connection', () => {
  // One connection, held by a first call the server does not answer yet: a second call waits
  // in undici's queue, where only the SDK's own handler can cut it short.
  it('is cut by its signal at once, and never sent when the connection frees', async () => {
    let release: (() => void) | undefined;
    const { server, client } = await serve(
      (_req, res) => {
        const answer = () => reply(res, 201, ASSERTED);
        if (release === undefined) release = answer;
        else answer();
      },
      { dispatcher: oneConnection() },
    );
    const held = client.assert(PING);
    await until(() => server.seen.length === 1);
    const controller = new AbortController();
    const queued = client.assert(
      { ...PING, subject: 'test/queued' },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    const error = await queued.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeAbortError);
    expect(Date.now() - started).toBeLessThan(2_000);
    release?.();
    await expect(held).resolves.toEqual(ASSERTED);
    await expect(client.assert(PING)).resolves.toEqual(ASSERTED);
    expect(server.seen.map((s) => JSON.parse(s.body).subject)).not.toContain('test/queued');
    expect(server.seen).toHaveLength(2);
  });
});

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}
