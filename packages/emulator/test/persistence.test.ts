import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { call } from './support/http.js';

/** dataDir: keys (hashes only) and assertions survive close() and a restart on the same dir. */

const newKey = () => `steme_live_${randomBytes(24).toString('hex')}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let dataDir: string;
const running: Emulator[] = [];
const start = async (opts: Parameters<typeof startEmulator>[0] = {}) => {
  const emu = await startEmulator({ dataDir, rateLimit: false, ...opts });
  running.push(emu);
  return emu;
};

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'stemedb-emulator-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
  await rm(dataDir, { recursive: true, force: true });
});

async function createKey(emu: Emulator, label: string, role = 'write_agent') {
  const res = await call(emu.url, '/v1/admin/api-keys', {
    method: 'POST',
    key: emu.rootApiKey,
    body: { label, role },
  });
  return res.json as { key: string; hash: string };
}

describe('persistence', () => {
  it('keeps a key created before a restart working after it', async () => {
    const rootApiKey = newKey();
    const first = await start({ rootApiKey });
    const { key } = await createKey(first, 'project-a');
    await first.close();
    const second = await start({ rootApiKey });
    expect((await call(second.url, '/v1/assertions', { key })).status).toBe(200);
  });

  it('keeps assertions across a restart', async () => {
    const first = await start();
    const body = { subject: 's', predicate: 'p', value: { n: 1 }, agent_id: 'a' };
    const written = await call(first.url, '/v1/assert', {
      method: 'POST',
      key: first.rootApiKey,
      body,
    });
    await first.close();
    const second = await start();
    const page = await call(second.url, '/v1/assertions', { key: second.rootApiKey });
    expect(page.json).toMatchObject({
      items: [{ ...body, id: (written.json as { id: string }).id }],
    });
    const again = await call(second.url, '/v1/assert', {
      method: 'POST',
      key: second.rootApiKey,
      body,
    });
    expect((again.json as { id: string }).id).not.toBe((written.json as { id: string }).id);
  });

  it('seeds the root key idempotently: one entry with the first created_at', async () => {
    const rootApiKey = newKey();
    const list = async (emu: Emulator) =>
      (
        (await call(emu.url, '/v1/admin/api-keys', { key: rootApiKey })).json as {
          keys: { hash: string; created_at: string }[];
        }
      ).keys.filter((k) => k.hash === sha256(rootApiKey));
    const first = await start({ rootApiKey });
    const before = await list(first);
    await first.close();
    const second = await start({ rootApiKey });
    expect(await list(second)).toEqual(before);
    expect(before).toHaveLength(1);
  });

  it('keeps a revoked key revoked after a restart', async () => {
    const rootApiKey = newKey();
    const first = await start({ rootApiKey });
    const { key, hash } = await createKey(first, 'doomed');
    await call(first.url, `/v1/admin/api-keys/${hash}`, { method: 'DELETE', key: rootApiKey });
    await first.close();
    const second = await start({ rootApiKey });
    expect((await call(second.url, '/v1/assertions', { key })).status).toBe(401);
  });

  it('seeds a root key revived after a rotation at the next boot', async () => {
    const rootApiKey = newKey();
    const first = await start({ rootApiKey });
    const rotate = await call(first.url, `/v1/admin/api-keys/${sha256(rootApiKey)}/rotate`, {
      method: 'POST',
      key: rootApiKey,
    });
    expect(rotate.status).toBe(201);
    expect((await call(first.url, '/v1/assertions', { key: rootApiKey })).status).toBe(401);
    await first.close();
    const second = await start({ rootApiKey });
    expect((await call(second.url, '/v1/assertions', { key: rootApiKey })).status).toBe(200);
  });

  it('writes hashes only, never a key, and leaves no temporary files', async () => {
    const rootApiKey = newKey();
    const emu = await start({ rootApiKey });
    const { key } = await createKey(emu, 'secretive');
    const body = { subject: 's', predicate: 'p', value: key.length, agent_id: 'a' };
    await call(emu.url, '/v1/assert', { method: 'POST', key, body });
    await emu.close();
    const files = await readdir(dataDir);
    expect(files.sort()).toEqual(['assertions.json', 'keys.json']);
    for (const file of files) {
      const text = await readFile(join(dataDir, file), 'utf8');
      expect(text).not.toContain(key);
      expect(text).not.toContain(rootApiKey);
      expect(text).not.toContain('steme_live_');
    }
  });

  it('survives many concurrent writes with every one on disk after close', async () => {
    const emu = await start();
    const body = { subject: 's', predicate: 'p', value: 1, agent_id: 'a' };
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        call(emu.url, '/v1/assert', { method: 'POST', key: emu.rootApiKey, body }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    await emu.close();
    const onDisk = JSON.parse(await readFile(join(dataDir, 'assertions.json'), 'utf8'));
    expect(onDisk.assertions).toHaveLength(40);
  });

  it('refuses to start on a data directory it did not write', async () => {
    await writeFile(join(dataDir, 'keys.json'), '{"something":"else"}');
    await expect(startEmulator({ dataDir })).rejects.toThrow(/not an emulator data file/);
  });
});
