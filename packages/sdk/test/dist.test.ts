/**
 * The built package (what users install), in both module systems: p-retry and p-limit are
 * ESM-only, and the CJS build reaches them through require(esm). Needs `pnpm build` first, as
 * the root `pnpm test` does; when dist/ is missing these tests are skipped, saying so.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { reply, startRawServer } from './support/raw-server.js';

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
const built = existsSync(dist('index.js')) && existsSync(dist('index.cjs'));
type Sdk = typeof import('../src/index.js');

const loaders: Array<[string, () => Promise<Sdk>]> = [
  ['ESM (import)', () => import(dist('index.js')) as Promise<Sdk>],
  ['CJS (require)', async () => createRequire(import.meta.url)(dist('index.cjs')) as Sdk],
];

describe.skipIf(!built)('the built package (run `pnpm build` first)', () => {
  it.each(loaders)('%s retries, limits concurrency and reports errors', async (_name, load) => {
    const sdk = await load();
    let calls = 0;
    const server = await startRawServer((_req, res) => {
      calls++;
      if (calls === 1) reply(res, 503, 'down', { 'content-type': 'text/plain' });
      else reply(res, 201, { id: `a${calls}`, accepted_at: '2026-01-01T00:00:00Z' });
    });
    const client = new sdk.StemeClient({ baseUrl: server.url, retry: { delays: [0] } });
    try {
      const ping = { subject: 's', predicate: 'p', value: true, agent_id: 'a' };
      await expect(client.assert(ping)).resolves.toMatchObject({ id: 'a2' });
      const results = await client.assertMany([ping, ping], { concurrency: 1 });
      expect(results.map((r) => r.ok)).toEqual([true, true]);
      const bad = await client.assert({ ...ping, subject: '' }).catch((e: unknown) => e);
      expect(sdk.isStemeError(bad)).toBe(true);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
