/**
 * Every method of the client against the emulator, over real loopback HTTP.
 */
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  type AssertionInput,
  hashApiKey,
  StemeAuthenticationError,
  StemeClient,
  StemeError,
  StemePayloadTooLargeError,
  StemePermissionError,
  StemeValidationError,
} from '../src/index.js';
import { PING, useEmulator } from './support/emulator.js';

const ctx = useEmulator({ rateLimit: false });

const unique = (prefix: string) => `${prefix}/${Math.random().toString(36).slice(2)}`;

async function keyFor(role: 'admin' | 'write_agent' | 'read_agent') {
  const created = await ctx.client().admin.createApiKey({ label: `test-${role}`, role });
  return created.key;
}

describe('health', () => {
  it('answers the health body, with no key needed', async () => {
    await expect(ctx.client({ apiKey: undefined }).health()).resolves.toEqual({ status: 'ok' });
  });

  it('never sends the key to an open path', async () => {
    const before = ctx.emu.requests().length;
    await ctx.client().health();
    await ctx.client().metrics();
    const seen = ctx.emu.requests().slice(before);
    expect(seen.map((r) => [r.path, r.keyHash])).toEqual([
      ['/v1/health', undefined],
      ['/metrics', undefined],
    ]);
  });
});

describe('assert', () => {
  it('writes the gate-test assertion and answers its id and time', async () => {
    const answer = await ctx.client().assert(PING);
    expect(answer.id).toEqual(expect.any(String));
    expect(Number.isNaN(Date.parse(answer.accepted_at))).toBe(false);
  });

  it('sends the key in the X-API-Key header', async () => {
    const before = ctx.emu.requests().length;
    await ctx.client().assert(PING);
    expect(ctx.emu.requests()[before]?.keyHash).toBe(hashApiKey(ctx.emu.rootApiKey));
  });

  it('without a key is a StemeAuthenticationError (401)', async () => {
    const error = await ctx
      .client({ apiKey: undefined })
      .assert(PING)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeAuthenticationError);
    expect((error as StemeError).status).toBe(401);
    expect((error as StemeError).code).toBe('unauthorized');
    expect((error as StemeError).requestId).toEqual(expect.any(String));
  });

  it('with a read-only key is a StemePermissionError (403)', async () => {
    const client = ctx.client({ apiKey: await keyFor('read_agent') });
    await expect(client.assert(PING)).rejects.toBeInstanceOf(StemePermissionError);
  });

  it('with a body over maxBodyBytes is refused before sending, naming the size and the limit', async () => {
    const value = 'x'.repeat(2 * 1024 * 1024);
    const before = ctx.emu.requests().length;
    const error = await ctx
      .client()
      .assert({ ...PING, value })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeValidationError);
    expect(error).toMatchObject({ code: 'invalid_input', field: 'body', attempts: 0 });
    expect((error as Error).message).toBe(
      `POST /v1/assert: the request body is ${JSON.stringify({ ...PING, value }).length} bytes, over the limit of 1048576 bytes (maxBodyBytes; the server refuses more); nothing was sent`,
    );
    expect(ctx.emu.requests().length).toBe(before);
  });

  it('counts bytes, not characters: 400,000 three-byte characters are over 1 MiB', async () => {
    const error = await ctx
      .client()
      .assert({ ...PING, value: '€'.repeat(400_000) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_input', field: 'body' });
  });

  it("with the limit raised over the server's, is the server's StemePayloadTooLargeError (413)", async () => {
    const value = 'x'.repeat(2 * 1024 * 1024);
    const error = await ctx
      .client({ maxBodyBytes: 4 * 1024 * 1024, retry: false })
      .assert({ ...PING, value })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemePayloadTooLargeError);
    expect((error as StemeError).status).toBe(413);
  });

  describe('checks the input against the yaml before sending anything', () => {
    const cases: Array<{ what: string; input: unknown; field: string }> = [
      {
        what: 'a missing subject',
        input: { predicate: 'p', value: 1, agent_id: 'a' },
        field: 'subject',
      },
      {
        what: 'a missing value',
        input: { subject: 's', predicate: 'p', agent_id: 'a' },
        field: 'value',
      },
      { what: 'an undefined value', input: { ...PING, value: undefined }, field: 'value' },
      { what: 'a numeric subject', input: { ...PING, subject: 42 }, field: 'subject' },
      { what: 'an empty predicate', input: { ...PING, predicate: '' }, field: 'predicate' },
      {
        what: 'a subject over 1024 characters',
        input: { ...PING, subject: 's'.repeat(1025) },
        field: 'subject',
      },
      {
        what: 'an agent_id over 256 characters',
        input: { ...PING, agent_id: 'a'.repeat(257) },
        field: 'agent_id',
      },
      { what: 'a NaN value', input: { ...PING, value: Number.NaN }, field: 'value' },
      {
        what: 'a function in the value',
        input: { ...PING, value: { f: () => 1 } },
        field: 'value',
      },
      { what: 'a Date in the value', input: { ...PING, value: new Date() }, field: 'value' },
      { what: 'a bigint value', input: { ...PING, value: 1n }, field: 'value' },
      { what: 'an unknown field', input: { ...PING, signature: 'x' }, field: 'signature' },
      { what: 'not an object', input: 'test/ping alive', field: '' },
    ];
    it.each(cases)('$what -> StemeValidationError on "$field"', async ({ input, field }) => {
      const before = ctx.emu.requests().length;
      const error = await ctx
        .client()
        .assert(input as AssertionInput)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StemeValidationError);
      expect((error as StemeValidationError).code).toBe('invalid_input');
      expect((error as StemeValidationError).field ?? '').toBe(field);
      expect((error as StemeValidationError).status).toBeUndefined();
      expect((error as Error).message).toContain(field);
      expect(ctx.emu.requests().length).toBe(before);
    });

    it('accepts exactly 1024 characters of subject and any JSON value', async () => {
      const input = { ...PING, subject: 's'.repeat(1024), value: { a: [1, 'b', null, false] } };
      await expect(ctx.client().assert(input)).resolves.toBeDefined();
    });
  });
});

