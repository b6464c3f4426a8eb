// Builds one copy of @stemedb/sdk per variant (and the unchanged base, built the same way) into
// packages/sdk/.bench-variants/<name>/index.js, where `undici`, `zod` and `p-retry` resolve from
// the SDK's own node_modules exactly as its dist/ does.

import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BASE, type Edit, VARIANTS } from './variants.js';

const SDK_DIR = fileURLToPath(new URL('../../packages/sdk/', import.meta.url));
/** Gitignored; the worker reads it from STEMEDB_BENCH_VARIANTS_DIR. */
export const VARIANTS_DIR = `${SDK_DIR}.bench-variants/`;

async function applyEdit(srcDir: string, variant: string, edit: Edit): Promise<void> {
  const path = `${srcDir}${edit.file}`;
  const text = await readFile(path, 'utf8');
  const count = text.split(edit.find).length - 1;
  if (count !== 1) {
    throw new Error(
      `variant ${variant}: ${edit.file} holds the text to replace ${count} times (want 1): ${JSON.stringify(edit.find.slice(0, 60))}`,
    );
  }
  await writeFile(
    path,
    text.replace(edit.find, () => edit.replace),
  );
}

async function buildOne(name: string, edits: readonly Edit[]): Promise<void> {
  const dir = `${VARIANTS_DIR}${name}/`;
  const srcDir = `${dir}src/`;
  await mkdir(dir, { recursive: true });
  await cp(`${SDK_DIR}src/`, srcDir, { recursive: true });
  for (const edit of edits) await applyEdit(srcDir, name, edit);
  await build({
    entryPoints: [`${srcDir}index.ts`],
    outfile: `${dir}index.js`,
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
}

/** Builds the base and every variant; returns their names in report order. */
export async function buildVariants(): Promise<string[]> {
  await rm(VARIANTS_DIR, { recursive: true, force: true });
  await buildOne(BASE, []);
  for (const variant of VARIANTS) await buildOne(variant.name, variant.edits);
  return [BASE, ...VARIANTS.map((v) => v.name)];
}
