/**
 * `render -f kustomize` owns its directory: a later render removes the files it wrote before
 * and no longer writes (the rclone CronJob after a switch to Longhorn), keeps files it never
 * wrote, and refuses a directory it did not write or a path that is a file.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildBundle,
  KUSTOMIZATION_FILE,
  kustomizeFiles,
  OutputDirError,
  objectFileName,
  WRITTEN_FILES,
  writeKustomizeDir,
} from '../src/index.js';
import { MINIMAL, withConfig } from './objects-fixtures.js';

const tmp = () => mkdtemp(join(tmpdir(), 'stemedb-kustomize-'));
const rclone = buildBundle(withConfig({ backup: { method: 'rclone' } }));
const longhorn = buildBundle(MINIMAL);

describe('writeKustomizeDir', () => {
  it('removes the files of an earlier render that this one no longer writes', async () => {
    const dir = await tmp();
    await writeKustomizeDir(rclone, dir);
    const cronJob = rclone.find((o) => o.kind === 'CronJob')!;
    expect(existsSync(join(dir, objectFileName(cronJob)))).toBe(true);

    const result = await writeKustomizeDir(longhorn, dir);
    expect(result.removed).toContain(objectFileName(cronJob));
    expect((await readdir(dir)).sort()).toEqual(
      [...kustomizeFiles(longhorn).keys(), WRITTEN_FILES].sort(),
    );
  });

  it('keeps a file it did not write in a directory it owns (a near miss)', async () => {
    const dir = await tmp();
    await writeKustomizeDir(rclone, dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const result = await writeKustomizeDir(longhorn, dir);
    expect(result.removed).not.toContain('notes.txt');
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('refuses a non-empty directory it did not write, writing nothing', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'deployment.yaml'), 'hand-written');
    await expect(writeKustomizeDir(longhorn, dir)).rejects.toMatchObject({
      name: 'OutputDirError',
      code: 'output/not-ours',
    });
    expect(await readdir(dir)).toEqual(['deployment.yaml']);
  });

  it('writes into an empty directory it did not create', async () => {
    const dir = join(await tmp(), 'empty');
    await mkdir(dir);
    const result = await writeKustomizeDir(longhorn, dir);
    expect(result.files).toContain(KUSTOMIZATION_FILE);
  });

  it.each([['x.yaml'], ['x.yml'], ['x.json']])(
    'refuses %s, a name that is not a directory, creating nothing',
    async (name) => {
      const out = join(await tmp(), name);
      const error = await writeKustomizeDir(longhorn, out).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutputDirError);
      expect((error as OutputDirError).code).toBe('output/is-file');
      expect(existsSync(out)).toBe(false);
    },
  );

  it('refuses a path that is an existing file', async () => {
    const out = join(await tmp(), 'stemedb');
    await writeFile(out, 'a file');
    await expect(writeKustomizeDir(longhorn, out)).rejects.toMatchObject({
      code: 'output/is-file',
    });
    expect(await readFile(out, 'utf8')).toBe('a file');
  });
});
