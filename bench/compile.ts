// The child processes run as plain JavaScript on plain `node`: under tsx each would carry its
// loader (about 35 MiB of resident set and some CPU), which would swamp the RSS column and tax
// every client alike. So the three child entry points are compiled once, before any child is
// forked. Packages stay imports (the bench measures their real dist/), and each client is its
// own chunk behind a dynamic import, so a worker loads only the client it measures.

import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));

/** Inside bench/ (gitignored results/), so `@stemedb/sdk` etc. resolve from bench/node_modules. */
export const BUILD_DIR = `${BENCH_DIR}results/.build/`;

/** The files processes.ts forks, without their extension. */
export const ENTRY_POINTS = ['server', 'emulator', 'worker'] as const;

export async function compileChildren(): Promise<void> {
  await rm(BUILD_DIR, { recursive: true, force: true });
  await build({
    entryPoints: ENTRY_POINTS.map((name) => `${BENCH_DIR}${name}.ts`),
    outdir: BUILD_DIR,
    bundle: true,
    splitting: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
}
