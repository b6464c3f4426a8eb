/**
 * The admin operations (`client.admin`) against the emulator, over real loopback HTTP.
 */
import { describe, expect, it } from 'vitest';
import {
  hashApiKey,
  isApiKey,
  StemeAuthenticationError,
  StemeConflictError,
  StemeNotFoundError,
  StemePermissionError,
  StemeValidationError,
} from '../src/index.js';
import { PING, useEmulator } from './support/emulator.js';

const ctx = useEmulator({ rateLimit: false });

async function keyFor(role: 'admin' | 'write_agent' | 'read_agent') {
  const created = await ctx.client().admin.createApiKey({ label: `test-${role}`, role });
  return created.key;
}

describe('admin', () => {
  it('createApiKey issues a key whose hash is hashApiKey(key)', async () => {
    const created = await ctx
      .client()
      .admin.createApiKey({ label: 'project-demo', role: 'write_agent' });
    expect(isApiKey(created.key)).toBe(true);
    expect(created.hash).toBe(hashApiKey(created.key));
    expect(created).toMatchObject({ label: 'project-demo', role: 'write_agent' });
    await expect(ctx.client({ apiKey: created.key }).assert(PING)).resolves.toBeDefined();
  });

  it('listApiKeys lists the keys by hash, never their plaintext', async () => {
    const created = await ctx.client().admin.createApiKey({ label: 'listed', role: 'read_agent' });
    const { keys } = await ctx.client().admin.listApiKeys();
    const found = keys.find((k) => k.hash === created.hash);
    expect(found).toMatchObject({ label: 'listed', role: 'read_agent', revoked_at: null });
    expect(JSON.stringify(keys)).not.toContain(created.key);
  });

  it('rotateApiKey issues a new key and retires the old one', async () => {
    const old = await ctx.client().admin.createApiKey({ label: 'rotating', role: 'write_agent' });
    const fresh = await ctx.client().admin.rotateApiKey(old.hash);
    expect(fresh.key).not.toBe(old.key);
    expect(fresh).toMatchObject({ label: 'rotating', role: 'write_agent' });
    await expect(ctx.client({ apiKey: old.key }).assert(PING)).rejects.toBeInstanceOf(
      StemeAuthenticationError,
    );
    await expect(ctx.client({ apiKey: fresh.key }).assert(PING)).resolves.toBeDefined();
  });

  it('revokeApiKey revokes, and again is fine', async () => {
    const key = await ctx.client().admin.createApiKey({ label: 'revoked', role: 'write_agent' });
    await expect(ctx.client().admin.revokeApiKey(key.hash)).resolves.toBeUndefined();
    await expect(ctx.client().admin.revokeApiKey(key.hash)).resolves.toBeUndefined();
    await expect(ctx.client({ apiKey: key.key }).assert(PING)).rejects.toBeInstanceOf(
      StemeAuthenticationError,
    );
  });

  it('an unknown hash is a StemeNotFoundError (404)', async () => {
    const error = await ctx
      .client()
      .admin.revokeApiKey('0'.repeat(64))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeNotFoundError);
    await expect(ctx.client().admin.rotateApiKey('0'.repeat(64))).rejects.toBeInstanceOf(
      StemeNotFoundError,
    );
  });

  it('revoking the root key is a StemeConflictError (409)', async () => {
    const error = await ctx
      .client()
      .admin.revokeApiKey(hashApiKey(ctx.emu.rootApiKey))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StemeConflictError);
    expect((error as StemeConflictError).serverCode).toBe('conflict');
  });

  it('a write key may not administer keys (403)', async () => {
    const client = ctx.client({ apiKey: await keyFor('write_agent') });
    await expect(client.admin.listApiKeys()).rejects.toBeInstanceOf(StemePermissionError);
  });

  it.each([
    {
      what: 'a label with a space',
      input: { label: 'my project', role: 'write_agent' },
      field: 'label',
    },
    { what: 'an unknown role', input: { label: 'p', role: 'owner' }, field: 'role' },
    {
      what: 'a label over 128 characters',
      input: { label: 'p'.repeat(129), role: 'admin' },
      field: 'label',
    },
    { what: 'an unknown field', input: { label: 'p', role: 'admin', ttl: 5 }, field: 'ttl' },
  ])('createApiKey refuses $what before sending', async ({ input, field }) => {
    const error = await ctx
      .client()
      .admin.createApiKey(input as never)
      .catch((e: unknown) => e);
    expect((error as StemeValidationError).field).toBe(field);
  });

  it.each(['rotateApiKey', 'revokeApiKey'] as const)(
    '%s refuses a key passed as a hash, and never puts it in a URL',
    async (method) => {
      const key = await keyFor('read_agent');
      const before = ctx.emu.requests().length;
      const error = await ctx
        .client()
        .admin[method](key)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StemeValidationError);
      expect((error as Error).message).toContain('hashApiKey');
      expect(ctx.emu.requests().length).toBe(before);
    },
  );
});
