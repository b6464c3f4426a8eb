/** Where the admin key comes from: the environment, stdin, the store; never quoted in an error. */
import { Readable } from 'node:stream';
import { generateApiKey } from '@stemedb/sdk';
import { describe, expect, it } from 'vitest';
import { resolveAdminKey } from '../../src/admin-key.js';
import { createMemorySecretStore } from '../../src/stores/memory.js';
import { ROOT_KEY_SECRET } from '../../src/stores/names.js';

const KEY = generateApiKey();

describe('resolveAdminKey', () => {
  it('reads STEMEDB_ADMIN_KEY', async () => {
    expect(await resolveAdminKey({ env: { STEMEDB_ADMIN_KEY: KEY } })).toBe(KEY);
  });

  it('reads stdin, trimmed, over the environment', async () => {
    const stdin = Readable.from([
      Buffer.from(`${KEY.slice(0, 20)}`),
      Buffer.from(`${KEY.slice(20)}\n`),
    ]);
    expect(await resolveAdminKey({ env: { STEMEDB_ADMIN_KEY: generateApiKey() }, stdin })).toBe(
      KEY,
    );
  });

  it("reads the store's root key", async () => {
    const store = createMemorySecretStore();
    await store.writeVersion(ROOT_KEY_SECRET, KEY);
    expect(await resolveAdminKey({ env: {}, fromStore: store })).toBe(KEY);
  });

  it.each([
    { name: 'no key anywhere', source: { env: {} }, code: 'admin_key_missing' },
    {
      name: 'an empty stdin',
      source: { env: {}, stdin: Readable.from(['\n']) },
      code: 'admin_key_missing',
    },
    {
      name: 'no root key stored',
      source: { env: {}, fromStore: createMemorySecretStore() },
      code: 'admin_key_missing',
    },
    {
      name: 'a malformed key',
      source: { env: { STEMEDB_ADMIN_KEY: `${KEY}x` } },
      code: 'admin_key_malformed',
    },
    {
      name: 'two sources',
      source: { env: {}, stdin: Readable.from([KEY]), fromStore: createMemorySecretStore() },
      code: 'invalid_options',
    },
  ])('fails with $code on $name, quoting no key', async ({ source, code }) => {
    const error = await resolveAdminKey(source).catch((e: unknown) => e);
    expect(error).toMatchObject({ code, exitCode: 2 });
    expect(JSON.stringify(error) + String(error)).not.toContain(KEY.slice(11));
  });
});
