/**
 * The power-loss double itself: what survives a power cut is exactly what was fsynced (file
 * data by the file's fsync, directory entries by the directory's), by the model of ALICE and
 * SQLite's crash-test VFS. Each row is a near miss of another: the same steps with and without
 * the fsync that makes them durable.
 */
import { describe, expect, it } from 'vitest';
import { callSite, PowerCut, PowerLossFs } from '../support/power-loss-fs.js';

const D = '/spool';
const A = `${D}/a.journal`;
const B = `${D}/b.journal`;

async function text(fs: PowerLossFs, path: string): Promise<string | undefined> {
  if ((await fs.size(path)) === undefined) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of fs.read(path)) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

// Runs `steps` on a fresh fs, cuts the power right after them, returns what survived.
async function cutAfter(
  steps: (fs: PowerLossFs) => Promise<void>,
  tail?: 'drop' | 'torn' | 'holes',
): Promise<PowerLossFs> {
  const counting = new PowerLossFs();
  await steps(counting);
  const fs = new PowerLossFs({ crashAt: counting.steps + 1, tail });
  await steps(fs);
  await expect(fs.mkdirp('/after')).rejects.toBeInstanceOf(PowerCut);
  return fs.survivor();
}

describe('PowerLossFs: a power cut keeps only what was fsynced', () => {
  it('a write, the file and the directory fsynced: survives', async () => {
    const after = await cutAfter(async (fs) => {
      await fs.mkdirp(D);
      const f = await fs.create(A);
      await f.write('one\n');
      await f.sync();
      await fs.syncDir(D);
    });
    expect(await text(after, A)).toBe('one\n');
  });

  it('a write after the last fsync is lost, the fsynced bytes before it kept', async () => {
    const after = await cutAfter(async (fs) => {
      await fs.mkdirp(D);
      const f = await fs.create(A);
      await f.write('one\n');
      await f.sync();
      await fs.syncDir(D);
      await f.write('two\n');
    });
    expect(await text(after, A)).toBe('one\n');
  });

  it('with tail "torn", the unsynced bytes survive as a prefix', async () => {
    const after = await cutAfter(async (fs) => {
      await fs.mkdirp(D);
      const f = await fs.create(A);
      await f.write('one\n');
      await f.sync();
      await fs.syncDir(D);
      await f.write('twotwo\n!');
    }, 'torn');
    expect(await text(after, A)).toBe('one\ntwot');
  });

  it('with tail "holes", a later unsynced write survives and the earlier ones are zeros', async () => {
    const after = await cutAfter(async (fs) => {
      await fs.mkdirp(D);
      const f = await fs.create(A);
      await f.sync();
      await fs.syncDir(D);
      await f.write('ab');
      await f.write('cd');
    }, 'holes');
    expect(await text(after, A)).toBe('\0\0cd');
  });

  it('a created file fsynced but its directory not: the file is gone', async () => {
    const after = await cutAfter(async (fs) => {
      await fs.mkdirp(D);
      const f = await fs.create(A);
      await f.write('one\n');
      await f.sync();
    });
    expect(await text(after, A)).toBeUndefined();
    expect(await after.list(D)).toEqual([]);
  });

  it('a directory fsynced but the file not: the name survives, empty', async () => {
    const after = await cutAfter(async (fs) => {
      await fs.mkdirp(D);
      const f = await fs.create(A);
      await f.write('one\n');
      await fs.syncDir(D);
    });
    expect(await text(after, A)).toBe('');
  });

  it('a rename without a directory fsync is lost: the old name, the old bytes', async () => {
    const steps = async (fs: PowerLossFs, syncDir: boolean) => {
      await fs.mkdirp(D);
      for (const [path, body] of [
        [A, 'old\n'],
        [B, 'new\n'],
      ] as const) {
        const f = await fs.create(path);
        await f.write(body);
        await f.sync();
      }
      await fs.syncDir(D);
      await fs.rename(B, A);
      if (syncDir) await fs.syncDir(D);
    };
    const lost = await cutAfter((fs) => steps(fs, false));
    expect([await text(lost, A), await text(lost, B)]).toEqual(['old\n', 'new\n']);
    const kept = await cutAfter((fs) => steps(fs, true));
    expect([await text(kept, A), await text(kept, B)]).toEqual(['new\n', undefined]);
  });

  it('an unlink without a directory fsync is undone', async () => {
    const steps = async (fs: PowerLossFs, syncDir: boolean) => {
      await fs.mkdirp(D);
      const f = await fs.create(A);
      await f.write('one\n');
      await f.sync();
      await fs.syncDir(D);
      await fs.remove(A);
      if (syncDir) await fs.syncDir(D);
    };
    expect(await text(await cutAfter((fs) => steps(fs, false)), A)).toBe('one\n');
    expect(await text(await cutAfter((fs) => steps(fs, true)), A)).toBeUndefined();
  });

  it('a truncate is durable only with the fsync after it', async () => {
    const steps = async (fs: PowerLossFs, sync: boolean) => {
      await fs.mkdirp(D);
      const f = await fs.create(A);
      await f.write('one\ntw');
      await f.sync();
      await fs.syncDir(D);
      await fs.truncate(A, 4);
      if (sync) await (await fs.append(A)).sync();
    };
    expect(await text(await cutAfter((fs) => steps(fs, false)), A)).toBe('one\ntw');
    expect(await text(await cutAfter((fs) => steps(fs, true)), A)).toBe('one\n');
  });

  it('counts every mutating call as a step; the crash step does not happen, nothing after it', async () => {
    const fs = new PowerLossFs({ crashAt: 3 });
    await fs.mkdirp(D); // 1
    const f = await fs.create(A); // 2
    await expect(f.write('x')).rejects.toBeInstanceOf(PowerCut); // 3: the power goes
    await expect(f.sync()).rejects.toBeInstanceOf(PowerCut);
    await expect(fs.list(D)).rejects.toBeInstanceOf(PowerCut);
    expect(fs.crashed).toBe(true);
    expect(fs.log).toEqual(['mkdirp /spool', 'create a.journal']);
    // The directory was made durably (mkdirp fsyncs the parent); the create was not.
    expect(await fs.survivor().list(D)).toEqual([]);
  });

  it('keeps the live view for reads before the crash (the page cache)', async () => {
    const fs = new PowerLossFs();
    await fs.mkdirp(D);
    const f = await fs.create(A);
    await f.write('one\n');
    expect(await text(fs, A)).toBe('one\n');
    await expect(fs.create(A)).rejects.toMatchObject({ code: 'EEXIST' });
    await fs.remove(`${D}/missing`); // a missing file is not an error
    expect(await fs.size(`${D}/missing`)).toBeUndefined();
  });

  it('records each fsync by its call site and ignores the sites it is told to', async () => {
    const counting = new PowerLossFs();
    await counting.mkdirp(D);
    const f = await counting.create(A);
    await f.sync();
    await counting.syncDir(D);
    // Called from a test file, not from the package's src/.
    expect([...counting.syncSites.keys()]).toEqual(['outside src']);

    const ignoring = new PowerLossFs({ ignoreSyncSites: new Set(['outside src']), crashAt: 6 });
    await ignoring.mkdirp(D);
    const g = await ignoring.create(A);
    await g.write('one\n');
    await g.sync();
    await ignoring.syncDir(D);
    await expect(ignoring.syncDir(D)).rejects.toBeInstanceOf(PowerCut);
    expect(await ignoring.survivor().list(D)).toEqual([]);
  });

  it('names a call site by its path under src/ and its line', () => {
    const stack = [
      'Error',
      '    at PowerLossFs.syncDir (/w/packages/aphoria-client/test/support/power-loss-fs.ts:9:1)',
      '    at deleteJournal (/w/packages/aphoria-client/src/spool/journal-write.ts:139:12)',
      '    at drainJournal (/w/packages/aphoria-client/src/persist/drain.ts:140:5)',
    ].join('\n');
    expect(callSite(stack)).toBe('src/spool/journal-write.ts:139 (deleteJournal)');
    expect(callSite('Error\n    at x (/w/other/src/a.ts:1:1)')).toBe('outside src');
  });
});

describe('PowerLossFs: the pages tail', () => {
  it('keeps of the unsynced bytes only the last page they touch, even within one write', async () => {
    const steps = async (fs: PowerLossFs) => {
      await fs.mkdirp(D);
      const f = await fs.create(A);
      await f.write('abc');
      await f.sync();
      await fs.syncDir(D);
      await f.write('defghij'); // bytes 3-9: pages of 4 are [0-3] [4-7] [8-11]
    };
    const counting = new PowerLossFs();
    await steps(counting);
    const fs = new PowerLossFs({ crashAt: counting.steps + 1, tail: 'pages', pageBytes: 4 });
    await steps(fs);
    await expect(fs.mkdirp('/after')).rejects.toBeInstanceOf(PowerCut);
    expect(await text(fs.survivor(), A)).toBe('abc\0\0\0\0\0ij');
  });
});
