/**
 * The file store's directory (issue 22 §7): a directory it creates is 0700 with a `.gitignore`
 * holding `*`, so the default store in a work tree is never committed; a directory group or
 * others may write is refused, naming who.
 */
import { execFileSync } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSecretStore, isSecretStoreError } from '../../src/index.js';
import { STORE_GITIGNORE } from '../../src/stores/file-directory.js';

const KEY = `steme_live_${'f6'.repeat(24)}`;
let base: string;
beforeEach(async () => {
  base = await fsp.mkdtemp(join(tmpdir(), 'admin-file-dir-'));
});
afterEach(async () => {
  await fsp.rm(base, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSecretStoreError(error)) throw new Error(`expected a SecretStoreError, got ${error}`);
  return error;
}

describe('file: the store directory', () => {
  it('creates its directory 0700 with a .gitignore of *, which git then honours', async () => {
    const dir = join(base, 'work', '.stemedb-admin');
    const store = createFileSecretStore({ path: join(dir, 'secrets.json') });
    await store.writeVersion('stemedb-key-a', KEY);
    await store.close();
    expect(await fsp.readFile(join(dir, '.gitignore'), 'utf8')).toBe(STORE_GITIGNORE);
    expect((await fsp.stat(dir)).mode & 0o777).toBe(0o700);
    // In a repository, nothing of the store is offered for a commit.
    const repo = join(base, 'work');
    execFileSync('git', ['init', '-q', repo]);
    const status = execFileSync('git', ['-C', repo, 'status', '--porcelain', '--ignored=no'], {
      encoding: 'utf8',
    });
    expect(status).toBe('');
  });

  it('leaves a directory it did not create as it is (no .gitignore added)', async () => {
    const store = createFileSecretStore({ path: join(base, 'secrets.json') });
    await store.writeVersion('stemedb-key-a', KEY);
    await store.close();
    await expect(fsp.stat(join(base, '.gitignore'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    { mode: '0770', who: 'group' },
    { mode: '0707', who: 'others' },
    { mode: '0777', who: 'group and others' },
  ])('refuses a directory of mode $mode, which $who may write', async ({ mode, who }) => {
    const store = createFileSecretStore({ path: join(base, 'secrets.json') });
    await fsp.chmod(base, Number.parseInt(mode, 8));
    const error = await refusal(store.readLatest('stemedb-key-a'));
    expect(error.code).toBe('insecure_file');
    expect(error.message).toContain(`lets ${who} write in it`);
    expect(error.message).toContain(`chmod 700 ${base}`);
    expect((await refusal(store.writeVersion('stemedb-key-a', KEY))).code).toBe('insecure_file');
  });

  it('accepts a directory others may only read, and a sticky one (like /tmp)', async () => {
    for (const mode of [0o755, 0o1777]) {
      await fsp.chmod(base, mode);
      const store = createFileSecretStore({ path: join(base, 'secrets.json') });
      await store.writeVersion('stemedb-key-a', KEY);
      expect(await store.readLatest('stemedb-key-a')).toBe(KEY);
      await store.close();
    }
  });
});
