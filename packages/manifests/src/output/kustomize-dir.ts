/**
 * The kustomize directory output: one file per object, `<kind>-<name>.yaml` lowercased, and a
 * `kustomization.yaml` listing every one, which `kubectl kustomize DIR` builds.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildKustomization, objectFileName } from '../objects/kustomization.js';
import type { KubeObject } from '../types.js';
import { renderYamlDocument } from './serialize.js';

/** The file name kustomize looks for. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/** What {@link writeKustomizeDir} wrote, relative to the directory, kustomization last. */
export interface KustomizeDirResult {
  readonly dir: string;
  readonly files: readonly string[];
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
 * Writes the kustomize directory, creating it if needed. Files of the same names are
 * overwritten; other files are left alone (and, not being listed, are not built), so regenerate
 * into a fresh or dedicated directory.
 */
export async function writeKustomizeDir(
  objects: readonly KubeObject[],
  dir: string,
): Promise<KustomizeDirResult> {
  const files = kustomizeFiles(objects);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of files) {
    await writeFile(join(dir, name), text, 'utf8');
  }
  return { dir, files: [...files.keys()] };
}