describe('listAssertions and iterateAssertions', () => {
  it('filters by subject and answers newest first with a null cursor at the end', async () => {
    const subject = unique('list');
    const client = ctx.client();
    const first = await client.assert({ ...PING, subject, value: 1 });
    const second = await client.assert({ ...PING, subject, value: 2 });
    const page = await client.listAssertions({ subject });
    expect(page.items.map((a) => a.id)).toEqual([second.id, first.id]);
    expect(page.items[0]).toMatchObject({
      subject,
      predicate: 'alive',
      value: 2,
      agent_id: 'test',
    });
    expect(page.next_cursor).toBeNull();
  });

  it('pages with limit and next_cursor', async () => {
    const subject = unique('pages');
    const client = ctx.client();
    for (let i = 0; i < 3; i++) await client.assert({ ...PING, subject, value: i });
    const one = await client.listAssertions({ subject, limit: 2 });
    expect(one.items).toHaveLength(2);
    expect(one.next_cursor).toEqual(expect.any(String));
    const two = await client.listAssertions({ subject, limit: 2, cursor: one.next_cursor ?? '' });
    expect(two.items.map((a) => a.value)).toEqual([0]);
    expect(two.next_cursor).toBeNull();
  });

  it('iterates over every page, in order', async () => {
    const subject = unique('iterate');
    const client = ctx.client();
    for (let i = 0; i < 7; i++) await client.assert({ ...PING, subject, value: i });
    const before = ctx.emu.requests().length;
    const values: unknown[] = [];
    for await (const assertion of client.iterateAssertions({ subject, limit: 3 })) {
      values.push(assertion.value);
    }
    expect(values).toEqual([6, 5, 4, 3, 2, 1, 0]);
    expect(ctx.emu.requests().length - before).toBe(3);
  });

  it('iterates over nothing when nothing matches', async () => {
    const found = [];
    for await (const a of ctx.client().iterateAssertions({ subject: unique('none') }))
      found.push(a);
    expect(found).toEqual([]);
  });

  it.each([
    { filter: { limit: 0 }, field: 'limit' },
    { filter: { limit: 1001 }, field: 'limit' },
    { filter: { limit: 2.5 }, field: 'limit' },
    { filter: { subject: '' }, field: 'subject' },
    { filter: { cursor: 'c'.repeat(513) }, field: 'cursor' },
    { filter: { subjects: 'x' }, field: 'subjects' },
  ])('refuses the filter $filter before sending', async ({ filter, field }) => {
    const error = await ctx
      .client()
      .listAssertions(filter as never)
      .catch((e: unknown) => e);
    expect((error as StemeValidationError).field).toBe(field);
  });

  it('needs a key', async () => {
    const client = ctx.client({ apiKey: undefined });
    await expect(client.listAssertions()).rejects.toBeInstanceOf(StemeAuthenticationError);
  });
});

