/**
 * Issue 11, the SDK half: what a hostile network, a buggy proxy or a careless caller did to the
 * client, each against a real server on port 0 (a raw `net` server where the HTTP itself must
 * be malformed), each a regression test of its fix.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { Agent, interceptors } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateApiKey,
  MAX_CONSECUTIVE_EMPTY_PAGES,
  StemeApiError,
  StemeClient,
  type StemeClientOptions,
  StemeNetworkError,
  StemeValidationError,
} from '../src/index.js';
import { PING } from './support/emulator.js';
import { type Handler, type RawServer, reply, startRawServer } from './support/raw-server.js';

const KEY = generateApiKey();
const TAIL = KEY.slice('steme_live_'.length);

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function client(url: string, options: Partial<StemeClientOptions> = {}): StemeClient {
  const c = new StemeClient({ baseUrl: url, apiKey: KEY, retry: false, ...options });
  closers.push(() => c.close());
  return c;
}

async function serve(handler: Handler): Promise<RawServer> {
  const server = await startRawServer(handler);
  closers.push(() => server.close());
  return server;
}

/** A TCP server that answers every connection with `answer(request bytes)` and closes. */
async function tcpServer(answer: (request: string) => string): Promise<string> {
  const sockets = new Set<Socket>();
  const server: Server = createTcpServer((socket) => {
    sockets.add(socket);
    let request = '';
    socket.on('data', (chunk) => {
      request += chunk.toString('latin1');
      // Answer once the request's headers (and any small body) are in.
      if (request.includes('\r\n\r\n')) socket.end(answer(request));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(resolve);
      }),
  );
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

/** Every way an error can be looked at, to any depth. */
function everyView(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return [
    String(error),
    JSON.stringify(error),
    JSON.stringify(cause),
    inspect(error, { depth: Number.POSITIVE_INFINITY }),
    inspect(error, { depth: Number.POSITIVE_INFINITY, customInspect: false, showHidden: true }),
    inspect(cause, { depth: Number.POSITIVE_INFINITY, customInspect: false, showHidden: true }),
    (error as Error).stack ?? '',
    (cause as Error | undefined)?.stack ?? '',
  ].join('\n');
}

/** Any 16 characters of the key's secret part, in any letter case, anywhere in `text`. */
function leaksKey(text: string): boolean {
  const lower = text.toLowerCase();
  for (let i = 0; i + 16 <= TAIL.length; i++) {
    if (lower.includes(TAIL.slice(i, i + 16))) return true;
  }
  return false;
}

describe('1. the key in a cause chain', () => {
  it.each([
    { what: 'a TCP echo service', answer: (req: string) => req },
    { what: 'a bad status line', answer: (req: string) => `HTTP/1.1 abc ${req}\r\n\r\n` },
    {
      what: 'a bad header token',
      answer: (req: string) =>
        `HTTP/1.1 200 OK\r\nbad header ${req.replace(/\r\n/g, ' ')}: x\r\n\r\n`,
    },
    {
      what: 'a bad chunk size',
      answer: (req: string) =>
        `HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n${req.replace(/\r\n/g, ' ')}\r\n`,
    },
  ])(
    'against $what: nothing reachable from the error carries the key or wire bytes',
    async ({ answer }) => {
      const url = await tcpServer(answer);
      const error = await client(url)
        .assert(PING)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StemeNetworkError);
      const views = everyView(error);
      expect(leaksKey(views)).toBe(false);
      expect(views).not.toMatch(/x-api-key/i);
      // The cause is a copy with the lower layer's name and code, not the parser error itself.
      const cause = (error as StemeNetworkError).cause as { data?: unknown; code?: unknown };
      expect(cause).toBeInstanceOf(Error);
      expect(cause.data).toBeUndefined();
    },
  );
});

describe('2. the key echoed back in another form', () => {
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  it.each([
    { what: 'as is', body: `bad key ${KEY}` },
    { what: 'upper-cased', body: `BAD KEY ${KEY.toUpperCase()}` },
    { what: 'the bare 48-hex tail', body: `token=${TAIL}` },
    { what: 'wrapped across lines', body: `${KEY.slice(0, 30)}\n${KEY.slice(30)}` },
    { what: 'split by an HTML tag', body: `<p>${KEY.slice(0, 25)}<b>${KEY.slice(25)}</b></p>` },
    {
      what: 'as JSON \\u escapes',
      body: JSON.stringify({
        error: [...KEY].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
      }).replaceAll('\\\\u', '\\u'),
    },
    { what: 'as HTML entities', body: [...KEY].map((c) => `&#${c.charCodeAt(0)};`).join('') },
    { what: 'base64 of the request header', body: base64(`X-API-Key: ${KEY}`) },
    { what: 'base64 one byte off', body: base64(`:${KEY}`) },
  ])('$what: masked in the message, the body and every view', async ({ body }) => {
    const server = await serve((_req, res) =>
      reply(res, 500, body, { 'content-type': 'text/html' }),
    );
    const error = await client(server.url)
      .assert(PING)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeApiError);
    const views = `${everyView(error)}\n${(error as StemeApiError).body}`;
    expect(leaksKey(views)).toBe(false);
    // Encoded forms: none of the key's base64 spellings (at any alignment) survives either.
    for (const pad of ['', ':', '::']) {
      const core = base64(`${pad}${KEY}`).slice(4, 60);
      expect(views).not.toContain(core);
    }
    for (const encoded of [
      [...TAIL.slice(0, 12)].map((c) => `&#${c.charCodeAt(0)};`).join(''),
      [...TAIL.slice(0, 12)].map((c) => `\\u00${c.charCodeAt(0).toString(16)}`).join(''),
    ]) {
      expect(views).not.toContain(encoded);
    }
  });
});

