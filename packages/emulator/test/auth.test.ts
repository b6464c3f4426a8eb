import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { call } from './support/http.js';

/** Who may do what: each role against each keyed operation, and keys that are not keys. */

const HASH = 'f'.repeat(64);
const ASSERTION = { subject: 's', predicate: 'p', value: 1, agent_id: 'a' };

/** Benign calls per operation; "allowed" means neither 401 nor 403 (404 on an unknown hash is fine). */
const operations = [
  { op: 'createAssertion', method: 'POST', path: '/v1/assert', body: ASSERTION },
  { op: 'listAssertions', method: 'GET', path: '/v1/assertions' },
  {
    op: 'createApiKey',
    method: 'POST',
    path: '/v1/admin/api-keys',
    body: { label: 'k', role: 'read_agent' },
  },
  { op: 'listApiKeys', method: 'GET', path: '/v1/admin/api-keys' },
  { op: 'rotateApiKey', method: 'POST', path: `/v1/admin/api-keys/${HASH}/rotate` },
  { op: 'revokeApiKey', method: 'DELETE', path: `/v1/admin/api-keys/${HASH}` },
] as const;

type Caller = 'admin' | 'write_agent' | 'read_agent';
const allowed: Record<Caller, readonly string[]> = {
  admin: operations.map((o) => o.op),
  write_agent: ['createAssertion', 'listAssertions'],
  read_agent: ['listAssertions'],
};

let emu: Emulator;
const keys: Record<string, string> = {};

beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false });
  keys.admin = emu.rootApiKey;
  for (const role of ['write_agent', 'read_agent'] as const) {
    const res = await call(emu.url, '/v1/admin/api-keys', {
      method: 'POST',
      key: emu.rootApiKey,
      body: { label: role, role },
    });
    keys[role] = (res.json as { key: string }).key;
  }
  const revoked = await call(emu.url, '/v1/admin/api-keys', {
    method: 'POST',
    key: emu.rootApiKey,
    body: { label: 'gone', role: 'admin' },
  });
  const { key, hash } = revoked.json as { key: string; hash: string };
  await call(emu.url, `/v1/admin/api-keys/${hash}`, { method: 'DELETE', key: emu.rootApiKey });
  keys.revoked = key;
});

afterAll(() => emu?.close());

describe('roles', () => {
  const matrix = (Object.keys(allowed) as Caller[]).flatMap((role) =>
    operations.map((o) => ({ role, ...o, want: allowed[role].includes(o.op) ? 'allowed' : 403 })),
  );

  it.each(matrix)('$role calling $op is $want', async ({ role, method, path, ...o }) => {
    const res = await call(emu.url, path, {
      method,
      key: keys[role]!,
      ...('body' in o ? { body: o.body } : {}),
    });
    if (o.want === 'allowed') expect([401, 403]).not.toContain(res.status);
    else {
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ error: { code: 'forbidden' } });
    }
  });
});

describe('keys that do not authenticate', () => {
  const callers = [
    { name: 'no key', key: undefined },
    { name: 'an empty key', key: '' },
    { name: 'a malformed key', key: 'not-a-key' },
    { name: 'an unknown well-formed key', key: `steme_live_${'a'.repeat(48)}` },
    { name: 'an upper-case variant of the root key', key: () => emu.rootApiKey.toUpperCase() },
    { name: 'a revoked key', key: () => keys.revoked! },
  ];
  const rows = callers.flatMap((c) => operations.map((o) => ({ ...c, ...o })));

  it.each(rows)('$name on $op is 401 with an ErrorBody', async ({ key, method, path, ...o }) => {
    const sent = typeof key === 'function' ? key() : key;
    const res = await call(emu.url, path, {
      method,
      ...(sent !== undefined ? { key: sent } : {}),
      ...('body' in o ? { body: o.body } : {}),
    });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: { code: 'unauthorized' } });
    if (sent) expect(res.text).not.toContain(sent);
  });
});

describe('open paths', () => {
  it.each(['/v1/health', '/metrics'])('%s needs no key', async (path) => {
    expect((await call(emu.url, path)).status).toBe(200);
  });
});

describe('auth: false', () => {
  let open: Emulator;
  beforeAll(async () => {
    open = await startEmulator({ auth: false });
  });
  afterAll(() => open?.close());

  it.each(operations)('$op needs no key', async ({ method, path, ...o }) => {
    const res = await call(open.url, path, { method, ...('body' in o ? { body: o.body } : {}) });
    expect([401, 403]).not.toContain(res.status);
  });

  it('ignores an unknown key rather than refusing it', async () => {
    const res = await call(open.url, '/v1/assertions', { key: 'whatever' });
    expect(res.status).toBe(200);
  });
});
