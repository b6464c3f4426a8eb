/**
 * Writing a bundle where it should go: YAML or JSON (serialize.ts) to stdout or a file, or a
 * kustomize directory (kustomize-dir.ts). The CLI's `render` command is a thin wrapper around
 * {@link writeOutput}.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KubeObject } from '../types.js';
import { writeKustomizeDir } from './kustomize-dir.js';
import { renderJson, renderYaml } from './serialize.js';

/** The output formats. */
export type OutputFormat = 'yaml' | 'json' | 'kustomize';

/** Where and how to write. */
export interface OutputOptions {
  /** @default 'yaml' */
  readonly format?: OutputFormat;
  /**
   * A file for `yaml` and `json` (stdout when absent or `-`); a directory, required, for
   * `kustomize`.
   */
  readonly out?: string;
  /** Where stdout output goes; injectable for tests. @default process.stdout */
  readonly stdout?: { write(text: string): unknown };
}

/** What was written: the paths, or `['-']` for stdout. */
export interface OutputResult {
  readonly format: OutputFormat;
  readonly paths: readonly string[];
  /** kustomize: the files of an earlier render this one no longer writes, now removed. */
  readonly removed: readonly string[];
}

/** Renders `objects` in the chosen format and writes them to stdout, a file or a directory. */
export async function writeOutput(
  objects: readonly KubeObject[],
  options: OutputOptions = {},
): Promise<OutputResult> {
  const format = options.format ?? 'yaml';
  if (format === 'kustomize') {
    if (!options.out || options.out === '-') {
      throw new Error('the kustomize format writes a directory: give its path');
    }
    const result = await writeKustomizeDir(objects, options.out);
    return {
      format,
      paths: result.files.map((f) => `${options.out}/${f}`),
      removed: result.removed.map((f) => `${options.out}/${f}`),
    };
  }
  const text = format === 'json' ? renderJson(objects) : renderYaml(objects);
  if (!options.out || options.out === '-') {
    (options.stdout ?? process.stdout).write(text);
    return { format, paths: ['-'], removed: [] };
  }
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, text, 'utf8');
  return { format, paths: [options.out], removed: [] };
}
