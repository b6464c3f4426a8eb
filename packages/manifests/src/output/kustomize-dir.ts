/**
 * The kustomize directory output: one file per object, `<kind>-<name>.yaml` lowercased, and a
 * `kustomization.yaml` listing every one, which `kubectl kustomize DIR` builds.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { buildKustomization, objectFileName } from '../objects/kustomization.js';
import type { KubeObject } from '../types.js';
import { renderYamlDocument } from './serialize.js';

/** The file name kustomize looks for. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/**
 * The list of files a render wrote into the directory, one per line, beside them: what makes a
 * directory ours. The next render removes the ones it no longer writes (a switch from rclone to
 * Longhorn leaves no CronJob file behind) and refuses a non-empty directory without it. No
 * `.yaml`/`.json` extension, so `lint DIR` does not read it as a manifest.
 */
export const WRITTEN_FILES = '.stemedb-manifests-files';

/** What {@link writeKustomizeDir} wrote, relative to the directory, kustomization last. */
export interface KustomizeDirResult {
  readonly dir: string;
  readonly files: readonly string[];
  /** Files an earlier render wrote that this one no longer writes, now removed. */
  readonly removed: readonly string[];
}

/** The kustomize directory cannot be written without losing what is there. */
export class OutputDirError extends Error {
  override readonly name = 'OutputDirError';
  /** `output/is-file`: the path names a file; `output/not-ours`: a directory we did not write. */
  readonly code: 'output/is-file' | 'output/not-ours';
  constructor(code: OutputDirError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The directory's files as `{ name: contents }`, in bundle order with `kustomization.yaml`
 * last. Pure, so it can be compared or written anywhere. Two objects that would share a file
 * name are an error.
 */
export function kustomizeFiles(objects: readonly KubeObject[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const obj of objects) {
    const name = objectFileName(obj);
    if (files.has(name) || name === KUSTOMIZATION_FILE) {
      throw new Error(`two objects would be written to ${name}`);
    }
    files.set(name, renderYamlDocument(obj));
  }
  files.set(KUSTOMIZATION_FILE, renderYamlDocument(buildKustomization(objects)));
  return files;
}

/**
 * Writes the kustomize directory, which it owns: creates it if needed, overwrites its own
 * files, removes the files an earlier render wrote and this one does not, and records what it
 * wrote in {@link WRITTEN_FILES}. Throws {@link OutputDirError}, writing nothing, when `dir`
 * is a file (or, not existing, has a file's extension: `-o x.yaml`), or is a non-empty
 * directory this function did not write.
 */
export async function writeKustomizeDir(
  objects: readonly KubeObject[],
  dir: string,
): Promise<KustomizeDirResult> {
  const files = kustomizeFiles(objects);
  const previous = await ownedFiles(dir);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of files) {
    await writeFile(join(dir, name), text, 'utf8');
  }
  // Only names we wrote ourselves, and plain names (never a path out of the directory).
  const removed = previous.filter((f) => !files.has(f) && f === join(f) && !f.includes('/'));
  for (const name of removed) await rm(join(dir, name), { force: true });
  await writeFile(join(dir, WRITTEN_FILES), `${[...files.keys()].join('\n')}\n`, 'utf8');
  return { dir, files: [...files.keys()], removed };
}

/** Extensions that say `-o` names a file, not a directory. */
const FILE_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The files an earlier render recorded in `dir`; [] for a missing or empty directory. */
async function ownedFiles(dir: string): Promise<string[]> {
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!info) {
    if (FILE_EXTENSIONS.has(extname(dir).toLowerCase())) {
      throw new OutputDirError(
        'output/is-file',
        `${dir} looks like a file name, but the kustomize format writes a directory: give a directory with --out, or use --format yaml`,
      );
    }
    return [];
  }
  if (!info.isDirectory()) {
    throw new OutputDirError(
      'output/is-file',
      `${dir} is a file, but the kustomize format writes a directory: give a directory with --out`,
    );
  }
  const entries = await readdir(dir);
  if (entries.length === 0) return [];
  if (!entries.includes(WRITTEN_FILES)) {
    throw new OutputDirError(
      'output/not-ours',
      `${dir} is not empty and was not written by stemedb-manifests (no ${WRITTEN_FILES}): give an empty or new directory, so that no file of yours is overwritten or left in the build`,
    );
  }
  const text = await readFile(join(dir, WRITTEN_FILES), 'utf8');
  return text.split('\n').filter(Boolean);
}
