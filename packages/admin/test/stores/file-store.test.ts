import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSecretStore, type FileStoreFs, isSecretStoreError } from '../../src/index.js';

const KEY = `steme_live_${'c3'.repeat(24)}`;
const WRITER = fileURLToPath(new URL('./fixtures/file-writer.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
let path: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'admin-file-store-'));
  path = join(dir, 'secrets.json');
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await fsp.rm(dir, { recursive: true, force: true });
});

function writer(secret: string, count: number | 'forever', tag: string): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WRITER, path, secret, String(count), tag],
    {
      cwd: PACKAGE_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  return child;
}

async function exited(child: ChildProcess): Promise<number | null> {
  const stderr: Buffer[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0 && code !== null)
    throw new Error(`writer failed: ${Buffer.concat(stderr).toString()}`);
  return code;
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('file store: what is on disk', () => {
  it('creates the file with mode 0600 in the documented format, and leaves no lock behind', async () => {
    const store = createFileSecretStore({ path: join(dir, 'new', 'secrets.json') });
    await store.writeVersion('stemedb-root-api-key', KEY);
    const stat = await fsp.stat(join(dir, 'new', 'secrets.json'));
    expect(stat.mode & 0o777).toBe(0o600);
    expect((await fsp.stat(join(dir, 'new'))).mode & 0o777).toBe(0o700);
    const doc = JSON.parse(await fsp.readFile(join(dir, 'new', 'secrets.json'), 'utf8'));
    expect(doc.format).toBe('stemedb-admin-secrets/1');
    expect(doc.secrets['stemedb-root-api-key'].versions[0]).toMatchObject({
      version: 1,
      value: KEY,
    });
    expect(await fsp.readdir(join(dir, 'new'))).toEqual(['.gitignore', 'secrets.json']);
  });

  it.each([0o644, 0o640, 0o604, 0o660])('refuses to read a file with mode %o', async (mode) => {
    const store = createFileSecretStore({ path });
    await store.writeVersion('stemedb-root-api-key', KEY);
    await fsp.chmod(path, mode);
    const error = await errorOf(store.readLatest('stemedb-root-api-key'));
    expect(isSecretStoreError(error) && error.code).toBe('insecure_file');
    expect(String(error)).toContain('chmod 600');
    // A write reads first, so it is refused too, and the file is left as it was.
    const write = await errorOf(store.writeVersion('stemedb-root-api-key', 'other-value'));
    expect(isSecretStoreError(write) && write.code).toBe('insecure_file');
    expect((await fsp.stat(path)).mode & 0o777).toBe(mode);
  });

  it('refuses a path that is a directory', async () => {
    await fsp.mkdir(path, { mode: 0o700 });
    const error = await errorOf(createFileSecretStore({ path }).readLatest('stemedb-root-api-key'));
    expect(isSecretStoreError(error) && error.code).toBe('insecure_file');
  });

  it('refuses a file it did not write, without quoting its content', async () => {
    for (const content of [
      `{"root": "${KEY}"`,
      JSON.stringify({ format: 'other', secrets: { a: KEY } }),
    ]) {
      await fsp.writeFile(path, content, { mode: 0o600 });
      const error = await errorOf(
        createFileSecretStore({ path }).readLatest('stemedb-root-api-key'),
      );
      expect(isSecretStoreError(error) && error.code).toBe('corrupt_store');
      expect(`${String(error)} ${JSON.stringify(error)} ${inspect(error)}`).not.toContain('c3c3c3');
    }
  });

  it('keeps a secret named like an Object.prototype property apart from the prototype', async () => {
    const store = createFileSecretStore({ path });
    expect(await store.readLatest('constructor')).toBeUndefined();
    await store.writeVersion('constructor', KEY);
    expect(await store.readLatest('constructor')).toBe(KEY);
  });
});

describe('file store: atomic writes', () => {
  // A filesystem that "crashes" at one step of a write: the step throws, as if the process died.
  function crashingFs(step: 'writeFile' | 'sync' | 'rename'): FileStoreFs {
    const real: FileStoreFs = { ...fsp } as unknown as FileStoreFs;
    return {
      ...real,
      rename: async (from, to) => {
        if (step === 'rename' && String(from).endsWith('.tmp'))
          throw Object.assign(new Error('crash'), { code: 'EIO' });
        return real.rename(from, to);
      },
      open: (async (file: string, flags: string, mode?: number) => {
        const handle = await real.open(file, flags, mode);
        if (!String(file).endsWith('.tmp')) return handle;
        return new Proxy(handle, {
          get(target, prop) {
            if (prop === 'writeFile' && step === 'writeFile') {
              return async (data: string) => {
                await target.write(data.slice(0, Math.floor(data.length / 2)));
                throw Object.assign(new Error('crash'), { code: 'ENOSPC' });
              };
            }
            if (prop === 'sync' && step === 'sync') {
              return async () => {
                throw Object.assign(new Error('crash'), { code: 'EIO' });
              };
            }
            const value = Reflect.get(target, prop);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      }) as FileStoreFs['open'],
    };
  }

  it.each(['writeFile', 'sync', 'rename'] as const)(
    'a write that fails at %s leaves the old file whole and readable',
    async (step) => {
      await createFileSecretStore({ path }).writeVersion('stemedb-key-alpha', KEY);
      const before = await fsp.readFile(path, 'utf8');
      const broken = createFileSecretStore({ path, fs: crashingFs(step) });
      const error = await errorOf(broken.writeVersion('stemedb-key-alpha', 'second-value'));
      expect(isSecretStoreError(error) && error.code).toBe('io_error');
      expect(await fsp.readFile(path, 'utf8')).toBe(before);
      const fresh = createFileSecretStore({ path });
      expect(await fresh.readLatest('stemedb-key-alpha')).toBe(KEY);
      // The failed write released its lock: the next writer is not kept waiting.
      await fresh.writeVersion('stemedb-key-alpha', 'third-value');
      expect(await fresh.listVersions('stemedb-key-alpha')).toHaveLength(2);
    },
  );

  it('a process killed while writing leaves a whole file, and the next writer takes over its lock', async () => {
    const child = writer('stemedb-key-alpha', 'forever', 'killed');
    let lines = 0;
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        lines += chunk.toString().split('\n').length - 1;
        if (lines >= 25) resolve();
      });
    });
    child.kill('SIGKILL');
    await once(child, 'exit');
    const store = createFileSecretStore({ path, lockTimeoutMs: 20_000 });
    const versions = await store.listVersions('stemedb-key-alpha');
    expect(versions.length).toBeGreaterThanOrEqual(25);
    expect(await store.readLatest('stemedb-key-alpha')).toMatch(/^value-killed-\d+$/);
    // Whether or not the child died holding the lock, the next write goes through.
    await store.writeVersion('stemedb-key-alpha', 'after-the-crash');
    expect(await store.readLatest('stemedb-key-alpha')).toBe('after-the-crash');
    expect((await fsp.readdir(dir)).filter((n) => n !== 'secrets.json')).toEqual([]);
  });
});

