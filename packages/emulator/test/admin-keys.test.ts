import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { call } from './support/http.js';

/** Key lifecycle: create, list, rotate, revoke. */

interface Issued {
  key: string;
  hash: string;
  label: string;
  role: string;
  created_at: string;
}
interface Info {
  hash: string;
  label: string;
  role: string;
  created_at: string;
  revoked_at: string | null;
}

let emu: Emulator;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const admin = (path: string, method = 'GET', body?: unknown) =>
  call(emu.url, path, { method, key: emu.rootApiKey, ...(body !== undefined ? { body } : {}) });
const create = async (label: string, role: string) => {
  const res = await admin('/v1/admin/api-keys', 'POST', { label, role });
  expect(res.status).toBe(201);
  return res.json as Issued;
};
const list = async () => ((await admin('/v1/admin/api-keys')).json as { keys: Info[] }).keys;
const canRead = async (key: string) => (await call(emu.url, '/v1/assertions', { key })).status;

beforeAll(async () => {
  emu = await startEmulator({ rateLimit: false });
});
afterAll(() => emu?.close());

describe('create', () => {
  it('returns a key in the steme_live_ format whose hash is its SHA-256', async () => {
    const issued = await create('project-alpha', 'write_agent');
    expect(issued.key).toMatch(/^steme_live_[0-9a-f]{48}$/);
    expect(issued.hash).toBe(sha256(issued.key));
    expect(issued).toMatchObject({ label: 'project-alpha', role: 'write_agent' });
  });

  it('issues a key that works at once for its role', async () => {
    const { key } = await create('reader', 'read_agent');
    expect(await canRead(key)).toBe(200);
  });

  it('never shows the plaintext again in the listing', async () => {
    const { key, hash } = await create('secret', 'admin');
    const res = await admin('/v1/admin/api-keys');
    expect(res.text).not.toContain(key);
    expect(res.text).not.toContain('steme_live_');
    expect((res.json as { keys: Info[] }).keys.find((k) => k.hash === hash)).toMatchObject({
      label: 'secret',
      role: 'admin',
      revoked_at: null,
    });
  });
});

describe('list', () => {
  it('includes the root key as an admin key labelled root', async () => {
    const root = (await list()).find((k) => k.hash === sha256(emu.rootApiKey));
    expect(root).toMatchObject({ label: 'root', role: 'admin', revoked_at: null });
  });
});

describe('rotate', () => {
  it('stops the old key at once and issues a new one with the same label and role', async () => {
    const old = await create('rotating', 'read_agent');
    const res = await admin(`/v1/admin/api-keys/${old.hash}/rotate`, 'POST');
    expect(res.status).toBe(201);
    const fresh = res.json as Issued;
    expect(fresh).toMatchObject({ label: 'rotating', role: 'read_agent' });
    expect(fresh.key).not.toBe(old.key);
    expect(fresh.hash).toBe(sha256(fresh.key));
    expect(await canRead(old.key)).toBe(401);
    expect(await canRead(fresh.key)).toBe(200);
    const listed = await list();
    expect(listed.find((k) => k.hash === old.hash)?.revoked_at).not.toBeNull();
    expect(listed.find((k) => k.hash === fresh.hash)?.revoked_at).toBeNull();
  });

  it.each([
    [
      'a revoked key',
      async () => {
        const { hash } = await create('to-revoke', 'read_agent');
        await admin(`/v1/admin/api-keys/${hash}`, 'DELETE');
        return hash;
      },
    ],
    [
      'an already rotated key',
      async () => {
        const { hash } = await create('twice', 'read_agent');
        await admin(`/v1/admin/api-keys/${hash}/rotate`, 'POST');
        return hash;
      },
    ],
    ['an unknown hash', async () => 'a'.repeat(64)],
    ['a hash that is not 64 hex characters', async () => 'not-a-hash'],
    ['an upper-case hash', async () => (await create('upper', 'read_agent')).hash.toUpperCase()],
  ])('answers 404 to %s', async (_name, hashOf) => {
    const res = await admin(`/v1/admin/api-keys/${await hashOf()}/rotate`, 'POST');
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('revoke', () => {
  it('answers 204 and the key stops working at once', async () => {
    const { key, hash } = await create('revoking', 'write_agent');
    const res = await admin(`/v1/admin/api-keys/${hash}`, 'DELETE');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await canRead(key)).toBe(401);
  });

  it('is idempotent: revoking a revoked key answers 204 again and keeps revoked_at', async () => {
    const { hash } = await create('again', 'read_agent');
    await admin(`/v1/admin/api-keys/${hash}`, 'DELETE');
    const first = (await list()).find((k) => k.hash === hash)?.revoked_at;
    expect((await admin(`/v1/admin/api-keys/${hash}`, 'DELETE')).status).toBe(204);
    expect((await list()).find((k) => k.hash === hash)?.revoked_at).toBe(first);
  });

  it('answers 404 to an unknown hash', async () => {
    expect((await admin(`/v1/admin/api-keys/${'b'.repeat(64)}`, 'DELETE')).status).toBe(404);
  });

  it('refuses the root key with 409 and the root key keeps working', async () => {
    const res = await admin(`/v1/admin/api-keys/${sha256(emu.rootApiKey)}`, 'DELETE');
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ error: { code: 'conflict' } });
    expect(await canRead(emu.rootApiKey)).toBe(200);
  });

  it('lets an admin key other than root revoke itself', async () => {
    const { key, hash } = await create('self', 'admin');
    const res = await call(emu.url, `/v1/admin/api-keys/${hash}`, { method: 'DELETE', key });
    expect(res.status).toBe(204);
    expect(await canRead(key)).toBe(401);
  });
});
