/** bootstrap: idempotent through writeIfAbsent; --check; nothing secret without reveal. */
import { generateApiKey, hashApiKey } from '@stemedb/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/commands/bootstrap.js';
import { createMemorySecretStore } from '../../src/stores/memory.js';
import { ROOT_KEY_SECRET } from '../../src/stores/names.js';
import { startServer } from '../support/server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('bootstrap', () => {
  it('stores a new key once; a second run keeps it', async () => {
    const store = createMemorySecretStore();
    const first = await bootstrap({ store });
    const stored = await store.readLatest(ROOT_KEY_SECRET);
    expect(stored).toMatch(/^steme_live_[0-9a-f]{48}$/);
    expect(first).toEqual({ secret: ROOT_KEY_SECRET, created: true, hash: hashApiKey(stored!) });
    const second = await bootstrap({ store });
    expect(second.created).toBe(false);
    expect(second.hash).toBe(first.hash);
    expect(await store.listVersions(ROOT_KEY_SECRET)).toHaveLength(1);
  });

  it('keeps one key when two runs race', async () => {
    const store = createMemorySecretStore();
    const results = await Promise.all([bootstrap({ store }), bootstrap({ store })]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results[0]?.hash).toBe(results[1]?.hash);
  });

  it('returns the key only with reveal', async () => {
    const store = createMemorySecretStore();
    const plain = await bootstrap({ store });
    expect(JSON.stringify(plain)).not.toContain('steme_live_');
    const revealed = await bootstrap({ store, reveal: true });
    expect(revealed.key).toBe(await store.readLatest(ROOT_KEY_SECRET));
  });

  it('with a url, never tries a key it just made; tries a kept one and reports a refusal', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const store = createMemorySecretStore();
    const before = server.emulator.requests().length;
    const made = await bootstrap({ store, url: server.url });
    expect(made.created).toBe(true);
    expect(made.serverAccepts).toBeUndefined();
    expect(server.emulator.requests().length).toBe(before);
    const kept = await bootstrap({ store, url: server.url });
    expect(kept).toMatchObject({ created: false, serverAccepts: false });
    const seeded = createMemorySecretStore();
    await seeded.writeVersion(ROOT_KEY_SECRET, server.rootKey);
    expect(await bootstrap({ store: seeded, url: server.url })).toMatchObject({
      created: false,
      serverAccepts: true,
    });
  });

  it('--check: confirms the server accepts the stored key, or fails', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const store = createMemorySecretStore();
    await expect(bootstrap({ store, check: true, url: server.url })).rejects.toMatchObject({
      code: 'root_key_missing',
      exitCode: 1,
    });
    expect(await store.readLatest(ROOT_KEY_SECRET)).toBeUndefined();
    await store.writeVersion(ROOT_KEY_SECRET, server.rootKey);
    expect(await bootstrap({ store, check: true, url: server.url })).toMatchObject({
      created: false,
      serverAccepts: true,
    });
    await store.writeVersion(ROOT_KEY_SECRET, generateApiKey());
    await expect(bootstrap({ store, check: true, url: server.url })).rejects.toMatchObject({
      code: 'unauthorized',
      exitCode: 3,
    });
  });

  it('refuses an unknown option', async () => {
    await expect(
      bootstrap({ store: createMemorySecretStore(), force: true } as never),
    ).rejects.toMatchObject({
      code: 'invalid_options',
      message: expect.stringContaining('force'),
    });
  });
});