describe('3. the key in the base URL', () => {
  it.each([
    { what: 'in the path', url: (k: string) => `http://127.0.0.1:1/${k}/` },
    {
      what: 'percent-encoded in the path',
      url: (k: string) => `http://127.0.0.1:1/${encodeURIComponent(k).replace('_', '%5F')}`,
    },
    { what: 'its tail alone', url: (k: string) => `http://127.0.0.1:1/t/${k.slice(11)}` },
    { what: 'another key-shaped token', url: () => `http://127.0.0.1:1/${generateApiKey()}` },
  ])('$what is refused, without repeating the URL', ({ url }) => {
    const attempt = () => new StemeClient({ baseUrl: url(KEY), apiKey: KEY });
    expect(attempt).toThrow(StemeValidationError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_options', field: 'baseUrl' });
      expect(leaksKey(everyView(error))).toBe(false);
      expect(everyView(error)).not.toMatch(/steme_live_[0-9a-f]/);
    }
  });

  it('still takes a path prefix that holds no key (the near miss)', () => {
    const c = new StemeClient({ baseUrl: 'http://127.0.0.1:1/stemedb/v1-proxy/', apiKey: KEY });
    closers.push(() => c.close());
    expect(String(c)).not.toContain(TAIL);
  });
});

describe('4. the key across origins', () => {
  it.each([301, 302, 303, 307, 308])(
    'a %i to another origin is not followed, even through a redirect-following dispatcher',
    async (status) => {
      const elsewhere = await serve((_req, res) =>
        reply(res, 201, { id: 'x', accepted_at: '2026-01-01T00:00:00Z' }),
      );
      const server = await serve((_req, res) => {
        res.writeHead(status, { location: `${elsewhere.url}/v1/assert` });
        res.end();
      });
      const dispatcher = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));
      closers.push(() => dispatcher.close());
      const error = await client(server.url, { dispatcher })
        .assert(PING)
        .catch((e: unknown) => e);
      expect(elsewhere.seen).toEqual([]);
      expect(error).toBeInstanceOf(StemeApiError);
      expect(error).toMatchObject({ status });
      expect((error as Error).message).toMatch(/a redirect, not followed/);
      expect((error as Error).message).not.toContain(elsewhere.url);
    },
  );
});

describe('5. iteration that never ends', () => {
  it(`fails with invalid_response after ${MAX_CONSECUTIVE_EMPTY_PAGES} empty pages in a row, each with a fresh cursor`, async () => {
    let n = 0;
    const server = await serve((_req, res) =>
      reply(res, 200, { items: [], next_cursor: `c${n++}` }),
    );
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const a of client(server.url).iterateAssertions()) seen.push(a);
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_response' });
    expect((error as Error).message).toMatch(/10 empty pages in a row/);
    expect(seen).toEqual([]);
    expect(server.seen).toHaveLength(MAX_CONSECUTIVE_EMPTY_PAGES);
  });

  it('lets a page with items reset the count (the near miss)', async () => {
    const item = {
      id: 'a1',
      subject: 's',
      predicate: 'p',
      value: 1,
      agent_id: 'a',
      accepted_at: '2026-01-01T00:00:00Z',
    };
    const pages = [
      ...Array.from({ length: MAX_CONSECUTIVE_EMPTY_PAGES - 1 }, () => []),
      [item],
      ...Array.from({ length: MAX_CONSECUTIVE_EMPTY_PAGES - 1 }, () => []),
    ];
    let n = 0;
    const server = await serve((_req, res) => {
      const items = pages[n] ?? [];
      n++;
      reply(res, 200, { items, next_cursor: n < pages.length ? `c${n}` : null });
    });
    const ids: string[] = [];
    for await (const a of client(server.url).iterateAssertions()) ids.push(a.id);
    expect(ids).toEqual(['a1']);
  });
});

describe('6. deep error bodies', () => {
  it('a 500 nested 100,000 levels deep stays the API error for status 500, readable and capped', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const server = await serve((_req, res) =>
      reply(res, 500, deep, { 'content-type': 'application/json' }),
    );
    const error = await client(server.url)
      .assert(PING)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeApiError);
    expect(error).toMatchObject({ status: 500, code: 'http_error' });
    expect((error as Error).message).toBe(
      'POST /v1/assert failed: 500 Internal Server Error: JSON nested deeper than 64 levels (not shown)',
    );
  });
});

describe('7. shared signals', () => {
  it('assertMany(2000, { concurrency: 64, signal }) adds one listener to the signal, and no warning', async () => {
    const server = await serve((_req, res) => {
      setTimeout(() => reply(res, 201, { id: 'x', accepted_at: '2026-01-01T00:00:00Z' }), 2);
    });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const controller = new AbortController();
    try {
      const inputs = Array.from({ length: 2000 }, (_, i) => ({ ...PING, value: i }));
      const results = await client(server.url, {
        dispatcher: new Agent({ connections: 64 }),
      }).assertMany(inputs, { concurrency: 64, signal: controller.signal });
      expect(results.every((r) => r.ok)).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it('waits between attempts on one signal without a warning, and one abort still stops them all', async () => {
    const server = await serve((_req, res) => reply(res, 503, ''));
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const controller = new AbortController();
    const c = client(server.url, {
      retry: { delays: [60_000] },
      dispatcher: new Agent({ connections: 64 }),
    });
    try {
      const calls = Array.from({ length: 64 }, () =>
        c.assert(PING, { signal: controller.signal }).catch((e: unknown) => e),
      );
      while (server.seen.length < 64) await new Promise((r) => setTimeout(r, 5));
      controller.abort();
      const errors = await Promise.all(calls);
      expect(errors.map((e) => (e as { code?: string }).code)).toEqual(Array(64).fill('aborted'));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });
});
