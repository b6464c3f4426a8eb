import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // `./testing` holds the local Secret Manager and Kubernetes Secrets servers that tests, the
    // bench and examples use.
    entry: ['src/index.ts', 'src/testing.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node22',
    platform: 'node',
    // The Secret Manager emulator finds the .proto files from `import.meta.url`.
    shims: true,
  },
  {
    // The CLI is started through bin/, an ES module; it needs no CJS build or types.
    entry: ['src/cli.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node22',
    platform: 'node',
  },
]);
