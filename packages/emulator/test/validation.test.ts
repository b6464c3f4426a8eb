import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { call } from './support/http.js';

/** Request validation: every refusal is a 400 ErrorBody whose message names what is wrong. */

const VALID = { subject: 'test/ping', predicate: 'alive', value: true, agent_id: 'test' };

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false });
});
afterAll(() => emu?.close());

const post = (path: string, init: Parameters<typeof call>[2] = {}) =>
  call(emu.url, path, { method: 'POST', key: emu.rootApiKey, ...init });

describe('POST /v1/assert bodies', () => {
  const rows: { given: string; body: unknown; field: RegExp }[] = [
    { given: 'no subject', body: { ...VALID, subject: undefined }, field: /^subject: is required/ },
    {
      given: 'no value',
      body: { subject: 's', predicate: 'p', agent_id: 'a' },
      field: /^value: is required/,
    },
    {
      given: 'no agent_id',
      body: { ...VALID, agent_id: undefined },
      field: /^agent_id: is required/,
    },
    {
      given: 'a numeric subject',
      body: { ...VALID, subject: 1 },
      field: /^subject: must be a string/,
    },
    {
      given: 'a null predicate',
      body: { ...VALID, predicate: null },
      field: /^predicate: must be a string/,
    },
    {
      given: 'an empty agent_id',
      body: { ...VALID, agent_id: '' },
      field: /^agent_id: must be 1 to 256/,
    },
    {
      given: 'a subject of 1025 characters',
      body: { ...VALID, subject: 's'.repeat(1025) },
      field: /^subject: must be 1 to 1024/,
    },
    {
      given: 'an unknown field',
      body: { ...VALID, signature: 'x' },
      field: /Unknown field: signature/,
    },
    { given: 'a JSON array', body: [VALID], field: /must be a JSON object/ },
    { given: 'a JSON string', body: 'hello', field: /must be a JSON object/ },
  ];

  it.each(rows)('names the problem given $given', async ({ body, field }) => {
    const res = await post('/v1/assert', { body });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'invalid_request' } });
    expect((res.json as { error: { message: string } }).error.message).toMatch(field);
  });

  it.each([
    ['null', null],
    ['a number', 3.5],
    ['a nested object', { a: [1, { b: 'c' }] }],
  ])('accepts %s as the value', async (_name, value) => {
    expect((await post('/v1/assert', { body: { ...VALID, value } })).status).toBe(201);
  });

  it('counts lengths in code points as JSON Schema does', async () => {
    const subject = '😀'.repeat(1024); // 2048 UTF-16 units, 1024 code points
    expect((await post('/v1/assert', { body: { ...VALID, subject } })).status).toBe(201);
  });

  it.each([
    ['a truncated JSON body', '{"subject":"s","predicate":', /not valid JSON/],
    ['an empty body', '', /empty/],
    ['a body that is not JSON at all', 'subject=s', /not valid JSON/],
  ])('answers 400 to %s', async (_name, rawBody, message) => {
    const res = await post('/v1/assert', { rawBody });
    expect(res.status).toBe(400);
    expect((res.json as { error: { message: string } }).error.message).toMatch(message);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded'])(
    'answers 400 to Content-Type %s',
    async (contentType) => {
      const res = await post('/v1/assert', { rawBody: JSON.stringify(VALID), contentType });
      expect(res.status).toBe(400);
      expect((res.json as { error: { message: string } }).error.message).toMatch(/Content-Type/);
    },
  );

  it('accepts application/json with a charset', async () => {
    const res = await post('/v1/assert', {
      rawBody: JSON.stringify(VALID),
      contentType: 'application/json; charset=utf-8',
    });
    expect(res.status).toBe(201);
  });
});

describe('POST /v1/admin/api-keys bodies', () => {
  const rows: { given: string; body: unknown; field: RegExp }[] = [
    { given: 'no label', body: { role: 'read_agent' }, field: /^label: is required/ },
    {
      given: 'an unknown role',
      body: { label: 'x', role: 'root' },
      field: /^role: must be one of admin, write_agent, read_agent/,
    },
    {
      given: 'a label starting with a dot',
      body: { label: '.x', role: 'admin' },
      field: /^label: must match/,
    },
    {
      given: 'a label of 129 characters',
      body: { label: 'a'.repeat(129), role: 'admin' },
      field: /^label: must be 1 to 128/,
    },
    {
      given: 'an extra field',
      body: { label: 'x', role: 'admin', key: 'mine' },
      field: /Unknown field: key/,
    },
  ];

  it.each(rows)('names the problem given $given', async ({ body, field }) => {
    const res = await post('/v1/admin/api-keys', { body });
    expect(res.status).toBe(400);
    expect((res.json as { error: { message: string } }).error.message).toMatch(field);
  });
});

describe('GET /v1/assertions query', () => {
  const rows = [
    ['limit=0', /^limit/],
    ['limit=1001', /^limit/],
    ['limit=-1', /^limit/],
    ['limit=1.5', /^limit/],
    ['limit=ten', /^limit/],
    ['subject=', /^subject/],
    [`predicate=${'p'.repeat(257)}`, /^predicate/],
    ['agent_id=', /^agent_id/],
    ['cursor=%25%25', /^cursor/],
    ['cursor=YWJj', /^cursor/], // base64url of "abc": well-formed, never issued
  ] as const;

  it.each(rows)('answers 400 to %s', async (query, field) => {
    const res = await call(emu.url, `/v1/assertions?${query}`, { key: emu.rootApiKey });
    expect(res.status).toBe(400);
    expect((res.json as { error: { message: string } }).error.message).toMatch(field);
  });

  it.each(['limit=1', 'limit=1000', 'unknown=ignored'])('accepts %s', async (query) => {
    expect((await call(emu.url, `/v1/assertions?${query}`, { key: emu.rootApiKey })).status).toBe(
      200,
    );
  });
});
