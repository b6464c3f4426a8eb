/**
 * The real `nodeSpoolFs` calls the syscalls its interface promises, on a real temp dir: the
 * power-loss tests (test/power-loss/) prove the spool safe on a disk that keeps only what was
 * fsynced, so each promise of the interface must be a real fsync here: a file's `sync` an
 * fdatasync of that file's descriptor, `syncDir` an fsync of a descriptor of the directory,
 * `mkdirp` an fsync of the parent of what it made, `create` an O_EXCL open, mode 0600.
 */
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return { ...real, open: vi.fn(real.open) };
});

const { nodeSpoolFs } = await import('../../src/spool/fs.js');
const { cleanupDirs, tempDir } = await import('../support/persist.js');

type Handle = fsp.FileHandle;
const openSpy = vi.mocked(fsp.open);
let proto: Record<'sync' | 'datasync', (...args: unknown[]) => unknown>;
let sync: MockInstance;
let datasync: MockInstance;

beforeAll(async () => {
  // FileHandle is not exported: take its prototype from a handle.
  const dir = await tempDir('aphoria-fs-');
  const handle = await fsp.open(join(dir, 'probe'), 'w');
  proto = Object.getPrototypeOf(handle);
  await handle.close();
  sync = vi.spyOn(proto, 'sync');
  datasync = vi.spyOn(proto, 'datasync');
});
afterEach(() => {
  openSpy.mockClear();
  sync.mockClear();
  datasync.mockClear();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await cleanupDirs();
});

// The handles `open` returned for `path`, in order.
async function handlesOf(path: string): Promise<Handle[]> {
  const out: Handle[] = [];
  for (const [i, call] of openSpy.mock.calls.entries()) {
    if (call[0] !== path) continue;
    const result = openSpy.mock.results[i];
    if (result?.type === 'return') out.push(await (result.value as Promise<Handle>));
  }
  return out;
}

// A closed FileHandle's fd is -1 (`close` is an own property of each handle: not spied).
const closed = (h: Handle) => h.fd === -1;

// The handles a method of FileHandle was called on.
const calledOn = (spy: MockInstance) => spy.mock.contexts as Handle[];

describe('nodeSpoolFs calls the syscalls it promises', () => {
  it('create opens with O_EXCL ("wx") and mode 0600, and refuses an existing file', async () => {
    const path = join(await tempDir('aphoria-fs-'), 'a.journal');
    const file = await nodeSpoolFs.create(path);
    await file.close();
    expect(openSpy).toHaveBeenCalledWith(path, 'wx', 0o600);
    expect((await fsp.stat(path)).mode & 0o777).toBe(0o600);
    await expect(nodeSpoolFs.create(path)).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it("a file's sync is an fdatasync of that file's own descriptor", async () => {
    const path = join(await tempDir('aphoria-fs-'), 'a.journal');
    const file = await nodeSpoolFs.create(path);
    await file.write('one\n');
    expect(datasync).not.toHaveBeenCalled();
    await file.sync();
    const [handle] = await handlesOf(path);
    expect(calledOn(datasync)).toEqual([handle]);
    await file.close();
    expect(handle && closed(handle)).toBe(true);
    expect(await fsp.readFile(path, 'utf8')).toBe('one\n');
  });

  it('append opens for appending ("a"), and its sync is an fdatasync of it', async () => {
    const path = join(await tempDir('aphoria-fs-'), 'a.journal');
    await fsp.writeFile(path, 'one\n');
    const file = await nodeSpoolFs.append(path);
    await file.write('two\n');
    await file.sync();
    await file.close();
    expect(openSpy).toHaveBeenCalledWith(path, 'a', 0o600);
    expect(calledOn(datasync)).toEqual(await handlesOf(path));
    expect(await fsp.readFile(path, 'utf8')).toBe('one\ntwo\n');
  });

  it('syncDir opens the directory read-only and fsyncs that descriptor, then closes it', async () => {
    const dir = await tempDir('aphoria-fs-');
    await nodeSpoolFs.syncDir(dir);
    expect(openSpy).toHaveBeenCalledWith(dir, constants.O_RDONLY);
    const handles = await handlesOf(dir);
    expect(handles).toHaveLength(1);
    expect(calledOn(sync)).toEqual(handles);
    expect(handles.every(closed)).toBe(true);
  });

  it('mkdirp fsyncs the parent of the first directory it made, and nothing when all exist', async () => {
    const root = await tempDir('aphoria-fs-');
    const made = join(root, 'a', 'b', 'spool');
    await nodeSpoolFs.mkdirp(made);
    expect((await fsp.stat(made)).isDirectory()).toBe(true);
    // `a` is the first directory made: `root` must record its entry.
    expect(calledOn(sync)).toEqual(await handlesOf(root));
    expect(calledOn(sync)).toHaveLength(1);
    sync.mockClear();
    await nodeSpoolFs.mkdirp(made);
    expect(sync).not.toHaveBeenCalled();
  });

  it('rename, remove and truncate change the disk; remove of a missing file is no error', async () => {
    const dir = await tempDir('aphoria-fs-');
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await fsp.writeFile(a, 'one\ntwo');
    await nodeSpoolFs.truncate(a, 4);
    expect(await fsp.readFile(a, 'utf8')).toBe('one\n');
    await nodeSpoolFs.rename(a, b);
    expect(await fsp.readdir(dir)).toEqual(['b']);
    await nodeSpoolFs.remove(b);
    await nodeSpoolFs.remove(b);
    expect(await fsp.readdir(dir)).toEqual([]);
    await expect(nodeSpoolFs.remove(join(dir, 'x', 'y'))).resolves.toBeUndefined();
  });

  it('write writes every byte it is given, at the end of the file', async () => {
    const path = join(await tempDir('aphoria-fs-'), 'a.journal');
    const file = await nodeSpoolFs.create(path);
    const big = 'x'.repeat(300_000);
    await file.write(big);
    await file.write('\n');
    await file.close();
    expect((await fsp.stat(path)).size).toBe(300_001);
  });
});