describe('file store: concurrent writers', () => {
  it('two processes writing at once lose no version', async () => {
    const a = writer('stemedb-key-shared', 30, 'a');
    const b = writer('stemedb-key-shared', 30, 'b');
    await Promise.all([exited(a), exited(b)]);
    const store = createFileSecretStore({ path });
    const versions = await store.listVersions('stemedb-key-shared');
    expect(versions.map((v) => v.version)).toEqual(
      Array.from({ length: 60 }, (_, i) => String(i + 1)),
    );
  });

  it('writes queued in one process are grouped into fewer file replacements', async () => {
    let renames = 0;
    const counting: FileStoreFs = {
      ...(fsp as unknown as FileStoreFs),
      rename: async (from, to) => {
        renames++;
        return fsp.rename(from, to);
      },
    };
    const store = createFileSecretStore({ path, fs: counting });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.writeVersion(`stemedb-key-p${i}`, `value-${i}`)),
    );
    expect(results.every((r) => r.version === '1')).toBe(true);
    expect(await store.list('stemedb-key-p')).toHaveLength(50);
    expect(renames).toBeLessThan(50);
  });

  it('breaks a lock whose owner is dead', async () => {
    const dead = spawn(process.execPath, ['-e', '0']);
    await once(dead, 'exit');
    await fsp.writeFile(
      `${path}.lock`,
      JSON.stringify({
        pid: dead.pid,
        host: (await import('node:os')).hostname(),
        nonce: 'x',
        at: Date.now(),
      }),
      { mode: 0o600 },
    );
    const store = createFileSecretStore({ path, lockTimeoutMs: 5_000 });
    await store.writeVersion('stemedb-key-alpha', KEY);
    expect(await store.readLatest('stemedb-key-alpha')).toBe(KEY);
  });

  it('fails with store_locked when a live owner keeps the lock past the timeout', async () => {
    await fsp.writeFile(
      `${path}.lock`,
      JSON.stringify({
        pid: process.pid,
        host: (await import('node:os')).hostname(),
        nonce: 'x',
        at: Date.now(),
      }),
      { mode: 0o600 },
    );
    const store = createFileSecretStore({ path, lockTimeoutMs: 200 });
    const error = await errorOf(store.writeVersion('stemedb-key-alpha', KEY));
    expect(isSecretStoreError(error) && error.code).toBe('store_locked');
    expect(String(error)).toContain(`${path}.lock`);
    expect(await fsp.readFile(`${path}.lock`, 'utf8')).toContain('"nonce":"x"');
  });
});
