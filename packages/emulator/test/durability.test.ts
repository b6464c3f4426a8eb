import { createHash } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulatorWith } from '../src/server.js';
import type { Emulator, EmulatorOptions } from '../src/types.js';
import {
  crashImage,
  type FailPoint,
  failingFs,
  newKey,
  postAssertion,
  removeTempDirs,
  subjects,
  tempDir,
} from './support/data-dir.js';
import { call } from './support/http.js';

/**
 * Issue 11, item 14: a write that cannot be made durable is answered 503 and undone in memory,
 * so a 503 means nothing happened and the SDK's retries cannot leave copies behind.
 */

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const running: Emulator[] = [];
const start = async (options: EmulatorOptions, fs = failingFs().fs) => {
  const emu = await startEmulatorWith({ rateLimit: false, ...options }, { fs });
  running.push(emu);
  return emu;
};

afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
  await removeTempDirs();
});

async function createKey(emu: Emulator, label: string) {
  const res = await call(emu.url, '/v1/admin/api-keys', {
    method: 'POST',
    key: emu.rootApiKey,
    body: { label, role: 'write_agent' },
  });
  return { status: res.status, ...(res.json as { key: string; hash: string }) };
}

const labels = async (emu: Emulator) =>
  (
    (await call(emu.url, '/v1/admin/api-keys', { key: emu.rootApiKey })).json as {
      keys: { label: string; revoked_at: string | null }[];
    }
  ).keys;

/**
 * Every kind of write fails and leaves no trace while `breakDisk` holds, then works again once
 * `mendDisk` ran; after a restart only the writes answered 201/204 exist.
 */
async function checkRollback(
  fs: Parameters<typeof start>[1],
  breakDisk: (dataDir: string) => Promise<void>,
  mendDisk: (dataDir: string) => Promise<void>,
) {
  const dataDir = await tempDir();
  const rootApiKey = newKey();
  const emu = await start({ dataDir, rootApiKey }, fs);
  expect((await postAssertion(emu.url, rootApiKey, 'kept')).status).toBe(201);
  const survivor = await createKey(emu, 'survivor');
  const before = await labels(emu);

  await breakDisk(dataDir);
  // The SDK's four attempts: each must be a clean 503, none may leave a copy.
  for (let attempt = 0; attempt < 4; attempt++) {
    const failed = await postAssertion(emu.url, rootApiKey, 'lost');
    expect(failed.status).toBe(503);
  }
  expect(await subjects(emu.url, rootApiKey)).toEqual(['kept']);
  expect((await createKey(emu, 'ghost')).status).toBe(503);
  const rotate = await call(emu.url, `/v1/admin/api-keys/${survivor.hash}/rotate`, {
    method: 'POST',
    key: rootApiKey,
  });
  expect(rotate.status).toBe(503);
  const revoke = await call(emu.url, `/v1/admin/api-keys/${survivor.hash}`, {
    method: 'DELETE',
    key: rootApiKey,
  });
  expect(revoke.status).toBe(503);
  expect(await labels(emu)).toEqual(before);
  // Neither the failed rotation nor the failed revocation took the key away.
  expect((await call(emu.url, '/v1/assertions', { key: survivor.key })).status).toBe(200);

  await mendDisk(dataDir);
  expect((await postAssertion(emu.url, rootApiKey, 'after')).status).toBe(201);
  const image = await crashImage(dataDir);
  await emu.close();
  for (const dir of [dataDir, image]) {
    const again = await start({ dataDir: dir, rootApiKey });
    expect(await subjects(again.url, rootApiKey)).toEqual(['after', 'kept']);
    expect((await labels(again)).map((k) => k.label).sort()).toEqual(['root', 'survivor']);
    expect((await call(again.url, '/v1/assertions', { key: survivor.key })).status).toBe(200);
    expect(sha256(survivor.key)).toBe(survivor.hash);
    await again.close();
  }
}

describe('a write that cannot be made durable', () => {
  it('is undone when the data directory is replaced by a file (real filesystem, as root)', async () => {
    // chmod does not stop root; a directory swapped for a file does (ENOTDIR on open).
    await checkRollback(
      failingFs().fs,
      async (dataDir) => {
        await rename(dataDir, `${dataDir}.away`);
        await writeFile(dataDir, 'not a directory');
      },
      async (dataDir) => {
        await rm(dataDir);
        await rename(`${dataDir}.away`, dataDir);
      },
    );
  });

  it.each<FailPoint>(['sync', 'write'])('is undone when %s fails with EIO', async (point) => {
    const failing = failingFs();
    await checkRollback(
      failing.fs,
      async () => failing.failAt(point),
      async () => failing.failAt(undefined),
    );
  });
});
