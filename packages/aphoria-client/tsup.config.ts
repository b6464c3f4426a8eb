import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node22',
    platform: 'node',
  },
  {
    // The CLI is started through bin/, an ES module; it needs no CJS build or types. Each
    // command is a dynamic import, split into its own chunk, so --help loads commander only.
    entry: ['src/cli.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node22',
    platform: 'node',
  },
]);
