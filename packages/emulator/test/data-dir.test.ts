import { chmod, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startEmulator } from '../src/index.js';
import type { Emulator } from '../src/types.js';
import { postAssertion, removeTempDirs, tempDir } from './support/data-dir.js';
import { call } from './support/http.js';

/** Issue 11, item 15: data directory hygiene: temporaries, mode, validation on load. */

const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
  await removeTempDirs();
});
const start = async (dataDir: string) => {
  const emu = await startEmulator({ dataDir, rateLimit: false });
  running.push(emu);
  return emu;
};

const admin = {
  hash: 'a'.repeat(64),
  label: 'hand-made',
  role: 'admin',
  created_at: '2026-01-01T00:00:00.000Z',
  revoked_at: null,
};

describe('data directory hygiene', () => {
  it('removes the temporaries killed processes left behind, at boot', async () => {
    const dataDir = await tempDir();
    const stale = ['keys.json.4242.tmp', 'assertions.json.77.tmp', 'assertions.json.1.tmp'];
    for (const name of stale) await writeFile(join(dataDir, name), '{"version":1');
    await writeFile(join(dataDir, 'notes.txt'), 'not ours, left alone');
    const emu = await start(dataDir);
    const files = await readdir(dataDir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files).toContain('notes.txt');
    expect((await postAssertion(emu.url, emu.rootApiKey, 'works')).status).toBe(201);
  });

  it('creates the directory 0700 even under umask 000', async () => {
    const parent = await tempDir();
    const dataDir = join(parent, 'nested', 'data');
    const old = process.umask(0);
    try {
      await start(dataDir);
    } finally {
      process.umask(old);
    }
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    for (const file of await readdir(dataDir)) {
      expect((await stat(join(dataDir, file))).mode & 0o777).toBe(0o600);
    }
  });

  it('tightens a directory and data files others can read to 0700/0600, with one warning line', async () => {
    const dataDir = join(await tempDir(), 'restored');
    await mkdir(dataDir, { mode: 0o700 });
    const first = await start(dataDir);
    expect((await postAssertion(first.url, first.rootApiKey, 'kept')).status).toBe(201);
    await first.close();
    // As a restore from a backup, or an older version under umask 022, would leave them.
    await chmod(dataDir, 0o755);
    const files = await readdir(dataDir);
    expect(files.length).toBeGreaterThan(0);
    for (const [i, file] of files.entries()) {
      await chmod(join(dataDir, file), i % 2 === 0 ? 0o644 : 0o640);
    }
    await writeFile(join(dataDir, 'notes.txt'), 'not ours', { mode: 0o644 });
    await chmod(join(dataDir, 'notes.txt'), 0o644);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const again = await start(dataDir);
    const warnings = stderr.mock.calls.map((c) => String(c[0]));
    stderr.mockRestore();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/warning: .*restored: others could read \. 0755, .*0600/);
    expect(warnings[0]?.trim().split('\n')).toHaveLength(1);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    for (const file of files) expect((await stat(join(dataDir, file))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'notes.txt'))).mode & 0o777).toBe(0o644); // not ours
    expect((await postAssertion(again.url, again.rootApiKey, 'more')).status).toBe(201);
  });

  it('says nothing when the modes are already private', async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);
    await first.close();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await start(dataDir);
    const calls = stderr.mock.calls.length;
    stderr.mockRestore();
    expect(calls).toBe(0);
  });

  const refused: { given: string; file: string; text: string; want: RegExp }[] = [
    {
      given: 'a hand-made admin record without revoked_at',
      file: 'keys.json',
      text: JSON.stringify({ version: 1, keys: [{ ...admin, revoked_at: undefined }] }),
      want: /keys\.json: not an emulator data file: keys\.0\.revoked_at/,
    },
    {
      given: 'an admin record with a role that does not exist',
      file: 'keys.json',
      text: JSON.stringify({ version: 1, keys: [{ ...admin, role: 'root' }] }),
      want: /keys\.json: not an emulator data file: keys\.0\.role/,
    },
    {
      given: 'a truncated keys.json',
      file: 'keys.json',
      text: JSON.stringify({ version: 1, keys: [admin] }).slice(0, 40),
      want: /keys\.json: not valid JSON \(truncated or damaged\)/,
    },
    {
      given: 'an assertion without a value',
      file: 'assertions.json',
      text: JSON.stringify({
        version: 1,
        assertions: [
          {
            seq: 1,
            id: 'x',
            subject: 's',
            predicate: 'p',
            agent_id: 'a',
            accepted_at: admin.created_at,
          },
        ],
      }),
      want: /assertions\.json: not an emulator data file: assertions\.0\.value/,
    },
    {
      given: 'a file of another version',
      file: 'assertions.json',
      text: JSON.stringify({ version: 2, assertions: [] }),
      want: /assertions\.json: not an emulator data file: version/,
    },
  ];

  it.each(refused)(
    'refuses $given, naming the file and the field',
    async ({ file, text, want }) => {
      const dataDir = await tempDir();
      await writeFile(join(dataDir, file), text);
      const failure = startEmulator({ dataDir });
      await expect(failure).rejects.toThrow(want);
      // Nothing of the file's content is echoed (a key hash is not a key, but a value may be).
      await expect(failure).rejects.not.toThrow(/hand-made/);
    },
  );

  it('accepts the same admin record once it has every field (the near miss)', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'keys.json'), JSON.stringify({ version: 1, keys: [admin] }));
    const emu = await start(dataDir);
    const res = await call(emu.url, '/v1/admin/api-keys', { key: emu.rootApiKey });
    const labels = (res.json as { keys: { label: string }[] }).keys.map((k) => k.label);
    expect(labels.sort()).toEqual(['hand-made', 'root']);
  });
});