describe('assertMany', () => {
  it('answers one outcome per input, in input order, without throwing for a bad one', async () => {
    const subject = unique('many');
    const inputs = [
      { ...PING, subject, value: 0 },
      { ...PING, subject: '' },
      { ...PING, subject, value: 2 },
      { ...PING, subject, value: 'x'.repeat(2 * 1024 * 1024) },
      { ...PING, subject, value: 4 },
    ];
    const results = await ctx.client().assertMany(inputs, { concurrency: 2 });
    expect(results.map((r) => [r.index, r.ok])).toEqual([
      [0, true],
      [1, false],
      [2, true],
      [3, false],
      [4, true],
    ]);
    const failures = results.filter((r) => !r.ok);
    expect(failures.map((r) => (r.ok ? '' : r.error.code))).toEqual([
      'invalid_input',
      'invalid_input',
    ]);
    const page = await ctx.client().listAssertions({ subject });
    expect(page.items.map((a) => a.value).sort()).toEqual([0, 2, 4]);
  });

  it('answers [] for no inputs', async () => {
    await expect(ctx.client().assertMany([])).resolves.toEqual([]);
  });

  it.each([
    { options: { concurrency: 0 }, field: 'concurrency' },
    { options: { concurrency: 1.5 }, field: 'concurrency' },
    { options: { concurrency: 1000 }, field: 'concurrency' },
    { options: { parallel: 2 }, field: 'parallel' },
  ])('rejects the whole batch for the bad option $options', async ({ options, field }) => {
    const error = await ctx
      .client()
      .assertMany([PING], options as never)
      .catch((e: unknown) => e);
    expect((error as StemeValidationError).field).toBe(field);
  });

  it('rejects an input that is not an array', async () => {
    const error = await ctx
      .client()
      .assertMany(PING as never)
      .catch((e: unknown) => e);
    expect((error as StemeValidationError).field).toBe('inputs');
  });
});

describe('metrics', () => {
  it('parses the Prometheus text into samples with their labels', async () => {
    await ctx.client().health();
    const samples = await ctx.client().metrics();
    const requests = samples.filter((s) => s.name === 'stemedb_http_requests_total');
    expect(requests.length).toBeGreaterThan(0);
    expect(requests[0]).toMatchObject({ type: 'counter', labels: { status: expect.any(String) } });
    expect(requests.every((s) => Number.isFinite(s.value))).toBe(true);
  });
});

describe('close', () => {
  it('makes later calls fail with client_closed, and may be called twice', async () => {
    const client = new StemeClient({ baseUrl: ctx.emu.url });
    await client.health();
    await client.close();
    await client.close();
    const error = await client.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeError);
    expect((error as StemeError).code).toBe('client_closed');
  });

  it('leaves an injected dispatcher open for its owner', async () => {
    const dispatcher = new Agent();
    const client = new StemeClient({ baseUrl: ctx.emu.url, dispatcher });
    await client.health();
    await client.close();
    expect(dispatcher.closed).toBe(false);
    const other = new StemeClient({ baseUrl: ctx.emu.url, dispatcher });
    await expect(other.health()).resolves.toEqual({ status: 'ok' });
    await other.close();
    await dispatcher.close();
  });
});
